// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Boost.Graph algorithms and interop: weak components (hand cases, and counts against a naive union-find on
// random graphs), the largest component, BFS hop distances against a naive BFS, to_boost/from_boost round trips.
#include <gmock/gmock.h>

#include <algorithm>
#include <deque>
#include <numeric>
#include <set>
#include <tuple>
#include <vector>

#include "loom/core/error.h"
#include "loom/graph/algorithms.h"
#include "loom/graph/boost.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom::graph {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::random_graph;
using testing::RandomGraph;

Graph from_pairs(const std::vector<int64_t>& src, const std::vector<int64_t>& dst, int64_t n) {
  std::vector<int64_t> v(src);
  v.insert(v.end(), dst.begin(), dst.end());
  return Graph::from_edge_index(from_vector<int64_t>(v, {2, static_cast<int64_t>(src.size())}), n);
}

Graph random(uint32_t seed, int64_t n, int64_t deg) {
  const RandomGraph rg = random_graph(seed, n, n, deg);
  const int64_t m = rg.num_edges();
  return Graph::from_edge_index(concat({rg.src.view({1, m}), rg.dst.view({1, m})}, 0), n);
}

TEST(Algorithms, ComponentsOfAKnownGraph) {
  // {0, 1, 2} (0->1, 2->1: weakly, not strongly, connected), {3, 4}, {5} alone, {6} with a self loop.
  const Graph g = from_pairs({0, 2, 3, 4, 6}, {1, 1, 4, 3, 6}, 7);
  const Components c = connected_components(g);
  EXPECT_EQ(c.count, 4);
  EXPECT_EQ(c.labels.to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 0, 1, 1, 2, 3}));
  EXPECT_EQ(largest_connected_component(g).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2}));
  // Labels follow the smallest node: here the component of 0 is {0, 5} and is found through an edge into 0.
  const Graph h = from_pairs({5, 3}, {0, 2}, 6);
  EXPECT_EQ(connected_components(h).labels.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 2, 3, 0}));
  // A tie between {0, 5} and {2, 3}: the component of the smallest node wins.
  EXPECT_EQ(largest_connected_component(h).to_vector<int64_t>(), (std::vector<int64_t>{0, 5}));
  EXPECT_EQ(connected_components(from_pairs({}, {}, 3)).count, 3);
  EXPECT_EQ(connected_components(from_pairs({}, {}, 0)).count, 0);
  EXPECT_EQ(largest_connected_component(from_pairs({}, {}, 0)).numel(), 0);
}

// A deliberately simple union-find (path halving, no ranks), only as the reference.
struct NaiveUnionFind {
  std::vector<int64_t> parent;
  explicit NaiveUnionFind(int64_t n) : parent(static_cast<size_t>(n)) { std::iota(parent.begin(), parent.end(), 0); }
  int64_t find(int64_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void join(int64_t a, int64_t b) { parent[find(a)] = find(b); }
};

TEST(Algorithms, ComponentsAgainstUnionFind) {
  for (uint32_t seed : {1u, 2u, 3u, 4u}) {
    const int64_t n = 300;
    const Graph g = random(seed, n, 1);  // sparse: many components
    const int64_t m = g.num_edges();
    const auto ei = g.edge_index().to_vector<int64_t>();
    NaiveUnionFind uf(n);
    for (int64_t k = 0; k < m; ++k) uf.join(ei[k], ei[m + k]);
    std::set<int64_t> roots;
    for (int64_t v = 0; v < n; ++v) roots.insert(uf.find(v));
    const Components c = connected_components(g);
    EXPECT_EQ(c.count, static_cast<int64_t>(roots.size()));
    EXPECT_GT(c.count, 1);
    const auto labels = c.labels.to_vector<int64_t>();
    int64_t next = 0;  // labels appear in node order 0, 1, 2, ...
    for (int64_t v = 0; v < n; ++v) {
      EXPECT_LE(labels[v], next);
      if (labels[v] == next) ++next;
      for (int64_t u = 0; u < v; u += 7) EXPECT_EQ(labels[u] == labels[v], uf.find(u) == uf.find(v));
    }
    // The largest component: its size is the largest root class.
    std::vector<int64_t> size(static_cast<size_t>(n), 0);
    for (int64_t v = 0; v < n; ++v) ++size[uf.find(v)];
    const auto lcc = largest_connected_component(g).to_vector<int64_t>();
    EXPECT_EQ(static_cast<int64_t>(lcc.size()), *std::max_element(size.begin(), size.end()));
    EXPECT_TRUE(std::is_sorted(lcc.begin(), lcc.end()));
    for (int64_t v : lcc) EXPECT_EQ(uf.find(v), uf.find(lcc[0]));
  }
}

std::vector<int64_t> naive_bfs(const Graph& g, int64_t s) {
  const int64_t n = g.num_nodes(), m = g.num_edges();
  const auto ei = g.edge_index().cpu().to_vector<int64_t>();
  std::vector<std::vector<int64_t>> out(static_cast<size_t>(n));
  for (int64_t k = 0; k < m; ++k) out[ei[k]].push_back(ei[m + k]);
  std::vector<int64_t> d(static_cast<size_t>(n), -1);
  std::deque<int64_t> q{s};
  d[s] = 0;
  while (!q.empty()) {
    const int64_t u = q.front();
    q.pop_front();
    for (int64_t v : out[u])
      if (d[v] < 0) {
        d[v] = d[u] + 1;
        q.push_back(v);
      }
  }
  return d;
}

TEST(Algorithms, BfsDistances) {
  // 0->1->2->3, 0->2, 4->0: from 0, node 4 is unreachable (against the edge direction).
  const Graph h = from_pairs({0, 1, 2, 0, 4}, {1, 2, 3, 2, 0}, 6);
  EXPECT_EQ(bfs_distances(h, 0).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 1, 2, -1, -1}));
  EXPECT_EQ(bfs_distances(h, 4).to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 2, 3, 0, -1}));
  for (uint32_t seed : {5u, 6u}) {
    const Graph g = random(seed, 250, 2);
    for (int64_t s : {0, 17, 249}) {
      const auto d = bfs_distances(g, s).to_vector<int64_t>();
      EXPECT_EQ(d, naive_bfs(g, s)) << "seed " << seed << " source " << s;
    }
  }
  EXPECT_THAT([&] { bfs_distances(h, 6); }, ThrowsMessage<IndexError>(HasSubstr("bfs_distances: source 6")));
  EXPECT_THAT([&] { bfs_distances(h, -1); }, ThrowsMessage<IndexError>(HasSubstr("[0, 6)")));
}

