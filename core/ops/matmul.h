// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the matmul family: one general product with transpose flags and batch strides, which the forward and
// both gradients (dy b^T, a^T dy) use without materialising a transpose.
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"

namespace loom::detail {

// For each batch entry i: C_i[m, n] = op(A_i)[m, k] * op(B_i)[k, n], all row-major and contiguous.
// op(A) = A when !trans_a (A stored [m, k]) or A^T when trans_a (A stored [k, m]); likewise for B ([k, n] or
// [n, k]). A_i starts at a + i * stride_a (stride 0: one matrix shared by every entry). C is overwritten; k >= 1.
struct GemmArgs {
  bool trans_a = false, trans_b = false;
  int64_t batch = 1, m = 0, n = 0, k = 0;
  int64_t stride_a = 0, stride_b = 0, stride_c = 0;
};

void gemm_cpu(const GemmArgs& g, const Tensor& a, const Tensor& b, const Tensor& c);
void gemm_cuda(const GemmArgs& g, const Tensor& a, const Tensor& b, const Tensor& c);

}  // namespace loom::detail
