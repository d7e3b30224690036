// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GNNAutoScale: the history's push and pull, a one-cluster batch (no halo) equal to the full-graph forward, halo
// rows read from the history (not recomputed), training that matches full-batch accuracy, and the errors.
#include "loom/models/gas_task.h"

#include <gmock/gmock.h>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/graph/partition.h"
#include "loom/graph/sampler.h"
#include "loom/models/registry.h"
#include "loom/models/trainer.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::FloatNear;
using ::testing::HasSubstr;
using ::testing::Pointwise;
using ::testing::ThrowsMessage;

data::NodeDataset csbm() {
  data::CsbmOptions o;
  o.num_nodes = 1200;
  o.num_classes = 3;
  o.num_features = 16;
  o.signal = 1.0;
  o.num_val = 200;
  o.seed = 7;
  return data::make_csbm(o);
}

TEST(History, PushPullAndErrors) {
  models::History h(5);
  EXPECT_THAT([&] { h.pull(0, from_vector<int64_t>({1}, {1}), kCPU); },
              ThrowsMessage<ValueError>(HasSubstr("layer 0 has never been pushed")));
  h.push(0, from_vector<int64_t>({3, 1}, {2}), from_vector<float>({1, 2, 3, 4}, {2, 2}));
  EXPECT_EQ(h.pull(0, from_vector<int64_t>({1, 3, 0}, {3}), kCPU).to_vector<float>(),
            (std::vector<float>{3, 4, 1, 2, 0, 0}));
  EXPECT_EQ(h.bytes(), 5 * 2 * 4);
  EXPECT_THROW(h.push(0, from_vector<int64_t>({0}, {1}), zeros({1, 3})), ShapeError);
  EXPECT_THROW(h.push(0, from_vector<int64_t>({5}, {1}), zeros({1, 2})), IndexError);
}

TEST(GasForward, OneClusterEqualsTheFullGraphAndHaloComesFromTheHistory) {
  const data::NodeDataset d = csbm();
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  manual_seed(1);
  models::NodeClassifier model(models::paper_options("gcn", d.num_features(), d.num_classes).num_layers(3));
  model.eval();
  const Tensor full = model.forward(models::Structure{.graph = &g}, d.x);
  // The whole graph as one batch: no halo, so the result is the full-graph forward.
  models::History history(d.num_nodes());
  const auto all = graph::sample_blocks(g, arange(d.num_nodes()), graph::SampleOptions().fanouts({-1}));
  EXPECT_THAT(model.forward(all.front(), index_select(d.x, all.front().src_nodes), history).to_vector<float>(),
              Pointwise(FloatNear(1e-5f), full.to_vector<float>()));
  // A batch of 100 nodes with the history filled from that run: the halo's inputs are the full run's, so the batch
  // gets the full-graph logits again.
  const Tensor seeds = arange(100);
  const auto part = graph::sample_blocks(g, seeds, graph::SampleOptions().fanouts({-1}));
  EXPECT_THAT(model.forward(part.front(), index_select(d.x, part.front().src_nodes), history).to_vector<float>(),
              Pointwise(FloatNear(1e-5f), index_select(full, seeds).to_vector<float>()));
  // A stale history changes the batch's logits: the halo is read, not recomputed.
  models::History zero(d.num_nodes());
  zero.push(0, arange(d.num_nodes()), zeros({d.num_nodes(), 16}));
  zero.push(1, arange(d.num_nodes()), zeros({d.num_nodes(), 16}));
  EXPECT_NE(model.forward(part.front(), index_select(d.x, part.front().src_nodes), zero).to_vector<float>(),
            index_select(full, seeds).to_vector<float>());
}

TEST(GasNodeTask, LearnsAboutAsWellAsFullBatch) {
  const data::NodeDataset d = csbm();
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  const graph::Partition p =
      graph::partition_graph(g, 12, graph::PartitionOptions().method(graph::PartitionMethod::kStreaming));
  models::TrainerOptions o;
  o.epochs = 40;
  o.lr = 0.01;
  auto run = [&](bool gas) {
    manual_seed(3);
    models::NodeClassifier model(models::paper_options("gcn", d.num_features(), d.num_classes));
    std::unique_ptr<models::Task> task;
    if (gas) {
      task = std::make_unique<models::GasNodeTask>(d, g, model, p.part, 12, 3);
      EXPECT_EQ(task->steps_per_epoch(), 4);
    } else {
      task = std::make_unique<models::NodeClassificationTask>(
          d, [&] { return model.forward(models::Structure{.graph = &g}, d.x); });
    }
    return models::fit(model, *task, o).final.at("test_acc");
  };
  const double full = run(false), gas = run(true);
  EXPECT_GT(full, 0.6);
  EXPECT_GT(gas, full - 0.05) << "gas " << gas << " full " << full;
  EXPECT_EQ(run(true), gas);  // reproducible
}

TEST(GasNodeTask, Errors) {
  const data::NodeDataset d = csbm();
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  models::NodeClassifier model(models::paper_options("gcn", d.num_features(), d.num_classes));
  const Tensor part = zeros({d.num_nodes()}, kInt64);
  EXPECT_THAT([&] { models::GasNodeTask(d, g, model, part, 2, 3); },
              ThrowsMessage<ValueError>(HasSubstr("3 clusters per batch of 2")));
  EXPECT_THROW(models::GasNodeTask(d, g, model, zeros({5}, kInt64), 2, 1), ShapeError);
  const Tensor fours = from_vector<int64_t>(std::vector<int64_t>(static_cast<size_t>(d.num_nodes()), 4), {d.num_nodes()});
  EXPECT_THAT([&] { models::GasNodeTask(d, g, model, fours, 2, 1); },
              ThrowsMessage<IndexError>(HasSubstr("node 0 is in cluster 4")));
}

}  // namespace
}  // namespace loom
