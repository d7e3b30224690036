// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the reduce family. A reduction along one dimension sees the input as [outer, axis, inner] and writes
// [outer, inner]. Sums and maxima run over fixed chunks of the axis (partials, then a second pass), so they are
// deterministic for any thread count and keep enough parallelism when outer*inner is small.
#pragma once
#include <cstdint>

#include "core/detail/macros.h"
#include "loom/core/tensor.h"

namespace loom::detail {

struct ReduceDims {
  int64_t outer = 1, axis = 1, inner = 1;
};
// Splits `shape` around dimension `dim` (already wrapped).
ReduceDims reduce_dims(const Shape& shape, int64_t dim);

// out[o, c, i] = sum of x[o, a, i] for a in chunk c = [c*chunk, min(axis, (c+1)*chunk)), summed in order.
// out has outer * ceil(axis/chunk) * inner elements.
void sum_dim_cpu(const Tensor& x, const ReduceDims& d, int64_t chunk, const Tensor& out);
void sum_dim_cuda(const Tensor& x, const ReduceDims& d, int64_t chunk, const Tensor& out);
// Maximum with its arg index over chunks, as sum_dim: values/indices have outer * ceil(axis/chunk) * inner elements.
// The index written is the position along the original axis: `in_index` (int64, x's shape) when defined (a second
// pass over partials), else the position within x's axis. NaN beats every number; ties keep the lower index.
void max_dim_cpu(const Tensor& x, const Tensor& in_index, const ReduceDims& d, int64_t chunk, const Tensor& values,
                 const Tensor& indices);
void max_dim_cuda(const Tensor& x, const Tensor& in_index, const ReduceDims& d, int64_t chunk, const Tensor& values,
                  const Tensor& indices);
// dx (zero-filled, [outer, axis, inner]) gets dx[o, index[o, i], i] = dy[o, i]: every write lands on its own slot.
void max_backward_cpu(const Tensor& dy, const Tensor& index, const ReduceDims& d, const Tensor& dx);
void max_backward_cuda(const Tensor& dy, const Tensor& index, const ReduceDims& d, const Tensor& dx);

// Whether (v, i) should win over (w, j) in an arg-max: larger value, NaN above all, then the lower index.
template <class T>
LOOM_HOST_DEVICE inline bool max_wins(T v, int64_t i, T w, int64_t j) {
  if (v > w) return true;
  if (v < w) return false;
  const bool vn = v != v, wn = w != w;
  if (vn != wn) return vn;
  return i < j;
}

// Chunk sizes along the axis for the two-pass sums.
constexpr int64_t kSumChunkCpu = 4096;
constexpr int64_t kSumChunkCuda = 1024;

}  // namespace loom::detail
