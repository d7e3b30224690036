// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Neighbour sampling for mini-batch training (GraphSAGE's sampler; PyG's NeighborLoader, DGL's
// MultiLayerNeighborSampler): from a batch of seed nodes, each hop keeps at most fanout in-edges of every node of the
// frontier, and the hops become per-layer blocks that layers run on directly.
//
// A block is a Graph over its source nodes (local ids 0 .. num_src - 1) whose first num_dst nodes are the
// destinations: only their rows have edges. Any layer written for a Graph runs on it unchanged and its first
// num_dst output rows are the destinations' (the rest are not needed and are sliced off). Block i's destinations
// are block i + 1's sources, in the same order: layer i reads the features of block i's sources and its output,
// cut to num_dst rows, is exactly what layer i + 1 reads.
//
// Degrees: a hop with fan-out -1 (every in-edge kept) reports g's degrees, as a receptive field does
// (loom/graph/transforms.h), so degree-normalised layers (GCN) give g's values at its destinations; a sampled hop
// reports its own (what PyG's NeighborLoader gives GCN).
//
// Determinism: node v's draw at hop h comes from its own stream (seed, h, v), so a seed gives the same blocks on any
// thread count and whatever else is in the batch. On a CUDA graph every hop runs on the device (the graph stays
// there) and gives the CPU's blocks to the bit.
#pragma once
#include <cstdint>
#include <vector>

#include "loom/core/options.h"
#include "loom/core/tensor.h"
#include "loom/graph/graph.h"

namespace loom::graph {

struct SampleOptions {
  // Per hop from the seeds outward (PyG's num_neighbors order: fanouts[0] is the first hop, the last layer's
  // neighbours). -1 keeps every in-edge. Not empty; each >= 1 or -1.
  LOOM_ARG(std::vector<int64_t>, fanouts) = std::vector<int64_t>{};
  // With replacement every node draws exactly fanout edges (when it has any); without, min(fanout, degree)
  // distinct ones (each subset equally likely), kept in the graph's edge order.
  LOOM_ARG(bool, replace) = false;
  LOOM_ARG(uint64_t, seed) = 0;
};

struct Block {
  Graph graph;        // over the block's sources; only the first num_dst rows have edges
  Tensor src_nodes;   // int64 [num_src]: global ids of the sources; the first num_dst are the destinations
  Tensor edge_ids;    // int64 [E]: for each graph.csr() entry, the sampled edge's position in the input graph's csr()
  int64_t num_dst = 0;
  int64_t num_src() const { return src_nodes.numel(); }
};

// Blocks in layer order: blocks.front() is the first layer's (the widest, farthest hop) and blocks.back()'s
// destinations are the seeds, in the order given. The blocks are built on the graph's device: on the CPU with
// oneTBB, on CUDA by the device hop (two small copies to the host per hop, which size its outputs). Edge weights and edge features follow the sampled edges. Errors: ValueError for empty
// fanouts or a fanout that is 0 or below -1, IndexError naming the first seed out of range, DTypeError for seeds that
// are not int32/int64, ValueError for repeated seeds (a node would be its own duplicate destination).
std::vector<Block> sample_blocks(const Graph& g, const Tensor& seeds, const SampleOptions& options);

}  // namespace loom::graph
