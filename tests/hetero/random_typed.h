// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A small random typed graph for the meta-path suites, its edge lists kept beside it for the references.
#pragma once
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "loom/hetero/hetero_graph.h"

namespace loom {

// Edge lists kept beside the graph, for the reference.
struct TypedGraph {
  hetero::HeteroGraph g;
  std::map<hetero::EdgeType, std::vector<std::pair<int64_t, int64_t>>> edges;
};

inline Tensor to_edge_index(const std::vector<std::pair<int64_t, int64_t>>& e) {
  std::vector<int64_t> v(2 * e.size());
  for (size_t k = 0; k < e.size(); ++k) {
    v[k] = e[k].first;
    v[e.size() + k] = e[k].second;
  }
  return from_vector<int64_t>(v, {2, static_cast<int64_t>(e.size())});
}

// Types a (9), p (13), c (3), t (5): every node of a type below its last 2 ids may have edges (the last ids are
// isolated), about 15% of the edges are repeated, and p -> t is empty.
inline TypedGraph random_typed(uint64_t seed) {
  std::mt19937_64 gen(seed);
  TypedGraph tg;
  const std::map<std::string, int64_t> n{{"a", 9}, {"p", 13}, {"c", 3}, {"t", 5}};
  for (const char* t : {"a", "p", "c", "t"}) tg.g.add_node_type(t, n.at(t));
  auto add = [&](const std::string& s, const std::string& r, const std::string& d, int64_t m) {
    std::vector<std::pair<int64_t, int64_t>> e;
    for (int64_t k = 0; k < m; ++k) {
      e.emplace_back(static_cast<int64_t>(gen() % static_cast<uint64_t>(n.at(s) - 2)),
                     static_cast<int64_t>(gen() % static_cast<uint64_t>(n.at(d) - 1)));
      if (gen() % 7 == 0) e.push_back(e.back());  // duplicate
    }
    std::shuffle(e.begin(), e.end(), gen);
    const hetero::EdgeType et{s, r, d};
    tg.g.add_relation(et, to_edge_index(e));
    tg.edges[et] = e;
    // The reverse relation, as the shared folders store it.
    std::vector<std::pair<int64_t, int64_t>> rev;
    for (auto [u, v] : e) rev.emplace_back(v, u);
    const hetero::EdgeType rt{d, r + "_by", s};
    tg.g.add_relation(rt, to_edge_index(rev));
    tg.edges[rt] = rev;
  };
  add("a", "writes", "p", 20);
  add("p", "in", "c", 10);
  add("p", "has", "t", 0);
  return tg;
}

}  // namespace loom
