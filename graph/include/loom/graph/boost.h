// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Boost.Graph interop: a Loom graph as a boost::compressed_sparse_row_graph and back. This header (alone among
// Loom's) includes Boost: include it only where you use Boost.Graph algorithms directly.
#pragma once
#include <cstdint>

#include <boost/graph/compressed_sparse_row_graph.hpp>

#include "loom/graph/graph.h"

namespace loom::graph {

// Out-edge CSR (source -> target), vertices 0..N-1, edge index = position in Loom's csc() order. Boost stores its
// own arrays, so this is a copy (O(N + E)), built on the CPU.
using BoostGraph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                      boost::no_property, uint32_t, uint64_t>;

BoostGraph to_boost(const Graph& g);
// Edges of `bg` become a CPU Graph (no weights).
Graph from_boost(const BoostGraph& bg);

}  // namespace loom::graph
