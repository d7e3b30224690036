// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MatrixMarket coordinate reader: a line-by-line parser that tracks line numbers for its error messages.
#include "loom/data/mtx.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "core/detail/file_errors.h"
#include "loom/core/error.h"

namespace loom::data {
namespace {

enum class Field { kReal, kInteger, kPattern };

std::vector<std::string_view> split_ws(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    const size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

template <class T>
bool parse_number(std::string_view tok, T* out) {
  if (!tok.empty() && tok[0] == '+') tok.remove_prefix(1);  // from_chars rejects an explicit plus sign
  const auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), *out);
  return ec == std::errc() && ptr == tok.data() + tok.size();
}

class MtxParser {
 public:
  MtxParser(const std::string& text, std::string who) : text_(text), who_(std::move(who)) {}

  CooMatrix parse(DType value_dtype) {
    LOOM_CHECK(is_floating(value_dtype), DTypeError, who_, ": value_dtype must be float32 or float64, got ",
               dtype_name(value_dtype));
    std::string_view line;
    LOOM_CHECK(next_line(&line), FormatError, who_, ": empty file: missing the %%MatrixMarket banner");
    parse_banner(line);

    // Size line: the first line after the banner that is neither a comment nor blank.
    bool found_size = false;
    while (next_line(&line)) {
      if (is_blank(line) || line[0] == '%') continue;
      parse_size(line);
      found_size = true;
      break;
    }
    if (!found_size) fail("missing the size line (rows cols entries)");

    const bool sym = symmetric_;
    const size_t cap = static_cast<size_t>(std::min<int64_t>(declared_, static_cast<int64_t>(text_.size() / 4 + 1)));
    rows_.reserve(sym ? 2 * cap : cap);
    cols_.reserve(sym ? 2 * cap : cap);
    vals_.reserve(sym ? 2 * cap : cap);
    int64_t count = 0;
    const size_t want_tokens = field_ == Field::kPattern ? 2 : 3;
    while (next_line(&line)) {
      if (is_blank(line) || line[0] == '%') continue;
      if (count == declared_) fail(detail::str_cat("more entries than the ", declared_, " declared on the size line"));
      const auto tok = split_ws(line);
      if (tok.size() != want_tokens)
        fail(detail::str_cat("expected ", want_tokens, field_ == Field::kPattern ? " tokens (row col)" : " tokens (row col value)",
                             ", found ", tok.size()));
      const int64_t r = parse_index(tok[0], "row", n_rows_);
      const int64_t c = parse_index(tok[1], "column", n_cols_);
      double v = 1.0;
      if (field_ == Field::kReal) {
        if (!parse_number(tok[2], &v)) fail(detail::str_cat("value '", tok[2], "' is not a number"));
      } else if (field_ == Field::kInteger) {
        int64_t iv = 0;
        if (!parse_number(tok[2], &iv)) fail(detail::str_cat("value '", tok[2], "' is not an integer"));
        v = static_cast<double>(iv);
      }
      if (sym && c > r)
        fail(detail::str_cat("entry (", r, ", ", c, ") lies above the diagonal; a symmetric file lists only the "
                             "lower triangle"));
      push(r - 1, c - 1, v);
      if (sym && r != c) push(c - 1, r - 1, v);
      ++count;
    }
    LOOM_CHECK(count == declared_, FormatError, who_, ": the size line (line ", size_line_, ") declares ", declared_,
               " entries but the file has ", count, " (ends at line ", line_no_, ")");

    CooMatrix m;
    m.n_rows = n_rows_;
    m.n_cols = n_cols_;
    const auto nnz = static_cast<int64_t>(rows_.size());
    m.rows = from_vector<int64_t>(rows_, {nnz});
    m.cols = from_vector<int64_t>(cols_, {nnz});
    if (value_dtype == kFloat64) {
      m.values = from_vector<double>(vals_, {nnz});
    } else {
      std::vector<float> f(vals_.begin(), vals_.end());
      m.values = from_vector<float>(f, {nnz});
    }
    return m;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw FormatError(detail::str_cat(who_, " line ", line_no_, ": ", what));
  }

  bool next_line(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string::npos) end = text_.size();
    std::string_view l(text_.data() + pos_, end - pos_);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    pos_ = end + 1;
    ++line_no_;
    *line = l;
    return true;
  }

