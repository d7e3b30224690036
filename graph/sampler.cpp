// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The CPU neighbour sampler (loom/graph/sampler.h). Per hop: every frontier node draws its edges in parallel into its
// own slice (sizes known up front, so no locks), then one sequential pass gives each new source the next local id
// in order of first appearance, which makes the block's numbering independent of the thread schedule.
#include "loom/graph/sampler.h"

#include <algorithm>
#include <random>
#include <string>
#include <unordered_map>

#include "core/detail/parallel.h"
#include "graph/graph_impl.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"

namespace loom::graph {
namespace {

using Rng = std::mt19937_64;
uint64_t bounded(Rng& g, uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(g()) * n) >> 64); }

int64_t drawn(int64_t degree, int64_t fanout, bool replace) {
  if (fanout < 0 || (!replace && degree <= fanout)) return degree;
  return degree == 0 ? 0 : fanout;
}

// Edge positions [begin, begin + degree) of one node: `out` receives drawn(...) of them, ascending without
// replacement (Floyd's subset draw), in draw order with replacement.
void draw_edges(int64_t begin, int64_t degree, int64_t fanout, bool replace, Rng& rng, int64_t* out) {
  const int64_t k = drawn(degree, fanout, replace);
  if (k == degree && !(replace && fanout >= 0)) {
    for (int64_t j = 0; j < k; ++j) out[j] = begin + j;
    return;
  }
  if (replace) {
    for (int64_t j = 0; j < k; ++j) out[j] = begin + static_cast<int64_t>(bounded(rng, static_cast<uint64_t>(degree)));
    return;
  }
  int64_t n = 0;
  for (int64_t j = degree - k; j < degree; ++j) {
    const auto t = static_cast<int64_t>(bounded(rng, static_cast<uint64_t>(j + 1)));
    const bool taken = std::find(out, out + n, begin + t) != out + n;
    out[n++] = begin + (taken ? j : t);
  }
  std::sort(out, out + k);
}

std::vector<int64_t> checked_seeds(const Tensor& seeds, int64_t num_nodes) {
  LOOM_CHECK(seeds.defined() && (seeds.dtype() == kInt64 || seeds.dtype() == kInt32), DTypeError,
             "sample_blocks: seeds must be int32 or int64, got ",
             seeds.defined() ? dtype_name(seeds.dtype()) : "an undefined tensor");
  LOOM_CHECK(seeds.dim() == 1, ShapeError, "sample_blocks: seeds must be 1-D, got ", seeds.shape_str());
  const std::vector<int64_t> ids = seeds.cpu().to(kInt64).to_vector<int64_t>();
  for (size_t i = 0; i < ids.size(); ++i)
    LOOM_CHECK(ids[i] >= 0 && ids[i] < num_nodes, IndexError, "sample_blocks: seed ", i, " is node ", ids[i],
               ", outside [0, ", num_nodes, ")");
  // Repeats found by sorting the batch (O(B log B) per call), not by a marker over all N nodes (O(N) per batch).
  std::vector<std::pair<int64_t, size_t>> sorted(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) sorted[i] = {ids[i], i};
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 1; i < sorted.size(); ++i)
    LOOM_CHECK(sorted[i].first != sorted[i - 1].first, ValueError, "sample_blocks: node ", sorted[i].first,
               " is given twice as a seed (position ", sorted[i].second, ")");
  return ids;
}

}  // namespace

