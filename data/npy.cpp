// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// NumPy .npy reading and writing: a strict parser for the header dict, size checks against the file, and an
// atomic writer (temporary file + rename).
#include "loom/data/npy.h"

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

#include "loom/core/atomic_file.h"
#include "core/detail/file_errors.h"
#include "loom/core/error.h"

namespace loom::data {
namespace {

static_assert(std::endian::native == std::endian::little, "the .npy reader assumes a little-endian host");

constexpr std::string_view kMagic = "\x93NUMPY";

// What a supported descr means: the Loom dtype it becomes, its size in the file and NumPy's name for it.
struct NpyType {
  DType dtype;
  size_t file_itemsize;
  const char* numpy_name;
  bool widen_bytes;  // |b1 and |u1: one byte per element, widened to int32
};

struct NpyHeader {
  NpyType type{};
  Shape shape;
};

std::string tuple_str(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  if (s.size() == 1) out += ",";
  return out + ")";
}

NpyType lookup_descr(const std::string& descr, const std::string& who) {
  if (descr == "<f4") return {kFloat32, 4, "float32", false};
  if (descr == "<f8") return {kFloat64, 8, "float64", false};
  if (descr == "<i4") return {kInt32, 4, "int32", false};
  if (descr == "<i8") return {kInt64, 8, "int64", false};
  if (descr == "|b1") return {kInt32, 1, "bool", true};
  if (descr == "|u1") return {kInt32, 1, "uint8", true};
  LOOM_CHECK(descr.empty() || descr[0] != '>', FormatError, who, ": big-endian dtype '", descr,
             "' is not supported; save with arr.astype('<", descr.substr(1), "')");
  LOOM_CHECK(descr.find('O') == std::string::npos, FormatError, who, ": object arrays (dtype '", descr,
             "') are not supported");
  throw FormatError(detail::str_cat(who, ": unsupported dtype '", descr,
                                    "' (Loom reads <f4 <f8 <i4 <i8 |b1 |u1)"));
}

// A strict parser for the one Python literal NumPy writes: {'descr': str, 'fortran_order': bool, 'shape': tuple}.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& who) : s_(text), who_(who) {}

