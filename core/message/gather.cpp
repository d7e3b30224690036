// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The generic message path: gather_src / gather_dst copy node rows to an [nnz, ...] edge tensor (index_select by
// the Csr's column ids / row index, whose backward index_add is deterministic), any ops follow, and scatter reduces
// edges back to rows with gspmm(copy_e). Flexible but memory-hungry; the fused gspmm / gsddmm never build the buffer.
#include "core/detail/check.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::mp {

namespace {

void check_nodes(const char* name, const char* arg, const Tensor& t, const Csr& g, int64_t rows, const char* side) {
  LOOM_CHECK(g.defined(), ValueError, name, ": the graph is an undefined Csr");
  detail::check_defined(name, arg, t);
  LOOM_CHECK(t.dim() >= 1, ShapeError, name, ": '", arg, "' must have a row per node, got a rank-0 tensor");
  LOOM_CHECK(t.device() == g.device(), DeviceError, name, ": '", arg, "' is on ", t.device().str(),
             " but the graph is on ", g.device().str(), " (move one with .to(device))");
  LOOM_CHECK(t.shape()[0] == rows, ShapeError, name, ": '", arg, "' has ", t.shape()[0], " rows but the graph has ",
             rows, " ", side, " (", g.str(), ")");
}

}  // namespace

Tensor gather_src(const Csr& g, const Tensor& u) {
  check_nodes("gather_src", "u", u, g, g.defined() ? g.num_cols() : 0, "columns (source nodes)");
  return index_select(u, g.indices());
}

Tensor gather_dst(const Csr& g, const Tensor& v) {
  check_nodes("gather_dst", "v", v, g, g.defined() ? g.num_rows() : 0, "rows (destination nodes)");
  return index_select(v, g.row_index());
}

}  // namespace loom::mp