TEST(Algorithms, BoostRoundTripKeepsTheEdgeMultiset) {
  for (uint32_t seed : {7u, 8u}) {
    const Graph g = random(seed, 120, 4);  // duplicates and self loops included
    const BoostGraph bg = to_boost(g);
    EXPECT_EQ(num_vertices(bg), 120u);
    EXPECT_EQ(static_cast<int64_t>(num_edges(bg)), g.num_edges());
    // Boost's edge k is csc() entry k: source = its row, target = its column.
    const auto indptr = g.csc().indptr().to_vector<int64_t>();
    const auto indices = g.csc().indices().to_vector<int32_t>();
    int64_t k = 0;
    for (auto [it, end] = edges(bg); it != end; ++it, ++k) {
      EXPECT_EQ(get(boost::edge_index, bg, *it), static_cast<uint64_t>(k));
      EXPECT_EQ(static_cast<int64_t>(target(*it, bg)), indices[k]);
      EXPECT_GE(k, indptr[source(*it, bg)]);
      EXPECT_LT(k, indptr[source(*it, bg) + 1]);
    }
    const Graph back = from_boost(bg);
    EXPECT_EQ(back.num_nodes(), 120);
    EXPECT_FALSE(back.edge_weight().defined());
    // from_edge_index sorts, so equal multisets give identical csr arrays.
    EXPECT_EQ(back.edge_index().to_vector<int64_t>(), g.edge_index().to_vector<int64_t>());
  }
  const Graph empty = from_boost(to_boost(from_pairs({}, {}, 5)));
  EXPECT_EQ(empty.num_nodes(), 5);
  EXPECT_EQ(empty.num_edges(), 0);
}

TEST(Algorithms, CudaGraphs) {
  LOOM_REQUIRE_CUDA();
  const Graph g = random(9, 200, 1);
  const Graph gc = g.to(kCUDA);
  EXPECT_EQ(connected_components(gc).labels.cpu().to_vector<int64_t>(),
            connected_components(g).labels.to_vector<int64_t>());
  EXPECT_EQ(largest_connected_component(gc).cpu().to_vector<int64_t>(),
            largest_connected_component(g).to_vector<int64_t>());
  EXPECT_EQ(bfs_distances(gc, 3).cpu().to_vector<int64_t>(), bfs_distances(g, 3).to_vector<int64_t>());
  EXPECT_EQ(from_boost(to_boost(gc)).edge_index().to_vector<int64_t>(), g.edge_index().to_vector<int64_t>());
}

}  // namespace
}  // namespace loom::graph
