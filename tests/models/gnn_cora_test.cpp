// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GCN and GAT on Cora's public split with nothing but their registry defaults (what `loom train --data cora
// --model gcn` runs): the papers' network and training settings and row-normalised features. The 10-seed
// figures are measured by `loom train --seeds 10` (bench/results/); this test keeps a few seeds so CI stays
// short. Labelled slow (skipped by the sanitizer run).
#include <gtest/gtest.h>

#include "loom/core/random.h"
#include "loom/data/dataset.h"
#include "loom/graph/graph.h"
#include "loom/graph/transforms.h"
#include "loom/models/gnn.h"
#include "loom/models/registry.h"
#include "loom/models/trainer.h"
#include "support/testing.h"

namespace loom {
namespace {

double cora_accuracy(const std::string& model, uint64_t seed) {
  data::NodeDataset d = data::load_node_dataset(testing::data_dir() + "/cora");
  const models::ModelSpec& spec = models::find_model(model);
  EXPECT_EQ(spec.training.features, models::FeatureTransform::kRowNormalize);
  d.x = graph::row_normalize(d.x);
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  manual_seed(seed);
  models::NodeClassifier net(models::paper_options(model, d.num_features(), d.num_classes));
  models::NodeClassificationTask task(d, [&] { return net.forward(g, d.x); });
  models::TrainerOptions t;
  t.epochs = spec.training.epochs;
  t.lr = spec.training.lr;
  t.weight_decay = spec.training.weight_decay;
  return models::fit(net, task, t).metric("test_acc");
}

// Published: 81.5 (Kipf & Welling). Three seeds must average above 81.0.
TEST(CoraAccuracy, GcnReachesThePublishedAccuracy) {
  LOOM_REQUIRE_DATASET("cora");
  double total = 0;
  for (uint64_t seed = 0; seed < 3; ++seed) {
    const double acc = cora_accuracy("gcn", seed);
    EXPECT_GT(acc, 0.795) << "seed " << seed;
    total += acc;
  }
  EXPECT_GE(total / 3, 0.81);
}

// Published: 83.0 ± 0.7 (Velickovic et al.): 8 heads x 8 ELU units, dropout 0.6 on inputs and attention.
TEST(CoraAccuracy, GatReachesThePublishedAccuracy) {
  LOOM_REQUIRE_DATASET("cora");
  EXPECT_GE(cora_accuracy("gat", 0), 0.815);
}

}  // namespace
}  // namespace loom
