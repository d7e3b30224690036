// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MatrixMarket reader: valid general/symmetric/pattern/integer files and each malformed case with its line number.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>

#include "loom/data/mtx.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::vector<int64_t> ints(const Tensor& t) { return t.to_vector<int64_t>(); }

TEST(Mtx, GeneralRealWithCommentsAndBlankLines) {
  const std::string text =
      "%%MatrixMarket matrix coordinate real general\n"
      "% a comment\n"
      "%another\n"
      "\n"
      "3 4 4\n"
      "1 1 1.5\n"
      "% comment between entries\n"
      "2 4 -2e-1\n"
      "\n"
      "3 2 +7\n"
      "1 3 0.25\n";
  data::CooMatrix m = data::parse_mtx(text);
  EXPECT_EQ(m.n_rows, 3);
  EXPECT_EQ(m.n_cols, 4);
  EXPECT_EQ(m.nnz(), 4);
  EXPECT_EQ(ints(m.rows), (std::vector<int64_t>{0, 1, 2, 0}));
  EXPECT_EQ(ints(m.cols), (std::vector<int64_t>{0, 3, 1, 2}));
  EXPECT_EQ(m.values.dtype(), kFloat32);
  EXPECT_EQ(m.values.to_vector<float>(), (std::vector<float>{1.5f, -0.2f, 7.f, 0.25f}));
  Tensor d = data::coo_to_dense(m);
  EXPECT_EQ(d.shape(), (Shape{3, 4}));
  EXPECT_EQ(d.to_vector<float>(), (std::vector<float>{1.5f, 0, 0.25f, 0, 0, 0, 0, -0.2f, 0, 7.f, 0, 0}));
}

TEST(Mtx, Float64ValuesAndCrlfLineEndings) {
  const std::string text = "%%MatrixMarket matrix coordinate real general\r\n2 2 2\r\n1 2 0.1\r\n2 1 1e-300\r\n";
  data::CooMatrix m = data::parse_mtx(text, "crlf", kFloat64);
  EXPECT_EQ(m.values.dtype(), kFloat64);
  EXPECT_EQ(m.values.to_vector<double>(), (std::vector<double>{0.1, 1e-300}));
  EXPECT_THAT([&] { data::parse_mtx(text, "crlf", kInt64); }, ThrowsMessage<DTypeError>(HasSubstr("value_dtype")));
}

TEST(Mtx, SymmetricMirrorsOffDiagonal) {
  const std::string text =
      "%%MatrixMarket matrix coordinate real symmetric\n"
      "3 3 3\n"
      "1 1 2\n"
      "3 1 5\n"
      "3 2 -1\n";
  data::CooMatrix m = data::parse_mtx(text);
  EXPECT_EQ(m.nnz(), 5);  // the diagonal entry once, the two others twice
  EXPECT_EQ(ints(m.rows), (std::vector<int64_t>{0, 2, 0, 2, 1}));
  EXPECT_EQ(ints(m.cols), (std::vector<int64_t>{0, 0, 2, 1, 2}));
  EXPECT_EQ(data::coo_to_dense(m).to_vector<float>(), (std::vector<float>{2, 0, 5, 0, 0, -1, 5, -1, 0}));
}

TEST(Mtx, PatternAndInteger) {
  data::CooMatrix p = data::parse_mtx("%%MatrixMarket matrix coordinate pattern general\n2 3 2\n1 3\n2 1\n");
  EXPECT_EQ(p.values.to_vector<float>(), (std::vector<float>{1, 1}));
  EXPECT_EQ(data::coo_to_dense(p).to_vector<float>(), (std::vector<float>{0, 0, 1, 1, 0, 0}));
  data::CooMatrix i = data::parse_mtx("%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 1 -3\n2 2 40\n");
  EXPECT_EQ(i.values.to_vector<float>(), (std::vector<float>{-3, 40}));
  // Banner words are case-insensitive; symmetric pattern mirrors too.
  data::CooMatrix s = data::parse_mtx("%%matrixmarket MATRIX Coordinate Pattern Symmetric\n2 2 1\n2 1\n");
  EXPECT_EQ(data::coo_to_dense(s).to_vector<float>(), (std::vector<float>{0, 1, 1, 0}));
}

TEST(Mtx, EmptyMatrixAndDuplicatesSummedWhenDense) {
  data::CooMatrix e = data::parse_mtx("%%MatrixMarket matrix coordinate real general\n2 5 0\n");
  EXPECT_EQ(e.nnz(), 0);
  EXPECT_EQ(data::coo_to_dense(e).shape(), (Shape{2, 5}));
  data::CooMatrix d = data::parse_mtx("%%MatrixMarket matrix coordinate real general\n1 2 3\n1 2 1\n1 2 2\n1 1 4\n");
  EXPECT_EQ(d.nnz(), 3);
  EXPECT_EQ(data::coo_to_dense(d).to_vector<float>(), (std::vector<float>{4, 3}));
}

