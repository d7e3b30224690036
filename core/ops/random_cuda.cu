// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of the random family: grid-stride maps over the element index with the same samplers and mask as
// the CPU, so a seed gives the same tensor on both devices.
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/ops/random.h"

namespace loom::detail {

namespace {
template <class T, class S>
__global__ void fill_kernel(T* __restrict__ out, int64_t n, uint64_t seed, uint64_t offset, S sampler) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = sampler.template sample<T>(hash_bits(seed, offset + static_cast<uint64_t>(i)));
}

template <class T, class S>
void fill(T* out, int64_t n, uint64_t seed, uint64_t offset, S sampler) {
  if (n == 0) return;
  fill_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(out, n, seed, offset, sampler);
  LOOM_CUDA_CHECK_LAUNCH();
}

template <class T>
__global__ void dropout_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t n, DropoutMask mask) {
  const T scale = T(mask.scale);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = mask.keep(i) ? x[i] * scale : T(0);
}
}  // namespace

void random_fill_cuda(RandomKind kind, double low, double high, uint64_t seed, uint64_t offset, const Tensor& out) {
  dispatch_floating(out.dtype(), "random", [&]<class T>() {
    if (kind == RandomKind::kUniform) fill(out.data<T>(), out.numel(), seed, offset, UniformSampler{low, high});
    else fill(out.data<T>(), out.numel(), seed, offset, NormalSampler{});
  });
}

void dropout_cuda(const DropoutMask& mask, const Tensor& in, const Tensor& out) {
  dispatch_floating(in.dtype(), "dropout", [&]<class T>() {
    const int64_t n = in.numel();
    if (n == 0) return;
    dropout_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(in.data<T>(), out.data<T>(), n, mask);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace loom::detail
