// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The CSV/TSV table reader of `loom import` on hand-made text: delimiters, headers, comments, CRLF, and every
// malformed kind with the exact message (file, line, column) it must give.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>

#include "loom/core/error.h"
#include "loom/data/table.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using data::HeaderRule;
using data::parse_table;
using data::Table;

std::vector<std::string> row(const Table& t, int64_t r) {
  std::vector<std::string> out;
  for (int64_t c = 0; c < t.num_columns(); ++c) out.emplace_back(t.field(r, c));
  return out;
}

TEST(Table, CsvWithHeaderCommentsBlankLinesAndCrlf) {
  const Table t = parse_table("# exported by hand\r\nsrc,dst,weight\r\n0,1,0.5\r\n\r\n  # indented comment\n 2 , 3 ,1e-3\n",
                              "edges.csv");
  EXPECT_EQ(t.delimiter(), ',');
  EXPECT_EQ(t.header(), (std::vector<std::string>{"src", "dst", "weight"}));
  ASSERT_EQ(t.num_rows(), 2);
  EXPECT_EQ(t.num_columns(), 3);
  EXPECT_EQ(row(t, 0), (std::vector<std::string>{"0", "1", "0.5"}));
  EXPECT_EQ(row(t, 1), (std::vector<std::string>{"2", "3", "1e-3"}));  // spaces trimmed
  EXPECT_EQ(t.line(0), 3);
  EXPECT_EQ(t.line(1), 6);  // blank and comment lines still count
  EXPECT_EQ(t.integer(1, 1), 3);
  EXPECT_DOUBLE_EQ(t.number(1, 2), 1e-3);
}

TEST(Table, DelimiterFromExtensionOrFirstDataLine) {
  EXPECT_EQ(parse_table("a\tb\n", "e.tsv").delimiter(), '\t');
  EXPECT_EQ(parse_table("a\tb\n", "e.csv").delimiter(), ',');  // the extension wins: one field "a\tb"...
  EXPECT_EQ(parse_table("a\tb\n", "e.csv").num_columns(), 1);
  EXPECT_EQ(parse_table("# a,b\nx\ty\n", "edges.txt").delimiter(), '\t');  // comments do not decide
  EXPECT_EQ(parse_table("x,y\n", "edges.txt").delimiter(), ',');
  // A TSV field may hold a comma (a name); spaces inside a field are kept.
  const Table t = parse_table("alice smith\tbob, jr\n", "e.tsv");
  EXPECT_EQ(row(t, 0), (std::vector<std::string>{"alice smith", "bob, jr"}));
}

TEST(Table, HeaderRule) {
  // Auto: the first row is a header when it is text in a column where every other row is a number.
  EXPECT_TRUE(parse_table("node,label\n0,3\n1,4\n", "l.csv").header().size() == 2);
  EXPECT_TRUE(parse_table("0,3\n1,4\n", "l.csv").header().empty());
  // Text in every row of every column: no header detected under auto, one when present is said.
  EXPECT_TRUE(parse_table("src,dst\nalice,bob\n", "e.csv").header().empty());
  EXPECT_EQ(parse_table("src,dst\nalice,bob\n", "e.csv", {0, HeaderRule::kPresent}).num_rows(), 1);
  // Absent: a text first row stays data.
  EXPECT_EQ(parse_table("node,label\n0,3\n", "l.csv", {0, HeaderRule::kAbsent}).num_rows(), 2);
  // A single row is data under auto.
  EXPECT_EQ(parse_table("node,label\n", "l.csv").num_rows(), 1);
}

TEST(Table, EmptyAndCommentOnlyFilesHaveNoRows) {
  EXPECT_EQ(parse_table("", "e.csv").num_rows(), 0);
  EXPECT_EQ(parse_table("# nothing\n\n", "e.csv").num_rows(), 0);
}

