// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Halo exchange (with staleness 0 by default): between two layers every process sends the rows its peers' halos hold and receives
// its own halo's rows, fresh from this forward pass. It is an autograd op: backward sends each halo row's gradient
// back to the owner, which adds it into its rows' gradient. Every process must run the same exchanges in the same
// order (the same model on its own part), forward and backward.
#pragma once
#include <cstdint>
#include <vector>

#include "loom/core/tensor.h"
#include "loom/dist/comm.h"
#include "loom/dist/partitioned_graph.h"
#include "loom/models/gnn.h"

namespace loom::dist {

// own: [num_owned, F] float32/float64 on any device (CUDA rows go through the communicator's device path), the
// part's rows of one layer. Returns the halo's rows [num_halo, F] in the block's halo order, on own's device.
// ShapeError when own's rows are not the part's owned nodes.
Tensor exchange_halo(Communicator& comm, const PartitionedGraph& part, const Tensor& own);

// The exchange as the model's source of halo rows (NodeClassifier::forward(block, x_src, HaloRows&)), with an
// optional staleness bound k (Sancus-style skipped broadcasts with a fixed period, loom/dist/halo.cpp): in training
// epoch e the exchange runs only when e % (k + 1) == 0 and its rows are kept; the k epochs after it reuse the kept
// rows (1..k epochs old) without communicating, as constants. k = 0 exchanges every layer of every epoch (exact).
// Evaluation (begin_epoch not called since the last end_training_step) always exchanges fresh rows.
class HaloExchange : public models::HaloRows {
 public:
  HaloExchange(Communicator& comm, const PartitionedGraph& part, int64_t staleness = 0);
  // Before the forward pass of training epoch `epoch` (0-based); every process passes the same epochs.
  void begin_epoch(int64_t epoch) {
    epoch_ = epoch;
    training_ = true;
  }
  void end_training_step() { training_ = false; }
  Tensor halo(int64_t layer, const Tensor& own) override;
  int64_t staleness() const { return staleness_; }

 private:
  Communicator& comm_;
  const PartitionedGraph& part_;
  int64_t staleness_ = 0, epoch_ = 0;
  bool training_ = false;
  std::vector<Tensor> kept_;  // per layer: the rows of the last refresh, detached
};

}  // namespace loom::dist
