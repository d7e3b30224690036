// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The fused Adam update on CUDA (adam_update.h): one grid-stride kernel a parameter on the current stream.
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/optim/adam_update.h"

namespace loom::detail {

namespace {
template <class T>
__global__ void adam_update_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m, T* __restrict__ v,
                                   int64_t n, AdamElement<T> f) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    T pi = p[i], mi = m[i], vi = v[i];
    f(pi, g[i], mi, vi);
    p[i] = pi;
    m[i] = mi;
    v[i] = vi;
  }
}
}  // namespace

void adam_update_cuda(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const AdamScalars& s) {
  const int64_t n = p.numel();
  if (n == 0) return;
  dispatch_floating(p.dtype(), "Adam.step", [&]<class T>() {
    adam_update_kernel<T><<<blocks_for(n), kThreads, 0, stream()>>>(p.data<T>(), g.data<T>(), m.data<T>(),
                                                                      v.data<T>(), n, AdamElement<T>(s));
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace loom::detail
