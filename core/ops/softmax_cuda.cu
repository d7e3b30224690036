// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of the softmax family, written once over a "policy" that says what a slice accumulates (forward: the
// running max and sum of exp; backward: one plain sum) and how an element is finished from the slice's statistic.
// Launch shapes: inner == 1 and a short axis: a thread or a warp per row; a long axis or few slices: chunked partials combined
// in a fixed order, then an elementwise pass; otherwise a thread per column. No atomics: bitwise reproducible.
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/ops/softmax.h"

namespace loom::detail {
namespace {

template <class A>
struct Stat {
  A m, s;  // forward: running max and sum of exp(x - m); backward: s only
};

// Forward: online max/sum (one exp per element), y = exp(x - m) / s or x - m - log s.
template <class T, bool kLog>
struct ForwardPolicy {
  using A = T;
  const T* x;
  T* y;
  __device__ static Stat<A> identity() { return {-INFINITY, A(0)}; }
  __device__ void add(Stat<A>& st, int64_t k) const {
    const A v = x[k];
    if (v > st.m) {
      st.s = st.s * exp(st.m - v) + A(1);
      st.m = v;
    } else if (!(v == st.m && v == -INFINITY)) {  // -inf against -inf adds exp(-inf) = 0, not NaN
      st.s += exp(v - st.m);
    }
  }
  __device__ static Stat<A> combine(Stat<A> a, Stat<A> b) {
    if (a.m == -INFINITY) return b;  // a holds only -inf (adds 0) or nothing
    if (b.m == -INFINITY) return a;
    const A m = a.m > b.m ? a.m : b.m;
    return {m, a.s * exp(a.m - m) + b.s * exp(b.m - m)};
  }
  __device__ void apply(int64_t k, Stat<A> st) const {
    y[k] = kLog ? T((x[k] - st.m) - log(st.s)) : T(exp(x[k] - st.m) / st.s);
  }
};

// Backward: softmax s = sum dy*y, dx = y*(dy - s); log_softmax s = sum dy, dx = dy - exp(y)*s.
template <class T, bool kLog>
struct BackwardPolicy {
  using A = T;
  const T* y;
  const T* dy;
  T* dx;
  __device__ static Stat<A> identity() { return {A(0), A(0)}; }
  __device__ void add(Stat<A>& st, int64_t k) const { st.s += kLog ? dy[k] : dy[k] * y[k]; }
  __device__ static Stat<A> combine(Stat<A> a, Stat<A> b) { return {A(0), a.s + b.s}; }
  __device__ void apply(int64_t k, Stat<A> st) const {
    dx[k] = kLog ? T(dy[k] - exp(y[k]) * st.s) : T(y[k] * (dy[k] - st.s));
  }
};

template <class A>
__device__ Stat<A> shfl_down(Stat<A> st, int off) {
  return {__shfl_down_sync(0xffffffffu, st.m, off), __shfl_down_sync(0xffffffffu, st.s, off)};
}

// Lane 0 gets the combination of the warp's 32 statistics (a fixed tree).
template <class P, class A>
__device__ Stat<A> warp_combine(Stat<A> st) {
  for (int off = 16; off > 0; off >>= 1) st = P::combine(st, shfl_down(st, off));
  return st;
}

// inner == 1, axis <= kWarpAxis: one warp per row, both passes in the kernel.
template <class P>
__global__ void rows_warp_kernel(P p, int64_t rows, int64_t axis) {
  using A = typename P::A;
  const int64_t row = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (row >= rows) return;  // whole warps leave together
  const int64_t base = row * axis;
  Stat<A> st = P::identity();
  for (int64_t a = lane; a < axis; a += 32) p.add(st, base + a);
  st = warp_combine<P>(st);
  st.m = __shfl_sync(0xffffffffu, st.m, 0);
  st.s = __shfl_sync(0xffffffffu, st.s, 0);
  for (int64_t a = lane; a < axis; a += 32) p.apply(base + a, st);
}

// inner == 1, long axis: one block per (row, chunk) writes the chunk's statistic to part[row * chunks + chunk].
template <class P>
__global__ void rows_partial_kernel(P p, Stat<typename P::A>* part, int64_t axis, int64_t chunk, int64_t chunks) {
  using A = typename P::A;
  __shared__ Stat<A> warps[kThreads / 32];
  const int64_t row = blockIdx.x / chunks, c = blockIdx.x % chunks;
  const int64_t a0 = c * chunk, a1 = min(axis, a0 + chunk);
  Stat<A> st = P::identity();
  for (int64_t a = a0 + threadIdx.x; a < a1; a += blockDim.x) p.add(st, row * axis + a);
  st = warp_combine<P>(st);
  if (threadIdx.x % 32 == 0) warps[threadIdx.x / 32] = st;
  __syncthreads();
  if (threadIdx.x < 32) {
    st = threadIdx.x < blockDim.x / 32 ? warps[threadIdx.x] : P::identity();
    st = warp_combine<P>(st);
    if (threadIdx.x == 0) part[blockIdx.x] = st;
  }
}

// inner > 1, few columns: one thread per (outer, chunk, inner) statistic, coalesced across inner.
template <class P>
__global__ void cols_partial_kernel(P p, Stat<typename P::A>* part, int64_t outer, int64_t axis, int64_t inner,
                                    int64_t chunk, int64_t chunks) {
  using A = typename P::A;
  const int64_t n = outer * chunks * inner;
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = t % inner, oc = t / inner;
    const int64_t o = oc / chunks, c = oc % chunks;
    const int64_t a1 = min(axis, (c + 1) * chunk);
    Stat<A> st = P::identity();
    for (int64_t a = c * chunk; a < a1; ++a) p.add(st, (o * axis + a) * inner + i);
    part[t] = st;
  }
}

// part [outer, chunks, inner] -> stats [outer, inner], chunks combined in order.
template <class P>
__global__ void combine_kernel(const Stat<typename P::A>* part, Stat<typename P::A>* stats, int64_t outer,
                               int64_t chunks, int64_t inner) {
  using A = typename P::A;
  const int64_t n = outer * inner;
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = t / inner, i = t % inner;
    Stat<A> st = P::identity();
    for (int64_t c = 0; c < chunks; ++c) st = P::combine(st, part[(o * chunks + c) * inner + i]);
    stats[t] = st;
  }
}

