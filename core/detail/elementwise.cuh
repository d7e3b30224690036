// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
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

namespace ew {
// V consecutive elements moved as one 16-byte access (float4-like for float, double2-like for double).
template <class T, int V>
struct alignas(sizeof(T) * V) Pack {
  T v[V];
};
template <class T>
constexpr int kPack = 16 / sizeof(T) >= 1 ? static_cast<int>(16 / sizeof(T)) : 1;

inline bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

template <class I>
__device__ inline I first_thread() { return static_cast<I>(blockIdx.x) * blockDim.x + threadIdx.x; }
template <class I>
__device__ inline I thread_stride() { return static_cast<I>(gridDim.x) * blockDim.x; }

template <bool AFull, class T, class F>
__device__ inline auto apply(F& f, T full, T rep) {
  if constexpr (AFull) return f(full, rep);
  else return f(rep, full);
}

// The general walk: per-dimension div/mod, in 32-bit index math when it fits.
template <class I, class T, class U, class F>
__global__ void binary_general_kernel(const T* __restrict__ a, const T* __restrict__ b, U* __restrict__ out, I n,
                                      BroadcastIndexer ix, F f) {
  for (I i = first_thread<I>(); i < n; i += thread_stride<I>()) {
    I ao, bo;
    ix.offsets_as<I>(i, ao, bo);
    out[i] = f(a[ao], b[bo]);
  }
}

// kSame (Mode 0), kModulo (1) and kDivide (2): out[i] = f(full[i], rep[j]) with j = i, i % period or i / period.
// With V > 1 (16-byte aligned pointers and period % V == 0) whole packs move at once: a pack of V outputs then
// sits in one period run, so its rep values are one pack (modulo) or one value (divide). The tail is scalar.
template <int Mode, bool AFull, int V, class I, class T, class U, class F>
__global__ void binary_fast_kernel(const T* __restrict__ full, const T* __restrict__ rep, U* __restrict__ out, I n,
                                   I period, F f) {
  const I nv = n / V;
  if constexpr (V > 1) {
    const auto* fullv = reinterpret_cast<const Pack<T, V>*>(full);
    auto* outv = reinterpret_cast<Pack<U, V>*>(out);
    for (I k = first_thread<I>(); k < nv; k += thread_stride<I>()) {
      const Pack<T, V> x = fullv[k];
      Pack<U, V> y;
      if constexpr (Mode == 2) {
        const T r = rep[k * V / period];
#pragma unroll
        for (int t = 0; t < V; ++t) y.v[t] = apply<AFull>(f, x.v[t], r);
      } else {
        const I j = Mode == 0 ? k : (k * V % period) / V;
        const Pack<T, V> r = reinterpret_cast<const Pack<T, V>*>(rep)[j];
#pragma unroll
        for (int t = 0; t < V; ++t) y.v[t] = apply<AFull>(f, x.v[t], r.v[t]);
      }
      outv[k] = y;
    }
  }
  // The scalar loop: the tail after the packs, or everything when V == 1 (no packs ran).
  const I start = V > 1 ? nv * V : I(0);
  for (I i = start + first_thread<I>(); i < n; i += thread_stride<I>()) {
    const I j = Mode == 0 ? i : Mode == 1 ? i % period : i / period;
    out[i] = apply<AFull>(f, full[i], rep[j]);
  }
}

template <int Mode, bool AFull, class I, class T, class U, class F>
void launch_fast(const T* full, const T* rep, U* out, int64_t n, int64_t period, F f) {
  constexpr int V = sizeof(U) == sizeof(T) ? kPack<T> : 1;
  // Packs need n to fit 32-bit index math too (the 64-bit path is for > 2^31 elements and stays scalar).
  if constexpr (V > 1 && sizeof(I) == 4) {
    if ((Mode == 0 || period % V == 0) && aligned16(full) && (Mode == 2 || aligned16(rep)) && aligned16(out)) {
      binary_fast_kernel<Mode, AFull, V, I><<<blocks_for(n / V + 1), kThreads, 0, stream()>>>(
          full, rep, out, static_cast<I>(n), static_cast<I>(period), f);
      return;
    }
  }
  binary_fast_kernel<Mode, AFull, 1, I><<<blocks_for(n), kThreads, 0, stream()>>>(
      full, rep, out, static_cast<I>(n), static_cast<I>(period), f);
}

template <class I, class T, class U, class F>
void launch_binary(const T* a, const T* b, U* out, int64_t n, const BroadcastIndexer& ix, F f) {
  switch (ix.pattern) {
    case BroadcastPattern::kSame:
      launch_fast<0, true, I>(a, b, out, n, 1, f);
      return;
    case BroadcastPattern::kModulo:
      if (ix.a_full) launch_fast<1, true, I>(a, b, out, n, ix.period, f);
      else launch_fast<1, false, I>(b, a, out, n, ix.period, f);
      return;
    case BroadcastPattern::kDivide:
      if (ix.a_full) launch_fast<2, true, I>(a, b, out, n, ix.period, f);
      else launch_fast<2, false, I>(b, a, out, n, ix.period, f);
      return;
    case BroadcastPattern::kGeneral:
      binary_general_kernel<I><<<blocks_for(n), kThreads, 0, stream()>>>(a, b, out, static_cast<I>(n), ix, f);
      return;
  }
}
}  // namespace ew

// out[i] = f(a[ao], b[bo]) with the kernel the indexer's pattern allows; 32-bit index math below 2^31 elements.
template <class T, class U, class F>
void binary_map_cuda(const T* a, const T* b, U* out, int64_t n, const BroadcastIndexer& ix, F f) {
  if (n == 0) return;
  // Unsigned 32-bit: i + grid stride stays below 2^32 for every i < n < 2^31, and period <= n (a scalar's rounded
  // period is < 2^31 + 16).
  if (n < (int64_t{1} << 31) && ix.period < (int64_t{1} << 32)) ew::launch_binary<uint32_t>(a, b, out, n, ix, f);
  else ew::launch_binary<uint64_t>(a, b, out, n, ix, f);
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
