// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The pair-list reader of `loom predict --pairs` (loom/data/pairs.h): text and .npy forms, line numbers kept for
// errors, and every malformed form refused with the file and line named.
#include "loom/data/pairs.h"

#include <gmock/gmock.h>

#include <fstream>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/data/npy.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::string write_text(const std::string& name, const std::string& text) {
  const std::string path = (testing::temp_dir() / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(Pairs, TextWithHeaderCommentsBlankLinesAndSeparators) {
  const data::PairList l = data::read_pairs(write_text("ok.csv", "src,dst\r\n0,1\n# c\n\n 2 , 3 \n4\t5\n6 7\n"));
  EXPECT_EQ(l.pairs.dtype(), kInt64);
  EXPECT_EQ(l.pairs.to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 4, 6, 1, 3, 5, 7}));
  EXPECT_EQ(l.lines, (std::vector<int64_t>{2, 5, 6, 7}));
}

TEST(Pairs, NpyInBothLayouts) {
  const std::string kx2 = (testing::temp_dir() / "kx2.npy").string();
  data::write_npy(kx2, from_vector<int32_t>({0, 1, 2, 3, 4, 5}, {3, 2}));
  EXPECT_EQ(data::read_pairs(kx2).pairs.to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 4, 1, 3, 5}));
  EXPECT_TRUE(data::read_pairs(kx2).lines.empty());
  const std::string two = (testing::temp_dir() / "2xk.npy").string();
  data::write_npy(two, from_vector<int64_t>({0, 1, 2, 3}, {2, 2}));  // [2, 2] reads as [2, k]
  EXPECT_EQ(data::read_pairs(two).pairs.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(Pairs, MalformedInputNamesFileAndLine) {
  EXPECT_THAT([] { data::read_pairs(write_text("bad1.txt", "0,1\n2;3\n")); },
              ThrowsMessage<FormatError>(HasSubstr("bad1.txt:2: expected 'src,dst' (two node ids), got '2;3'")));
  EXPECT_THAT([] { data::read_pairs(write_text("bad2.txt", "0,1\n1,x\n")); },
              ThrowsMessage<FormatError>(HasSubstr("bad2.txt:2:")));
  EXPECT_THAT([] { data::read_pairs(write_text("bad3.txt", "0,1,2\n")); },
              ThrowsMessage<FormatError>(HasSubstr("bad3.txt:1:")));
  EXPECT_THAT([] { data::read_pairs(write_text("bad4.txt", "99999999999999999999999,1\n")); },
              ThrowsMessage<FormatError>(HasSubstr("bad4.txt:1:")));
  // A header is allowed on the first row only.
  EXPECT_THAT([] { data::read_pairs(write_text("bad5.txt", "0,1\nsrc,dst\n")); },
              ThrowsMessage<FormatError>(HasSubstr("bad5.txt:2:")));
  const std::string f = (testing::temp_dir() / "bad.npy").string();
  data::write_npy(f, from_vector<float>({0, 1}, {2, 1}));
  EXPECT_THAT([&] { data::read_pairs(f); }, ThrowsMessage<FormatError>(HasSubstr("must hold int32 or int64")));
  EXPECT_THROW(data::read_pairs((testing::temp_dir() / "missing.txt").string()), Error);
}

TEST(Pairs, EmptyTextIsNoPairs) {
  const data::PairList l = data::read_pairs(write_text("empty.txt", "# nothing\n"));
  EXPECT_EQ(l.pairs.shape(), (Shape{2, 0}));
  EXPECT_TRUE(l.lines.empty());
}

}  // namespace
}  // namespace loom
