// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph statistics for inspect_dataset (private to data/): degrees, self loops, duplicate edges and which nodes any
// edge or hyperedge touches. Pure counting over ids already read; the range checks and messages stay in inspect.cpp.
#pragma once
#include <cstdint>
#include <vector>

#include "loom/data/inspect.h"

namespace loom::data::stats {

// min, max, mean and median (the mean of the two middle values for an even count, as numpy.median) of `deg`.
DegreeStats degree_stats(std::vector<int64_t> deg);

struct EdgeFacts {
  std::vector<int64_t> in_degree;  // per node, over row 1 (the targets)
  int64_t self_loops = 0;
  int64_t duplicates = 0;  // repeats of a (source, target) pair beyond its first
};

// Over the m edges src[k] -> dst[k] whose ends are both in [0, touched.size()) (the others are reported as
// problems elsewhere and left out here); sets touched[u] and touched[v] for each.
EdgeFacts edge_facts(const int64_t* src, const int64_t* dst, int64_t m, std::vector<char>& touched);

// Hyperedges per vertex over the nnz incidences whose vertex is in [0, touched.size()); sets touched[v].
std::vector<int64_t> vertex_degrees(const int64_t* vtx, int64_t nnz, std::vector<char>& touched);

}  // namespace loom::data::stats
