// CUDA kernels of the segment family (and so of edge_softmax). A "team" owns a segment: a warp for segments of up to
// kHeavy rows, a whole block for longer ones (a second launch whose blocks take the heavy segments in a grid-stride
// loop). Inside a team, lanes form groups of g (a power of two covering the row width, at most 32): a group reads
// g neighbouring columns of one row, so the warp reads 32 consecutive elements; groups stride over the rows.
// Reductions combine groups with a fixed butterfly and warps through shared memory in warp order: no atomics,
// bitwise reproducible.
#include <algorithm>

#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/message/segment.h"

namespace loom::detail {
namespace {

constexpr int64_t kHeavy = 1024;  // rows above which a segment gets a block
constexpr int kTeamWarps = kThreads / kWarp;

struct Team {
  int g;      // lanes per group (columns read side by side)
  int lane;   // lane within the warp
  int col;    // this thread's column within a chunk of g columns
  int sub;    // this thread's row slot
  int subs;   // row stride of the team
  int warp;   // warp within the team
  int warps;  // warps in the team (1 for a warp team)
};

template <class T>
struct ArgVal {
  T v;
  int64_t i;
};

template <class T>
__device__ T shfl_xor(T v, int o) {
  return __shfl_xor_sync(0xffffffffu, v, o);
}
template <class T>
__device__ ArgVal<T> shfl_xor(ArgVal<T> a, int o) {
  return {__shfl_xor_sync(0xffffffffu, a.v, o), __shfl_xor_sync(0xffffffffu, a.i, o)};
}

// Every thread of the team gets the combination, over the team, of the values of its column. `op` must be the
// same on every run (it is): groups combine in butterfly order, warps in warp order.
template <class V, class Op>
__device__ V team_reduce(V v, const Team& t, Op op, V* smem) {
  for (int o = t.g; o < kWarp; o <<= 1) v = op(v, shfl_xor(v, o));
  if (t.warps == 1) return v;
  __syncthreads();  // smem may still be read from the previous reduction
  if (t.lane < t.g) smem[t.warp * kWarp + t.lane] = v;
  __syncthreads();
  V r = smem[t.col];
  for (int w = 1; w < t.warps; ++w) r = op(r, smem[w * kWarp + t.col]);
  return r;
}

template <class T>
__device__ T take_max(T m, T v) {
  return (v > m || v != v) ? v : m;
}

// Shared memory big enough for the widest reduced value (ArgVal<double>) of a block team.
struct alignas(16) Smem {
  unsigned char bytes[kTeamWarps * kWarp * sizeof(ArgVal<double>)];
};

// Runs seg(s, begin, end, team, smem) for each segment of its kind: warp teams for light segments, block teams for
// heavy ones. Loops are uniform over a warp (light) or a block (heavy), so shuffles and barriers are safe.
template <bool kHeavyTeams, class Seg>
__global__ void segments_kernel(Seg seg, const int64_t* __restrict__ off, int64_t segs, int g) {
  __shared__ Smem smem;
  Team t;
  t.g = g;
  t.lane = threadIdx.x % kWarp;
  t.col = t.lane % g;
  if (kHeavyTeams) {
    t.warp = threadIdx.x / kWarp;
    t.warps = blockDim.x / kWarp;
    t.sub = t.warp * (kWarp / g) + t.lane / g;
    t.subs = t.warps * (kWarp / g);
    for (int64_t s = blockIdx.x; s < segs; s += gridDim.x) {
      const int64_t b = off[s], e = off[s + 1];
      if (e - b > kHeavy) seg(s, b, e, t, smem.bytes);
    }
  } else {
    t.warp = 0;
    t.warps = 1;
    t.sub = t.lane / g;
    t.subs = kWarp / g;
    const int64_t warps = int64_t(gridDim.x) * (blockDim.x / kWarp);
    for (int64_t s = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) / kWarp; s < segs; s += warps) {
      const int64_t b = off[s], e = off[s + 1];
      if (e - b <= kHeavy) seg(s, b, e, t, smem.bytes);
    }
  }
}

int lanes_for(int64_t width) {
  int g = 1;
  while (g < width && g < kWarp) g *= 2;
  return g;
}

// Launches both team kinds over all segments. The heavy launch is cheap when there are none: its blocks only read
// the offsets.
template <class Seg>
void launch_segments(const Seg& seg, const Tensor& offsets, int64_t width) {
  const int64_t segs = offsets.numel() - 1;
  if (segs <= 0) return;
  const int64_t* off = offsets.data<int64_t>();
  const int g = lanes_for(width);
  segments_kernel<false><<<row_blocks(segs), kThreads, 0, stream()>>>(seg, off, segs, g);
  LOOM_CUDA_CHECK_LAUNCH();
  const unsigned heavy_blocks = static_cast<unsigned>(std::min<int64_t>(segs, 1024));
  segments_kernel<true><<<heavy_blocks, kThreads, 0, stream()>>>(seg, off, segs, g);
  LOOM_CUDA_CHECK_LAUNCH();
}

struct SumOp {
  template <class T>
  __device__ T operator()(T a, T b) const { return a + b; }
};
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
