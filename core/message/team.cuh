// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA-only, private to the message engine: "teams" that own one segment of entries (a Csr row or a segment of
// segment_reduce). A warp serves segments of up to kHeavy entries; a whole block serves longer ones (a second
// launch whose blocks take the heavy segments in a grid-stride loop). Inside a team, lanes form groups of g (a power
// of two covering the row width, at most 32): a group reads g neighbouring columns of one entry, so a warp reads 32
// consecutive elements, and groups stride over the entries. Reductions combine groups with a fixed butterfly and
// warps through shared memory in warp order: no atomics, bitwise reproducible.
#pragma once
#include <algorithm>

#include "core/detail/cuda_utils.cuh"
#include "loom/core/tensor.h"

namespace loom::detail::team {

constexpr int64_t kHeavy = 1024;  // entries above which a segment gets a block
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

inline int lanes_for(int64_t width) {
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

}  // namespace loom::detail::team
