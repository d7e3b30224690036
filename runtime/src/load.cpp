// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Reading a .loom file (docs/model-format.md). Everything the header claims is checked against the file before any
// tensor is copied (sizes with overflow checks, offsets inside the data section), so a malformed or hostile file is
// an Error naming the problem, never a huge allocation or an out-of-bounds read.
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "model_impl.h"

namespace loom::runtime {

static_assert(std::endian::native == std::endian::little, "the model file is little-endian");

namespace {

using Json = nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100ull << 20;  // as the safetensors reference reader
constexpr uint64_t kMaxWidth = (uint64_t{1} << 31) - 1;
constexpr int kFormatVersion = 1;

template <class... Args>
std::string cat(const Args&... parts) {
  std::ostringstream s;
  (s << ... << parts);
  return s.str();
}

// A JSON value for a message, cut short: the header is untrusted and may be huge.
std::string show(const Json& j) {
  std::string s = j.dump();
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

struct Entry {  // one tensor of the safetensors header
  std::string dtype;
  std::vector<uint64_t> shape;
  uint64_t begin = 0, end = 0;
};

struct Wanted {  // one tensor the card names
  std::string where;  // "layers[0].weight"
  std::string dtype;
  std::vector<uint64_t> shape;
};

class Loader {
 public:
  explicit Loader(const std::string& path) : impl_(std::make_shared<Model::Impl>()) { impl_->path = path; }

  std::shared_ptr<const Model::Impl> run() {
    read_file();
    const Json header = parse(std::string_view(bytes_).substr(8, header_len_), "the header");
    if (!header.is_object()) fail(Status::kFormatError, cat("the header is a JSON ", header.type_name(), ", not an object"));
    read_card(header);
    read_entries(header);
    check_layout();
    match_tensors();
    check_checksum();
    fill_layers();
    prepare(*impl_);
    return impl_;
  }

 private:
  [[noreturn]] void fail(Status s, const std::string& what) const {
    throw Error(s, cat("loom::runtime: '", impl_->path, "': ", what));
  }

  void read_file() {
    std::error_code ec;
    if (std::filesystem::is_directory(impl_->path, ec)) fail(Status::kIoError, "is a directory, not a model file");
    std::ifstream in(impl_->path, std::ios::binary);
    if (!in) fail(Status::kIoError, cat("cannot open: ", std::strerror(errno)));
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) fail(Status::kIoError, "cannot determine the file size");
    in.seekg(0);
    bytes_.resize(static_cast<size_t>(size));
    if (size > 0 && !in.read(bytes_.data(), size)) fail(Status::kIoError, "read failed");
    if (bytes_.size() < 8)
      fail(Status::kFormatError, cat("the file is ", bytes_.size(), " bytes, shorter than the 8-byte header length"));
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes_[i]);
    if (n > bytes_.size() - 8)
      fail(Status::kFormatError,
           cat("header length ", n, " exceeds the ", bytes_.size() - 8, " bytes after the length field (truncated?)"));
    if (n > kMaxHeaderBytes) fail(Status::kFormatError, cat("header length ", n, " exceeds the limit of ", kMaxHeaderBytes));
    header_len_ = n;
    data_ = bytes_.data() + 8 + n;
    data_size_ = bytes_.size() - 8 - n;
  }

  Json parse(std::string_view text, const char* what) const {
    Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) fail(Status::kFormatError, cat(what, " is not valid JSON"));
    return j;
  }

