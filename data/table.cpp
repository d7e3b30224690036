// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Delimited text tables: one pass splits the text into rows of fields (kept as offsets into the text), then the
// header rule looks at the columns. The rules are spelled out in table.h.
#include "loom/data/table.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/detail/file_errors.h"
#include "loom/core/error.h"

namespace loom::data {
namespace {

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// The delimiter of `text` (named `name`) when the options leave it open.
char pick_delimiter(const std::string& text, const std::string& name) {
  if (ends_with(name, ".tsv") || ends_with(name, ".TSV")) return '\t';
  if (ends_with(name, ".csv") || ends_with(name, ".CSV")) return ',';
  // The first line that is neither blank nor a comment decides.
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    const size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#') return line.find('\t') != line.npos ? '\t' : ',';
    pos = end + 1;
  }
  return ',';
}

std::string_view trim(std::string_view s, char delimiter) {
  const char* blanks = delimiter == '\t' ? " \r" : " \t\r";
  const size_t b = s.find_first_not_of(blanks);
  if (b == s.npos) return {};
  return s.substr(b, s.find_last_not_of(blanks) - b + 1);
}

bool is_number(std::string_view s) {
  double v = 0;
  return parse_double(s, v);
}

}  // namespace

bool parse_double(std::string_view s, double& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool parse_int64(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string_view Table::field(int64_t row, int64_t col) const {
  LOOM_CHECK(row >= 0 && row < num_rows() && col >= 0 && col < num_columns_, IndexError, name_, ": field (", row,
             ", ", col, ") is outside the table's ", num_rows(), " rows and ", num_columns_, " columns");
  const auto [offset, length] = fields_[static_cast<size_t>(row * num_columns_ + col)];
  return std::string_view(text_).substr(offset, length);
}

std::string Table::where(int64_t row, int64_t col) const {
  return detail::str_cat(name_, ":", line(row), ": column ", col + 1, ": ");
}

double Table::number(int64_t row, int64_t col) const {
  const std::string_view s = field(row, col);
  double v = 0;
  if (parse_double(s, v)) return v;
  // from_chars reports result_out_of_range for 1e999: say so rather than "not a number".
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  LOOM_CHECK(!(ec == std::errc::result_out_of_range && end == s.data() + s.size()), FormatError, where(row, col),
             "'", s, "' is out of range for a number");
  throw FormatError(detail::str_cat(where(row, col), "'", s, "' is not a number"));
}

double Table::finite_number(int64_t row, int64_t col) const {
  const double v = number(row, col);
  LOOM_CHECK(std::isfinite(v), FormatError, where(row, col), "'", field(row, col), "' is not finite");
  return v;
}

int64_t Table::integer(int64_t row, int64_t col) const {
  const std::string_view s = field(row, col);
  int64_t v = 0;
  if (parse_int64(s, v)) return v;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  LOOM_CHECK(!(ec == std::errc::result_out_of_range && end == s.data() + s.size()), FormatError, where(row, col),
             "'", s, "' is out of range for a 64-bit integer");
  throw FormatError(detail::str_cat(where(row, col), "'", s, "' is not an integer"));
}

Table parse_table(std::string text, const std::string& name, const TableOptions& options) {
  Table t;
  t.name_ = name;
  t.delimiter_ = options.delimiter != 0 ? options.delimiter : pick_delimiter(text, name);
  t.text_ = std::move(text);
  const std::string& s = t.text_;
  size_t pos = 0;
  int64_t line_no = 0;
  int64_t first_line = 0;  // the line of the first row: the width every row must have
  std::vector<std::pair<size_t, size_t>> row;
  while (pos < s.size()) {
    size_t end = s.find('\n', pos);
    if (end == std::string::npos) end = s.size();
    ++line_no;
    const std::string_view line = trim(std::string_view(s).substr(pos, end - pos), t.delimiter_);
    if (!line.empty() && line[0] != '#') {
      LOOM_CHECK(line.find('\0') == line.npos, FormatError, name, ":", line_no,
                 ": holds a NUL byte (is this a text file?)");
      row.clear();
      size_t f = 0;
      while (true) {
        const size_t d = line.find(t.delimiter_, f);
        const std::string_view raw = line.substr(f, d == line.npos ? line.npos : d - f);
        const std::string_view field = trim(raw, t.delimiter_);
        const int64_t col = static_cast<int64_t>(row.size()) + 1;
        LOOM_CHECK(!field.empty(), FormatError, name, ":", line_no, ": column ", col, ": empty field");
        LOOM_CHECK(field.find('"') == field.npos, FormatError, name, ":", line_no, ": column ", col,
                   ": quoted fields are not supported (write the value without quotes)");
        row.emplace_back(static_cast<size_t>(field.data() - s.data()), field.size());
        if (d == line.npos) break;
        f = d + 1;
      }
      const int64_t width = static_cast<int64_t>(row.size());
      if (first_line == 0) {
        first_line = line_no;
        t.num_columns_ = width;
      }
      LOOM_CHECK(width == t.num_columns_, FormatError, name, ":", line_no, ": expected ", t.num_columns_,
                 " fields (as on line ", first_line, "), got ", width);
      t.fields_.insert(t.fields_.end(), row.begin(), row.end());
      t.row_line_.push_back(line_no);
    }
    pos = end + 1;
  }

  bool header = options.header == HeaderRule::kPresent;
  if (options.header == HeaderRule::kAuto && t.num_rows() > 1) {
    for (int64_t c = 0; c < t.num_columns_ && !header; ++c) {
      if (is_number(t.field(0, c))) continue;
      bool numeric_below = true;
      for (int64_t r = 1; r < t.num_rows() && numeric_below; ++r) numeric_below = is_number(t.field(r, c));
      header = numeric_below;
    }
  }
  if (header && t.num_rows() > 0) {
    for (int64_t c = 0; c < t.num_columns_; ++c) t.header_.emplace_back(t.field(0, c));
    t.fields_.erase(t.fields_.begin(), t.fields_.begin() + t.num_columns_);
    t.row_line_.erase(t.row_line_.begin());
  }
  return t;
}

Table read_table(const std::string& path, const TableOptions& options) {
  return detail::reading_file(detail::str_cat("read_table(\"", path, "\")"), [&]() -> Table {
    std::error_code ec;
    LOOM_CHECK(!std::filesystem::is_directory(path, ec), Error, path, ": is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    LOOM_CHECK(in.is_open(), Error, path, ": cannot open the file: ", std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    LOOM_CHECK(!in.bad(), Error, path, ": read error");
    return parse_table(std::move(ss).str(), path, options);
  });
}

}  // namespace loom::data
