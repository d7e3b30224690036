// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GNNAutoScale (Fey et al. 2021): mini-batches of graph clusters that still use every edge. A batch is a few clusters
// of a partition (loom/graph/partition.h; METIS keeps the halo small); each layer reads the batch's own fresh inputs
// and, for the batch's 1-hop halo, the halo's last pushed embeddings from a history in host memory (stale, no
// gradient), then pushes the batch's outputs. Evaluation runs the model on the whole graph.
#pragma once
#include <cstdint>
#include <vector>

#include "loom/graph/graph.h"
#include "loom/models/gnn.h"
#include "loom/models/sampled_task.h"
#include "loom/models/task.h"

namespace loom::models {

// One [num_nodes, width] buffer per hidden layer, in host memory, created (zero) at its first push.
class History {
 public:
  explicit History(int64_t num_nodes) : num_nodes_(num_nodes) {}
  // Rows `ids` (int64, any device) of layer `layer`'s buffer, on `device`, without gradient. ValueError for a layer
  // never pushed.
  Tensor pull(int64_t layer, const Tensor& ids, Device device) const;
  // Writes the rows of `values` ([k, width], any device; detached here) at `ids` of layer `layer`. ShapeError for a
  // width other than the buffer's.
  void push(int64_t layer, const Tensor& ids, const Tensor& values);
  int64_t bytes() const;

 private:
  int64_t num_nodes_;
  std::vector<Tensor> layers_;
};

class GasNodeTask : public NodeBatchTask {
 public:
  // part: int64 [N] cluster of each node in [0, num_clusters); each step takes clusters_per_batch clusters (a new
  // order every epoch). `model` outlives the task. ValueError for a bad cluster count or part vector.
  GasNodeTask(data::NodeDataset data, graph::Graph g, NodeClassifier& model, const Tensor& part, int64_t num_clusters,
              int64_t clusters_per_batch);
  Tensor training_loss(nn::Module& model) override;
  int steps_per_epoch() const override;
  const History& history() const { return history_; }

 private:
  std::vector<std::vector<int64_t>> clusters_;  // node ids of each cluster, ascending
  std::vector<uint8_t> is_train_;
  int64_t per_batch_;
  Tensor order_;
  int64_t cursor_ = 0;
  History history_;
};

}  // namespace loom::models