  // ---- the card
  const Json& need(const Json& obj, const char* key, const std::string& where) const {
    auto it = obj.find(key);
    if (it == obj.end()) fail(Status::kFormatError, cat(where, ": missing key '", key, "'"));
    return *it;
  }
  std::string need_string(const Json& obj, const char* key, const std::string& where) const {
    const Json& v = need(obj, key, where);
    if (!v.is_string()) fail(Status::kFormatError, cat(where, ".", key, " must be a string, got ", show(v)));
    return v.get<std::string>();
  }
  int64_t need_width(const Json& obj, const char* key, const std::string& where) const {
    const Json& v = need(obj, key, where);
    if (!v.is_number_unsigned() || v.get<uint64_t>() < 1 || v.get<uint64_t>() > kMaxWidth)
      fail(Status::kFormatError, cat(where, ".", key, " must be an integer in [1, ", kMaxWidth, "], got ", show(v)));
    return static_cast<int64_t>(v.get<uint64_t>());
  }
  double number(const Json& obj, const char* key, double fallback, const std::string& where) const {
    auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (!it->is_number() || !std::isfinite(it->get<double>()))
      fail(Status::kFormatError, cat(where, ".", key, " must be a finite number, got ", show(*it)));
    return it->get<double>();
  }
  void only_keys(const Json& obj, std::initializer_list<const char*> keys, const std::string& where) const {
    for (const auto& [k, v] : obj.items()) {
      bool known = false;
      for (const char* key : keys) known = known || k == key;
      if (!known) fail(Status::kFormatError, cat(where, ": unknown key '", k, "'"));
    }
  }
  void want(const Json& layer, const char* key, const std::string& where, const char* dtype,
            std::vector<uint64_t> shape) {
    const std::string name = need_string(layer, key, where);
    if (!wanted_.emplace(name, Wanted{cat(where, ".", key), dtype, std::move(shape)}).second)
      fail(Status::kFormatError, cat("tensor '", name, "' is named twice by the card (", wanted_[name].where, ", ",
                                     where, ".", key, ")"));
  }

  void read_card(const Json& header) {
    auto meta = header.find("__metadata__");
    if (meta == header.end() || !meta->is_object() || !meta->contains("loom.card"))
      fail(Status::kFormatError, "no __metadata__ 'loom.card': not an exported Loom model");
    const Json& card_text = (*meta)["loom.card"];
    if (!card_text.is_string()) fail(Status::kFormatError, "__metadata__ 'loom.card' is not a string");
    impl_->card = card_text.get<std::string>();
    const Json card = parse(impl_->card, "the card");
    if (!card.is_object()) fail(Status::kFormatError, "the card is not a JSON object");
    const std::string w = "card";
    if (const std::string f = need_string(card, "format", w); f != "loom-model")
      fail(Status::kFormatError, cat("card.format is '", f, "', expected 'loom-model'"));
    const Json& version = need(card, "format_version", w);
    if (!version.is_number_integer()) fail(Status::kFormatError, cat("card.format_version must be an integer, got ", show(version)));
    if (!version.is_number_unsigned() || version.get<uint64_t>() != kFormatVersion)
      fail(Status::kUnsupported, cat("format_version ", show(version), " is not supported (this runtime reads ", kFormatVersion, ")"));
    // Keys are checked after the format and version: a newer card may well have new keys.
    only_keys(card, {"format", "format_version", "loom_version", "task", "input_width", "num_classes", "class_names",
                     "preprocess", "layers", "source", "checksum"}, w);
    for (const char* key : {"loom_version", "task"})
      if (card.contains(key)) need_string(card, key, w);
    impl_->input_width = need_width(card, "input_width", w);
    impl_->num_classes = need_width(card, "num_classes", w);
    const Json& names = need(card, "class_names", w);
    if (!names.is_array() || names.size() != static_cast<uint64_t>(impl_->num_classes))
      fail(Status::kFormatError, cat("card.class_names must be an array of num_classes = ", impl_->num_classes, " strings"));
    for (const Json& n : names) {
      if (!n.is_string()) fail(Status::kFormatError, cat("card.class_names holds ", show(n), ", not a string"));
      impl_->class_names.push_back(n.get<std::string>());
    }
    const std::string pre = need_string(card, "preprocess", w);
    if (pre == "row_normalize") impl_->preprocess = Preprocess::kRowNormalize;
    else if (pre != "none") fail(Status::kUnsupported, cat("card.preprocess '", pre, "' is not supported (none, row_normalize)"));
    read_checksum(need_string(card, "checksum", w));
    const Json& layers = need(card, "layers", w);
    if (!layers.is_array() || layers.empty()) fail(Status::kFormatError, "card.layers must be a non-empty array");
    int64_t width = impl_->input_width;
    impl_->max_width = width;
    for (size_t i = 0; i < layers.size(); ++i) width = read_layer(layers[i], cat("layers[", i, "]"), width);
    if (width != impl_->num_classes)
      fail(Status::kShapeError, cat("the last layer's width is ", width, ", but num_classes is ", impl_->num_classes));
  }

