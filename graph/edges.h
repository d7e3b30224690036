// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Internal helpers of the graph module: edge lists on the host and graphs built from a selection of edges.
// Transforms and algorithms are preprocessing (run once per data set), so they work on host vectors and move
// results to the graph's device; the per-epoch paths (message passing) never come through here.
#pragma once
#include <cstdint>
#include <vector>

#include "loom/graph/graph.h"

namespace loom::graph::detail {

// The graph's edges on the host in csr() order: src[k] -> dst[k].
struct HostEdges {
  std::vector<int64_t> src, dst;
};
HostEdges host_edges(const Graph& g);

// An int32/int64 tensor of any shape as host int64 values (ValueError/DTypeError naming op and arg otherwise).
std::vector<int64_t> host_ids(const char* op, const char* arg, const Tensor& t);
// int64 [n] on `device`.
Tensor index_tensor(const std::vector<int64_t>& v, Device device);
// int64 [2, E] (row 0 sources) on `device`.
Tensor edge_index_tensor(const std::vector<int64_t>& src, const std::vector<int64_t>& dst, Device device);

// The graph on the same nodes with only the edges at csr() positions `keep` (ascending; weights and features
// kept). `e` is host_edges(g). The result's edge_ids() are positions in `keep`.
Graph select_edges(const Graph& g, const HostEdges& e, const std::vector<int64_t>& keep);

// A permutation of 0..n-1 by a Fisher-Yates shuffle driven by random_bits(seed, i) (splits.cpp): seeded splits and
// samples share it, and it leaves the global generator untouched.
std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed);

// Whether every edge's reverse is also an edge (self loops are their own reverse): an undirected graph stored as
// both directions.
bool is_symmetric(const HostEdges& e, int64_t num_nodes);

// Throws ValueError unless `f` is a finite fraction in [0, 1], naming op and arg.
void check_fraction(const char* op, const char* arg, double f);

// The graph made undirected: each node's neighbours over in- and out-edges, sorted, without self loops or
// repeats. What METIS requires; partitions are scored on it and reverse Cuthill-McKee walks it.
struct Adjacency {
  std::vector<int64_t> ptr;  // [n + 1]
  std::vector<int64_t> nbr;
  int64_t n() const { return static_cast<int64_t>(ptr.size()) - 1; }
};
Adjacency symmetric_adjacency(const Graph& g);

}  // namespace loom::graph::detail
