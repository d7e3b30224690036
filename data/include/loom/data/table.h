// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Delimited text tables (CSV and TSV) as users write them by hand or export them from a spreadsheet or pandas:
// the input of `loom import`. The reader splits lines into fields and keeps where each came from, so that every
// error names the file, the line and the column.
//
// The rules, in full:
//   - Delimiter: a tab for a path ending in .tsv, a comma for .csv; otherwise a tab when the first data line holds
//     one, else a comma. TableOptions::delimiter overrides all of this.
//   - Lines: LF or CRLF endings; blank lines (only spaces/tabs) and lines whose first non-space character is '#'
//     are skipped (they still count for line numbers). Spaces around a field are trimmed (and tabs, in CSV).
//   - No quoting: a field holding '"' is an error (write values without quotes; ids may not contain the delimiter).
//   - Every row has as many fields as the first row (header or data); an empty field is an error.
//   - Header (HeaderRule::kAuto): the first row is a header when, in some column, it is not a number while every
//     other row is. A file whose columns are all text (string ids, class names) thus never gets one detected:
//     say kPresent. A file with a single row has no header under kAuto.
//   - Numbers: std::from_chars (no locale, no leading '+', the whole field must be used); integers are int64.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loom::data {

enum class HeaderRule { kAuto, kPresent, kAbsent };

struct TableOptions {
  char delimiter = 0;  // 0: from the extension, else detected (see above)
  HeaderRule header = HeaderRule::kAuto;
};

class Table {
 public:
  const std::string& name() const { return name_; }  // the file, as errors name it
  char delimiter() const { return delimiter_; }
  const std::vector<std::string>& header() const { return header_; }  // empty when the file has none
  int64_t num_rows() const { return static_cast<int64_t>(row_line_.size()); }
  int64_t num_columns() const { return num_columns_; }
  int64_t line(int64_t row) const { return row_line_[static_cast<size_t>(row)]; }  // 1-based line in the file

  std::string_view field(int64_t row, int64_t col) const;
  // The field as a number / an integer; FormatError "<file>:<line>: column <c>: '<text>' is not a number" (or
  // "... is not an integer", "... is out of range") otherwise. `finite_number` also refuses NaN and infinities.
  double number(int64_t row, int64_t col) const;
  double finite_number(int64_t row, int64_t col) const;
  int64_t integer(int64_t row, int64_t col) const;
  // "<file>:<line>: column <c>: " (columns counted from 1), the prefix of every error about a field.
  std::string where(int64_t row, int64_t col) const;

 private:
  friend Table parse_table(std::string text, const std::string& name, const TableOptions& options);
  std::string name_, text_;
  char delimiter_ = ',';
  std::vector<std::string> header_;
  int64_t num_columns_ = 0;
  std::vector<int64_t> row_line_;
  std::vector<std::pair<size_t, size_t>> fields_;  // (offset, length) into text_, row-major
};

// Parses the whole text of a table; `name` is the file as errors name it (and picks the delimiter by extension).
// Throws FormatError naming the file and line for a malformed row.
Table parse_table(std::string text, const std::string& name, const TableOptions& options = {});

// Reads and parses a file; throws loom::Error when it cannot be opened or read.
Table read_table(const std::string& path, const TableOptions& options = {});

// std::from_chars on the whole of `s`: false when `s` is not entirely a number (or out of range).
bool parse_double(std::string_view s, double& out);
bool parse_int64(std::string_view s, int64_t& out);

}  // namespace loom::data
