// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Partition-parallel full-graph node classification: one process per part of the graph, each running the whole
// model on its own nodes, the layers' halo rows exchanged exactly (staleness 0) or refreshed every k + 1 training
// epochs (staleness k, loom/dist/halo.h; evaluation always exchanges fresh rows). The loss is the
// whole graph's mean cross-entropy split into per-part shares, the shares' gradients are summed across processes
// before every optimizer step, and metrics are computed from per-part counts summed across processes: every process
// sees the same loss, gradients, metrics and therefore weights, so models::fit runs unchanged on each.
#pragma once
#include <cstdint>
#include <vector>

#include "loom/data/dataset.h"
#include "loom/dist/comm.h"
#include "loom/dist/gradients.h"
#include "loom/dist/halo.h"
#include "loom/dist/partitioned_graph.h"
#include "loom/models/gnn.h"
#include "loom/models/task.h"

namespace loom::dist {

class PartitionNodeTask : public models::Task {
 public:
  // data: the whole data set (CPU; its split's ids are global), part: this rank's share (partition_part), `model`
  // and `comm` outlive the task. The part's features, labels and structure are moved to `device`, where the model
  // must be (a GPU process: its halo rows and gradients then cross processes through comm's device path, NCCL or
  // MPI staged through host memory). ValueError when comm's rank or size is not part's, or the split has no
  // training node in any part.
  PartitionNodeTask(Communicator& comm, const data::NodeDataset& data, PartitionedGraph part,
                    models::NodeClassifier& model, int64_t staleness = 0, Device device = kCPU);
  std::string name() const override { return "node"; }
  Tensor training_loss(nn::Module& model) override;
  void finish_gradients(nn::Module& model) override;
  // train_acc, val_acc, val_loss; test() adds val_macro_f1, test_acc, test_macro_f1 (as NodeClassificationTask).
  models::Metrics evaluate(nn::Module& model) override;
  models::Metrics test(nn::Module& model) override;
  std::string default_monitor() const override { return has_val_ ? "val_acc" : ""; }
  // What each epoch's training step (forward, backward and the gradient sum) cost this process.
  const std::vector<EpochCost>& epoch_costs() const { return costs_.epochs(); }
  const PartitionedGraph& part() const { return part_; }

 private:
  struct Split {
    Tensor rows, y;  // positions among the owned nodes, and their labels
  };
  Split local_split(const Tensor& global_ids, Device device) const;
  // [n, correct, loss sum, tp[C], fp[C], fn[C]] of the part's nodes in `s`, summed over processes.
  std::vector<double> counts(const Tensor& logits, const Split& s);
  models::Metrics metrics(bool with_test);

  Communicator& comm_;
  PartitionedGraph part_;
  models::NodeClassifier& model_;
  HaloExchange halo_;
  Tensor x_src_, y_own_;
  Split train_, val_, test_;
  int64_t num_classes_ = 0;
  double global_train_ = 0;
  int64_t epoch_ = 0;  // training steps taken (full-batch: one per epoch)
  bool has_val_ = false, has_test_ = false;
  EpochCosts costs_;
};

}  // namespace loom::dist