  void parse_banner(std::string_view line) {
    const auto tok = split_ws(line);
    if (tok.empty() || lower(tok[0]) != "%%matrixmarket")
      fail("missing the %%MatrixMarket banner (expected '%%MatrixMarket matrix coordinate real general')");
    if (tok.size() != 5) fail(detail::str_cat("the banner must have 5 words, found ", tok.size(), ": '", line, "'"));
    const std::string object = lower(tok[1]), format = lower(tok[2]), field = lower(tok[3]), sym = lower(tok[4]);
    if (object != "matrix") fail("unsupported object '" + object + "' (only 'matrix')");
    if (format == "array") fail("array (dense) format is not supported; only 'coordinate'");
    if (format != "coordinate") fail("unsupported format '" + format + "' (only 'coordinate')");
    if (field == "real" || field == "double") {
      field_ = Field::kReal;
    } else if (field == "integer") {
      field_ = Field::kInteger;
    } else if (field == "pattern") {
      field_ = Field::kPattern;
    } else {
      fail("unsupported field '" + field + "' (Loom reads real, integer and pattern; complex is not supported)");
    }
    if (sym == "general") {
      symmetric_ = false;
    } else if (sym == "symmetric") {
      symmetric_ = true;
    } else {
      fail("unsupported symmetry '" + sym + "' (Loom reads general and symmetric; not hermitian or skew-symmetric)");
    }
  }

  void parse_size(std::string_view line) {
    size_line_ = line_no_;
    const auto tok = split_ws(line);
    int64_t v[3] = {0, 0, 0};
    bool ok = tok.size() == 3;
    for (size_t i = 0; ok && i < 3; ++i) ok = parse_number(tok[i], &v[i]) && v[i] >= 0;
    if (!ok)
      fail(detail::str_cat("bad size line '", line, "' (expected three non-negative integers: rows cols entries)"));
    n_rows_ = v[0];
    n_cols_ = v[1];
    declared_ = v[2];
    if (symmetric_ && n_rows_ != n_cols_)
      fail(detail::str_cat("a symmetric matrix must be square, the size line declares ", n_rows_, " x ", n_cols_));
  }

  int64_t parse_index(std::string_view tok, const char* what, int64_t limit) {
    int64_t v = 0;
    if (!parse_number(tok, &v)) fail(detail::str_cat(what, " index '", tok, "' is not an integer"));
    if (v < 1 || v > limit)
      fail(detail::str_cat(what, " index ", v, " is out of range 1..", limit, " (indices are 1-based)"));
    return v;
  }

  void push(int64_t r, int64_t c, double v) {
    rows_.push_back(r);
    cols_.push_back(c);
    vals_.push_back(v);
  }

  const std::string& text_;
  std::string who_;
  size_t pos_ = 0;
  int64_t line_no_ = 0, size_line_ = 0;
  Field field_ = Field::kReal;
  bool symmetric_ = false;
  int64_t n_rows_ = 0, n_cols_ = 0, declared_ = 0;
  std::vector<int64_t> rows_, cols_;
  std::vector<double> vals_;
};

}  // namespace

CooMatrix parse_mtx(const std::string& text, const std::string& name, DType value_dtype) {
  return MtxParser(text, detail::str_cat("parse_mtx(\"", name, "\")")).parse(value_dtype);
}

CooMatrix read_mtx(const std::string& path, DType value_dtype) {
  const std::string who = detail::str_cat("read_mtx(\"", path, "\")");
  return detail::reading_file(who, [&]() -> CooMatrix {
    std::error_code ec;
    LOOM_CHECK(!std::filesystem::is_directory(path, ec), Error, who, ": is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    LOOM_CHECK(in.is_open(), Error, who, ": cannot open the file: ", std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    LOOM_CHECK(!in.bad(), Error, who, ": read error");
    const std::string text = std::move(ss).str();
    return MtxParser(text, who).parse(value_dtype);
  });
}

Tensor coo_to_dense(const CooMatrix& m) {
  LOOM_CHECK(m.rows.defined() && m.cols.defined() && m.values.defined(), ValueError,
             "coo_to_dense: rows, cols and values must be defined");
  LOOM_CHECK(m.rows.dtype() == kInt64 && m.cols.dtype() == kInt64, DTypeError,
             "coo_to_dense: rows and cols must be int64, got ", dtype_name(m.rows.dtype()), " and ",
             dtype_name(m.cols.dtype()));
  LOOM_CHECK(m.rows.numel() == m.cols.numel() && m.rows.numel() == m.values.numel(), ShapeError,
             "coo_to_dense: rows ", m.rows.shape_str(), ", cols ", m.cols.shape_str(), " and values ",
             m.values.shape_str(), " must have the same length");
  const std::vector<int64_t> r = m.rows.cpu().to_vector<int64_t>();
  const std::vector<int64_t> c = m.cols.cpu().to_vector<int64_t>();
  const std::vector<float> v = m.values.detach().to(kFloat32).cpu().to_vector<float>();
  Tensor out = zeros({m.n_rows, m.n_cols}, kFloat32, kCPU);
  float* p = out.data<float>();
  for (size_t k = 0; k < r.size(); ++k) {
    LOOM_CHECK(r[k] >= 0 && r[k] < m.n_rows && c[k] >= 0 && c[k] < m.n_cols, IndexError, "coo_to_dense: entry ", k,
               " at (", r[k], ", ", c[k], ") is out of range for a ", m.n_rows, " x ", m.n_cols, " matrix");
    p[r[k] * m.n_cols + c[k]] += v[k];
  }
  return out;
}

}  // namespace loom::data
