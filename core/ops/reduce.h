// Private to the reduce family. A reduction along one dimension sees the input as [outer, axis, inner] and writes
// [outer, inner]. Sums run over fixed chunks of the axis (partials, then a second pass), so they are deterministic
// for any thread count and keep enough parallelism when outer*inner is small.
#pragma once
#include <cstdint>

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
// Chunk sizes along the axis for the two-pass sums.
constexpr int64_t kSumChunkCpu = 4096;
constexpr int64_t kSumChunkCuda = 1024;

}  // namespace loom::detail
