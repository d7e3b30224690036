// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Node reordering: every order is a bijection, permuting and un-permuting gives the graph back exactly, layers
// give the same outputs in the user's ids whatever the order (to float32 rounding), the orders do what they claim
// (RCM narrows a shuffled grid's bandwidth, degree puts the hub first, METIS keeps planted clusters contiguous),
// and bad permutations are named.
#include "loom/graph/reorder.h"

#include <gmock/gmock.h>

#include <cstring>
#include <numeric>
#include <set>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/graph/partition.h"
#include "loom/layers/gat_conv.h"
#include "loom/layers/gcn_conv.h"
#include "loom/layers/sage_conv.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom {
namespace {

using graph::Permutation;
using graph::Reorder;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Same shape and the same values bit for bit (any dtype).
::testing::AssertionResult same(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return ::testing::AssertionFailure() << a.shape_str() << " vs " << b.shape_str();
  if (a.dtype() != b.dtype()) return ::testing::AssertionFailure() << "dtypes differ";
  const Tensor ac = a.to(kCPU), bc = b.to(kCPU);
  return std::memcmp(ac.raw_data(), bc.raw_data(), ac.nbytes()) == 0 ? ::testing::AssertionSuccess()
                                                                        : ::testing::AssertionFailure() << "values differ";
}

std::vector<Reorder> orders() {
  std::vector<Reorder> o{Reorder::kNone, Reorder::kDegree, Reorder::kRcm};
  if (graph::has_metis()) o.push_back(Reorder::kMetis);
  return o;
}

// The zoo's square graph (self loops, duplicates, isolated nodes, a hub) with edge weights and features.
graph::Graph nasty_graph() {
  const testing::RandomGraph r = testing::random_graph(11, 1500, 1500, 3);
  const int64_t e = r.num_edges();
  const Tensor ei = concat({r.src.view({1, e}), r.dst.view({1, e})}, 0);
  return graph::Graph::from_edge_index(ei, 1500, testing::random_tensor({e}, 3, 0.1, 2.0),
                                       testing::random_tensor({e, 2}, 4));
}

graph::Graph from_edges(const std::vector<std::pair<int64_t, int64_t>>& e, int64_t n) {
  std::vector<int64_t> v(2 * e.size());
  for (size_t k = 0; k < e.size(); ++k) v[k] = e[k].first, v[e.size() + k] = e[k].second;
  return graph::Graph::from_edge_index(from_vector<int64_t>(v, {2, static_cast<int64_t>(e.size())}), n);
}

// A 40 x 40 grid (both directions) with its ids shuffled: a bandwidth-40 structure hidden behind random ids.
graph::Graph shuffled_grid() {
  const std::vector<int64_t> perm = randperm(1600).to_vector<int64_t>();
  std::vector<std::pair<int64_t, int64_t>> e;
  for (int64_t i = 0; i < 40; ++i)
    for (int64_t j = 0; j < 40; ++j) {
      const int64_t v = perm[i * 40 + j];
      if (j + 1 < 40) e.emplace_back(v, perm[i * 40 + j + 1]), e.emplace_back(perm[i * 40 + j + 1], v);
      if (i + 1 < 40) e.emplace_back(v, perm[(i + 1) * 40 + j]), e.emplace_back(perm[(i + 1) * 40 + j], v);
    }
  return from_edges(e, 1600);
}

TEST(Reorder, EveryOrderIsABijectionWithItsInverse) {
  const graph::Graph g = nasty_graph();
  for (Reorder m : orders()) {
    SCOPED_TRACE(to_string(m));
    const Permutation p = graph::compute_order(g, m, graph::ReorderOptions().part_nodes(200));
    ASSERT_EQ(p.size(), 1500);
    const auto fwd = p.new_to_old.to_vector<int64_t>(), inv = p.old_to_new.to_vector<int64_t>();
    EXPECT_EQ(std::set<int64_t>(fwd.begin(), fwd.end()).size(), 1500u);
    for (int64_t i = 0; i < 1500; ++i) EXPECT_EQ(inv[fwd[i]], i);
  }
}

TEST(Reorder, PermutingAndUnpermutingGivesTheGraphBackExactly) {
  const graph::Graph g = nasty_graph();
  for (Reorder m : orders()) {
    SCOPED_TRACE(to_string(m));
    const graph::Reordering r = graph::reorder(g, m, graph::ReorderOptions().part_nodes(200));
    EXPECT_EQ(r.graph.num_edges(), g.num_edges());
    if (m == Reorder::kNone) continue;  // reorder() hands g itself back
    // Edge tensors travel with their edges: entry k of the new graph is entry edge_ids()[k] of g.
    EXPECT_TRUE(same(r.graph.edge_weight(), index_select(g.edge_weight(), r.graph.edge_ids())));
    const Tensor old_edges = transpose(index_select(transpose(g.edge_index(), 0, 1), r.graph.edge_ids()), 0, 1);
    EXPECT_TRUE(same(r.graph.edge_index(), r.permutation.ids_to_new(old_edges)));
    const graph::Graph back = graph::permute_graph(r.graph, r.permutation.inverse());
    EXPECT_TRUE(same(back.csr().indptr(), g.csr().indptr()));
    EXPECT_TRUE(same(back.csr().indices(), g.csr().indices()));
    EXPECT_TRUE(same(back.edge_weight(), g.edge_weight()));
    EXPECT_TRUE(same(back.edge_attr(), g.edge_attr()));
  }
}

TEST(Reorder, LayersGiveTheSameOutputsInTheUsersIds) {
  const graph::Graph g = nasty_graph();
  const Tensor x = testing::random_tensor({1500, 16}, 5, -1.0, 1.0, kFloat32);
  std::vector<std::shared_ptr<layers::GraphLayer>> convs{
      std::make_shared<layers::GCNConv>(layers::GCNConvOptions(16, 8)),
      std::make_shared<layers::SAGEConv>(layers::SAGEConvOptions(16, 8)),
      std::make_shared<layers::GATConv>(layers::GATConvOptions(16, 4).heads(2))};
  for (auto& conv : convs) {
    conv->eval();
    const Tensor want = conv->forward(g, x);
    for (Reorder m : orders()) {
      SCOPED_TRACE(to_string(m));
      const graph::Reordering r = graph::reorder(g, m, graph::ReorderOptions().part_nodes(200));
      const Tensor got = r.permutation.rows_to_old(conv->forward(r.graph, r.permutation.rows_to_new(x)));
      // Only the order of each row's sum changes.
      EXPECT_LT(max_abs_diff(got, want), 1e-5);
    }
  }
}

TEST(Reorder, RcmNarrowsAShuffledGridAndMetisKeepsCliquesTogether) {
  manual_seed(3);
  const graph::Graph grid = shuffled_grid();
  const graph::Reordering r = graph::reorder(grid, Reorder::kRcm);
  EXPECT_GT(r.before.bandwidth, 1000);
  // Cuthill-McKee's levels of a grid are its anti-diagonals (at most 40 nodes): neighbours are < 80 apart.
  EXPECT_LT(r.after.bandwidth, 80);
  EXPECT_LT(r.after.mean_edge_gap, r.before.mean_edge_gap / 10);
  EXPECT_LT(r.after.mean_neighbour_gap, r.before.mean_neighbour_gap / 10);

  // 8 cliques of 25 with shuffled ids, joined in a ring: parts of 25 nodes are the cliques, each made contiguous.
  if (!graph::has_metis()) GTEST_SKIP() << "Loom built without METIS";
  std::vector<std::pair<int64_t, int64_t>> e;
  const std::vector<int64_t> perm = randperm(200).to_vector<int64_t>();
  for (int64_t c = 0; c < 8; ++c) {
    for (int64_t i = 0; i < 25; ++i)
      for (int64_t j = i + 1; j < 25; ++j) e.emplace_back(perm[c * 25 + i], perm[c * 25 + j]);
    e.emplace_back(perm[c * 25], perm[((c + 1) % 8) * 25 + 1]);
  }
  const Permutation p = graph::compute_order(from_edges(e, 200), Reorder::kMetis, graph::ReorderOptions().part_nodes(25));
  const auto inv = p.old_to_new.to_vector<int64_t>();
  for (int64_t c = 0; c < 8; ++c) {
    std::set<int64_t> blocks;
    for (int64_t i = 0; i < 25; ++i) blocks.insert(inv[perm[c * 25 + i]] / 25);
    EXPECT_EQ(blocks.size(), 1u) << "clique " << c << " is split";
  }
}

TEST(Reorder, DegreePutsTheHubFirst) {
  const testing::RandomGraph r = testing::random_graph(11, 1500, 1500, 3);
  const graph::Graph g = nasty_graph();
  const Permutation p = graph::compute_order(g, Reorder::kDegree);
  EXPECT_EQ(p.new_to_old.to_vector<int64_t>()[0], r.hub);
  const auto in = g.csr().row_degrees().to_vector<int64_t>(), out = g.csc().row_degrees().to_vector<int64_t>();
  std::vector<int64_t> sorted;
  for (int64_t v : p.new_to_old.to_vector<int64_t>()) sorted.push_back(in[v] + out[v]);
  EXPECT_TRUE(std::is_sorted(sorted.rbegin(), sorted.rend()));
}

TEST(Reorder, MapsIdsAndRowsBothWays) {
  const Permutation p = Permutation::from_order(testing::i64({2, 0, 3, 1}));  // new 0 is old 2, ...
  EXPECT_EQ(p.old_to_new.to_vector<int64_t>(), (std::vector<int64_t>{1, 3, 0, 2}));
  EXPECT_EQ(p.ids_to_new(testing::i32({2, 2, 1})).to_vector<int32_t>(), (std::vector<int32_t>{0, 0, 3}));
  EXPECT_EQ(p.ids_to_old(testing::i64({0, 1})).to_vector<int64_t>(), (std::vector<int64_t>{2, 0}));
  const Tensor y = testing::i64({10, 11, 12, 13});
  EXPECT_EQ(p.rows_to_new(y).to_vector<int64_t>(), (std::vector<int64_t>{12, 10, 13, 11}));
  EXPECT_TRUE(same(p.rows_to_old(p.rows_to_new(y)), y));
  EXPECT_EQ(parse_choice<Reorder>("rcm"), Reorder::kRcm);
}

TEST(Reorder, BadInputIsNamed) {
  EXPECT_THAT([] { Permutation::from_order(testing::i64({0, 2, 2})); },
              ThrowsMessage<ValueError>(HasSubstr("old id 2 appears at new ids 1 and 2")));
  EXPECT_THAT([] { Permutation::from_order(testing::i64({0, 3, 1})); },
              ThrowsMessage<IndexError>(HasSubstr("new id 1 maps to old id 3, outside [0, 3)")));
  EXPECT_THAT([] { Permutation::from_order(zeros({2, 2}, kInt64)); },
              ThrowsMessage<ShapeError>(HasSubstr("'new_to_old' must be [N]")));
  const Permutation p = Permutation::identity(3);
  EXPECT_THAT([&] { p.ids_to_new(testing::i64({0, 5})); },
              ThrowsMessage<IndexError>(HasSubstr("node id 5 at position 1 is outside [0, 3)")));
  EXPECT_THAT([&] { p.rows_to_new(zeros({4, 2})); },
              ThrowsMessage<ShapeError>(HasSubstr("'x' must have one row per node (3), got [4, 2]")));
  EXPECT_THAT([&] { graph::permute_graph(nasty_graph(), p); },
              ThrowsMessage<ShapeError>(HasSubstr("the permutation has 3 nodes but the graph has 1500")));
  // A Permutation put together by hand is checked before it relabels a graph: a repeated id would merge two
  // nodes' edges, an id out of range would read past the node table, and mismatched tables would map features
  // in and results back by different relabellings.
  const graph::Graph tri = from_edges({{0, 1}, {1, 2}, {2, 0}}, 3);
  EXPECT_THAT([&] { graph::permute_graph(tri, Permutation{testing::i64({0, 2, 2}), testing::i64({0, 1, 2})}); },
              ThrowsMessage<ValueError>(HasSubstr("permute_graph: new id 1 maps to old id 2 but old_to_new maps 2 "
                                                  "to new id 2")));
  EXPECT_THAT([&] { graph::permute_graph(tri, Permutation{testing::i64({0, 1, 7}), testing::i64({0, 1, 2})}); },
              ThrowsMessage<IndexError>(HasSubstr("permute_graph: new id 2 maps to old id 7, outside [0, 3)")));
  EXPECT_THAT([&] { graph::permute_graph(tri, Permutation{testing::i64({1, 2, 0}), testing::i64({1, 2, 0})}); },
              ThrowsMessage<ValueError>(HasSubstr("permute_graph: new id 0 maps to old id 1 but old_to_new maps 1 "
                                                  "to new id 2")));
  EXPECT_THAT([&] { graph::permute_graph(tri, Permutation{testing::i64({0, 1, 2}), testing::i64({0, 1})}); },
              ThrowsMessage<ShapeError>(HasSubstr("new_to_old [3] and old_to_new [2] must both be [N]")));
  EXPECT_THAT([&] { graph::permute_graph(tri, Permutation{}); },
              ThrowsMessage<ShapeError>(HasSubstr("the permutation has 0 nodes but the graph has 3")));
  EXPECT_NO_THROW(graph::permute_graph(tri, Permutation::from_order(testing::i64({2, 0, 1}))));
  EXPECT_THAT([] { parse_choice<Reorder>("bfs"); },
              ThrowsMessage<ValueError>(HasSubstr("unknown reorder 'bfs' (expected none, degree, rcm")));
}

}  // namespace
}  // namespace loom