  NpyHeader parse() {
    std::string descr;
    bool fortran = false, have_descr = false, have_fortran = false, have_shape = false;
    Shape shape;
    skip_ws();
    if (!eat('{')) fail("the header is not a dict (it must start with '{')");
    skip_ws();
    while (!eat('}')) {
      const std::string key = parse_string();
      skip_ws();
      if (!eat(':')) fail("expected ':' after key '" + key + "'");
      skip_ws();
      if (key == "descr") {
        if (peek() == '[') fail("structured dtypes (a list descr) are not supported");
        descr = parse_string();
        have_descr = true;
      } else if (key == "fortran_order") {
        fortran = parse_bool();
        have_fortran = true;
      } else if (key == "shape") {
        shape = parse_shape();
        have_shape = true;
      } else {
        fail("unexpected key '" + key + "'");
      }
      skip_ws();
      if (eat(',')) {
        skip_ws();
      } else if (peek() != '}') {
        fail("expected ',' or '}' after the value of '" + key + "'");
      }
    }
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected text after the closing '}'");
    if (!have_descr) fail("missing key 'descr'");
    if (!have_fortran) fail("missing key 'fortran_order'");
    if (!have_shape) fail("missing key 'shape'");
    LOOM_CHECK(!fortran, FormatError, who_, ": Fortran order is not supported; save with np.ascontiguousarray");
    NpyHeader h;
    h.type = lookup_descr(descr, who_);
    LOOM_CHECK(shape.size() <= static_cast<size_t>(kMaxRank), FormatError, who_, ": rank ", shape.size(),
               " (shape ", tuple_str(shape), ") exceeds Loom's maximum rank of ", kMaxRank);
    h.shape = std::move(shape);
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw FormatError(detail::str_cat(who_, ": malformed header: ", what, " at offset ", pos_, " in \"",
                                      std::string(s_.substr(0, 200)), "\""));
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool eat(char c) {
    if (peek() != c || pos_ >= s_.size()) return false;
    ++pos_;
    return true;
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  std::string parse_string() {
    const char q = peek();
    if (q != '\'' && q != '"') fail("expected a quoted string");
    ++pos_;
    const size_t end = s_.find(q, pos_);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string out(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return out;
  }
  bool parse_bool() {
    if (s_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (s_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail("fortran_order must be True or False");
  }
  Shape parse_shape() {
    if (!eat('(')) fail("shape must be a tuple");
    Shape shape;
    skip_ws();
    while (!eat(')')) {
      if (peek() < '0' || peek() > '9') fail("shape entries must be non-negative integers");
      int64_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (v > (INT64_MAX - 9) / 10) fail("shape entry too large");
        v = v * 10 + (s_[pos_++] - '0');
      }
      eat('L');  // Python 2 era writers append L to longs
      shape.push_back(v);
      if (shape.size() > 32) fail("too many dimensions");
      skip_ws();
      if (eat(',')) {
        skip_ws();
      } else if (peek() != ')') {
        fail("expected ',' or ')' in shape");
      }
    }
    return shape;
  }

  std::string_view s_;
  const std::string& who_;
  size_t pos_ = 0;
};

// Checks the magic string and version; returns the offset of the data and sets `len_field` to the bytes before the
// header dict (magic, version, length).
size_t parse_preamble(std::string_view first, size_t total_size, const std::string& who, std::string_view* len_field) {
  LOOM_CHECK(first.size() >= 8 && first.substr(0, 6) == kMagic, FormatError, who,
             ": not a .npy file (bad magic string; expected \\x93NUMPY)");
  const int major = static_cast<unsigned char>(first[6]);
  const int minor = static_cast<unsigned char>(first[7]);
  LOOM_CHECK((major == 1 || major == 2 || major == 3) && minor == 0, FormatError, who,
             ": unsupported .npy format version ", major, ".", minor, " (Loom reads 1.0, 2.0 and 3.0)");
  const size_t len_bytes = major == 1 ? 2 : 4;
  LOOM_CHECK(first.size() >= 8 + len_bytes, FormatError, who, ": truncated .npy preamble (", total_size, " bytes)");
  size_t header_len = 0;
  for (size_t i = 0; i < len_bytes; ++i) header_len |= static_cast<size_t>(static_cast<unsigned char>(first[8 + i])) << (8 * i);
  const size_t data_offset = 8 + len_bytes + header_len;
  LOOM_CHECK(data_offset <= total_size, FormatError, who, ": header length ", header_len,
             " runs past the end of the file (", total_size, " bytes)");
  *len_field = first.substr(0, 8 + len_bytes);
  return data_offset;
}

// Validates the data size against the header and returns the number of elements.
int64_t check_data_size(const NpyHeader& h, size_t found, const std::string& who) {
  int64_t numel = 1;
  for (int64_t d : h.shape) {
    LOOM_CHECK(!__builtin_mul_overflow(numel, d, &numel), FormatError, who, ": shape ", tuple_str(h.shape),
               " overflows int64");
  }
  uint64_t expected = 0;
  LOOM_CHECK(!__builtin_mul_overflow(static_cast<uint64_t>(numel), h.type.file_itemsize, &expected), FormatError,
             who, ": shape ", tuple_str(h.shape), " is too large");
  LOOM_CHECK(expected == found, FormatError, who, ": header declares ", tuple_str(h.shape), " ", h.type.numpy_name,
             " = ", expected, " bytes, file has ", found, " after the header");
  return numel;
}

// Builds the tensor from raw little-endian data (bool/uint8 widened to int32).
Tensor make_tensor(const NpyHeader& h, int64_t numel, const char* data) {
  Tensor t = empty(h.shape, h.type.dtype, kCPU);
  if (numel == 0) return t;
  if (!h.type.widen_bytes) {
    std::memcpy(t.raw_data(), data, t.nbytes());
  } else {
    int32_t* out = t.data<int32_t>();
    const bool is_bool = std::strcmp(h.type.numpy_name, "bool") == 0;
    for (int64_t i = 0; i < numel; ++i) {
      const auto b = static_cast<unsigned char>(data[i]);
      out[i] = is_bool ? (b != 0 ? 1 : 0) : static_cast<int32_t>(b);
    }
  }
  return t;
}

std::string quoted(const char* fn, const std::string& path) { return detail::str_cat(fn, "(\"", path, "\")"); }

}  // namespace

Tensor parse_npy(const std::string& bytes, const std::string& name) {
  const std::string who = quoted("parse_npy", name);
  std::string_view len_field;
  const size_t data_offset = parse_preamble(bytes, bytes.size(), who, &len_field);
  const std::string_view dict = std::string_view(bytes).substr(len_field.size(), data_offset - len_field.size());
  const NpyHeader h = HeaderParser(dict, who).parse();
  const int64_t numel = check_data_size(h, bytes.size() - data_offset, who);
  return make_tensor(h, numel, bytes.data() + data_offset);
}

Tensor read_npy(const std::string& path) {
  const std::string who = quoted("read_npy", path);
  return detail::reading_file(who, [&]() -> Tensor {
    std::error_code dir_ec;
    LOOM_CHECK(!std::filesystem::is_directory(path, dir_ec), Error, who, ": is a directory, not a file");
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    LOOM_CHECK(in.is_open(), Error, who, ": cannot open the file: ", std::strerror(errno));
    const auto size = static_cast<size_t>(in.tellg());
    in.seekg(0);
    std::string first(std::min<size_t>(size, 12), '\0');
    in.read(first.data(), static_cast<std::streamsize>(first.size()));
    std::string_view len_field;
    const size_t data_offset = parse_preamble(first, size, who, &len_field);
    std::string dict(data_offset - len_field.size(), '\0');
    in.seekg(static_cast<std::streamoff>(len_field.size()));
    in.read(dict.data(), static_cast<std::streamsize>(dict.size()));
    LOOM_CHECK(in.good(), Error, who, ": read error in the header");
    const NpyHeader h = HeaderParser(dict, who).parse();
    const int64_t numel = check_data_size(h, size - data_offset, who);
    // Read straight into the tensor when no widening is needed (large feature matrices are read once).
    const size_t nbytes = static_cast<size_t>(numel) * h.type.file_itemsize;
    if (!h.type.widen_bytes) {
      Tensor t = empty(h.shape, h.type.dtype, kCPU);
      if (nbytes) in.read(static_cast<char*>(t.raw_data()), static_cast<std::streamsize>(nbytes));
      LOOM_CHECK(in.good(), Error, who, ": read error in the data");
      return t;
    }
    std::string buf(nbytes, '\0');
    if (nbytes) in.read(buf.data(), static_cast<std::streamsize>(nbytes));
    LOOM_CHECK(in.good(), Error, who, ": read error in the data");
    return make_tensor(h, numel, buf.data());
  });
}

std::string to_npy_bytes(const Tensor& t) {
  LOOM_CHECK(t.defined(), ValueError, "write_npy: the tensor is undefined");
  const Tensor host = t.is_cpu() ? t : t.detach().cpu();
  const char* descr = "";
  switch (host.dtype()) {
    case DType::kFloat32: descr = "<f4"; break;
    case DType::kFloat64: descr = "<f8"; break;
    case DType::kInt32: descr = "<i4"; break;
    case DType::kInt64: descr = "<i8"; break;
  }
  std::string dict = detail::str_cat("{'descr': '", descr, "', 'fortran_order': False, 'shape': ",
                                     tuple_str(host.shape()), ", }");
  // NumPy pads the header with spaces and a final newline so that the data start on a 64-byte boundary.
  const size_t unpadded = kMagic.size() + 4 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict.push_back('\n');
  std::string out(kMagic);
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(dict.size() & 0xff));
  out.push_back(static_cast<char>((dict.size() >> 8) & 0xff));
  out += dict;
  const size_t header_end = out.size();
  out.resize(header_end + host.nbytes());
  if (host.nbytes()) std::memcpy(out.data() + header_end, host.raw_data(), host.nbytes());
  return out;
}

void write_npy(const std::string& path, const Tensor& t) {
  const std::string who = quoted("write_npy", path);
  const std::string bytes = to_npy_bytes(t);
  write_file_atomic(path, [&](std::FILE* f) { return std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size(); },
                    who);
}

}  // namespace loom::data
