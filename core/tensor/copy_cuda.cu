// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Device kernels behind tensor factories and dtype conversion: fill with a value, cast between dtypes.
#include "core/detail/cuda_runtime.h"
#include "core/detail/dispatch.h"
#include "core/detail/elementwise.cuh"

namespace loom::detail {

template <class T>
__global__ void fill_kernel(T* p, int64_t n, T v) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    p[i] = v;
}

// 16-byte stores (fills run at every zeros(), ones_like() and gradient seed; scalar 4-byte stores reached about
// a third of the H100's write bandwidth).
template <class T>
__global__ void fill16_kernel(uint4* p, int64_t n16, T v) {
  union {
    uint4 u;
    T t[16 / sizeof(T)];
  } pack;
  for (size_t k = 0; k < 16 / sizeof(T); ++k) pack.t[k] = v;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n16; i += int64_t(gridDim.x) * blockDim.x)
    p[i] = pack.u;
}

void cuda_fill(void* ptr, DType dtype, int64_t n, double value) {
  if (n == 0) return;
  dispatch_all(dtype, "fill", [&]<class T>() {
    T* p = static_cast<T*>(ptr);
    const T v = static_cast<T>(value);
    constexpr int64_t per16 = 16 / sizeof(T);
    int64_t done = 0;
    if (reinterpret_cast<uintptr_t>(p) % 16 == 0 && n >= per16) {
      const int64_t n16 = n / per16;
      fill16_kernel<T><<<blocks_for(n16), kThreads, 0, stream()>>>(reinterpret_cast<uint4*>(p), n16, v);
      LOOM_CUDA_CHECK_LAUNCH();
      done = n16 * per16;
    }
    if (done < n) {
      fill_kernel<T><<<blocks_for(n - done), kThreads, 0, stream()>>>(p + done, n - done, v);
      LOOM_CUDA_CHECK_LAUNCH();
    }
  });
}

template <class D>
struct CastTo {
  template <class S>
  __device__ D operator()(S s) const { return static_cast<D>(s); }
};

void cuda_cast(const void* src, DType st, void* dst, DType dt, int64_t n) {
  dispatch_all(st, "cast", [&]<class S>() {
    dispatch_all(dt, "cast", [&]<class D>() {
      unary_map_cuda(static_cast<const S*>(src), static_cast<D*>(dst), n, CastTo<D>{});
    });
  });
}

}  // namespace loom::detail
