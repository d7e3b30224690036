// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Node partitions of a graph, for cluster batches (GNNAutoScale), partition-parallel training and locality orders.
// METIS (Debian's libmetis-dev, k-way, minimising the edge cut) when Loom was built with it; two fallbacks that need
// nothing: balanced random parts, and a one-pass streaming partitioner (linear deterministic greedy, Stanton &
// Kliot 2012: each node joins the part holding most of its already-placed neighbours, discounted by how full the
// part is). Every method reports what it cost and what it achieved, since a partition is paid for once and then
// used by every epoch.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loom/core/choices.h"
#include "loom/core/options.h"
#include "loom/core/tensor.h"
#include "loom/graph/graph.h"

namespace loom::graph {

enum class PartitionMethod : uint8_t { kMetis, kRandom, kStreaming };

struct PartitionOptions {
  LOOM_ARG(PartitionMethod, method) = PartitionMethod::kMetis;
  LOOM_ARG(uint64_t, seed) = 0;  // METIS's seed; the random parts' permutation
  // Streaming: a part's capacity is ceil(N / parts) x this (>= 1).
  LOOM_ARG(double, capacity_slack) = 1.05;
};

struct Partition {
  Tensor part;                 // int64 [N]: each node's part, in [0, num_parts)
  int64_t num_parts = 0;
  std::vector<int64_t> sizes;  // nodes per part
  // Undirected edges (the graph symmetrised, self loops and duplicates dropped) whose ends lie in different parts.
  int64_t edge_cut = 0;
  int64_t undirected_edges = 0;
  double seconds = 0;          // the partitioner's own time (METIS's call, or the fallback's loop)
  int64_t input_bytes = 0;     // the symmetric adjacency handed to the partitioner
  std::string method;          // "metis", "random", "streaming"
  // "metis: 4 parts of 2708 nodes (677..677), edge cut 312 of 5278 (5.9%), 0.004 s, input 0.1 MiB"
  std::string str() const;
};

// Whether Loom was built with METIS.
bool has_metis();

// Splits g's nodes into `parts` parts (1 <= parts <= N). ValueError for a part count out of range, or kMetis when
// Loom was built without METIS (naming the fallbacks); Error when METIS itself fails (with its status).
Partition partition_graph(const Graph& g, int64_t parts, const PartitionOptions& options = {});

}  // namespace loom::graph

namespace loom {
template <> struct EnumNames<graph::PartitionMethod> {
  static constexpr std::string_view what = "partition method";
  static constexpr std::array<std::pair<graph::PartitionMethod, std::string_view>, 3> table{
      {{graph::PartitionMethod::kMetis, "metis"},
       {graph::PartitionMethod::kRandom, "random"},
       {graph::PartitionMethod::kStreaming, "streaming"}}};
};
}  // namespace loom