  void read_checksum(const std::string& s) {
    const std::string prefix = "fnv1a64:";
    bool ok = s.size() == prefix.size() + 16 && s.compare(0, prefix.size(), prefix) == 0;
    for (size_t i = prefix.size(); ok && i < s.size(); ++i) ok = std::isdigit(static_cast<unsigned char>(s[i])) || (s[i] >= 'a' && s[i] <= 'f');
    if (!ok) fail(Status::kFormatError, cat("card.checksum '", s.substr(0, 40), "' is not fnv1a64: and 16 lowercase hex digits"));
    checksum_ = std::stoull(s.substr(prefix.size()), nullptr, 16);
  }

  // Returns the layer's output width; `width` is its input width.
  int64_t read_layer(const Json& j, const std::string& where, int64_t width) {
    if (!j.is_object()) fail(Status::kFormatError, cat(where, " is not an object"));
    const std::string op = need_string(j, "op", where);
    const std::string w = cat(where, " (", op, ")");
    Layer L;
    L.in = L.out = width;
    if (op == "linear" || op == "linear_int8") {
      const bool q = op == "linear_int8";
      if (q) only_keys(j, {"op", "in", "out", "weight", "scale", "bias"}, w);
      else only_keys(j, {"op", "in", "out", "weight", "bias"}, w);
      L.op = Op::kLinear;
      L.in = need_width(j, "in", w);
      L.out = need_width(j, "out", w);
      if (L.in != width)
        fail(Status::kShapeError, cat(w, ": in is ", L.in, ", but the width here is ", width, " (widths must chain)"));
      const uint64_t in = L.in, out = L.out;
      want(j, "weight", where, q ? "I8" : "F32", {out, in});
      if (q) want(j, "scale", where, "F32", {out});
      if (j.contains("bias")) want(j, "bias", where, "F32", {out});
      impl_->int8 = impl_->int8 || q;
    } else if (op == "batch_norm") {
      only_keys(j, {"op", "width", "eps", "weight", "bias", "running_mean", "running_var"}, w);
      L.op = Op::kBatchNorm;
      if (need_width(j, "width", w) != width)
        fail(Status::kShapeError, cat(w, ": width is ", j["width"].get<int64_t>(), ", but the width here is ", width));
      need(j, "eps", w);
      L.param = static_cast<float>(number(j, "eps", 0, w));
      for (const char* key : {"weight", "bias", "running_mean", "running_var"})
        want(j, key, where, "F32", {static_cast<uint64_t>(width)});
    } else if (op == "elu" || op == "leaky_relu") {
      const bool elu = op == "elu";
      const char* key = elu ? "alpha" : "negative_slope";
      only_keys(j, {"op", key}, w);
      L.op = elu ? Op::kElu : Op::kLeakyRelu;
      L.param = static_cast<float>(number(j, key, elu ? 1.0 : 0.01, w));
    } else if (op == "relu" || op == "tanh" || op == "sigmoid" || op == "gelu") {
      only_keys(j, {"op"}, w);
      L.op = op == "relu" ? Op::kRelu : op == "tanh" ? Op::kTanh : op == "sigmoid" ? Op::kSigmoid : Op::kGelu;
    } else {
      fail(Status::kUnsupported, cat("unknown layer '", op.substr(0, 40), "' at ", where));
    }
    impl_->layers.push_back(std::move(L));
    layer_json_.push_back(j);
    impl_->max_width = std::max(impl_->max_width, impl_->layers.back().out);
    return impl_->layers.back().out;
  }

