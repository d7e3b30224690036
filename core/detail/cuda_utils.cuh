// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA-only helpers for .cu files: error checks, the current stream and launch shapes.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "loom/core/device.h"
#include "loom/core/error.h"

// Wraps every CUDA runtime call: reports the expression, the error name and file:line as loom::CudaError.
#define LOOM_CUDA_CHECK(expr)                                                                           \
  do {                                                                                                  \
    cudaError_t loom_err_ = (expr);                                                                     \
    if (loom_err_ != cudaSuccess)                                                                       \
      throw ::loom::CudaError(::loom::detail::str_cat(#expr, " failed: ", cudaGetErrorName(loom_err_), \
                                                      " (", cudaGetErrorString(loom_err_), ") at ",     \
                                                      __FILE__, ":", __LINE__));                        \
  } while (0)

// After a kernel launch: reports launch-configuration errors.
#define LOOM_CUDA_CHECK_LAUNCH() LOOM_CUDA_CHECK(cudaGetLastError())

namespace loom::detail {

inline cudaStream_t stream() { return static_cast<cudaStream_t>(cuda::current_stream()); }

constexpr int kThreads = 256;
// Blocks for a grid-stride loop over n elements (capped: each thread loops).
inline unsigned blocks_for(int64_t n, int threads = kThreads) {
  int64_t b = (n + threads - 1) / threads;
  if (b > 65535LL * 8) b = 65535LL * 8;
  return static_cast<unsigned>(b < 1 ? 1 : b);
}

// Warp-per-row kernels (softmax statistics, layer norm, losses): rows per block and a grid for `rows` rows.
constexpr int kWarp = 32;
constexpr int kRowsPerBlock = kThreads / kWarp;
inline unsigned row_blocks(int64_t rows) { return blocks_for(rows, kRowsPerBlock); }

// Butterfly reductions: every lane ends with the same value, combined in the same order on every run.
template <class T>
__device__ T warp_sum(T v) {
  for (int o = kWarp / 2; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
template <class T>
__device__ T warp_max(T v) {
  for (int o = kWarp / 2; o > 0; o >>= 1) v = max(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Block-wide minimum (blockDim.x == kThreads); every thread gets it. Used by the device-side index checks to find
// the first bad position.
__device__ inline int64_t block_min(int64_t v) {
  __shared__ int64_t buf[kThreads];
  buf[threadIdx.x] = v;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w >>= 1) {
    if (threadIdx.x < w) buf[threadIdx.x] = min(buf[threadIdx.x], buf[threadIdx.x + w]);
    __syncthreads();
  }
  const int64_t r = buf[0];
  __syncthreads();
  return r;
}

}  // namespace loom::detail
