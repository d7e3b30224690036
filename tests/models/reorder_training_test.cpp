// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Reordering never changes a trained model's results beyond float32 rounding: a fixed-seed training run on a
// reordered graph (features, labels and split ids moved through the Permutation) gives, back in the original ids,
// the logits, predictions and accuracies of the run on the graph as given, for every order.
#include <gmock/gmock.h>

#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/graph/partition.h"
#include "loom/graph/reorder.h"
#include "loom/models/gnn.h"
#include "loom/models/trainer.h"

namespace loom {
namespace {

struct Trained {
  Tensor logits;  // [N, C] in the ids the run was given
  double test_acc = 0;
};

// 40 epochs of a 2-layer GCN, without dropout: every other random draw (the weights' initialisation) is the same
// whatever the node order, so the two runs differ only by the order of each row's sums.
Trained train(const data::NodeDataset& d) {
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  manual_seed(0);
  models::NodeClassifier model(models::GnnOptions("gcn", d.num_features(), 16, d.num_classes).dropout(0));
  models::NodeClassificationTask task(d, [&] { return model.forward(g, d.x); });
  models::TrainerOptions t;
  t.epochs = 40;
  Trained r;
  r.test_acc = models::fit(model, task, t).metric("test_acc");
  model.eval();
  r.logits = model.forward(g, d.x).detach();
  return r;
}

TEST(ReorderTraining, GivesTheSameLogitsAndAccuracyInTheOriginalIds) {
  data::CsbmOptions o;
  o.num_nodes = 800;
  o.num_classes = 4;
  o.num_features = 24;
  o.num_val = 200;
  o.seed = 3;
  const data::NodeDataset d = data::make_csbm(o);
  const Trained want = train(d);
  std::vector<graph::Reorder> orders{graph::Reorder::kDegree, graph::Reorder::kRcm};
  if (graph::has_metis()) orders.push_back(graph::Reorder::kMetis);
  for (graph::Reorder m : orders) {
    SCOPED_TRACE(to_string(m));
    const graph::Permutation p =
        graph::compute_order(graph::Graph::from_edge_index(d.edge_index, d.num_nodes()), m,
                             graph::ReorderOptions().part_nodes(100));
    data::NodeDataset r = d;
    r.x = p.rows_to_new(d.x);
    r.y = p.rows_to_new(d.y);
    r.edge_index = p.ids_to_new(d.edge_index);
    r.train_idx = p.ids_to_new(d.train_idx);
    r.val_idx = p.ids_to_new(d.val_idx);
    r.test_idx = p.ids_to_new(d.test_idx);
    const Trained got = train(r);
    const Tensor logits = p.rows_to_old(got.logits);
    EXPECT_LT(max_abs_diff(logits, want.logits), 1e-4);  // about 1e-6 measured after 40 epochs
    EXPECT_EQ(argmax(logits, 1).to_vector<int64_t>(), argmax(want.logits, 1).to_vector<int64_t>());
    EXPECT_EQ(got.test_acc, want.test_acc);
  }
}

}  // namespace
}  // namespace loom
