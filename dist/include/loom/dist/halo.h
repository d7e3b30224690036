// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Halo exchange with staleness 0: between two layers every process sends the rows its peers' halos hold and receives
// its own halo's rows, fresh from this forward pass. It is an autograd op: backward sends each halo row's gradient
// back to the owner, which adds it into its rows' gradient. Every process must run the same exchanges in the same
// order (the same model on its own part), forward and backward.
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"
#include "loom/dist/comm.h"
#include "loom/dist/partitioned_graph.h"
#include "loom/models/gnn.h"

namespace loom::dist {

// own: [num_owned, F] float32/float64 on the CPU, the part's rows of one layer. Returns the halo's rows [num_halo, F]
// in the block's halo order. ShapeError when own's rows are not the part's owned nodes.
Tensor exchange_halo(Communicator& comm, const PartitionedGraph& part, const Tensor& own);

// The exchange as the model's source of halo rows (NodeClassifier::forward(block, x_src, HaloRows&)).
class HaloExchange : public models::HaloRows {
 public:
  HaloExchange(Communicator& comm, const PartitionedGraph& part) : comm_(comm), part_(part) {}
  Tensor halo(int64_t /*layer*/, const Tensor& own) override { return exchange_halo(comm_, part_, own); }

 private:
  Communicator& comm_;
  const PartitionedGraph& part_;
};

}  // namespace loom::dist
