// CUDA counterparts of the maps in elementwise.h (grid-stride loops on the current stream). Include from .cu only.
#pragma once
#include "core/detail/cuda_utils.cuh"
#include "core/detail/elementwise.h"

namespace loom::detail {

template <class T, class U, class F>
__global__ void unary_map_kernel(const T* __restrict__ x, U* __restrict__ y, int64_t n, F f) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = f(x[i]);
}
template <class T, class U, class F>
void unary_map_cuda(const T* x, U* y, int64_t n, F f) {
  if (n == 0) return;
  unary_map_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(x, y, n, f);
  LOOM_CUDA_CHECK_LAUNCH();
}

template <class T, class U, class F>
__global__ void binary_map_kernel(const T* __restrict__ a, const T* __restrict__ b, U* __restrict__ out, int64_t n,
                                  BroadcastIndexer ix, F f) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t ao, bo;
    ix.offsets(i, ao, bo);
    out[i] = f(a[ao], b[bo]);
  }
}
template <class T, class U, class F>
void binary_map_cuda(const T* a, const T* b, U* out, int64_t n, const BroadcastIndexer& ix, F f) {
  if (n == 0) return;
  binary_map_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(a, b, out, n, ix, f);
  LOOM_CUDA_CHECK_LAUNCH();
}

template <class T, class F>
__global__ void ternary_map_kernel(const T* __restrict__ a, const T* __restrict__ b, const T* __restrict__ c,
                                   T* __restrict__ out, int64_t n, F f) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = f(a[i], b[i], c[i]);
}
template <class T, class F>
void ternary_map_cuda(const T* a, const T* b, const T* c, T* out, int64_t n, F f) {
  if (n == 0) return;
  ternary_map_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(a, b, c, out, n, f);
  LOOM_CUDA_CHECK_LAUNCH();
}

}  // namespace loom::detail