std::vector<Block> sample_blocks(const Graph& g, const Tensor& seeds, const SampleOptions& o) {
  const std::vector<int64_t>& fanouts = o.fanouts();
  LOOM_CHECK(!fanouts.empty(), ValueError, "sample_blocks: fanouts is empty (give one per layer, e.g. {15, 10, 5})");
  for (size_t h = 0; h < fanouts.size(); ++h)
    LOOM_CHECK(fanouts[h] >= 1 || fanouts[h] == -1, ValueError, "sample_blocks: fanout ", h, " is ", fanouts[h],
               " (expected a positive count, or -1 for every edge)");
  std::vector<int64_t> frontier = checked_seeds(seeds, g.num_nodes());
  const Csr csr = g.csr().to(kCPU);
  const int64_t* ip = csr.indptr().data<int64_t>();
  const int32_t* ix = csr.indices().data<int32_t>();
  const Device device = g.device();
  const int64_t hops = static_cast<int64_t>(fanouts.size());
  std::vector<Block> blocks(static_cast<size_t>(hops));
  for (int64_t h = 0; h < hops; ++h) {
    const int64_t fanout = fanouts[h], n_dst = static_cast<int64_t>(frontier.size());
    std::vector<int64_t> start(static_cast<size_t>(n_dst + 1), 0);
    for (int64_t i = 0; i < n_dst; ++i) start[i + 1] = start[i] + drawn(ip[frontier[i] + 1] - ip[frontier[i]], fanout, o.replace());
    std::vector<int64_t> picks(static_cast<size_t>(start[n_dst]));
    const uint64_t hop_seed = random_bits(o.seed(), static_cast<uint64_t>(h));
    loom::detail::parallel_for(n_dst, 256, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) {
        const int64_t v = frontier[i];
        Rng rng(random_bits(hop_seed, static_cast<uint64_t>(v)));
        draw_edges(ip[v], ip[v + 1] - ip[v], fanout, o.replace(), rng, picks.data() + start[i]);
      }
    });
    // Local ids: the destinations first, then each new source at its first appearance.
    std::unordered_map<int64_t, int32_t> local;
    local.reserve(static_cast<size_t>(n_dst + start[n_dst]));
    std::vector<int64_t> src = frontier;
    for (int64_t i = 0; i < n_dst; ++i) local.emplace(frontier[i], static_cast<int32_t>(i));
    std::vector<int32_t> cols(picks.size());
    for (size_t k = 0; k < picks.size(); ++k) {
      const int64_t u = ix[picks[k]];
      const auto [it, fresh] = local.emplace(u, static_cast<int32_t>(src.size()));
      if (fresh) src.push_back(u);
      cols[k] = it->second;
    }
    const int64_t n_src = static_cast<int64_t>(src.size());
    LOOM_CHECK(n_src < (int64_t{1} << 31), ValueError, "sample_blocks: hop ", h, " reaches ", n_src,
               " nodes, past the Csr's int32 column ids; use a smaller batch or fanout");
    std::vector<int64_t> indptr(static_cast<size_t>(n_src + 1), start[n_dst]);
    std::copy(start.begin(), start.end(), indptr.begin());
    const Tensor edge_ids = from_vector<int64_t>(picks, {static_cast<int64_t>(picks.size())}).to(device);
    const Tensor weights = g.edge_weight().defined() ? index_select(g.edge_weight(), edge_ids) : Tensor();
    const Tensor attr = g.edge_attr().defined() ? index_select(g.edge_attr(), edge_ids) : Tensor();
    const Csr block_csr = Csr::from_arrays(from_vector<int64_t>(indptr, {n_src + 1}).to(device),
                                           from_vector<int32_t>(cols, {static_cast<int64_t>(cols.size())}).to(device),
                                           n_src, weights);
    Block& b = blocks[static_cast<size_t>(hops - 1 - h)];
    b.graph = Graph::from_csr(block_csr, attr);
    b.src_nodes = from_vector<int64_t>(src, {n_src}).to(device);
    if (fanout < 0) {
      // Every destination has all its in-edges: take degrees from g (as a receptive field does), so degree-normalised
      // layers (GCN) compute g's values at the destinations. Sampled hops keep their own degrees (PyG's behaviour).
      auto& im = GraphAccess::impl(b.graph);
      im.parent = g;
      im.parent_nodes = b.src_nodes;
    }
    b.edge_ids = edge_ids;
    b.num_dst = n_dst;
    frontier = std::move(src);
  }
  return blocks;
}

}  // namespace loom::graph
