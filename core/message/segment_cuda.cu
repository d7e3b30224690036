// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of the segment family (and so of edge_softmax): each segment is owned by a team (team.cuh), a warp or
// for heavy segments a block, which makes the max / exp-sum / normalising passes (or one reduction) over it.
#include "core/detail/dispatch.h"
#include "core/message/segment.h"
#include "core/message/team.cuh"

namespace loom::detail {
namespace {

using team::ArgVal;
using team::launch_segments;
using team::SumOp;
using team::Team;
using team::team_reduce;
using team::take_max;

struct MaxOp {
  template <class T>
  __device__ T operator()(T a, T b) const { return take_max(a, b); }
};
template <bool kMax>
struct ArgOp {
  template <class T>
  __device__ ArgVal<T> operator()(ArgVal<T> a, ArgVal<T> b) const {
    if (b.i < 0) return a;
    if (a.i < 0) return b;
    return arg_wins<kMax>(b.v, b.i, a.v, a.i) ? b : a;
  }
};

// Columns are walked in chunks of g; threads whose column falls past the width take part with identities.
template <class T>
struct SumReduce {
  const T* x;
  T* out;
  int64_t w;
  bool mean;
  __device__ void operator()(int64_t s, int64_t b, int64_t e, const Team& t, unsigned char* smem) const {
    for (int64_t c0 = 0; c0 < w; c0 += t.g) {
      const int64_t c = c0 + t.col;
      T acc(0);
      if (c < w)
        for (int64_t i = b + t.sub; i < e; i += t.subs) acc += x[i * w + c];
      acc = team_reduce(acc, t, SumOp{}, reinterpret_cast<T*>(smem));
      if (mean && e > b) acc /= T(e - b);
      if (t.sub == 0 && c < w) out[s * w + c] = acc;
    }
  }
};

template <class T, bool kMax>
struct ArgReduce {
  const T* x;
  T* out;
  int64_t* arg;
  int64_t w;
  __device__ void operator()(int64_t s, int64_t b, int64_t e, const Team& t, unsigned char* smem) const {
    for (int64_t c0 = 0; c0 < w; c0 += t.g) {
      const int64_t c = c0 + t.col;
      ArgVal<T> best{T(0), -1};
      if (c < w) {
        for (int64_t i = b + t.sub; i < e; i += t.subs) {
          const T v = x[i * w + c];
          if (best.i < 0 || arg_wins<kMax>(v, i, best.v, best.i)) best = {v, i};
        }
      }
      best = team_reduce(best, t, ArgOp<kMax>{}, reinterpret_cast<ArgVal<T>*>(smem));
      if (t.sub == 0 && c < w) {
        out[s * w + c] = best.i < 0 ? T(0) : best.v;
        arg[s * w + c] = best.i;
      }
    }
  }
};

template <class T>
struct Broadcast {  // sum / mean backward: dx[i] = dy[s] * scale
  const T* dy;
  T* dx;
  int64_t w;
  bool mean;
  __device__ void operator()(int64_t s, int64_t b, int64_t e, const Team& t, unsigned char*) const {
    const T scale = mean && e > b ? T(1) / T(e - b) : T(1);
    for (int64_t c0 = 0; c0 < w; c0 += t.g) {
      const int64_t c = c0 + t.col;
      if (c >= w) continue;
      const T d = dy[s * w + c] * scale;
      for (int64_t i = b + t.sub; i < e; i += t.subs) dx[i * w + c] = d;
    }
  }
};

template <class T>
struct Softmax {
  const T* x;
  T* y;
  int64_t w;
  __device__ void operator()(int64_t, int64_t b, int64_t e, const Team& t, unsigned char* smem) const {
    T* red = reinterpret_cast<T*>(smem);
    for (int64_t c0 = 0; c0 < w; c0 += t.g) {
      const int64_t c = c0 + t.col;
      const bool on = c < w;
      T m(-INFINITY);
      if (on)
        for (int64_t i = b + t.sub; i < e; i += t.subs) m = take_max(m, x[i * w + c]);
      m = team_reduce(m, t, MaxOp{}, red);
      T sum(0);
      if (on)
        for (int64_t i = b + t.sub; i < e; i += t.subs) sum += exp(x[i * w + c] - m);
      sum = team_reduce(sum, t, SumOp{}, red);
      const T inv = T(1) / sum;
      if (on)
        for (int64_t i = b + t.sub; i < e; i += t.subs) y[i * w + c] = exp(x[i * w + c] - m) * inv;
    }
  }
};

template <class T>
struct SoftmaxBackward {
  const T* y;
  const T* dy;
  T* dx;
  int64_t w;
  __device__ void operator()(int64_t, int64_t b, int64_t e, const Team& t, unsigned char* smem) const {
    for (int64_t c0 = 0; c0 < w; c0 += t.g) {
      const int64_t c = c0 + t.col;
      const bool on = c < w;
      T acc(0);
      if (on)
        for (int64_t i = b + t.sub; i < e; i += t.subs) acc += y[i * w + c] * dy[i * w + c];
      acc = team_reduce(acc, t, SumOp{}, reinterpret_cast<T*>(smem));
      if (on)
        for (int64_t i = b + t.sub; i < e; i += t.subs) dx[i * w + c] = y[i * w + c] * (dy[i * w + c] - acc);
    }
  }
};

template <class T>
__global__ void arg_scatter_kernel(const T* __restrict__ dy, const int64_t* __restrict__ arg, T* __restrict__ dx,
                                   int64_t n, int64_t w) {
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x)
    if (arg[t] >= 0) dx[arg[t] * w + t % w] = dy[t];
}

// The smallest bad position (atomicMin of positions gives the same answer on every run).
__global__ void bad_offset_kernel(const int64_t* __restrict__ o, int64_t last, int64_t n,
                                  unsigned long long* first) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i <= last; i += int64_t(gridDim.x) * blockDim.x) {
    const bool bad = (i == 0 && o[0] != 0) || (i > 0 && o[i] < o[i - 1]) || (i == last && o[i] != n);
    if (bad) atomicMin(first, static_cast<unsigned long long>(i));
  }
}

}  // namespace

