// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of the reduce family. Sums use fixed trees (no atomics), so results are bitwise reproducible.
#include <algorithm>
#include <type_traits>

#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/ops/reduce.h"

namespace loom::detail {
namespace {

// Segments (chunks of a row) up to this length take the group kernel; longer ones a block each.
constexpr int64_t kGroupAxisMax = 512;

// inner == 1, segments longer than kGroupAxisMax: one block per (outer, chunk), a strided per-thread sum then a
// shared-memory tree (full occupancy for the few long segments of a full-tensor sum).
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

// inner == 1 and segments of at most kGroupAxisMax: G lanes per (outer, chunk) segment, G the smallest power of two
// >= the chunk length (at most a warp), so many short rows share a warp instead of each taking a 256-thread block.
// Lane l sums elements l, l + G, ... in order, then a fixed xor butterfly over the G lanes: the order depends only
// on the axis length and chunk, never on the grid.
template <int G, class T>
__global__ void sum_rows_group_kernel(const T* __restrict__ x, T* __restrict__ out, int64_t segments, int64_t axis,
                                      int64_t chunk, int64_t chunks) {
  const int64_t seg = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) / G;
  const int lane = threadIdx.x % G;
  T s(0);
  if (seg < segments) {  // no early return: every lane of the warp takes part in the shuffles
    const int64_t o = seg / chunks, c = seg % chunks;
    const int64_t a0 = c * chunk, a1 = min(axis, a0 + chunk);
    const T* row = x + o * axis;
#pragma unroll 4
    for (int64_t a = a0 + lane; a < a1; a += G) s += row[a];
  }
#pragma unroll
  for (int off = G / 2; off > 0; off >>= 1) s += __shfl_xor_sync(0xffffffffu, s, off);
  if (lane == 0 && seg < segments) out[seg] = s;
}

// Calls f(std::integral_constant<int, G>) with G the smallest power of two >= len, capped at a warp.
template <class F>
void with_group_size(int64_t len, F&& f) {
  if (len <= 1) f(std::integral_constant<int, 1>{});
  else if (len <= 2) f(std::integral_constant<int, 2>{});
  else if (len <= 4) f(std::integral_constant<int, 4>{});
  else if (len <= 8) f(std::integral_constant<int, 8>{});
  else if (len <= 16) f(std::integral_constant<int, 16>{});
  else f(std::integral_constant<int, 32>{});
}

// Blocks for `segments` groups of G lanes (one group per segment, no grid-stride).
template <int G>
unsigned group_blocks(int64_t segments) {
  return static_cast<unsigned>((segments * G + kThreads - 1) / kThreads);
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

// Arg-max, inner == 1: G lanes per (outer, chunk) (G as for the sums); lanes scan strided, then a xor butterfly keeps
// the winner (max_wins breaks ties by index, so the result does not depend on the lane order).
template <int G, class T>
__global__ void max_rows_group_kernel(const T* __restrict__ x, const int64_t* __restrict__ in_index,
                                      T* __restrict__ vals, int64_t* __restrict__ idx, int64_t segments, int64_t axis,
                                      int64_t chunk, int64_t chunks) {
  const int64_t seg = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) / G;
  const int lane = threadIdx.x % G;
  const bool live = seg < segments;  // no early return: every lane of the warp takes part in the shuffles
  const int64_t o = live ? seg / chunks : 0, c = live ? seg % chunks : 0;
  const int64_t a0 = c * chunk, a1 = min(axis, a0 + chunk);
  const T* row = x + o * axis;
  const int64_t* irow = in_index ? in_index + o * axis : nullptr;
  T v = row[a0];
  int64_t j = irow ? irow[a0] : a0;
  for (int64_t a = a0 + lane; a < a1; a += G) {
    const int64_t ja = irow ? irow[a] : a;
    if (max_wins(row[a], ja, v, j)) {
      v = row[a];
      j = ja;
    }
  }
#pragma unroll
  for (int off = G / 2; off > 0; off >>= 1) {
    const T w = __shfl_xor_sync(0xffffffffu, v, off);
    const int64_t jw = __shfl_xor_sync(0xffffffffu, j, off);
    if (max_wins(w, jw, v, j)) {
      v = w;
      j = jw;
    }
  }
  if (lane == 0 && live) {
    vals[seg] = v;
    idx[seg] = j;
  }
}

// Arg-max, inner > 1: one thread per (outer, chunk, inner) output, coalesced across inner.
template <class T>
__global__ void max_inner_kernel(const T* __restrict__ x, const int64_t* __restrict__ in_index, T* __restrict__ vals,
                                 int64_t* __restrict__ idx, int64_t outer, int64_t axis, int64_t inner, int64_t chunk,
                                 int64_t chunks) {
  const int64_t n = outer * chunks * inner;
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = t % inner, oc = t / inner;
    const int64_t o = oc / chunks, c = oc % chunks;
    const int64_t a0 = c * chunk, a1 = min(axis, a0 + chunk);
    const int64_t base = o * axis * inner + i;
    T v = x[base + a0 * inner];
    int64_t j = in_index ? in_index[base + a0 * inner] : a0;
    for (int64_t a = a0 + 1; a < a1; ++a) {
      const T w = x[base + a * inner];
      const int64_t jw = in_index ? in_index[base + a * inner] : a;
      if (max_wins(w, jw, v, j)) {
        v = w;
        j = jw;
      }
    }
    vals[t] = v;
    idx[t] = j;
  }
}

