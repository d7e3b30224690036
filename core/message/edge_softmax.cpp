// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::edge_softmax: the softmax of edge scores over the entries of each row of a Csr (a destination's in-edges).
// It is segment_softmax with the Csr's indptr as offsets, so it runs the same fused per-row kernels (max pass,
// exp-sum pass, normalising pass; backward dx = y * (dy - sum_row(y * dy))).
#include "core/detail/check.h"
#include "core/message/segment.h"
#include "loom/core/message.h"

namespace loom::mp {

Tensor edge_softmax(const Csr& g, const Tensor& e) {
  constexpr const char* kName = "edge_softmax";
  LOOM_CHECK(g.defined(), ValueError, kName, ": the graph is an undefined Csr");
  detail::check_floating(kName, "e", e);
  LOOM_CHECK(e.dim() >= 1, ShapeError, kName, ": 'e' must be [nnz] or [nnz, H], got a rank-0 tensor");
  LOOM_CHECK(e.device() == g.device(), DeviceError, kName, ": 'e' is on ", e.device().str(), " but the graph is on ",
             g.device().str(), " (move one with .to(device))");
  LOOM_CHECK(e.shape()[0] == g.nnz(), ShapeError, kName, ": 'e' has ", e.shape()[0], " rows but the graph has ",
             g.nnz(), " edges (nnz of ", g.str(), ")");
  // The Csr validated its indptr when it was built.
  return detail::segment_softmax_recorded(kName, e, g.indptr());
}

}  // namespace loom::mp
