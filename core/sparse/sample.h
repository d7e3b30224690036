// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Neighbour sampling's per-node draw (loom/graph/sampler.h), written once for the CPU sampler (graph/sampler.cpp) and
// the CUDA hop (sample_cuda.cu), so both devices draw the same edges for the same seed. Node v's draws at a hop come
// from the counter-based hash (core/ops/random.h) keyed by sample_node_key(hop_seed, v), draw j from counter j: no
// generator state, so a GPU thread per node needs nothing but the key.
#pragma once
#include <cstdint>

#include "core/detail/macros.h"
#include "core/ops/random.h"
#include "loom/core/tensor.h"

namespace loom::detail {

// Edges a node of in-degree `degree` keeps: every one for fanout -1 or (without replacement) a degree <= fanout,
// otherwise fanout (none for an isolated node).
LOOM_HOST_DEVICE inline int64_t sampled_count(int64_t degree, int64_t fanout, bool replace) {
  if (fanout < 0 || (!replace && degree <= fanout)) return degree;
  return degree == 0 ? 0 : fanout;
}

LOOM_HOST_DEVICE inline uint64_t sample_node_key(uint64_t hop_seed, int64_t node) {
  return hash_key(hash_bits(hop_seed, static_cast<uint64_t>(node)));
}

// A uniform integer in [0, n) from 64 random bits (the high half of bits * n: no modulo bias worth naming).
LOOM_HOST_DEVICE inline uint64_t bounded_draw(uint64_t bits, uint64_t n) {
#ifdef __CUDA_ARCH__
  return __umul64hi(bits, n);
#else
  return static_cast<uint64_t>((static_cast<unsigned __int128>(bits) * n) >> 64);
#endif
}

// Edge positions [begin, begin + degree) of one node: `out` receives sampled_count(...) of them, ascending without
// replacement (Floyd's subset draw: each k-subset equally likely), in draw order with replacement.
LOOM_HOST_DEVICE inline void draw_edges(int64_t begin, int64_t degree, int64_t fanout, bool replace, uint64_t key,
                                        int64_t* out) {
  const int64_t k = sampled_count(degree, fanout, replace);
  if (k == degree && !(replace && fanout >= 0)) {
    for (int64_t j = 0; j < k; ++j) out[j] = begin + j;
    return;
  }
  if (replace) {
    for (int64_t j = 0; j < k; ++j)
      out[j] = begin + static_cast<int64_t>(bounded_draw(hash_keyed(key, static_cast<uint64_t>(j)),
                                                         static_cast<uint64_t>(degree)));
    return;
  }
  int64_t n = 0;
  for (int64_t j = degree - k; j < degree; ++j) {
    const int64_t t = static_cast<int64_t>(
        bounded_draw(hash_keyed(key, static_cast<uint64_t>(n)), static_cast<uint64_t>(j + 1)));
    bool taken = false;
    for (int64_t q = 0; q < n; ++q) taken = taken || out[q] == begin + t;
    out[n++] = begin + (taken ? j : t);
  }
  for (int64_t a = 1; a < k; ++a) {  // k <= fanout is small: an insertion sort, the same on both devices
    const int64_t x = out[a];
    int64_t b = a - 1;
    for (; b >= 0 && out[b] > x; --b) out[b + 1] = out[b];
    out[b + 1] = x;
  }
}

// One hop on CUDA, the CPU sampler's result to the bit: the frontier's draws, then local ids for the block (the
// frontier first, then each new source in order of first appearance among the draws).
struct SampledHop {
  Tensor src;       // int64 [n_src]: global ids, the frontier first
  Tensor indptr;    // int64 [n_src + 1]: only the frontier's rows have entries
  Tensor cols;      // int32 [E]: local source ids
  Tensor edge_ids;  // int64 [E]: positions in the graph's csr()
};
// indptr int64 [N + 1], indices int32 and frontier int64 on one CUDA device. `map` (int32 [N]) and `first` (int64
// [N]) are scratch, all -1 on entry and again on return, so one pair serves every hop of a batch.
SampledHop sample_hop_cuda(const Tensor& indptr, const Tensor& indices, const Tensor& frontier, int64_t fanout,
                           bool replace, uint64_t hop_seed, const Tensor& map, const Tensor& first);

}  // namespace loom::detail
