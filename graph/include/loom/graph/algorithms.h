// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph algorithms, run by Boost.Graph on the CPU (graphs on CUDA are copied to the CPU first; results come back
// on the graph's device).
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"
#include "loom/graph/graph.h"

namespace loom::graph {

// Weakly connected components: int64 [N] component label of each node (labels 0..count-1, numbered by their
// smallest node), and the count.
struct Components {
  Tensor labels;
  int64_t count = 0;
};
Components connected_components(const Graph& g);
// The nodes of the largest weakly connected component (ties: the one with the smallest node), sorted int64.
Tensor largest_connected_component(const Graph& g);
// Hops from `source` along edge direction (source -> target); -1 for unreachable nodes. int64 [N]. IndexError
// for a source outside the graph.
Tensor bfs_distances(const Graph& g, int64_t source);

}  // namespace loom::graph
