// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// R-MAT generator: sizes, no self loops or duplicates, sorted output, determinism per seed (and across thread
// counts), skewed degrees, argument errors.
#include <gmock/gmock.h>

#include <algorithm>

#include "loom/data/rmat.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(Rmat, SizesAndInvariants) {
  const data::RmatEdges g = data::rmat(12, 8, 3);
  EXPECT_EQ(g.num_nodes, 4096);
  const auto s = g.src.to_vector<int64_t>(), d = g.dst.to_vector<int64_t>();
  ASSERT_EQ(s.size(), d.size());
  // Most candidates survive; Graph500 parameters give a few percent duplicates at this density.
  EXPECT_LE(static_cast<int64_t>(s.size()), 8 * 4096);
  EXPECT_GT(static_cast<int64_t>(s.size()), 8 * 4096 * 7 / 10);
  for (size_t i = 0; i < s.size(); ++i) {
    ASSERT_GE(s[i], 0);
    ASSERT_LT(s[i], 4096);
    ASSERT_GE(d[i], 0);
    ASSERT_LT(d[i], 4096);
    ASSERT_NE(s[i], d[i]) << "self loop at " << i;
    if (i > 0) {
      ASSERT_TRUE(std::pair(s[i - 1], d[i - 1]) < std::pair(s[i], d[i])) << "unsorted or repeated at " << i;
    }
  }
}

TEST(Rmat, DeterministicPerSeedAndThreadCount) {
  const data::RmatEdges a = data::rmat(10, 16, 7), b = data::rmat(10, 16, 7), c = data::rmat(10, 16, 8);
  EXPECT_EQ(a.src.to_vector<int64_t>(), b.src.to_vector<int64_t>());
  EXPECT_EQ(a.dst.to_vector<int64_t>(), b.dst.to_vector<int64_t>());
  EXPECT_NE(a.src.to_vector<int64_t>(), c.src.to_vector<int64_t>());
  const data::RmatEdges one = testing::with_threads(1, [] { return data::rmat(10, 16, 7); });
  EXPECT_EQ(one.src.to_vector<int64_t>(), a.src.to_vector<int64_t>());
  EXPECT_EQ(one.dst.to_vector<int64_t>(), a.dst.to_vector<int64_t>());
}

TEST(Rmat, SkewedDegrees) {
  const data::RmatEdges g = data::rmat(14, 16, 1);
  std::vector<int64_t> out(static_cast<size_t>(g.num_nodes), 0), in(static_cast<size_t>(g.num_nodes), 0);
  for (int64_t u : g.src.to_vector<int64_t>()) ++out[static_cast<size_t>(u)];
  for (int64_t v : g.dst.to_vector<int64_t>()) ++in[static_cast<size_t>(v)];
  const double mean = static_cast<double>(g.src.numel()) / static_cast<double>(g.num_nodes);
  EXPECT_GT(static_cast<double>(*std::max_element(out.begin(), out.end())), 20 * mean);
  EXPECT_GT(static_cast<double>(*std::max_element(in.begin(), in.end())), 20 * mean);
  // Many vertices have (almost) no edges: a power law, not a uniform graph.
  const int64_t zero = std::count(out.begin(), out.end(), 0);
  EXPECT_GT(zero, g.num_nodes / 10);
  // The relabelling spreads the hubs: the top vertex is not vertex 0 (the unpermuted R-MAT hub).
  const int64_t top = std::max_element(out.begin(), out.end()) - out.begin();
  EXPECT_NE(top, 0);
  // Uniform quadrants give a near-regular graph instead.
  const data::RmatEdges u = data::rmat(14, 16, 1, 0.25, 0.25, 0.25);
  std::vector<int64_t> uo(static_cast<size_t>(u.num_nodes), 0);
  for (int64_t x : u.src.to_vector<int64_t>()) ++uo[static_cast<size_t>(x)];
  EXPECT_LT(static_cast<double>(*std::max_element(uo.begin(), uo.end())), 4 * mean);
}

TEST(Rmat, BadArguments) {
  EXPECT_THAT([] { data::rmat(0); }, ThrowsMessage<ValueError>(HasSubstr("rmat: scale must be in [1, 30], got 0")));
  EXPECT_THAT([] { data::rmat(5, 0); }, ThrowsMessage<ValueError>(HasSubstr("rmat: edge_factor must be >= 1, got 0")));
  EXPECT_THAT([] { data::rmat(5, 4, 0, 0.6, 0.3, 0.3); },
              ThrowsMessage<ValueError>(HasSubstr("rmat: quadrant probabilities must be >= 0 with a + b + c <= 1")));
}

}  // namespace
}  // namespace loom
