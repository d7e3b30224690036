// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Mini-batch node classification (GraphSAGE's training): each optimizer step takes the next batch of training
// nodes (reshuffled every epoch), samples one block per layer around them (loom/graph/sampler.h) and runs the model
// on the blocks alone. Evaluation runs the model on the whole graph, so its metrics are the full-batch model's and
// compare with full-batch training directly.
#pragma once
#include <cstdint>

#include "loom/graph/sampler.h"
#include "loom/models/gnn.h"
#include "loom/models/task.h"

namespace loom::models {

// What the mini-batch node tasks share: the graph and model they train, and metrics from the model run on the whole
// graph (so a mini-batch run compares with a full-batch one).
class NodeBatchTask : public Task {
 public:
  std::string name() const override { return "node"; }
  Metrics evaluate(nn::Module& model) override { return full_.evaluate(model); }
  Metrics test(nn::Module& model) override { return full_.test(model); }
  std::string default_monitor() const override { return full_.default_monitor(); }

 protected:
  NodeBatchTask(data::NodeDataset data, graph::Graph g, NodeClassifier& model);
  graph::Graph g_;
  NodeClassifier& model_;
  NodeClassificationTask full_;
};

class SampledNodeTask : public NodeBatchTask {
 public:
  // `model` must outlive the task; g, data and the model on one device. sampling.seed() seeds the draws: step s
  // samples with seed + s, so a run is reproducible. ValueError for batch_size < 1, an empty training split, or
  // fan-outs whose count differs from the model's layers.
  SampledNodeTask(data::NodeDataset data, graph::Graph g, NodeClassifier& model, graph::SampleOptions sampling,
                  int64_t batch_size);
  Tensor training_loss(nn::Module& model) override;
  int steps_per_epoch() const override;

 private:
  graph::SampleOptions sampling_;
  int64_t batch_size_;
  Tensor order_;     // this epoch's shuffled training nodes (int64, CPU)
  int64_t cursor_ = 0;
  uint64_t step_ = 0;
};

}  // namespace loom::models
