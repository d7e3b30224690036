// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Safetensors reading and writing. The reader validates the whole header before it allocates any tensor, so a
// malformed or hostile file fails with a FormatError instead of a huge allocation or an out-of-bounds read.
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/detail/file_errors.h"
#include "loom/core/atomic_file.h"
#include "loom/core/io.h"

namespace loom {

static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

namespace {

using Json = nlohmann::ordered_json;

const char* dtype_code(DType t) {
  switch (t) {
    case DType::kFloat32: return "F32";
    case DType::kFloat64: return "F64";
    case DType::kInt32: return "I32";
    case DType::kInt64: return "I64";
  }
  return "?";
}

bool parse_dtype(const std::string& code, DType& out) {
  for (DType t : {kFloat32, kFloat64, kInt32, kInt64}) {
    if (code == dtype_code(t)) {
      out = t;
      return true;
    }
  }
  return false;
}

// A header larger than this is refused before it is read (the reference implementation uses the same bound).
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

struct Entry {
  std::string name;
  DType dtype = kFloat32;
  Shape shape;
  uint64_t begin = 0, end = 0;
};

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  template <class... Args>
  [[noreturn]] void fail(const Args&... parts) const {
    throw FormatError(detail::str_cat("load_safetensors: '", path_, "': ", parts...));
  }

  SafetensorsContents read() {
    std::error_code ec;
    if (std::filesystem::is_directory(path_, ec))
      throw Error(detail::str_cat("load_safetensors: '", path_, "' is a directory, not a file"));
    std::ifstream in(path_, std::ios::binary);
    if (!in) throw Error(detail::str_cat("load_safetensors: cannot open '", path_, "': ", std::strerror(errno)));
    in.seekg(0, std::ios::end);
    const uint64_t file_size = static_cast<uint64_t>(in.tellg());
    in.seekg(0);
    if (file_size < 8) fail("the file is ", file_size, " bytes, shorter than the 8-byte header length");
    unsigned char len_bytes[8];
    in.read(reinterpret_cast<char*>(len_bytes), 8);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | len_bytes[i];
    if (n > file_size - 8)
      fail("header length ", n, " exceeds the ", file_size - 8, " bytes that follow the length field");
    if (n > kMaxHeaderBytes) fail("header length ", n, " exceeds the limit of ", kMaxHeaderBytes, " bytes");
    std::string header(n, '\0');
    in.read(header.data(), static_cast<std::streamsize>(n));
    if (!in) fail("could not read the ", n, "-byte header");
    buffer_size_ = file_size - 8 - n;

    SafetensorsContents out;
    const std::vector<Entry> entries = parse_header(header, out.metadata);
    check_layout(entries);
    const uint64_t data_start = 8 + n;
    for (const Entry& e : entries) {
      Tensor t = empty(e.shape, e.dtype, kCPU);
      if (e.end > e.begin) {
        in.seekg(static_cast<std::streamoff>(data_start + e.begin));
        in.read(static_cast<char*>(t.raw_data()), static_cast<std::streamsize>(e.end - e.begin));
        if (!in) fail("could not read the data of tensor '", e.name, "'");
      }
      out.tensors.insert(e.name, std::move(t));
    }
    return out;
  }

 private:
  std::vector<Entry> parse_header(const std::string& header, Metadata& metadata) const {
    // Duplicate top-level keys would silently overwrite each other in the parsed object: catch them while parsing.
    std::unordered_set<std::string> seen;
    std::string duplicate;
    auto on_event = [&](int depth, Json::parse_event_t event, Json& parsed) {
      if (event == Json::parse_event_t::key && depth == 1 && duplicate.empty()) {
        const std::string key = parsed.get<std::string>();
        if (!seen.insert(key).second) duplicate = key;
      }
      return true;
    };
    Json h;
    try {
      h = Json::parse(header, on_event);
    } catch (const Json::exception& e) {
      fail("invalid JSON header: ", e.what());
    }
    if (!duplicate.empty()) fail("the header names '", duplicate, "' twice");
    if (!h.is_object()) fail("the header is not a JSON object but ", h.type_name());

    std::vector<Entry> entries;
    for (const auto& [key, value] : h.items()) {
      if (key == "__metadata__") {
        if (!value.is_object()) fail("__metadata__ must be an object of strings, got ", value.type_name());
        for (const auto& [mk, mv] : value.items()) {
          if (!mv.is_string()) fail("__metadata__ value of '", mk, "' is ", mv.type_name(), ", expected a string");
          metadata[mk] = mv.get<std::string>();
        }
        continue;
      }
      entries.push_back(parse_entry(key, value));
    }
    return entries;
  }