// Every element finished from its slice's statistic.
template <class P>
__global__ void apply_kernel(P p, const Stat<typename P::A>* stats, int64_t n, int64_t axis, int64_t inner) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = k / (axis * inner), i = k % inner;
    p.apply(k, stats[o * inner + i]);
  }
}

// inner > 1 with enough columns: one thread per column does both passes.
template <class P>
__global__ void cols_fused_kernel(P p, int64_t outer, int64_t axis, int64_t inner) {
  using A = typename P::A;
  const int64_t n = outer * inner;
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t base = (t / inner) * axis * inner + t % inner;
    Stat<A> st = P::identity();
    for (int64_t a = 0; a < axis; ++a) p.add(st, base + a * inner);
    for (int64_t a = 0; a < axis; ++a) p.apply(base + a * inner, st);
  }
}

constexpr int64_t kThreadAxis = 16;      // rows up to this long take a thread each
constexpr int64_t kWarpAxis = 1024;      // longer rows go to the chunked block path
constexpr int64_t kRowChunk = 4096;      // elements per block in the chunked row path
constexpr int64_t kMinColumnChunk = 64;  // shortest axis chunk in the chunked column path
constexpr int64_t kTargetThreads = 1 << 16;

template <class P>
void launch(const P& p, const ReduceDims& d, DType dtype, Device device) {
  using A = typename P::A;
  const int64_t n = d.outer * d.axis * d.inner;
  if (n == 0) return;
  if (d.inner == 1 && d.axis <= kThreadAxis) {
    // Very short rows: a thread per row; a warp reads neighbouring rows, so loads still share cache lines.
    cols_fused_kernel<P><<<blocks_for(d.outer), kThreads, 0, stream()>>>(p, d.outer, d.axis, 1);
    LOOM_CUDA_CHECK_LAUNCH();
    return;
  }
  if (d.inner == 1 && d.axis <= kWarpAxis) {
    const int64_t threads = d.outer * 32;
    rows_warp_kernel<P><<<static_cast<unsigned>((threads + kThreads - 1) / kThreads), kThreads, 0, stream()>>>(
        p, d.outer, d.axis);
    LOOM_CUDA_CHECK_LAUNCH();
    return;
  }
  const int64_t cols = d.outer * d.inner;
  int64_t chunk = kRowChunk;
  if (d.inner > 1) {
    // Enough columns (or a short axis): a thread per column. Otherwise split the axis so ~kTargetThreads work.
    if (cols >= kTargetThreads / 4 || d.axis <= kMinColumnChunk) {
      cols_fused_kernel<P><<<blocks_for(cols), kThreads, 0, stream()>>>(p, d.outer, d.axis, d.inner);
      LOOM_CUDA_CHECK_LAUNCH();
      return;
    }
    const int64_t want = (kTargetThreads + cols - 1) / cols;
    chunk = std::max(kMinColumnChunk, (d.axis + want - 1) / want);
  }
  const int64_t chunks = (d.axis + chunk - 1) / chunk;
  // Statistics buffers: [outer, chunks, inner] partials and [outer, inner] combined, as raw A pairs.
  Tensor buf = empty({2 * (cols * chunks + cols)}, dtype, device);
  auto* part = reinterpret_cast<Stat<A>*>(buf.data<A>());
  Stat<A>* stats = part + cols * chunks;
  if (d.inner == 1) {
    rows_partial_kernel<P><<<static_cast<unsigned>(d.outer * chunks), kThreads, 0, stream()>>>(p, part, d.axis,
                                                                                                 chunk, chunks);
  } else {
    cols_partial_kernel<P><<<blocks_for(cols * chunks), kThreads, 0, stream()>>>(p, part, d.outer, d.axis, d.inner,
                                                                                  chunk, chunks);
  }
  LOOM_CUDA_CHECK_LAUNCH();
  combine_kernel<P><<<blocks_for(cols), kThreads, 0, stream()>>>(part, stats, d.outer, chunks, d.inner);
  LOOM_CUDA_CHECK_LAUNCH();
  apply_kernel<P><<<blocks_for(n), kThreads, 0, stream()>>>(p, stats, n, d.axis, d.inner);
  LOOM_CUDA_CHECK_LAUNCH();
}

}  // namespace

void softmax_forward_cuda(const Tensor& x, const ReduceDims& d, bool log_, const Tensor& y) {
  dispatch_floating(x.dtype(), log_ ? "log_softmax" : "softmax", [&]<class T>() {
    if (log_) launch(ForwardPolicy<T, true>{x.data<T>(), y.data<T>()}, d, x.dtype(), x.device());
    else launch(ForwardPolicy<T, false>{x.data<T>(), y.data<T>()}, d, x.dtype(), x.device());
  });
}

void softmax_backward_cuda(const Tensor& y, const Tensor& dy, const ReduceDims& d, bool log_, const Tensor& dx) {
  dispatch_floating(y.dtype(), log_ ? "log_softmax backward" : "softmax backward", [&]<class T>() {
    if (log_) launch(BackwardPolicy<T, true>{y.data<T>(), dy.data<T>(), dx.data<T>()}, d, y.dtype(), y.device());
    else launch(BackwardPolicy<T, false>{y.data<T>(), dy.data<T>(), dx.data<T>()}, d, y.dtype(), y.device());
  });
}

}  // namespace loom::detail
