// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// One process's share of a graph split into parts (loom/graph/partition.h), one part per process: the nodes it owns,
// the halo (nodes of other parts with an edge into an owned node), every in-edge of the owned nodes, and who sends
// whom which rows when a layer's outputs are exchanged. The lists are derived from the whole graph on each process,
// in an order both sides agree on: rank r receives from rank q the halo nodes q owns, ascending by global id, and q
// sends them in that order.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loom/core/tensor.h"
#include "loom/graph/graph.h"
#include "loom/graph/sampler.h"

namespace loom::dist {

struct PartitionedGraph {
  int rank = 0, num_parts = 1;
  // Over the part's owned nodes (the destinations, ascending global ids) and then its halo; holds every in-edge of
  // the owned nodes in the whole graph's edge order and reports the whole graph's degrees, so a layer's outputs at
  // the owned nodes are the whole graph's (loom/graph/sampler.h, fan-out -1). block.src_nodes are global ids.
  graph::Block block;
  // Rows of each peer's message, rank by rank: send_rows (int64) lists positions among the owned nodes (a node may
  // go to several peers), send_counts[q] of them go to rank q; recv_counts[q] halo rows come from rank q. The two
  // index tensors live where the part trains (PartitionNodeTask moves them), so an exchange uploads nothing.
  Tensor send_rows;  // int64 [sum(send_counts)]
  std::vector<int64_t> send_counts, recv_counts;
  // For each halo position of block (0 .. num_halo - 1), its row among the received ones (which arrive by owner
  // rank, ascending global id within a rank).
  Tensor halo_from_recv;  // int64 [num_halo]
  int64_t num_owned() const { return block.num_dst; }
  int64_t num_halo() const { return block.num_src() - block.num_dst; }
  // "part 1 of 4: 677 nodes, 85 halo nodes from 3 parts, sends 91 rows to 3 parts"
  std::string str() const;
};

// Checks a partition vector for `num_parts` processes: int32/int64 [num_nodes], every part id in [0, num_parts) and
// every part holding a node. `source` names where it came from ("--partition-file parts.npy") in the errors:
// ShapeError/DTypeError for the wrong shape or type, ValueError naming the first node outside the range or the first
// empty part, both saying how many parts the vector does hold.
void check_partition(const Tensor& part, int64_t num_nodes, int64_t num_parts, const std::string& source);

// Rank `rank`'s share of g under `part` (checked as above). g on the CPU.
PartitionedGraph partition_part(const graph::Graph& g, const Tensor& part, int64_t num_parts, int rank);

}  // namespace loom::dist
