// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// One hop of neighbour sampling on CUDA (core/sparse/sample.h). A thread per frontier node draws its edges with the
// shared draw_edges; local ids come from two N-sized scratch arrays instead of the CPU's hash map: map[v] holds a
// node's local id (-1: none yet), first[v] the first draw that reached a new node (an atomicMin over draw positions,
// so the order of first appearance does not depend on the schedule). Two small copies to the host per hop: the number
// of draws and the number of new sources, which size the outputs.
#include <cub/cub.cuh>

#include <climits>

#include "core/detail/cuda_runtime.h"
#include "core/detail/cuda_utils.cuh"
#include "core/detail/int_bounds.h"
#include "core/sparse/sample.h"
#include "loom/core/ops.h"

namespace loom::detail {
namespace {

#define LOOM_GRID_LOOP(i, n) \
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < (n); i += int64_t(gridDim.x) * blockDim.x)

__global__ void count_kernel(const int64_t* __restrict__ ip, const int64_t* __restrict__ frontier, int64_t n,
                             int64_t fanout, bool replace, int64_t* __restrict__ count) {
  LOOM_GRID_LOOP(i, n) {
    const int64_t v = frontier[i];
    count[i] = sampled_count(ip[v + 1] - ip[v], fanout, replace);
  }
}

__global__ void draw_kernel(const int64_t* __restrict__ ip, const int32_t* __restrict__ ix,
                            const int64_t* __restrict__ frontier, const int64_t* __restrict__ start, int64_t n,
                            int64_t fanout, bool replace, uint64_t hop_seed, int64_t* __restrict__ picks,
                            int64_t* __restrict__ nodes) {
  LOOM_GRID_LOOP(i, n) {
    const int64_t v = frontier[i];
    draw_edges(ip[v], ip[v + 1] - ip[v], fanout, replace, sample_node_key(hop_seed, v), picks + start[i]);
    for (int64_t k = start[i]; k < start[i + 1]; ++k) nodes[k] = ix[picks[k]];
  }
}

__global__ void mark_frontier_kernel(const int64_t* __restrict__ frontier, int64_t n, int32_t* __restrict__ map) {
  LOOM_GRID_LOOP(i, n) map[frontier[i]] = static_cast<int32_t>(i);
}

__global__ void first_draw_kernel(const int64_t* __restrict__ nodes, int64_t e, const int32_t* __restrict__ map,
                                  unsigned long long* __restrict__ first) {
  LOOM_GRID_LOOP(k, e) {
    const int64_t u = nodes[k];
    if (map[u] < 0) atomicMin(first + u, static_cast<unsigned long long>(k));
  }
}

// flag[k] = 1 where draw k is the first to reach a node outside the frontier.
__global__ void new_source_flags_kernel(const int64_t* __restrict__ nodes, int64_t e, const int32_t* __restrict__ map,
                                        const unsigned long long* __restrict__ first, int64_t* __restrict__ flag) {
  LOOM_GRID_LOOP(k, e) {
    const int64_t u = nodes[k];
    flag[k] = map[u] < 0 && first[u] == static_cast<unsigned long long>(k) ? 1 : 0;
  }
}

__global__ void place_new_sources_kernel(const int64_t* __restrict__ nodes, int64_t e, const int64_t* __restrict__ flag,
                                         const int64_t* __restrict__ pos, int64_t n_dst, int64_t* __restrict__ src,
                                         int32_t* __restrict__ map) {
  LOOM_GRID_LOOP(k, e) {
    if (flag[k] == 0) continue;
    const int64_t u = nodes[k];
    src[n_dst + pos[k]] = u;
    map[u] = static_cast<int32_t>(n_dst + pos[k]);
  }
}

__global__ void local_cols_kernel(const int64_t* __restrict__ nodes, int64_t e, const int32_t* __restrict__ map,
                                  int32_t* __restrict__ cols) {
  LOOM_GRID_LOOP(k, e) cols[k] = map[nodes[k]];
}

// The block's indptr: the frontier's offsets, then empty rows for the new sources.
__global__ void block_indptr_kernel(const int64_t* __restrict__ start, int64_t n_dst, int64_t n_src,
                                    int64_t* __restrict__ indptr) {
  LOOM_GRID_LOOP(i, n_src + 1) indptr[i] = start[i <= n_dst ? i : n_dst];
}

__global__ void copy_kernel(const int64_t* __restrict__ in, int64_t n, int64_t* __restrict__ out) {
  LOOM_GRID_LOOP(i, n) out[i] = in[i];
}

__global__ void reset_kernel(const int64_t* __restrict__ src, int64_t n, int32_t* __restrict__ map,
                             unsigned long long* __restrict__ first) {
  LOOM_GRID_LOOP(i, n) {
    map[src[i]] = -1;
    first[src[i]] = ULLONG_MAX;
  }
}

#undef LOOM_GRID_LOOP

// out[0..n] = exclusive prefix sums of in[0..n] (in[n] is 0, so out[n] is the total).
void exclusive_sum(const Tensor& in, const Tensor& out) {
  const int64_t n = in.numel();
  size_t bytes = 0;
  LOOM_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(nullptr, bytes, in.data<int64_t>(), out.data<int64_t>(), n, stream()));
  const Tensor temp = empty({static_cast<int64_t>((bytes + 7) / 8) + 1}, kInt64, in.device());
  LOOM_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(temp.raw_data(), bytes, in.data<int64_t>(), out.data<int64_t>(), n,
                                                stream()));
}