TEST(Table, MalformedRowsNameFileLineAndColumn) {
  EXPECT_THAT([] { parse_table("0,1\n1,2\n2\n", "edges.csv"); },
              ThrowsMessage<FormatError>("edges.csv:3: expected 2 fields (as on line 1), got 1"));
  EXPECT_THAT([] { parse_table("# c\n0,1\n1,2,3\n", "edges.csv"); },
              ThrowsMessage<FormatError>("edges.csv:3: expected 2 fields (as on line 2), got 3"));
  EXPECT_THAT([] { parse_table("0,1\n1,,2\n", "edges.csv"); },
              ThrowsMessage<FormatError>("edges.csv:2: column 2: empty field"));
  EXPECT_THAT([] { parse_table("0,1\n1,\n", "edges.csv"); },
              ThrowsMessage<FormatError>("edges.csv:2: column 2: empty field"));
  EXPECT_THAT([] { parse_table("\"a\",b\n", "edges.csv"); },
              ThrowsMessage<FormatError>(
                  "edges.csv:1: column 1: quoted fields are not supported (write the value without quotes)"));
  EXPECT_THAT([] { parse_table(std::string("0,1\n1,\0\n", 7), "edges.csv"); },
              ThrowsMessage<FormatError>(HasSubstr("edges.csv:2: holds a NUL byte")));
}

TEST(Table, BadNumbersNameTheField) {
  const Table t = parse_table("0,1,1.5\n0,abc,2\n1,2,nan\n3,1.5,inf\n99999999999999999999,1,1e999\n", "edges.csv");
  EXPECT_THAT([&] { t.integer(1, 1); }, ThrowsMessage<FormatError>("edges.csv:2: column 2: 'abc' is not an integer"));
  EXPECT_THAT([&] { t.number(1, 1); }, ThrowsMessage<FormatError>("edges.csv:2: column 2: 'abc' is not a number"));
  EXPECT_THAT([&] { t.integer(3, 1); }, ThrowsMessage<FormatError>("edges.csv:4: column 2: '1.5' is not an integer"));
  EXPECT_THAT([&] { t.finite_number(2, 2); }, ThrowsMessage<FormatError>("edges.csv:3: column 3: 'nan' is not finite"));
  EXPECT_THAT([&] { t.finite_number(3, 2); }, ThrowsMessage<FormatError>("edges.csv:4: column 3: 'inf' is not finite"));
  EXPECT_THAT([&] { t.integer(4, 0); },
              ThrowsMessage<FormatError>("edges.csv:5: column 1: '99999999999999999999' is out of range for a 64-bit integer"));
  EXPECT_THAT([&] { t.number(4, 2); },
              ThrowsMessage<FormatError>("edges.csv:5: column 3: '1e999' is out of range for a number"));
  EXPECT_DOUBLE_EQ(t.number(0, 2), 1.5);
  // from_chars: no leading '+', no trailing garbage, no hex; a locale never changes the decimal point.
  int64_t v = 0;
  double d = 0;
  EXPECT_FALSE(data::parse_int64("+1", v));
  EXPECT_FALSE(data::parse_int64("12x", v));
  EXPECT_FALSE(data::parse_double("1,5", d));
  EXPECT_TRUE(data::parse_double("-2.5e-3", d));
  EXPECT_DOUBLE_EQ(d, -2.5e-3);
}

TEST(Table, ReadTableFromFile) {
  const std::filesystem::path p = testing::temp_dir() / "table_test_edges.tsv";
  std::ofstream(p) << "0\t1\n1\t2\n";
  const Table t = data::read_table(p.string());
  EXPECT_EQ(t.name(), p.string());
  EXPECT_EQ(t.delimiter(), '\t');
  EXPECT_EQ(t.num_rows(), 2);
  EXPECT_THAT([&] { data::read_table((testing::temp_dir() / "no_such.csv").string()); },
              ThrowsMessage<Error>(HasSubstr("no_such.csv: cannot open the file")));
}

}  // namespace
}  // namespace loom
