// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to gspmm_act: the kernel entry points of the forward pass and of the two backward passes (over destinations, over sources).
#pragma once
#include <cmath>
#include <cstdint>

#include "core/detail/activation.h"
#include "core/detail/macros.h"
#include "loom/core/message.h"
#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::mp::detail {

// The per-edge activation comes from the table (core/detail/activation.h): A::forward(z, slope) and
// A::backward_x(z, slope), the kernels templates on A.
using loom::detail::with_activation;

// What every kernel reads. u [cols, F], v [rows, F], w [nnz] or undefined (weights 1); all contiguous, one dtype.
struct ActArgs {
  Act act = Act::kRelu;
  double slope = 0.2;
  Tensor u, v, w;
  int64_t width = 0;  // F
};

// out [rows, F]; arg int64 [rows, F] for max (the winning entry, -1 on empty rows), else undefined. Rows without
// entries give 0; mean divides by the entry count.
void gspmm_act_cpu(const Csr& g, Reduce reduce, const ActArgs& a, const Tensor& out, const Tensor& arg);
void gspmm_act_cuda(const Csr& g, Reduce reduce, const ActArgs& a, const Tensor& out, const Tensor& arg);

// Backward over the destinations (rows of g); gy [rows, F] is dout, already divided by the degree for mean.
//   dv[r, f] = sum over entries k of row r of gy[r, f] w[k] act'(z)       (only k == arg[r, f] for max)
//   dw[k]    = sum over f of gy[r, f] act(z)                               (only the f with arg[r, f] == k)
// with z = u[col(k), f] + v[r, f]. dv and dw are written when defined (zero-initialised by the caller).
void act_dst_grad_cpu(const Csr& g, const ActArgs& a, const Tensor& gy, const Tensor& arg, const Tensor& dv,
                      const Tensor& dw);
void act_dst_grad_cuda(const Csr& g, const ActArgs& a, const Tensor& gy, const Tensor& arg, const Tensor& dv,
                       const Tensor& dw);

// Backward over the sources, one pass over gt = g.transpose(): row j of gt lists j's out-entries; for each,
// k = gt.edge_ids()[k'] (the entry in g) and r = gt.indices()[k'] (its destination):
//   du[j, f] = sum over them of gy[r, f] w[k] act'(u[j, f] + v[r, f])     (only k == arg[r, f] for max)
void act_src_grad_cpu(const Csr& gt, const ActArgs& a, const Tensor& gy, const Tensor& arg, const Tensor& du);
void act_src_grad_cuda(const Csr& gt, const ActArgs& a, const Tensor& gy, const Tensor& arg, const Tensor& du);

}  // namespace loom::mp::detail
