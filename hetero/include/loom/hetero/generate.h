// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Seeded synthetic typed graphs for benchmarks and tests: the same seed gives the same graph on every platform
// (splitmix64 streams, no std distributions), so Loom and PyG (through bench/hetero_conv --write-npy) run on one graph.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "loom/hetero/hetero_graph.h"

namespace loom::hetero {

struct RandomHeteroSpec {
  std::vector<std::pair<std::string, int64_t>> node_types;  // name, count
  std::vector<std::pair<EdgeType, int64_t>> relations;      // relation, number of edges
  int64_t features = 0;  // > 0: float32 features U(-1, 1) of this width for every type
  uint64_t seed = 0;
};

// Sources uniform over their type; targets skewed toward low ids (id = floor(n u^2), so the first nodes of a type
// collect many in-edges: hubs next to isolated nodes). Duplicate edges and, within one type, self loops occur.
HeteroGraph random_hetero_graph(const RandomHeteroSpec& spec);

// The relation-grouped benchmark's graph (issue 17): three types, "author" 50%, "paper" 30%, "venue" 20% of
// num_nodes, and six relations of num_edges / 6 edges each, two into every type (one within "author"):
//   author__cites__author, paper__written_by__author, author__writes__paper, venue__publishes__paper,
//   paper__appears_in__venue, author__attends__venue.
RandomHeteroSpec benchmark_hetero_spec(int64_t num_nodes, int64_t num_edges, int64_t features, uint64_t seed);

}  // namespace loom::hetero