TEST(Mtx, ReadsFromFile) {
  const auto p = std::filesystem::temp_directory_path() / "loom_mtx_reads_from_file.mtx";
  {
    std::ofstream out(p);
    out << "%%MatrixMarket matrix coordinate real general\n2 2 1\n2 2 9\n";
  }
  data::CooMatrix m = data::read_mtx(p.string());
  EXPECT_EQ(data::coo_to_dense(m).to_vector<float>(), (std::vector<float>{0, 0, 0, 9}));
  std::ofstream(p) << "%%MatrixMarket matrix coordinate real general\n2 2 1\n3 2 9\n";
  EXPECT_THAT([&] { data::read_mtx(p.string()); },
              ThrowsMessage<FormatError>(HasSubstr("read_mtx(\"" + p.string() + "\") line 3: row index 3")));
  std::filesystem::remove(p);
  EXPECT_THAT([] { data::read_mtx("/nonexistent/f.mtx"); }, ThrowsMessage<Error>(HasSubstr("cannot open")));
}

void expect_error(const std::string& text, const std::string& words) {
  EXPECT_THAT([&] { data::parse_mtx(text, "f.mtx"); }, ThrowsMessage<FormatError>(HasSubstr(words))) << text;
}

TEST(Mtx, BannerErrors) {
  expect_error("", "parse_mtx(\"f.mtx\"): empty file");
  expect_error("3 3 1\n1 1 1\n", "line 1: missing the %%MatrixMarket banner");
  expect_error("% just a comment\n", "line 1: missing the %%MatrixMarket banner");
  expect_error("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n", "line 1: array (dense) format");
  expect_error("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", "unsupported field 'complex'");
  expect_error("%%MatrixMarket matrix coordinate complex hermitian\n", "unsupported field 'complex'");
  expect_error("%%MatrixMarket matrix coordinate real hermitian\n1 1 0\n", "unsupported symmetry 'hermitian'");
  expect_error("%%MatrixMarket matrix coordinate real skew-symmetric\n1 1 0\n", "unsupported symmetry 'skew-symmetric'");
  expect_error("%%MatrixMarket vector coordinate real general\n", "unsupported object 'vector'");
  expect_error("%%MatrixMarket matrix coordinate real\n", "the banner must have 5 words, found 4");
}

TEST(Mtx, SizeLineErrors) {
  const std::string banner = "%%MatrixMarket matrix coordinate real general\n% c\n";
  expect_error(banner, "missing the size line");
  expect_error(banner + "3 3\n", "line 3: bad size line '3 3'");
  expect_error(banner + "3 x 1\n", "line 3: bad size line '3 x 1'");
  expect_error(banner + "3 3 -1\n", "line 3: bad size line");
  expect_error(banner + "3 3 1 1\n", "line 3: bad size line");
  expect_error("%%MatrixMarket matrix coordinate real symmetric\n2 3 0\n", "line 2: a symmetric matrix must be square");
}

TEST(Mtx, EntryErrors) {
  const std::string head = "%%MatrixMarket matrix coordinate real general\n3 4 2\n";
  expect_error(head + "1 1 1\n4 1 1\n", "line 4: row index 4 is out of range 1..3");
  expect_error(head + "0 1 1\n1 1 1\n", "line 3: row index 0 is out of range 1..3");
  expect_error(head + "1 1 1\n1 5 1\n", "line 4: column index 5 is out of range 1..4");
  expect_error(head + "1 1 1\n", "declares 2 entries but the file has 1");
  expect_error(head + "1 1 1\n2 2 2\n3 3 3\n", "line 5: more entries than the 2 declared");
  expect_error(head + "1 1 abc\n2 2 2\n", "line 3: value 'abc' is not a number");
  expect_error(head + "1 1 1.5x\n2 2 2\n", "value '1.5x' is not a number");
  expect_error(head + "a 1 1\n2 2 2\n", "line 3: row index 'a' is not an integer");
  expect_error(head + "1 1.0 1\n2 2 2\n", "column index '1.0' is not an integer");
  expect_error(head + "1 1\n2 2 2\n", "line 3: expected 3 tokens (row col value), found 2");
  expect_error(head + "1 1 1 1\n2 2 2\n", "expected 3 tokens (row col value), found 4");
  expect_error("%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1 1\n", "expected 2 tokens (row col)");
  expect_error("%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 1.5\n", "value '1.5' is not an integer");
  expect_error("%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 1\n", "line 3: entry (1, 2) lies above the diagonal");
}

TEST(Mtx, DenseRejectsOutOfRangeCoo) {
  data::CooMatrix m;
  m.n_rows = 2;
  m.n_cols = 2;
  m.rows = from_vector<int64_t>({0, 2});
  m.cols = from_vector<int64_t>({0, 1});
  m.values = tensor({1.f, 2.f});
  EXPECT_THAT([&] { data::coo_to_dense(m); }, ThrowsMessage<IndexError>(HasSubstr("entry 1 at (2, 1) is out of range")));
}

}  // namespace
}  // namespace loom
