// CUDA kernels of the reduce family. Sums use fixed trees (no atomics), so results are bitwise reproducible.
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/ops/reduce.h"

namespace loom::detail {
namespace {

// inner == 1: one block per (outer, chunk), a strided per-thread sum then a shared-memory tree.
template <class T>
__global__ void sum_rows_kernel(const T* __restrict__ x, T* __restrict__ out, int64_t axis, int64_t chunk,
                                int64_t chunks) {
  __shared__ T buf[kThreads];
  const int64_t o = blockIdx.x / chunks, c = blockIdx.x % chunks;
  const int64_t a0 = c * chunk, a1 = min(axis, a0 + chunk);
  const T* row = x + o * axis;
  T s(0);
  for (int64_t a = a0 + threadIdx.x; a < a1; a += blockDim.x) s += row[a];
  buf[threadIdx.x] = s;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w >>= 1) {
    if (threadIdx.x < w) buf[threadIdx.x] += buf[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) out[blockIdx.x] = buf[0];
}

// inner > 1: one thread per (outer, chunk, inner) output, reading coalesced across inner.
template <class T>
__global__ void sum_inner_kernel(const T* __restrict__ x, T* __restrict__ out, int64_t outer, int64_t axis,
                                 int64_t inner, int64_t chunk, int64_t chunks) {
  const int64_t n = outer * chunks * inner;
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = t % inner, oc = t / inner;
    const int64_t o = oc / chunks, c = oc % chunks;
    const int64_t a0 = c * chunk, a1 = min(axis, a0 + chunk);
    const T* p = x + o * axis * inner + i;
    T s(0);
    for (int64_t a = a0; a < a1; ++a) s += p[a * inner];
    out[t] = s;
  }
}

}  // namespace

void sum_dim_cuda(const Tensor& x, const ReduceDims& d, int64_t chunk, const Tensor& out) {
  const int64_t chunks = d.axis <= chunk ? 1 : (d.axis + chunk - 1) / chunk;
  if (d.outer * chunks * d.inner == 0) return;
  dispatch_floating(x.dtype(), "sum", [&]<class T>() {
    if (d.inner == 1) {
      sum_rows_kernel<T><<<static_cast<unsigned>(d.outer * chunks), kThreads, 0, stream()>>>(
          x.data<T>(), out.data<T>(), d.axis, chunk, chunks);
    } else {
      sum_inner_kernel<T><<<blocks_for(d.outer * chunks * d.inner), kThreads, 0, stream()>>>(
          x.data<T>(), out.data<T>(), d.outer, d.axis, d.inner, chunk, chunks);
    }
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace loom::detail
