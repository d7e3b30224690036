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

void cuda_fill(void* ptr, DType dtype, int64_t n, double value) {
  if (n == 0) return;
  dispatch_all(dtype, "fill", [&]<class T>() {
    fill_kernel<T><<<blocks_for(n), kThreads, 0, stream()>>>(static_cast<T*>(ptr), n, static_cast<T>(value));
    LOOM_CUDA_CHECK_LAUNCH();
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
