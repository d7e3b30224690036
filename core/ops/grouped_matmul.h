// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the grouped_matmul family: the grouped product (forward and input gradient, one call each) and the
// weight gradient, on CPU and CUDA. Groups are runs of consecutive rows given by host offsets, so no kernel ever
// reads a group id per row and the launch shape is known without a device round trip.
#pragma once
#include <cstdint>
#include <vector>

#include "loom/core/tensor.h"

namespace loom::detail {

// For every group g (rows offsets[g] .. offsets[g+1] of x and y):
//   y_g = x_g W_g (+ bias_g)        when !trans_w  (W_g stored [K, M], x [N, K], y [N, M])
//   y_g = x_g W_g^T                 when trans_w   (x [N, M], y [N, K]; the input gradient; bias undefined)
// w is [G, K, M], bias [G, M] or undefined; y is overwritten. Empty groups write nothing; K, M >= 1.
void grouped_gemm_cpu(const Tensor& x, const Tensor& w, bool trans_w, const Tensor& bias,
                      const std::vector<int64_t>& offsets, const Tensor& y);
void grouped_gemm_cuda(const Tensor& x, const Tensor& w, bool trans_w, const Tensor& bias,
                       const std::vector<int64_t>& offsets, const Tensor& y);

// dw_g = x_g^T dy_g ([K, M]) and, on the CPU when db is defined, db_g = the column sums of dy_g ([M]) in the same
// pass; empty groups give 0. dw [G, K, M] and db [G, M] are overwritten. CUDA takes db from group_column_sums.
void grouped_gemm_weight_grad_cpu(const Tensor& x, const Tensor& dy, const std::vector<int64_t>& offsets,
                                  const Tensor& dw, const Tensor& db);
void grouped_gemm_weight_grad_cuda(const Tensor& x, const Tensor& dy, const std::vector<int64_t>& offsets,
                                   const Tensor& dw);

// [G, M]: row g is the column sums of dy's rows offsets[g] .. offsets[g+1] (0 for an empty group), on dy's device,
// by the core sum over dim 0 (chunked over the rows, fixed order).
Tensor group_column_sums(const Tensor& dy, const std::vector<int64_t>& offsets);

}  // namespace loom::detail
