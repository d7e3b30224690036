// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Writing and reading the embedding file (docs/embedding-format.md). The reader checks every claim of the header
// against the file before copying a byte (sizes bounded by the file, offsets tiling the data section), so a
// truncated or hostile file is a FormatError naming the problem, never a huge allocation or an out-of-bounds read.
#include "loom/serve/embedding_file.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "loom/core/atomic_file.h"
#include "loom/core/checksum.h"
#include "loom/core/error.h"

namespace loom::serve {

static_assert(std::endian::native == std::endian::little, "the embedding file is little-endian");

namespace {

using Json = nlohmann::ordered_json;
using detail::str_cat;

constexpr int kFormatVersion = 1;
constexpr const char* kCardKey = "loom.embeddings";
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;  // as the safetensors reference reader

// Every check of the tables, shared by the writer (ValueError: the caller's data) and the reader (FormatError: the
// file's data).
template <class E>
void check_tables(const EmbeddingTables& t, const std::string& who) {
  const auto fail = [&](const auto&... parts) { throw E(str_cat(who, ": ", parts...)); };
  if (t.dim < 1) fail("dim must be at least 1, got ", t.dim);
  const auto users = static_cast<uint64_t>(t.user_ids.size()), items = static_cast<uint64_t>(t.item_ids.size());
  const auto dim = static_cast<uint64_t>(t.dim);
  if (items < 1) fail("the catalogue is empty (item_ids has no entries)");
  if (t.user_embeddings.size() / dim != users || t.user_embeddings.size() % dim != 0)
    fail("user_embeddings has ", t.user_embeddings.size(), " values, expected users x dim = ", users, " x ", dim);
  if (t.item_embeddings.size() / dim != items || t.item_embeddings.size() % dim != 0)
    fail("item_embeddings has ", t.item_embeddings.size(), " values, expected items x dim = ", items, " x ", dim);
  for (const auto* table : {&t.user_embeddings, &t.item_embeddings}) {
    const char* name = table == &t.user_embeddings ? "user_embeddings" : "item_embeddings";
    for (size_t i = 0; i < table->size(); ++i)
      if (!std::isfinite((*table)[i]))
        fail(name, " row ", i / dim, " column ", i % dim, " is ", (*table)[i], " (embeddings must be finite)");
  }
  for (const auto* ids : {&t.user_ids, &t.item_ids}) {
    const char* name = ids == &t.user_ids ? "user_ids" : "item_ids";
    std::unordered_set<int64_t> seen(ids->size() * 2);
    for (size_t i = 0; i < ids->size(); ++i)
      if (!seen.insert((*ids)[i]).second) fail(name, " has the id ", (*ids)[i], " twice (second at position ", i, ")");
  }
  if (t.seen_indptr.empty()) {
    if (!t.seen_items.empty()) fail("seen_items has ", t.seen_items.size(), " entries but seen_indptr is empty");
    return;
  }
  if (t.seen_indptr.size() != users + 1)
    fail("seen_indptr has ", t.seen_indptr.size(), " entries, expected users + 1 = ", users + 1);
  if (t.seen_indptr.front() != 0) fail("seen_indptr[0] is ", t.seen_indptr.front(), ", expected 0");
  for (size_t u = 0; u < users; ++u)
    if (t.seen_indptr[u + 1] < t.seen_indptr[u])
      fail("seen_indptr is not monotone: entry ", u + 1, " is ", t.seen_indptr[u + 1], " after ", t.seen_indptr[u]);
  if (static_cast<uint64_t>(t.seen_indptr.back()) != t.seen_items.size())
    fail("seen_indptr ends at ", t.seen_indptr.back(), " but seen_items has ", t.seen_items.size(), " entries");
  for (size_t e = 0; e < t.seen_items.size(); ++e)
    if (t.seen_items[e] < 0 || static_cast<uint64_t>(t.seen_items[e]) >= items)
      fail("seen_items[", e, "] is ", t.seen_items[e], ", outside the ", items, " items [0, ", items, ")");
}

struct Tensor {  // one tensor of the file: where its bytes go on save, come from on load
  const char* name;
  const char* dtype;
  std::vector<uint64_t> shape;
  const void* data;  // save only
  uint64_t bytes;
};

}  // namespace

void check_embeddings(const EmbeddingTables& tables, const std::string& who) { check_tables<ValueError>(tables, who); }

// loom::Tensor spelled out: this file's own Tensor is the safetensors header entry.
EmbeddingTables tables_from_tensors(const ::loom::Tensor& user_embeddings, const ::loom::Tensor& item_embeddings,
                                    std::vector<int64_t> seen_indptr, std::vector<int64_t> seen_items,
                                    std::string source_json) {
  LOOM_CHECK(user_embeddings.dim() == 2 && item_embeddings.dim() == 2 &&
                 user_embeddings.size(1) == item_embeddings.size(1),
             ShapeError, "tables_from_tensors: embeddings must be [users, D] and [items, D], got ",
             user_embeddings.shape_str(), " and ", item_embeddings.shape_str());
  auto host = [](const ::loom::Tensor& t) {
    const ::loom::Tensor c = t.detach().to(kCPU).to(kFloat32);
    return std::vector<float>(c.data<float>(), c.data<float>() + c.numel());
  };
  EmbeddingTables t;
  t.dim = user_embeddings.size(1);
  t.user_embeddings = host(user_embeddings);
  t.item_embeddings = host(item_embeddings);
  t.user_ids.resize(user_embeddings.size(0));
  t.item_ids.resize(item_embeddings.size(0));
  for (size_t u = 0; u < t.user_ids.size(); ++u) t.user_ids[u] = static_cast<int64_t>(u);
  for (size_t i = 0; i < t.item_ids.size(); ++i) t.item_ids[i] = static_cast<int64_t>(i);
  t.seen_indptr = std::move(seen_indptr);
  t.seen_items = std::move(seen_items);
  t.source_json = std::move(source_json);
  check_tables<ValueError>(t, "tables_from_tensors");
  return t;
}

void save_embeddings(const EmbeddingTables& t, const std::string& path) {
  const std::string who = str_cat("save_embeddings(\"", path, "\")");
  check_tables<ValueError>(t, who);
  Json source;
  try {
    source = Json::parse(t.source_json);
  } catch (const std::exception& e) {
    throw ValueError(str_cat(who, ": source_json is not JSON: ", e.what()));
  }
  const auto users = static_cast<uint64_t>(t.user_ids.size()), items = static_cast<uint64_t>(t.item_ids.size());
  const auto dim = static_cast<uint64_t>(t.dim);
  // The int64 tensors first: every size is then a multiple of 8, so each tensor starts 8-byte aligned after the
  // 8-aligned header (a reader may map the file and use the arrays in place).
  const std::vector<Tensor> tensors = {
      {"user_ids", "I64", {users}, t.user_ids.data(), users * 8},
      {"item_ids", "I64", {items}, t.item_ids.data(), items * 8},
      {"seen_indptr", "I64", {t.seen_indptr.size()}, t.seen_indptr.data(), t.seen_indptr.size() * 8},
      {"seen_items", "I64", {t.seen_items.size()}, t.seen_items.data(), t.seen_items.size() * 8},
      {"user_embeddings", "F32", {users, dim}, t.user_embeddings.data(), users * dim * 4},
      {"item_embeddings", "F32", {items, dim}, t.item_embeddings.data(), items * dim * 4}};
  std::string data;
  Json entries = Json::object();
  for (const Tensor& x : tensors) {
    const uint64_t begin = data.size();
    data.append(static_cast<const char*>(x.data), x.bytes);
    entries[x.name] = {{"dtype", x.dtype}, {"shape", x.shape}, {"data_offsets", {begin, data.size()}}};
  }
  const Json card = {{"format_version", kFormatVersion},
                     {"dim", t.dim},
                     {"users", users},
                     {"items", items},
                     {"score", "dot"},
                     {"checksum", fnv1a64_card(data.data(), data.size())},
                     {"source", source}};
  Json header = {{"__metadata__", {{kCardKey, card.dump()}}}};
  for (auto& [k, v] : entries.items()) header[k] = v;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  unsigned char len[8];
  for (int b = 0; b < 8; ++b) len[b] = static_cast<unsigned char>(static_cast<uint64_t>(text.size()) >> (8 * b));
  write_file_atomic(
      path,
      [&](std::FILE* f) {
        return std::fwrite(len, 1, 8, f) == 8 && std::fwrite(text.data(), 1, text.size(), f) == text.size() &&
               std::fwrite(data.data(), 1, data.size(), f) == data.size();
      },
      who);
}

namespace {

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path), who_(str_cat("load_embeddings(\"", path, "\")")) {}

