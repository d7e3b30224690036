// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the selection family (topk, gather_last): the kernels. Every tensor is seen as [rows, L] slices along
// its last dimension; arguments are already checked.
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"

namespace loom::detail {

// values [rows, k] (x's dtype), indices int64 [rows, k]: the k best of every slice of x [rows, L], best first;
// "best" = larger (smaller when !largest), ties to the lower index. Returns the first slice holding a NaN, or -1
// (then the outputs are meaningless). 1 <= k <= L.
int64_t topk_cpu(const Tensor& x, int64_t rows, int64_t L, int64_t k, bool largest, const Tensor& values,
                 const Tensor& indices);
// CUDA: k <= 1024. Short slices (L <= kTopkSortMax) are sorted whole in shared memory, several per block; long ones
// take one block each and a radix select (see select_cuda.cu).
int64_t topk_cuda(const Tensor& x, int64_t rows, int64_t L, int64_t k, bool largest, const Tensor& values,
                  const Tensor& indices);
constexpr int64_t kTopkCudaMaxK = 1024;

// out[r, j] = x[r, index[r, j]] (x [rows, L] of any dtype, index [rows, K] validated in [0, L)).
void gather_last_cpu(const Tensor& x, const Tensor& index, int64_t rows, int64_t L, int64_t K, const Tensor& out);
void gather_last_cuda(const Tensor& x, const Tensor& index, int64_t rows, int64_t L, int64_t K, const Tensor& out);

// out [rows, L] = zeros with out[r, index[r, j]] += src[r, j], summed in increasing j from 0 (floating src).
// Bitwise deterministic, and the same on CPU and CUDA.
void scatter_last_add_cpu(const Tensor& src, const Tensor& index, int64_t rows, int64_t L, int64_t K,
                          const Tensor& out);
void scatter_last_add_cuda(const Tensor& src, const Tensor& index, int64_t rows, int64_t L, int64_t K,
                           const Tensor& out);

}  // namespace loom::detail