  Entry parse_entry(const std::string& name, const Json& v) const {
    Entry e;
    e.name = name;
    if (!v.is_object()) fail("tensor '", name, "': entry must be an object, got ", v.type_name());
    for (const char* field : {"dtype", "shape", "data_offsets"})
      if (!v.contains(field)) fail("tensor '", name, "': missing field '", field, "'");

    const Json& dt = v["dtype"];
    if (!dt.is_string()) fail("tensor '", name, "': dtype must be a string, got ", dt.dump());
    if (!parse_dtype(dt.get<std::string>(), e.dtype))
      fail("tensor '", name, "': unknown dtype '", dt.get<std::string>(), "' (loom reads F32, F64, I32, I64)");

    const Json& sh = v["shape"];
    if (!sh.is_array()) fail("tensor '", name, "': shape must be an array, got ", sh.dump());
    if (sh.size() > static_cast<size_t>(kMaxRank))
      fail("tensor '", name, "': rank ", sh.size(), " exceeds loom's maximum of ", kMaxRank);
    uint64_t numel = 1;
    for (const Json& d : sh) {
      if (!d.is_number_integer() || (d.is_number_integer() && !d.is_number_unsigned() && d.get<int64_t>() < 0))
        fail("tensor '", name, "': shape ", sh.dump(), " must hold non-negative integers");
      const uint64_t dim = d.get<uint64_t>();
      if (dim > (uint64_t{1} << 62) || __builtin_mul_overflow(numel, dim, &numel) || numel > (uint64_t{1} << 62))
        fail("tensor '", name, "': shape ", sh.dump(), " is too large");
      e.shape.push_back(static_cast<int64_t>(dim));
    }

    const Json& off = v["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      fail("tensor '", name, "': data_offsets must be two non-negative integers, got ", off.dump());
    e.begin = off[0].get<uint64_t>();
    e.end = off[1].get<uint64_t>();
    if (e.begin > e.end) fail("tensor '", name, "': data_offsets ", off.dump(), " are out of order (begin > end)");
    if (e.end > buffer_size_)
      fail("tensor '", name, "': data_offsets ", off.dump(), " lie outside the ", buffer_size_,
           "-byte data buffer");
    uint64_t want = 0;
    if (__builtin_mul_overflow(numel, uint64_t{dtype_size(e.dtype)}, &want))
      fail("tensor '", name, "': shape ", sh.dump(), " of ", dt.get<std::string>(), " needs more bytes than a 64-bit size holds");
    if (e.end - e.begin != want)
      fail("tensor '", name, "': data_offsets ", off.dump(), " hold ", e.end - e.begin, " bytes but dtype ",
           dt.get<std::string>(), " and shape ", sh.dump(), " need ", want);
    return e;
  }

  // The tensors must tile the buffer exactly: no overlap, no hole, nothing after the last one.
  void check_layout(const std::vector<Entry>& entries) const {
    std::vector<const Entry*> by_offset;
    for (const Entry& e : entries) by_offset.push_back(&e);
    std::stable_sort(by_offset.begin(), by_offset.end(),
                     [](const Entry* a, const Entry* b) { return a->begin < b->begin; });
    uint64_t expected = 0;
    const Entry* prev = nullptr;
    for (const Entry* e : by_offset) {
      if (e->begin < expected)
        fail("tensor '", e->name, "' (bytes ", e->begin, "..", e->end, ") overlaps tensor '", prev->name,
             "' (bytes ", prev->begin, "..", prev->end, ")");
      if (e->begin > expected)
        fail("bytes ", expected, "..", e->begin, " of the data buffer belong to no tensor (a hole before '",
             e->name, "')");
      expected = e->end;
      prev = e;
    }
    if (expected != buffer_size_)
      fail(buffer_size_ - expected, " trailing bytes after the last tensor (the data buffer has ", buffer_size_,
           " bytes, the tensors cover ", expected, ")");
  }

  std::string path_;
  uint64_t buffer_size_ = 0;
};

}  // namespace

SafetensorsContents read_safetensors(const std::string& path) {
  return detail::reading_file(detail::str_cat("load_safetensors: '", path, "'"), [&] { return Reader(path).read(); });
}

NamedTensors load_safetensors(const std::string& path) { return read_safetensors(path).tensors; }

void save_safetensors(const std::string& path, const NamedTensors& tensors, const Metadata& metadata) {
  Json h = Json::object();
  if (!metadata.empty()) {
    Json m = Json::object();
    for (const auto& [k, v] : metadata) m[k] = v;
    h["__metadata__"] = std::move(m);
  }
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    LOOM_CHECK(!name.empty(), ValueError, "save_safetensors: tensor names must not be empty");
    LOOM_CHECK(name != "__metadata__", ValueError, "save_safetensors: '__metadata__' is reserved, not a tensor name");
    LOOM_CHECK(t.defined(), ValueError, "save_safetensors: tensor '", name, "' is undefined");
    const uint64_t nbytes = t.nbytes();
    h[name] = Json{{"dtype", dtype_code(t.dtype())}, {"shape", t.shape()}, {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }
  std::string header = h.dump();
  // Pad with spaces so the data starts 8-byte aligned (allowed by the format; readers may map it in place).
  header.append((8 - header.size() % 8) % 8, ' ');

  write_file_atomic(path, [&](std::FILE* f) {
    bool ok = true;
    auto put = [&](const void* p, size_t n) { ok = ok && (n == 0 || std::fwrite(p, 1, n, f) == n); };
    unsigned char len_bytes[8];
    for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<unsigned char>(static_cast<uint64_t>(header.size()) >> (8 * i));
    put(len_bytes, 8);
    put(header.data(), header.size());
    for (const auto& [name, t] : tensors) {
      if (!ok) break;
      const Tensor host = t.is_cpu() ? t : t.cpu();
      put(host.raw_data(), host.nbytes());
    }
    return ok;
  }, "save_safetensors");
}

}  // namespace loom