  EmbeddingTables run() {
    read_file();
    Json header = Json::parse(std::string_view(bytes_).substr(8, header_len_), nullptr, /*allow_exceptions=*/false);
    if (header.is_discarded()) fail("the header is not valid JSON");
    if (!header.is_object()) fail("the header is a JSON ", header.type_name(), ", not an object");
    read_card(header);
    read_entries(header);
    EmbeddingTables t;
    t.dim = dim_;
    t.source_json = source_;
    copy("user_ids", "I64", {users_}, t.user_ids);
    copy("item_ids", "I64", {items_}, t.item_ids);
    const uint64_t indptr = entry("seen_indptr", "I64").shape.at(0);
    if (indptr != 0 && indptr != users_ + 1)
      fail("tensor 'seen_indptr' has shape [", indptr, "], expected [0] (none) or [users + 1] = [", users_ + 1, "]");
    copy("seen_indptr", "I64", {indptr}, t.seen_indptr);
    copy("seen_items", "I64", {entry("seen_items", "I64").shape.at(0)}, t.seen_items);
    copy("user_embeddings", "F32", {users_, dim_}, t.user_embeddings);
    copy("item_embeddings", "F32", {items_, dim_}, t.item_embeddings);
    const std::string want = card_checksum_, got = fnv1a64_card(data_, data_size_);
    if (want != got) fail("checksum mismatch: the card says ", want, ", the data hash to ", got, " (corrupt file?)");
    check_tables<FormatError>(t, who_);
    return t;
  }

