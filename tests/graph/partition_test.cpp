// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph partitions: every method gives each node one part, sizes and edge cut that a naive count confirms (on the
// test zoo's graph: self loops, duplicates, isolated nodes, a hub), reproducible parts, balance, and cuts that beat
// random parts on a graph with planted clusters (METIS close to the planted cut).
#include "loom/graph/partition.h"

#include <gmock/gmock.h>

#include <set>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom {
namespace {

using graph::PartitionMethod;
using graph::PartitionOptions;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::vector<PartitionMethod> methods() {
  std::vector<PartitionMethod> m{PartitionMethod::kRandom, PartitionMethod::kStreaming};
  if (graph::has_metis()) m.push_back(PartitionMethod::kMetis);
  return m;
}

graph::Graph from_edges(const std::vector<std::pair<int64_t, int64_t>>& e, int64_t n) {
  std::vector<int64_t> v(2 * e.size());
  for (size_t k = 0; k < e.size(); ++k) v[k] = e[k].first, v[e.size() + k] = e[k].second;
  return graph::Graph::from_edge_index(from_vector<int64_t>(v, {2, static_cast<int64_t>(e.size())}), n);
}

// 8 cliques of 25 nodes joined in a ring by one edge each: the planted 8-way cut is 8 edges.
graph::Graph ring_of_cliques() {
  std::vector<std::pair<int64_t, int64_t>> e;
  for (int64_t c = 0; c < 8; ++c) {
    for (int64_t i = 0; i < 25; ++i)
      for (int64_t j = i + 1; j < 25; ++j) e.emplace_back(c * 25 + i, c * 25 + j);
    e.emplace_back(c * 25, ((c + 1) % 8) * 25 + 1);
  }
  // Shuffle ids so that node order does not give the clusters away.
  std::vector<int64_t> perm = randperm(200).to_vector<int64_t>();
  for (auto& [u, v] : e) u = perm[u], v = perm[v];
  return from_edges(e, 200);
}

TEST(Partition, PartsSizesAndCutMatchANaiveCount) {
  const testing::RandomGraph r = testing::random_graph(11, 1500, 1500, 3);
  const auto src = r.src.to_vector<int64_t>(), dst = r.dst.to_vector<int64_t>();
  std::vector<std::pair<int64_t, int64_t>> e;
  std::set<std::pair<int64_t, int64_t>> undirected;
  for (size_t k = 0; k < src.size(); ++k) {
    e.emplace_back(src[k], dst[k]);
    if (src[k] != dst[k]) undirected.emplace(std::min(src[k], dst[k]), std::max(src[k], dst[k]));
  }
  const graph::Graph g = from_edges(e, 1500);
  for (PartitionMethod m : methods()) {
    for (int64_t parts : {1, 3, 16}) {
      const graph::Partition p = graph::partition_graph(g, parts, PartitionOptions().method(m).seed(4));
      const auto part = p.part.to_vector<int64_t>();
      ASSERT_EQ(part.size(), 1500u);
      std::vector<int64_t> sizes(static_cast<size_t>(parts), 0);
      for (int64_t x : part) {
        ASSERT_GE(x, 0);
        ASSERT_LT(x, parts);
        ++sizes[x];
      }
      EXPECT_EQ(p.sizes, sizes) << p.str();
      int64_t cut = 0;
      for (auto [u, v] : undirected) cut += part[u] != part[v] ? 1 : 0;
      EXPECT_EQ(p.edge_cut, cut) << p.str();
      EXPECT_EQ(p.undirected_edges, static_cast<int64_t>(undirected.size()));
      if (parts == 1) EXPECT_EQ(p.edge_cut, 0);
      const auto [lo, hi] = std::minmax_element(sizes.begin(), sizes.end());
      if (m == PartitionMethod::kRandom) EXPECT_LE(*hi - *lo, 1);
      if (m == PartitionMethod::kStreaming) EXPECT_LE(*hi, static_cast<int64_t>(std::ceil(1500.0 / parts * 1.05)) + 1);
      EXPECT_EQ(graph::partition_graph(g, parts, PartitionOptions().method(m).seed(4)).part.to_vector<int64_t>(), part)
          << p.method << " is not reproducible";
    }
  }
}

TEST(Partition, CutsBeatRandomOnPlantedClusters) {
  manual_seed(2);
  const graph::Graph g = ring_of_cliques();
  const auto random = graph::partition_graph(g, 8, PartitionOptions().method(PartitionMethod::kRandom));
  const auto streaming = graph::partition_graph(g, 8, PartitionOptions().method(PartitionMethod::kStreaming));
  EXPECT_GT(random.edge_cut, 2000) << random.str();  // about 7/8 of the 2408 edges
  EXPECT_LT(streaming.edge_cut, random.edge_cut / 2) << streaming.str();
  if (!graph::has_metis()) GTEST_SKIP() << "built without METIS (libmetis-dev): its cut is not checked";
  const auto metis = graph::partition_graph(g, 8, PartitionOptions().method(PartitionMethod::kMetis));
  EXPECT_LE(metis.edge_cut, 40) << metis.str();  // the planted cut is 8
}

TEST(Partition, Errors) {
  const graph::Graph g = ring_of_cliques();
  EXPECT_THAT([&] { graph::partition_graph(g, 0); }, ThrowsMessage<ValueError>(HasSubstr("0 parts for a graph of 200")));
  EXPECT_THROW(graph::partition_graph(g, 201, PartitionOptions().method(PartitionMethod::kRandom)), ValueError);
  EXPECT_THROW(graph::partition_graph(g, 2, PartitionOptions().method(PartitionMethod::kStreaming).capacity_slack(0.5)),
               ValueError);
  if (!graph::has_metis()) {
    EXPECT_THAT([&] { graph::partition_graph(g, 2); }, ThrowsMessage<ValueError>(HasSubstr("built without METIS")));
  }
}

}  // namespace
}  // namespace loom
