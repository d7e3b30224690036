// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// data::unique_signature: the label rule recomputed from the edge list, undirected simple graphs inside each
// graph's node range, feature values, per-graph determinism, option errors.
#include <gmock/gmock.h>

#include <set>
#include <utility>
#include <vector>

#include "loom/data/unique_signature.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

data::UniqueSignatureOptions small(int64_t graphs, int64_t k, double p) {
  data::UniqueSignatureOptions o;
  o.num_graphs = graphs;
  o.min_nodes = 5;
  o.max_nodes = 25;
  o.edge_prob = p;
  o.feature_range = k;
  o.seed = 4;
  return o;
}

TEST(UniqueSignature, LabelsFollowTheRuleOnSimpleUndirectedGraphs) {
  for (int64_t k : {3, 4, 7}) {
    for (double p : {0.1, 0.5, 0.9}) {
      const data::UniqueSignature b = data::unique_signature(small(40, k, p));
      const int64_t n = b.num_nodes, e = b.edge_index.size(1);
      ASSERT_EQ(b.x.shape(), (Shape{n, 1}));
      ASSERT_EQ(b.y.shape(), (Shape{n}));
      ASSERT_EQ(b.graph_ptr.numel(), 41);
      const auto ei = b.edge_index.to_vector<int64_t>();
      const auto x = b.x.to_vector<float>();
      const auto y = b.y.to_vector<int64_t>();
      const auto gid = b.graph_id.to_vector<int64_t>();
      const auto ptr = b.graph_ptr.to_vector<int64_t>();
      std::set<std::pair<int64_t, int64_t>> edges;
      std::vector<std::vector<int64_t>> nbr(static_cast<size_t>(n));
      for (int64_t i = 0; i < e; ++i) {
        const int64_t s = ei[i], d = ei[e + i];
        ASSERT_NE(s, d) << "self loop";
        ASSERT_EQ(gid[s], gid[d]) << "edge between graphs";
        ASSERT_TRUE(edges.insert({s, d}).second) << "duplicate edge " << s << " -> " << d;
        nbr[d].push_back(s);
      }
      for (const auto& [s, d] : edges) EXPECT_TRUE(edges.count({d, s})) << "missing reverse of " << s << " -> " << d;
      int64_t pos = 0;
      for (int64_t u = 0; u < n; ++u) {
        EXPECT_GE(x[u], -(k / 2));
        EXPECT_LE(x[u], k - 1 - k / 2);
        EXPECT_EQ(x[u], static_cast<float>(static_cast<int64_t>(x[u]))) << "integer features";
        EXPECT_GE(u, ptr[gid[u]]);
        EXPECT_LT(u, ptr[gid[u] + 1]);
        double sum = 0;
        for (int64_t v : nbr[u]) sum += x[v];
        int64_t want = 0;
        for (int64_t v : nbr[u]) want |= x[v] == sum;
        EXPECT_EQ(y[u], want) << "node " << u;
        pos += y[u];
      }
      if (p == 0.5) {  // both classes present
        EXPECT_GT(pos, 0);
        EXPECT_LT(pos, n);
      }
    }
  }
}

TEST(UniqueSignature, GraphIIsTheSameInEveryBatchSize) {
  const data::UniqueSignature a = data::unique_signature(small(10, 5, 0.4));
  const data::UniqueSignature b = data::unique_signature(small(3, 5, 0.4));
  const int64_t n3 = b.num_nodes;
  EXPECT_EQ(a.graph_ptr.to_vector<int64_t>()[3], n3);
  EXPECT_EQ(a.x.narrow_rows(0, n3).to_vector<float>(), b.x.to_vector<float>());
  EXPECT_EQ(a.y.narrow_rows(0, n3).to_vector<int64_t>(), b.y.to_vector<int64_t>());
  const data::UniqueSignature c = data::unique_signature(small(10, 5, 0.4));
  EXPECT_EQ(a.edge_index.to_vector<int64_t>(), c.edge_index.to_vector<int64_t>());
  auto o = small(10, 5, 0.4);
  o.seed = 5;
  EXPECT_NE(data::unique_signature(o).x.to_vector<float>(), a.x.to_vector<float>());
}

TEST(UniqueSignature, ErrorsNameTheOption) {
  auto o = small(2, 3, 0.5);
  o.edge_prob = 1.5;
  EXPECT_THAT([&] { data::unique_signature(o); }, ThrowsMessage<ValueError>(HasSubstr("edge_prob must be in [0, 1]")));
  o = small(2, 3, 0.5);
  o.min_nodes = 9;
  o.max_nodes = 8;
  EXPECT_THAT([&] { data::unique_signature(o); }, ThrowsMessage<ValueError>(HasSubstr("min_nodes <= max_nodes")));
  o = small(2, 0, 0.5);
  EXPECT_THAT([&] { data::unique_signature(o); }, ThrowsMessage<ValueError>(HasSubstr("feature_range (K)")));
  o = small(-1, 3, 0.5);
  EXPECT_THAT([&] { data::unique_signature(o); }, ThrowsMessage<ValueError>(HasSubstr("num_graphs must be >= 0")));
}

}  // namespace
}  // namespace loom
