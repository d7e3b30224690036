// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Data-parallel mini-batch node classification: every process holds the whole graph and model. Each optimizer step
// takes the next batch of training nodes in one order shared by all processes (reshuffled every epoch from the
// sampling seed, without the global random generator, which dropout advances differently on each process); each
// process samples blocks around its slice of the batch (loom/graph/sampler.h) and the gradients are summed. A node's
// neighbours are drawn from its own stream whatever else is sampled with it, so P processes compute the gradient of
// the same batch as one process, up to the order of the sum. Evaluation runs on the whole graph on every process.
#pragma once
#include <cstdint>
#include <vector>

#include "loom/dist/comm.h"
#include "loom/dist/gradients.h"
#include "loom/graph/sampler.h"
#include "loom/models/sampled_task.h"

namespace loom::dist {

class DataParallelNodeTask : public models::NodeBatchTask {
 public:
  // As SampledNodeTask (batch_size is the whole batch over all processes); `comm` outlives the task. ValueError for
  // batch_size < 1, an empty training split, or fan-outs whose count differs from the model's layers.
  DataParallelNodeTask(Communicator& comm, data::NodeDataset data, graph::Graph g, models::NodeClassifier& model,
                       graph::SampleOptions sampling, int64_t batch_size);
  Tensor training_loss(nn::Module& model) override;
  void finish_gradients(nn::Module& model) override;
  int steps_per_epoch() const override;
  // What each epoch's training steps cost this process.
  const std::vector<EpochCost>& epoch_costs() const { return costs_.epochs(); }

 private:
  Communicator& comm_;
  graph::SampleOptions sampling_;
  int64_t batch_size_;
  std::vector<int64_t> order_;  // this epoch's training nodes, shuffled
  int64_t cursor_ = 0;
  uint64_t step_ = 0, epoch_ = 0;
  EpochCosts costs_;
};

}  // namespace loom::dist
