// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Mini-batch node classification on sampled blocks: it learns a generated CSBM graph about as well as full-batch
// training, takes ceil(train / batch) steps per epoch, is reproducible for a seed, and refuses models it cannot run.
#include "loom/models/sampled_task.h"

#include <gmock/gmock.h>

#include "loom/core/error.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/models/registry.h"
#include "loom/models/trainer.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

data::NodeDataset csbm() {
  data::CsbmOptions o;
  o.num_nodes = 1200;
  o.num_classes = 3;
  o.num_features = 16;
  o.signal = 1.0;  // weak features: the graph has to help
  o.num_val = 200;
  o.seed = 5;
  return data::make_csbm(o);
}

graph::Graph graph_of(const data::NodeDataset& d) { return graph::Graph::from_edge_index(d.edge_index, d.num_nodes()); }

double train_sage(const data::NodeDataset& d, const std::vector<int64_t>& fanouts, uint64_t seed, int* steps = nullptr) {
  manual_seed(seed);
  models::NodeClassifier model(models::paper_options("sage", d.num_features(), d.num_classes));
  const graph::Graph g = graph_of(d);
  models::TrainerOptions o;
  o.epochs = 30;
  o.lr = 0.01;
  std::unique_ptr<models::Task> task;
  if (fanouts.empty()) {
    task = std::make_unique<models::NodeClassificationTask>(
        d, [&] { return model.forward(models::Structure{.graph = &g}, d.x); });
  } else {
    task = std::make_unique<models::SampledNodeTask>(d, g, model, graph::SampleOptions().fanouts(fanouts).seed(seed),
                                                     64);
  }
  if (steps) *steps = task->steps_per_epoch();
  return models::fit(model, *task, o).final.at("test_acc");
}

TEST(SampledNodeTask, LearnsAboutAsWellAsFullBatch) {
  const data::NodeDataset d = csbm();
  int steps = 0;
  const double sampled = train_sage(d, {5, 5}, 1, &steps);
  const double full = train_sage(d, {}, 1);
  EXPECT_EQ(steps, static_cast<int>((d.train_idx.numel() + 63) / 64));
  EXPECT_GT(full, 0.6);  // the graph carries the signal the features lack
  EXPECT_GT(sampled, full - 0.05) << "sampled " << sampled << " full " << full;
  EXPECT_EQ(train_sage(d, {5, 5}, 1), sampled);  // reproducible for a seed
}

TEST(SampledNodeTask, RefusesWhatItCannotRun) {
  const data::NodeDataset d = csbm();
  const graph::Graph g = graph_of(d);
  models::NodeClassifier model(models::paper_options("sage", d.num_features(), d.num_classes));
  EXPECT_THAT([&] { models::SampledNodeTask(d, g, model, graph::SampleOptions().fanouts({5}), 64); },
              ThrowsMessage<ValueError>(HasSubstr("1 fan-outs for a model of 2 message-passing layers")));
  EXPECT_THAT([&] { models::SampledNodeTask(d, g, model, graph::SampleOptions().fanouts({5, 5}), 0); },
              ThrowsMessage<ValueError>(HasSubstr("batch size must be >= 1")));
  models::NodeClassifier jk(models::paper_options("sage", d.num_features(), d.num_classes)
                                .jk(models::JumpingKnowledge::kCat));
  const auto blocks = graph::sample_blocks(g, from_vector<int64_t>({0, 1}, {2}), graph::SampleOptions().fanouts({2, 2}));
  EXPECT_THAT([&] { jk.forward(blocks, index_select(d.x, blocks.front().src_nodes)); },
              ThrowsMessage<ValueError>(HasSubstr("cannot run on sampled blocks")));
}

}  // namespace
}  // namespace loom
