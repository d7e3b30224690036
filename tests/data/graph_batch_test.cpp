// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GraphBatch against a reference built edge by edge (block-diagonal structure, features, edge attributes, graph
// ids), and GraphLoader: every graph once per epoch, an order that prefetching does not change, and destruction
// mid-stream (the sanitizer build checks that nothing leaks or races).
#include <gmock/gmock.h>

#include <algorithm>
#include <set>

#include "loom/core/error.h"
#include "loom/data/graph_batch.h"

namespace loom::data {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Graph g has g + 1 nodes in a path (both directions), one isolated graph of size 1 (g = 0), and feature rows equal
// to the global node id; edge_attr holds the edge's input position.
GraphDataset paths(int64_t graphs) {
  GraphDataset d;
  std::vector<int64_t> ptr{0}, src, dst, y;
  for (int64_t g = 0; g < graphs; ++g) {
    const int64_t lo = ptr.back();
    for (int64_t i = 0; i + 1 < g + 1; ++i) {
      src.insert(src.end(), {lo + i, lo + i + 1});
      dst.insert(dst.end(), {lo + i + 1, lo + i});
    }
    ptr.push_back(lo + g + 1);
    y.push_back(g % 3);
  }
  const int64_t n = ptr.back(), e = static_cast<int64_t>(src.size());
  std::vector<float> x, ea;
  for (int64_t i = 0; i < n; ++i) x.insert(x.end(), {static_cast<float>(i), 1.0f});
  for (int64_t k = 0; k < e; ++k) ea.push_back(static_cast<float>(k));
  std::vector<int64_t> ei = src;
  ei.insert(ei.end(), dst.begin(), dst.end());
  d.x = from_vector<float>(x, {n, 2});
  d.edge_index = from_vector<int64_t>(ei, {2, e});
  d.edge_attr = from_vector<float>(ea, {e, 1});
  d.graph_ptr = from_vector<int64_t>(ptr, {graphs + 1});
  d.y = from_vector<int64_t>(y, {graphs});
  d.num_classes = 3;
  index_graphs(d);
  return d;
}

TEST(GraphBatch, IsBlockDiagonalAndMatchesTheSourceGraphs) {
  const GraphDataset d = paths(6);
  const std::vector<int64_t> pick{4, 0, 2, 4};  // repeats allowed, order kept
  const GraphBatch b = GraphBatch::build(d, pick);
  EXPECT_EQ(b.num_graphs(), 4);
  EXPECT_EQ(b.graph_ptr.to_vector<int64_t>(), (std::vector<int64_t>{0, 5, 6, 9, 14}));
  EXPECT_EQ(b.y.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 2, 1}));
  EXPECT_EQ(b.graph_ids.to_vector<int64_t>(), pick);
  EXPECT_EQ(b.num_edges(), 8 + 0 + 4 + 8);
  const std::vector<int64_t> batch = b.batch.to_vector<int64_t>(), ptr = b.graph_ptr.to_vector<int64_t>();
  const std::vector<int64_t> gp = d.graph_ptr.to_vector<int64_t>();
  const std::vector<float> x = b.x.to_vector<float>(), ea = b.edge_attr.to_vector<float>();
  const std::vector<int64_t> indptr = b.csr.indptr().to_vector<int64_t>();
  const std::vector<int32_t> cols = b.csr.indices().to_vector<int32_t>();
  const std::vector<int64_t> ei = d.edge_index.to_vector<int64_t>();
  const int64_t e_all = d.num_edges();
  for (int64_t k = 0; k < 4; ++k) {
    for (int64_t v = ptr[k]; v < ptr[k + 1]; ++v) {
      EXPECT_EQ(batch[v], k);
      const int64_t global = gp[pick[k]] + v - ptr[k];
      EXPECT_EQ(x[2 * v], static_cast<float>(global));
      for (int64_t j = indptr[v]; j < indptr[v + 1]; ++j) {
        const int64_t u = cols[j];
        EXPECT_TRUE(u >= ptr[k] && u < ptr[k + 1]) << "entry " << j << " leaves graph " << k;
        // The edge attribute travelled with its edge: input edge ea[j] is (global u -> global v).
        const auto src_id = static_cast<int64_t>(ea[j]);
        EXPECT_EQ(ei[src_id], gp[pick[k]] + u - ptr[k]);
        EXPECT_EQ(ei[e_all + src_id], global);
      }
    }
  }
  EXPECT_THAT([&] { GraphBatch::build(d, {1, 6}); },
              ThrowsMessage<IndexError>(HasSubstr("graphs[1] = 6 is out of range for 6 graphs")));
  EXPECT_EQ(GraphBatch::build(d, {}).num_nodes(), 0);
}

std::vector<std::vector<int64_t>> stream(const GraphDataset& d, int prefetch, int batches) {
  std::vector<int64_t> all(static_cast<size_t>(d.num_graphs()));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  GraphLoader loader(d, all, {.batch_size = 4, .shuffle = true, .seed = 11, .prefetch = prefetch});
  std::vector<std::vector<int64_t>> out;
  for (int k = 0; k < batches; ++k) out.push_back(loader.next().graph_ids.to_vector<int64_t>());
  return out;
}

TEST(GraphLoader, EveryGraphOncePerEpochInAnOrderPrefetchingDoesNotChange) {
  const GraphDataset d = paths(10);  // 3 batches per epoch: 4, 4, 2
  const auto eager = stream(d, 0, 9), ahead = stream(d, 3, 9);
  EXPECT_EQ(eager, ahead);
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::multiset<int64_t> seen;
    for (int k = 0; k < 3; ++k) seen.insert(eager[epoch * 3 + k].begin(), eager[epoch * 3 + k].end());
    EXPECT_EQ(seen.size(), 10u);
    EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 10u);
  }
  EXPECT_NE(eager[0], eager[3]);  // a fresh shuffle each epoch
}

TEST(GraphLoader, StopsCleanlyWhenDestroyedEarly) {
  const GraphDataset d = paths(50);
  for (int k = 0; k < 20; ++k) {
    GraphLoader loader(d, {0, 1, 2, 3, 4, 5, 6, 7}, {.batch_size = 2, .prefetch = 4});
    if (k % 2) loader.next();
  }
  EXPECT_THAT([&] { GraphLoader(d, {0, 50}); }, ThrowsMessage<IndexError>(HasSubstr("indices[1] = 50")));
  EXPECT_THAT([&] { GraphLoader(d, {0}, {.batch_size = 0}); }, ThrowsMessage<ValueError>(HasSubstr("batch_size")));
}

}  // namespace
}  // namespace loom::data
