// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of the shape family: grid-stride strided copies moving raw 4- or 8-byte words (every dtype).
#include "core/detail/cuda_utils.cuh"
#include "core/ops/shape.h"

namespace loom::detail {
namespace {

template <class E>
__global__ void axis_copy_kernel(const E* __restrict__ src, E* __restrict__ dst, AxisCopy c) {
  const int64_t block = c.len * c.inner;
  const int64_t n = c.outer * block;
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = k / block, r = k % block;
    dst[(o * c.dst_axis + c.dst_off) * c.inner + r] = src[(o * c.src_axis + c.src_off) * c.inner + r];
  }
}

// One thread per output element (writes coalesced); the input coordinates come from the output's.
template <class E>
__global__ void permute_copy_kernel(const E* __restrict__ src, E* __restrict__ dst, PermuteCopy p, int64_t n) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x) {
    int64_t rem = k, off = 0;
    for (int d = p.rank - 1; d >= 0; --d) {
      off += (rem % p.out_shape[d]) * p.in_stride[d];
      rem /= p.out_shape[d];
    }
    dst[k] = src[off];
  }
}

template <class F>
void by_element_size(const Tensor& t, F&& f) {
  if (dtype_size(t.dtype()) == 4) f(uint32_t{});
  else f(uint64_t{});
}

}  // namespace

void axis_copy_cuda(const Tensor& src, const Tensor& dst, const AxisCopy& c) {
  const int64_t n = c.outer * c.len * c.inner;
  if (n == 0) return;
  by_element_size(src, [&](auto e) {
    using E = decltype(e);
    axis_copy_kernel<E><<<blocks_for(n), kThreads, 0, stream()>>>(static_cast<const E*>(src.raw_data()),
                                                                   static_cast<E*>(dst.raw_data()), c);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

void permute_copy_cuda(const Tensor& src, const Tensor& dst, const PermuteCopy& p) {
  const int64_t n = dst.numel();
  if (n == 0) return;
  by_element_size(src, [&](auto e) {
    using E = decltype(e);
    permute_copy_kernel<E><<<blocks_for(n), kThreads, 0, stream()>>>(static_cast<const E*>(src.raw_data()),
                                                                      static_cast<E*>(dst.raw_data()), p, n);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace loom::detail