int64_t last_value(const Tensor& t) {
  int64_t v = 0;
  cuda_copy_d2h(&v, t.data<int64_t>() + t.numel() - 1, sizeof(v));
  return v;
}

}  // namespace

SampledHop sample_hop_cuda(const Tensor& indptr, const Tensor& indices, const Tensor& frontier, int64_t fanout,
                           bool replace, uint64_t hop_seed, const Tensor& map, const Tensor& first) {
  const Device dev = frontier.device();
  const int64_t n_dst = frontier.numel();
  const int64_t* ip = indptr.data<int64_t>();
  const int64_t* fr = frontier.data<int64_t>();
  int32_t* mp = map.data<int32_t>();
  auto* fp = reinterpret_cast<unsigned long long*>(first.data<int64_t>());

  Tensor count = zeros({n_dst + 1}, kInt64, dev), start = empty({n_dst + 1}, kInt64, dev);
  count_kernel<<<blocks_for(n_dst), kThreads, 0, stream()>>>(ip, fr, n_dst, fanout, replace, count.data<int64_t>());
  LOOM_CUDA_CHECK_LAUNCH();
  exclusive_sum(count, start);
  const int64_t e = last_value(start);

  SampledHop h;
  h.edge_ids = empty({e}, kInt64, dev);
  Tensor nodes = empty({e}, kInt64, dev);
  draw_kernel<<<blocks_for(n_dst), kThreads, 0, stream()>>>(ip, indices.data<int32_t>(), fr, start.data<int64_t>(),
                                                            n_dst, fanout, replace, hop_seed,
                                                            h.edge_ids.data<int64_t>(), nodes.data<int64_t>());
  LOOM_CUDA_CHECK_LAUNCH();
  mark_frontier_kernel<<<blocks_for(n_dst), kThreads, 0, stream()>>>(fr, n_dst, mp);
  LOOM_CUDA_CHECK_LAUNCH();
  const int64_t* nd = nodes.data<int64_t>();
  first_draw_kernel<<<blocks_for(e), kThreads, 0, stream()>>>(nd, e, mp, fp);
  LOOM_CUDA_CHECK_LAUNCH();
  Tensor flag = zeros({e + 1}, kInt64, dev), pos = empty({e + 1}, kInt64, dev);
  new_source_flags_kernel<<<blocks_for(e), kThreads, 0, stream()>>>(nd, e, mp, fp, flag.data<int64_t>());
  LOOM_CUDA_CHECK_LAUNCH();
  exclusive_sum(flag, pos);
  const int64_t n_src = n_dst + last_value(pos);

  h.src = empty({n_src}, kInt64, dev);
  copy_kernel<<<blocks_for(n_dst), kThreads, 0, stream()>>>(fr, n_dst, h.src.data<int64_t>());
  LOOM_CUDA_CHECK_LAUNCH();
  // Ids past int32 would wrap in the map; the caller refuses such hops (as the CPU sampler does) before using them.
  place_new_sources_kernel<<<blocks_for(e), kThreads, 0, stream()>>>(nd, e, flag.data<int64_t>(), pos.data<int64_t>(),
                                                                     n_dst, h.src.data<int64_t>(), mp);
  LOOM_CUDA_CHECK_LAUNCH();
  h.cols = empty({e}, kInt32, dev);
  local_cols_kernel<<<blocks_for(e), kThreads, 0, stream()>>>(nd, e, mp, h.cols.data<int32_t>());
  LOOM_CUDA_CHECK_LAUNCH();
  h.indptr = empty({n_src + 1}, kInt64, dev);
  block_indptr_kernel<<<blocks_for(n_src + 1), kThreads, 0, stream()>>>(start.data<int64_t>(), n_dst, n_src,
                                                                        h.indptr.data<int64_t>());
  LOOM_CUDA_CHECK_LAUNCH();
  reset_kernel<<<blocks_for(n_src), kThreads, 0, stream()>>>(h.src.data<int64_t>(), n_src, mp, fp);
  LOOM_CUDA_CHECK_LAUNCH();
  // In range by construction (the frontier's and the csr's ids, edge positions, the local ids made here): recorded
  // (core/detail/int_bounds.h), so the gathers downstream (features, edge weights) skip their device pass and wait.
  note_in_range(h.src, map.numel());
  note_in_range(h.edge_ids, indices.numel());
  note_in_range(h.cols, n_src);
  return h;
}

}  // namespace loom::detail
