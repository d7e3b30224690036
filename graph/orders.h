// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Internal: the node orders behind compute_order (loom/graph/reorder.h), each as new id -> old id on the host.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/edges.h"
#include "loom/graph/graph.h"

namespace loom::graph::detail {

// Nodes by in + out degree, highest first, ties by id.
std::vector<int64_t> degree_order(const Graph& g);

// Reverse Cuthill-McKee of the undirected adjacency `a`. With `part` (one entry per node), the nodes are grouped by
// part (parts in descending order, since the whole order is reversed) and the BFS follows only edges inside a part.
std::vector<int64_t> rcm_order(const Adjacency& a, const std::vector<int64_t>* part = nullptr);

}  // namespace loom::graph::detail
