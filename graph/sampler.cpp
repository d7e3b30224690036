// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The neighbour sampler (loom/graph/sampler.h). Per hop: every frontier node draws its edges into its own slice
// (sizes known up front, so no locks), with the draw shared with CUDA (core/sparse/sample.h); then each new source gets
// the next local id in order of first appearance, which makes the block's numbering independent of the schedule. On
// a CUDA graph the hop runs on the device (core/sparse/sample_cuda.cu) and gives the same blocks as the CPU.
#include "loom/graph/sampler.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "core/detail/parallel.h"
#include "core/sparse/sample.h"
#include "graph/graph_impl.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"

namespace loom::graph {
namespace {

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

// One hop on the CPU, in the CUDA hop's form (host tensors).
loom::detail::SampledHop sample_hop_cpu(const int64_t* ip, const int32_t* ix, const std::vector<int64_t>& frontier,
                                        int64_t fanout, bool replace, uint64_t hop_seed) {
  const int64_t n_dst = static_cast<int64_t>(frontier.size());
  std::vector<int64_t> start(static_cast<size_t>(n_dst + 1), 0);
  for (int64_t i = 0; i < n_dst; ++i)
    start[i + 1] = start[i] + loom::detail::sampled_count(ip[frontier[i] + 1] - ip[frontier[i]], fanout, replace);
  std::vector<int64_t> picks(static_cast<size_t>(start[n_dst]));
  loom::detail::parallel_for(n_dst, 256, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t v = frontier[i];
      loom::detail::draw_edges(ip[v], ip[v + 1] - ip[v], fanout, replace, loom::detail::sample_node_key(hop_seed, v),
                               picks.data() + start[i]);
    }
  });
  // Local ids: the destinations first, then each new source at its first appearance.
  std::unordered_map<int64_t, int64_t> local;
  local.reserve(static_cast<size_t>(n_dst + start[n_dst]));
  std::vector<int64_t> src = frontier;
  for (int64_t i = 0; i < n_dst; ++i) local.emplace(frontier[i], i);
  std::vector<int32_t> cols(picks.size());
  for (size_t k = 0; k < picks.size(); ++k) {
    const int64_t u = ix[picks[k]];
    const auto [it, fresh] = local.emplace(u, static_cast<int64_t>(src.size()));
    if (fresh) src.push_back(u);
    cols[k] = static_cast<int32_t>(it->second);  // the caller refuses n_src >= 2^31 before using cols
  }
  const int64_t n_src = static_cast<int64_t>(src.size());
  std::vector<int64_t> indptr(static_cast<size_t>(n_src + 1), start[n_dst]);
  std::copy(start.begin(), start.end(), indptr.begin());
  const int64_t e = static_cast<int64_t>(picks.size());
  return {from_vector<int64_t>(src, {n_src}), from_vector<int64_t>(indptr, {n_src + 1}),
          from_vector<int32_t>(cols, {e}), from_vector<int64_t>(picks, {e})};
}

}  // namespace

std::vector<Block> sample_blocks(const Graph& g, const Tensor& seeds, const SampleOptions& o) {
  const std::vector<int64_t>& fanouts = o.fanouts();
  LOOM_CHECK(!fanouts.empty(), ValueError, "sample_blocks: fanouts is empty (give one per layer, e.g. {15, 10, 5})");
  for (size_t h = 0; h < fanouts.size(); ++h)
    LOOM_CHECK(fanouts[h] >= 1 || fanouts[h] == -1, ValueError, "sample_blocks: fanout ", h, " is ", fanouts[h],
               " (expected a positive count, or -1 for every edge)");
  std::vector<int64_t> frontier = checked_seeds(seeds, g.num_nodes());
  const Device device = g.device();
  const bool on_device = device.is_cuda();
  // CPU: the host csr. CUDA: the device's csr, the frontier on the device, and the hop's scratch (all -1).
  const Csr csr = on_device ? g.csr() : g.csr().to(kCPU);
  Tensor frontier_dev, map, first;
  if (on_device) {
    frontier_dev = from_vector<int64_t>(frontier, {static_cast<int64_t>(frontier.size())}).to(device);
    map = full({g.num_nodes()}, -1.0, kInt32, device);
    first = full({g.num_nodes()}, -1.0, kInt64, device);
  }
  const int64_t hops = static_cast<int64_t>(fanouts.size());
  std::vector<Block> blocks(static_cast<size_t>(hops));
  for (int64_t h = 0; h < hops; ++h) {
    const int64_t fanout = fanouts[h];
    const uint64_t hop_seed = random_bits(o.seed(), static_cast<uint64_t>(h));
    loom::detail::SampledHop hop;
    if (on_device) {
      LOOM_CUDA_ONLY("sample_blocks", hop = loom::detail::sample_hop_cuda(csr.indptr(), csr.indices(), frontier_dev,
                                                                         fanout, o.replace(), hop_seed, map, first));
    } else {
      hop = sample_hop_cpu(csr.indptr().data<int64_t>(), csr.indices().data<int32_t>(), frontier, fanout, o.replace(),
                           hop_seed);
    }
    const int64_t n_dst = on_device ? frontier_dev.numel() : static_cast<int64_t>(frontier.size());
    const int64_t n_src = hop.src.numel();
    LOOM_CHECK(n_src < (int64_t{1} << 31), ValueError, "sample_blocks: hop ", h, " reaches ", n_src,
               " nodes, past the Csr's int32 column ids; use a smaller batch or fanout");
    const Tensor edge_ids = hop.edge_ids.to(device);
    const Tensor weights = g.edge_weight().defined() ? index_select(g.edge_weight(), edge_ids) : Tensor();
    const Tensor attr = g.edge_attr().defined() ? index_select(g.edge_attr(), edge_ids) : Tensor();
    const Csr block_csr = Csr::from_arrays(hop.indptr.to(device), hop.cols.to(device), n_src, weights);
    Block& b = blocks[static_cast<size_t>(hops - 1 - h)];
    b.graph = Graph::from_csr(block_csr, attr);
    b.src_nodes = hop.src.to(device);
    if (fanout < 0) {
      // Every destination has all its in-edges: take degrees from g (as a receptive field does), so degree-normalised
      // layers (GCN) compute g's values at the destinations. Sampled hops keep their own degrees (PyG's behaviour).
      auto& im = GraphAccess::impl(b.graph);
      im.parent = g;
      im.parent_nodes = b.src_nodes;
    }
    b.edge_ids = edge_ids;
    b.num_dst = n_dst;
    if (on_device) {
      frontier_dev = b.src_nodes;
    } else {
      frontier = hop.src.to_vector<int64_t>();
    }
  }
  return blocks;
}

}  // namespace loom::graph