  // ---- the tensors
  void read_entries(const Json& header) {
    for (const auto& [name, v] : header.items()) {
      if (name == "__metadata__") continue;
      const std::string w = cat("tensor '", name.substr(0, 80), "'");
      if (!v.is_object()) fail(Status::kFormatError, cat(w, ": entry is not an object"));
      only_keys(v, {"dtype", "shape", "data_offsets"}, w);
      Entry e;
      e.dtype = need_string(v, "dtype", w);
      if (e.dtype != "F32" && e.dtype != "I8") fail(Status::kFormatError, cat(w, ": dtype ", e.dtype.substr(0, 20), " is neither F32 nor I8"));
      const Json& shape = need(v, "shape", w);
      if (!shape.is_array() || shape.size() > 8) fail(Status::kFormatError, cat(w, ": shape ", show(shape), " is not an array of at most 8 sizes"));
      uint64_t numel = 1;
      for (const Json& d : shape) {
        if (!d.is_number_unsigned()) fail(Status::kFormatError, cat(w, ": shape ", show(shape), " must hold non-negative integers"));
        e.shape.push_back(d.get<uint64_t>());
        if (__builtin_mul_overflow(numel, e.shape.back(), &numel) || numel > (uint64_t{1} << 60))
          fail(Status::kFormatError, cat(w, ": shape ", show(shape), " is too large"));
      }
      const Json& off = need(v, "data_offsets", w);
      if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
        fail(Status::kFormatError, cat(w, ": data_offsets ", show(off), " are not two non-negative integers"));
      e.begin = off[0].get<uint64_t>();
      e.end = off[1].get<uint64_t>();
      if (e.begin > e.end || e.end > data_size_)
        fail(Status::kFormatError, cat(w, ": data_offsets ", show(off), " lie outside the ", data_size_, "-byte data section"));
      const uint64_t bytes = numel * (e.dtype == "F32" ? 4 : 1);  // numel <= 2^60: no overflow
      if (e.end - e.begin != bytes)
        fail(Status::kFormatError, cat(w, ": data_offsets ", show(off), " hold ", e.end - e.begin, " bytes, but ",
                                       e.dtype, " ", show(shape), " needs ", bytes));
      entries_.emplace(name, std::move(e));
    }
  }

