// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Link prediction on the trainer (loom/models/link_task.h): the inner-product decoder against a hand computation,
// fixed evaluation negatives that are never edges of the whole graph, and a GCN encoder that learns to rank held-out
// links of a graph of communities far above chance, reproducibly per seed.
#include <gtest/gtest.h>

#include <set>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/models/link_task.h"
#include "loom/models/registry.h"
#include "loom/models/trainer.h"
#include "support/testing.h"

namespace loom {
namespace {

TEST(DecodeLinks, InnerProductOfTheEndpoints) {
  const Tensor z = from_vector<float>({1, 2, 0, -1, 3, 0.5f}, {3, 2});
  const Tensor pairs = from_vector<int64_t>({0, 1, 2, 1, 2, 0}, {2, 3});  // (0,1) (1,2) (2,0)
  EXPECT_EQ(models::decode_links(z, pairs).to_vector<float>(), (std::vector<float>{-2.f, -0.5f, 4.f}));
  EXPECT_THROW(models::decode_links(z, from_vector<int64_t>({0, 1}, {2})), ShapeError);
  EXPECT_THROW(models::decode_links(z, from_vector<int64_t>({0, 5}, {2, 1})), IndexError);
}

// 60 groups of 6 nodes, each group a clique, and a ring of one edge between consecutive groups; random features.
// Held-out links are mostly inside groups, which only the structure reveals.
data::NodeDataset community_graph() {
  const int64_t groups = 60, size = 6, n = groups * size;
  std::vector<int64_t> src, dst;
  auto link = [&](int64_t u, int64_t v) {
    src.insert(src.end(), {u, v});
    dst.insert(dst.end(), {v, u});
  };
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t i = 0; i < size; ++i)
      for (int64_t j = i + 1; j < size; ++j) link(g * size + i, g * size + j);
  for (int64_t g = 0; g < groups; ++g) link(g * size, ((g + 1) % groups) * size + 1);  // a ring between groups
  data::NodeDataset d;
  d.name = "communities";
  d.x = testing::random_tensor({n, 16}, 5, -1, 1, kFloat32);
  d.y = zeros({n}, kInt64);
  d.num_classes = 1;
  src.insert(src.end(), dst.begin(), dst.end());
  d.edge_index = from_vector<int64_t>(src, {2, static_cast<int64_t>(dst.size())});
  return d;
}

models::TrainResult train_links(const data::NodeDataset& d, uint64_t seed, int epochs, models::LinkData* used) {
  const graph::Graph full = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  const graph::LinkSplit split = graph::random_link_split(full, 0.05, 0.10, seed);
  models::LinkData links = models::link_data(full, split, seed);
  if (used) *used = links;
  manual_seed(seed);
  models::NodeClassifier encoder(models::paper_options("gcn", d.num_features(), 16).hidden(32).dropout(0.0));
  models::LinkPredictionTask task(links, split.train, [&] { return encoder.forward(split.train, d.x); });
  models::TrainerOptions o;
  o.epochs = epochs;
  o.weight_decay = 0.0;
  return models::fit(encoder, task, o);
}

TEST(LinkPredictionTask, EvaluationNegativesAreNeverEdges) {
  const data::NodeDataset d = community_graph();
  models::LinkData links;
  train_links(d, 1, 1, &links);
  const std::vector<int64_t> e = d.edge_index.to_vector<int64_t>();
  std::set<std::pair<int64_t, int64_t>> edges;
  for (size_t k = 0; k < e.size() / 2; ++k) edges.insert({e[k], e[e.size() / 2 + k]});
  for (const Tensor& neg : {links.val_negatives, links.test_negatives}) {
    ASSERT_GT(neg.size(1), 0);
    const std::vector<int64_t> n = neg.to_vector<int64_t>();
    const size_t k = n.size() / 2;
    for (size_t i = 0; i < k; ++i) {
      EXPECT_FALSE(edges.count({n[i], n[k + i]}) || edges.count({n[k + i], n[i]})) << n[i] << "-" << n[k + i];
      EXPECT_NE(n[i], n[k + i]);
    }
  }
  EXPECT_EQ(links.val_negatives.size(1), links.val_links.size(1));
  EXPECT_EQ(links.test_negatives.size(1), links.test_links.size(1));
}

TEST(LinkPredictionTask, LearnsToRankHeldOutLinksReproducibly) {
  const data::NodeDataset d = community_graph();
  const models::TrainResult trained = train_links(d, 2, 100, nullptr);
  EXPECT_GT(trained.metric("test_auc"), 0.9);
  EXPECT_GT(trained.metric("test_ap"), 0.9);
  EXPECT_LT(trained.history.back().loss, 0.8 * trained.history.front().loss);  // it learned, not just smoothed
  EXPECT_EQ(trained.monitor, "val_auc");
  // The same seed repeats exactly (the per-epoch negatives come from the seeded global generator).
  EXPECT_EQ(train_links(d, 2, 100, nullptr).metric("test_auc"), trained.metric("test_auc"));
}

}  // namespace
}  // namespace loom
