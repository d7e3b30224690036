// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The halo exchange (loom/dist/halo.h) as three ops: gather the rows to send (index_select, whose gradient adds the
// returned gradients into the owned rows, once per peer the row went to), the exchange itself (its gradient is the
// same exchange with the directions swapped), and the permutation from arrival order to the block's halo order.
#include "loom/dist/halo.h"

#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::dist {

namespace {

// Rows of `x` ([sum(send_rows), F]), send_rows[q] of them for rank q in rank order, exchanged for recv_rows[q] rows
// from each rank q, on x's device.
Tensor alltoallv_rows(Communicator& comm, const Tensor& x, const std::vector<int64_t>& send_rows,
                      const std::vector<int64_t>& recv_rows) {
  Tensor y = comm.alltoallv_rows(x, send_rows, recv_rows);
  autograd::record("alltoallv_rows", {x}, y, [&comm, send_rows, recv_rows](const Tensor& dy) {
    return std::vector<Tensor>{alltoallv_rows(comm, dy, recv_rows, send_rows)};
  });
  return y;
}

}  // namespace

Tensor exchange_halo(Communicator& comm, const PartitionedGraph& part, const Tensor& own) {
  LOOM_CHECK(own.dim() == 2 && own.size(0) == part.num_owned(), ShapeError, "exchange_halo: own must be [",
             part.num_owned(), ", F] (the rows of part ", part.rank, "'s nodes), got ", own.shape_str());
  LOOM_CHECK(comm.size() == part.num_parts && comm.rank() == part.rank, ValueError, "exchange_halo: part ", part.rank,
             " of ", part.num_parts, " on rank ", comm.rank(), " of ", comm.size());
  const Tensor received =
      alltoallv_rows(comm, index_select(own, part.send_rows.to(own.device())), part.send_counts, part.recv_counts);
  return index_select(received, part.halo_from_recv.to(own.device()));
}

HaloExchange::HaloExchange(Communicator& comm, const PartitionedGraph& part, int64_t staleness)
    : comm_(comm), part_(part), staleness_(staleness) {
  LOOM_CHECK(staleness >= 0, ValueError, "HaloExchange: staleness must be >= 0 (epochs a halo row may be old), got ",
             staleness);
}

// Stale epochs return the kept rows as a constant: no bytes either way, and (unlike PipeGCN, which sends last
// epoch's halo gradients) no gradient goes back to the rows' owners in those epochs. The weight gradients are still
// summed exactly every step (PartitionNodeTask::finish_gradients).
Tensor HaloExchange::halo(int64_t layer, const Tensor& own) {
  if (!training_ || staleness_ == 0) return exchange_halo(comm_, part_, own);
  const auto l = static_cast<size_t>(layer);
  if (kept_.size() <= l) kept_.resize(l + 1);
  if (epoch_ % (staleness_ + 1) != 0 && kept_[l].defined()) return kept_[l];
  Tensor fresh = exchange_halo(comm_, part_, own);
  kept_[l] = fresh.detach();
  return fresh;
}

}  // namespace loom::dist
