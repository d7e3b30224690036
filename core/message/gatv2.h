// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to mp::gatv2_logits: the kernels of the forward (logits per entry and head) and of the row-parallel
// backward (one pass over g for the v side and the per-row att partials, one over g.transpose() for the u side).
#pragma once
#include <cstdint>

#include "core/detail/activation.h"
#include "core/detail/macros.h"
#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::detail {

// The per-element activation is the table's leaky ReLU (core/detail/activation.h): at z == 0 its derivative is the
// slope, as loom::leaky_relu's.
using Gatv2Act = LeakyReluAct;

// Sizes of one call: u [num_cols, heads, channels], v [num_rows, heads, channels], att [heads, channels].
struct Gatv2Dims {
  int64_t heads = 1;
  int64_t channels = 1;
  double slope = 0.2;
  int64_t width() const { return heads * channels; }
};

// out [nnz, heads]: out[k, h] = sum_c att[h, c] * act(u[col k, h, c] + v[row k, h, c]).
void gatv2_cpu(const Csr& g, const Tensor& u, const Tensor& v, const Tensor& att, const Gatv2Dims& d,
               const Tensor& out);
void gatv2_cuda(const Csr& g, const Tensor& u, const Tensor& v, const Tensor& att, const Gatv2Dims& d,
                const Tensor& out);

// One side's gradient with no atomics, each row of `walk` summing its entries in order:
//   side_u = false: walk is g; grad [num_rows, H C] gets dv, and att_part (when defined) [num_rows, H C] gets
//                   each row's share of datt: sum over the row's entries of dy[k, h] * act(z[k, h, c]).
//   side_u = true:  walk is g.transpose() (edge_ids() give the entry of g, indices g's rows); grad gets du.
void gatv2_backward_cpu(const Csr& walk, bool side_u, const Tensor& u, const Tensor& v, const Tensor& att,
                        const Tensor& dy, const Gatv2Dims& d, const Tensor& grad, const Tensor& att_part);
void gatv2_backward_cuda(const Csr& walk, bool side_u, const Tensor& u, const Tensor& v, const Tensor& att,
                         const Tensor& dy, const Gatv2Dims& d, const Tensor& grad, const Tensor& att_part);

}  // namespace loom::detail