  // The tensors tile the data section exactly, as safetensors requires: no overlap, no hole, nothing after the last.
  void check_layout() const {
    std::vector<std::pair<const std::string*, const Entry*>> order;
    for (const auto& [name, e] : entries_) order.emplace_back(&name, &e);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a.second->begin != b.second->begin ? a.second->begin < b.second->begin : a.second->end < b.second->end;
    });
    uint64_t at = 0;
    for (const auto& [name, e] : order) {
      if (e->begin < at) fail(Status::kFormatError, cat("tensor '", *name, "' (bytes ", e->begin, "..", e->end, ") overlaps the one before it"));
      if (e->begin > at) fail(Status::kFormatError, cat("bytes ", at, "..", e->begin, " of the data section belong to no tensor"));
      at = e->end;
    }
    if (at != data_size_) fail(Status::kFormatError, cat("bytes ", at, "..", data_size_, " of the data section belong to no tensor"));
  }

  void match_tensors() const {
    for (const auto& [name, wt] : wanted_) {
      auto it = entries_.find(name);
      if (it == entries_.end()) fail(Status::kFormatError, cat("tensor '", name, "' (", wt.where, ") is missing"));
      if (it->second.dtype != wt.dtype)
        fail(Status::kFormatError, cat("tensor '", name, "' (", wt.where, ") is ", it->second.dtype, ", expected ", wt.dtype));
      if (it->second.shape != wt.shape)
        fail(Status::kShapeError, cat("tensor '", name, "' (", wt.where, ") has shape ", dims(it->second.shape),
                                      ", expected ", dims(wt.shape)));
    }
    for (const auto& [name, e] : entries_)
      if (!wanted_.count(name)) fail(Status::kFormatError, cat("tensor '", name.substr(0, 80), "' is not named by the card"));
  }
  static std::string dims(const std::vector<uint64_t>& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
  }

  void check_checksum() const {
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint64_t i = 0; i < data_size_; ++i) h = (h ^ static_cast<unsigned char>(data_[i])) * 0x100000001b3ull;
    if (h != checksum_) {
      char got[17], want[17];
      std::snprintf(got, sizeof got, "%016llx", static_cast<unsigned long long>(h));
      std::snprintf(want, sizeof want, "%016llx", static_cast<unsigned long long>(checksum_));
      fail(Status::kChecksumError, cat("checksum mismatch: the card says fnv1a64:", want, ", the data hash to fnv1a64:", got,
                                       " (the file is corrupted)"));
    }
  }

  // ---- values: copied out of the file, checked, and put in the form inference wants
  std::vector<float> floats(const Json& layer, const char* key) const {
    const std::string name = layer[key].get<std::string>();
    const Entry& e = entries_.at(name);
    std::vector<float> v((e.end - e.begin) / 4);
    std::memcpy(v.data(), data_ + e.begin, v.size() * 4);
    for (size_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(v[i])) fail(Status::kNonFinite, cat("tensor '", name, "' holds ", v[i], " at index ", i));
    return v;
  }
  std::vector<float> codes(const Json& layer, const char* key) const {
    const std::string name = layer[key].get<std::string>();
    const Entry& e = entries_.at(name);
    std::vector<float> v(e.end - e.begin);
    for (size_t i = 0; i < v.size(); ++i) {
      const auto q = static_cast<int8_t>(data_[e.begin + i]);
      if (q == -128) fail(Status::kFormatError, cat("tensor '", name, "' holds -128 at index ", i, " (int8 codes are in [-127, 127])"));
      v[i] = q;
    }
    return v;
  }

  void fill_layers() {
    for (size_t i = 0; i < impl_->layers.size(); ++i) {
      Layer& L = impl_->layers[i];
      const Json& j = layer_json_[i];
      if (L.op == Op::kLinear) {
        const bool q = j["op"] == "linear_int8";
        L.weight = q ? codes(j, "weight") : floats(j, "weight");
        if (q) L.scale = floats(j, "scale");
        if (j.contains("bias")) L.bias = floats(j, "bias");
      } else if (L.op == Op::kBatchNorm) {
        const auto weight = floats(j, "weight"), bias = floats(j, "bias");
        const auto mean = floats(j, "running_mean"), var = floats(j, "running_var");
        const double eps = L.param;
        L.weight.resize(weight.size());
        L.bias.resize(weight.size());
        for (size_t c = 0; c < weight.size(); ++c) {
          if (!(var[c] + eps > 0))
            fail(Status::kFormatError, cat("layers[", i, "] (batch_norm): running_var[", c, "] + eps = ", var[c] + eps, " <= 0"));
          const double a = weight[c] / std::sqrt(var[c] + eps);
          L.weight[c] = static_cast<float>(a);
          L.bias[c] = static_cast<float>(bias[c] - mean[c] * a);
          if (!std::isfinite(L.weight[c]) || !std::isfinite(L.bias[c]))
            fail(Status::kNonFinite, cat("layers[", i, "] (batch_norm): channel ", c, " overflows float"));
        }
      }
    }
  }

  std::shared_ptr<Model::Impl> impl_;
  std::string bytes_;
  uint64_t header_len_ = 0;
  const char* data_ = nullptr;
  uint64_t data_size_ = 0;
  uint64_t checksum_ = 0;
  std::vector<Json> layer_json_;
  std::map<std::string, Wanted> wanted_;
  std::map<std::string, Entry> entries_;
};

}  // namespace

std::shared_ptr<const Model::Impl> load_impl(const std::string& path) {
  try {
    return Loader(path).run();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Error(Status::kIoError, cat("loom::runtime: '", path, "': out of memory while loading"));
  } catch (const std::exception& e) {  // a safety net: every check above should have come first
    throw Error(Status::kFormatError, cat("loom::runtime: '", path, "': malformed file (", e.what(), ")"));
  }
}

}  // namespace loom::runtime