BadOffset find_bad_offset_cuda(const Tensor& offsets, int64_t n) {
  const int64_t last = offsets.numel() - 1;
  Tensor first = full({1}, -1.0, kInt64, offsets.device());  // all bits set: the largest unsigned value
  auto* pf = reinterpret_cast<unsigned long long*>(first.data<int64_t>());
  bad_offset_kernel<<<blocks_for(last + 1), kThreads, 0, stream()>>>(offsets.data<int64_t>(), last, n, pf);
  LOOM_CUDA_CHECK_LAUNCH();
  const int64_t pos = first.cpu().item<int64_t>();
  if (pos < 0) return {};
  return {pos, offsets.narrow_rows(pos, pos + 1).cpu().item<int64_t>()};
}

void segment_reduce_cuda(const Tensor& x, const Tensor& offsets, Reduce reduce, const Tensor& out,
                         const Tensor& arg) {
  const int64_t w = row_width(x);
  dispatch_floating(x.dtype(), "segment_reduce", [&]<class T>() {
    if (reduce == Reduce::kMax) {
      launch_segments(ArgReduce<T, true>{x.data<T>(), out.data<T>(), arg.data<int64_t>(), w}, offsets, w);
    } else if (reduce == Reduce::kMin) {
      launch_segments(ArgReduce<T, false>{x.data<T>(), out.data<T>(), arg.data<int64_t>(), w}, offsets, w);
    } else {
      launch_segments(SumReduce<T>{x.data<T>(), out.data<T>(), w, reduce == Reduce::kMean}, offsets, w);
    }
  });
}

void segment_reduce_backward_cuda(const Tensor& dy, const Tensor& offsets, Reduce reduce, const Tensor& arg,
                                  const Tensor& dx) {
  const int64_t w = row_width(dx);
  dispatch_floating(dy.dtype(), "segment_reduce backward", [&]<class T>() {
    if (reduce == Reduce::kMax || reduce == Reduce::kMin) {
      arg_scatter_kernel<T><<<blocks_for(dy.numel()), kThreads, 0, stream()>>>(dy.data<T>(), arg.data<int64_t>(),
                                                                              dx.data<T>(), dy.numel(), w);
      LOOM_CUDA_CHECK_LAUNCH();
    } else {
      launch_segments(Broadcast<T>{dy.data<T>(), dx.data<T>(), w, reduce == Reduce::kMean}, offsets, w);
    }
  });
}

void segment_softmax_cuda(const Tensor& x, const Tensor& offsets, const Tensor& y) {
  const int64_t w = row_width(x);
  dispatch_floating(x.dtype(), "segment_softmax",
                    [&]<class T>() { launch_segments(Softmax<T>{x.data<T>(), y.data<T>(), w}, offsets, w); });
}

void segment_softmax_backward_cuda(const Tensor& y, const Tensor& dy, const Tensor& offsets, const Tensor& dx) {
  const int64_t w = row_width(y);
  dispatch_floating(y.dtype(), "segment_softmax backward", [&]<class T>() {
    launch_segments(SoftmaxBackward<T>{y.data<T>(), dy.data<T>(), dx.data<T>(), w}, offsets, w);
  });
}

}  // namespace loom::detail