template <class T>
__global__ void max_backward_kernel(const T* __restrict__ dy, const int64_t* __restrict__ index, T* __restrict__ dx,
                                    int64_t n, int64_t axis, int64_t inner) {
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = t / inner, i = t % inner;
    dx[(o * axis + index[t]) * inner + i] = dy[t];
  }
}

}  // namespace

void max_dim_cuda(const Tensor& x, const Tensor& in_index, const ReduceDims& d, int64_t chunk, const Tensor& values,
                  const Tensor& indices) {
  const int64_t chunks = d.axis <= chunk ? 1 : (d.axis + chunk - 1) / chunk;
  const int64_t n = d.outer * chunks * d.inner;
  if (n == 0) return;
  const int64_t* pin = in_index.defined() ? in_index.data<int64_t>() : nullptr;
  dispatch_floating(x.dtype(), "max", [&]<class T>() {
    if (d.inner == 1) {
      with_group_size(std::min(d.axis, chunk), [&](auto g) {
        constexpr int G = decltype(g)::value;
        max_rows_group_kernel<G, T><<<group_blocks<G>(n), kThreads, 0, stream()>>>(
            x.data<T>(), pin, values.data<T>(), indices.data<int64_t>(), n, d.axis, chunk, chunks);
      });
    } else {
      max_inner_kernel<T><<<blocks_for(n), kThreads, 0, stream()>>>(x.data<T>(), pin, values.data<T>(),
                                                                     indices.data<int64_t>(), d.outer, d.axis, d.inner,
                                                                     chunk, chunks);
    }
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

void max_backward_cuda(const Tensor& dy, const Tensor& index, const ReduceDims& d, const Tensor& dx) {
  const int64_t n = d.outer * d.inner;
  if (n == 0) return;
  dispatch_floating(dy.dtype(), "max backward", [&]<class T>() {
    max_backward_kernel<T><<<blocks_for(n), kThreads, 0, stream()>>>(dy.data<T>(), index.data<int64_t>(),
                                                                      dx.data<T>(), n, d.axis, d.inner);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

void sum_dim_cuda(const Tensor& x, const ReduceDims& d, int64_t chunk, const Tensor& out) {
  const int64_t chunks = d.axis <= chunk ? 1 : (d.axis + chunk - 1) / chunk;
  if (d.outer * chunks * d.inner == 0) return;
  dispatch_floating(x.dtype(), "sum", [&]<class T>() {
    const int64_t segments = d.outer * chunks;
    if (d.inner == 1 && std::min(d.axis, chunk) <= kGroupAxisMax) {
      with_group_size(std::min(d.axis, chunk), [&](auto g) {
        constexpr int G = decltype(g)::value;
        sum_rows_group_kernel<G, T><<<group_blocks<G>(segments), kThreads, 0, stream()>>>(
            x.data<T>(), out.data<T>(), segments, d.axis, chunk, chunks);
      });
    } else if (d.inner == 1) {
      sum_rows_kernel<T><<<static_cast<unsigned>(segments), kThreads, 0, stream()>>>(x.data<T>(), out.data<T>(),
                                                                                     d.axis, chunk, chunks);
    } else {
      sum_inner_kernel<T><<<blocks_for(d.outer * chunks * d.inner), kThreads, 0, stream()>>>(
          x.data<T>(), out.data<T>(), d.outer, d.axis, d.inner, chunk, chunks);
    }
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace loom::detail