 private:
  struct Entry {
    std::string dtype;
    std::vector<uint64_t> shape;
    uint64_t begin = 0, end = 0;
  };

  template <class... Args>
  [[noreturn]] void fail(const Args&... parts) const {
    throw FormatError(str_cat(who_, ": ", parts...));
  }

  void read_file() {
    std::error_code ec;
    if (std::filesystem::is_directory(path_, ec)) throw Error(str_cat(who_, ": is a directory, not an embedding file"));
    std::ifstream in(path_, std::ios::binary);
    if (!in) throw Error(str_cat(who_, ": cannot open: ", std::strerror(errno)));
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) throw Error(str_cat(who_, ": cannot determine the file size"));
    in.seekg(0);
    bytes_.resize(static_cast<size_t>(size));
    if (size > 0 && !in.read(bytes_.data(), size)) throw Error(str_cat(who_, ": read failed"));
    if (bytes_.size() < 8) fail("the file is ", bytes_.size(), " bytes, shorter than the 8-byte header length");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes_[static_cast<size_t>(i)]);
    if (n > bytes_.size() - 8)
      fail("header length ", n, " exceeds the ", bytes_.size() - 8, " bytes after the length field (truncated?)");
    if (n > kMaxHeaderBytes) fail("header length ", n, " exceeds the limit of ", kMaxHeaderBytes);
    header_len_ = n;
    data_ = bytes_.data() + 8 + n;
    data_size_ = bytes_.size() - 8 - n;
  }

  uint64_t count(const Json& card, const char* key, uint64_t min) const {
    auto it = card.find(key);
    if (it == card.end()) fail("card: missing key '", key, "'");
    if (!it->is_number_unsigned() || it->get<uint64_t>() < min)
      fail("card.", key, " must be an integer >= ", min, ", got ", it->dump().substr(0, 40));
    return it->get<uint64_t>();
  }

  void read_card(const Json& header) {
    auto meta = header.find("__metadata__");
    if (meta == header.end() || !meta->is_object()) fail("the header has no __metadata__ object");
    auto text = meta->find(kCardKey);
    if (text == meta->end() || !text->is_string())
      fail("__metadata__ has no string '", kCardKey, "' (not an embedding file?)");
    const Json card = Json::parse(text->get<std::string>(), nullptr, /*allow_exceptions=*/false);
    if (card.is_discarded() || !card.is_object()) fail("__metadata__['", kCardKey, "'] is not a JSON object");
    const uint64_t version = count(card, "format_version", 0);
    if (version != kFormatVersion)
      fail("card.format_version is ", version, "; this reader knows version ", kFormatVersion, " only");
    dim_ = count(card, "dim", 1);
    users_ = count(card, "users", 0);
    items_ = count(card, "items", 1);
    auto score = card.find("score");
    if (score == card.end() || *score != "dot") fail("card.score must be \"dot\"");
    auto sum = card.find("checksum");
    if (sum == card.end() || !sum->is_string()) fail("card: missing string 'checksum'");
    card_checksum_ = sum->get<std::string>();
    auto source = card.find("source");
    source_ = source == card.end() ? "{}" : source->dump();
  }

  void read_entries(const Json& header) {
    for (const auto& [name, v] : header.items()) {
      if (name == "__metadata__") continue;
      if (!v.is_object()) fail("tensor '", name, "' is not an object");
      auto dtype = v.find("dtype"), shape = v.find("shape"), offsets = v.find("data_offsets");
      if (dtype == v.end() || !dtype->is_string() || shape == v.end() || !shape->is_array() || offsets == v.end() ||
          !offsets->is_array() || offsets->size() != 2)
        fail("tensor '", name, "' needs dtype, shape and data_offsets [begin, end]");
      Entry e;
      e.dtype = dtype->get<std::string>();
      for (const Json& d : *shape) {
        if (!d.is_number_unsigned()) fail("tensor '", name, "' has a shape entry that is not a count");
        e.shape.push_back(d.get<uint64_t>());
      }
      if (!(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
        fail("tensor '", name, "' has data_offsets that are not counts");
      e.begin = (*offsets)[0].get<uint64_t>();
      e.end = (*offsets)[1].get<uint64_t>();
      if (e.begin > e.end || e.end > data_size_)
        fail("tensor '", name, "' has data_offsets [", e.begin, ", ", e.end, "] outside the ", data_size_,
             "-byte data section (truncated?)");
      entries_[name] = e;
    }
    // As safetensors requires: the tensors tile the data section, no gap, no overlap, nothing after.
    std::vector<std::pair<uint64_t, uint64_t>> spans;
    for (const auto& [name, e] : entries_) spans.emplace_back(e.begin, e.end);
    std::sort(spans.begin(), spans.end());
    uint64_t at = 0;
    for (const auto& [b, e] : spans) {
      if (b != at) fail("the tensors do not tile the data section: a tensor starts at byte ", b, ", expected ", at);
      at = e;
    }
    if (at != data_size_) fail("the data section has ", data_size_, " bytes but the tensors cover ", at, " (truncated?)");
  }

  const Entry& entry(const char* name, const char* dtype) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) fail("missing tensor '", name, "'");
    if (it->second.dtype != dtype) fail("tensor '", name, "' has dtype ", it->second.dtype, ", expected ", dtype);
    if (it->second.shape.size() != (std::string_view(name).ends_with("embeddings") ? 2u : 1u))
      fail("tensor '", name, "' has ", it->second.shape.size(), " dimensions");
    return it->second;
  }

  template <class T>
  void copy(const char* name, const char* dtype, const std::vector<uint64_t>& shape, std::vector<T>& out) const {
    const Entry& e = entry(name, dtype);
    if (e.shape != shape) {
      std::string want, got;
      for (uint64_t d : shape) want += (want.empty() ? "" : ", ") + std::to_string(d);
      for (uint64_t d : e.shape) got += (got.empty() ? "" : ", ") + std::to_string(d);
      fail("tensor '", name, "' has shape [", got, "], the card implies [", want, "]");
    }
    // Bytes first, then the count: the shape is now bounded by the file's size, so the allocation is too.
    const uint64_t bytes = e.end - e.begin;
    uint64_t n = 1;
    for (uint64_t d : shape) n = d == 0 ? 0 : (n > bytes / d ? bytes + 1 : n * d);
    if (n > bytes / sizeof(T) || n * sizeof(T) != bytes)
      fail("tensor '", name, "' covers ", bytes, " bytes, its shape needs ", n, " x ", sizeof(T));
    out.resize(n);
    if (n > 0) std::memcpy(out.data(), data_ + e.begin, bytes);
  }

  std::string path_, who_;
  std::string bytes_;
  uint64_t header_len_ = 0, data_size_ = 0;
  const char* data_ = nullptr;
  uint64_t dim_ = 0, users_ = 0, items_ = 0;
  std::string card_checksum_, source_;
  std::map<std::string, Entry> entries_;
};

}  // namespace

EmbeddingTables load_embeddings(const std::string& path) {
  try {
    return Reader(path).run();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Error(str_cat("load_embeddings(\"", path, "\"): out of memory while reading the file"));
  } catch (const std::exception& e) {
    throw FormatError(str_cat("load_embeddings(\"", path, "\"): reading the file failed: ", e.what()));
  }
}

}  // namespace loom::serve
