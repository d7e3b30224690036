// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Hypergraph builders on top of from_incidence: from vertex lists, and from a graph (HGNN's neighbourhood
// hyperedges, or one hyperedge per edge).
#include <algorithm>
#include <utility>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/hypergraph/hypergraph.h"

namespace loom::hypergraph {

Hypergraph Hypergraph::from_vertex_lists(const std::vector<std::vector<int64_t>>& hyperedges, int64_t num_vertices,
                                         EmptyHyperedges empty) {
  const char* op = "Hypergraph::from_vertex_lists";
  LOOM_CHECK(num_vertices >= 0, ValueError, op, ": num_vertices must be >= 0, got ", num_vertices);
  std::vector<int64_t> vs, es;
  for (size_t e = 0; e < hyperedges.size(); ++e) {
    const auto& list = hyperedges[e];
    for (size_t i = 0; i < list.size(); ++i) {
      LOOM_CHECK(list[i] >= 0 && list[i] < num_vertices, IndexError, op, ": hyperedge ", e, " (position ", i,
                 ") has vertex id ", list[i], " outside [0, ", num_vertices, ")");
      vs.push_back(list[i]);
      es.push_back(static_cast<int64_t>(e));
    }
  }
  const auto nnz = static_cast<int64_t>(vs.size());
  vs.insert(vs.end(), es.begin(), es.end());
  return from_incidence(from_vector<int64_t>(vs, {2, nnz}), num_vertices, static_cast<int64_t>(hyperedges.size()),
                        Tensor(), empty);
}

Hypergraph Hypergraph::from_graph_neighborhoods(const graph::Graph& g) {
  LOOM_CHECK(g.defined(), ValueError, "Hypergraph::from_graph_neighborhoods: the graph is undefined");
  NoGradGuard no_grad;
  // Hyperedge v = {v} plus the sources of v's in-edges (row v of the in-edge Csr). Built on the graph's device;
  // from_incidence merges a self loop with the {v} entry and repeated neighbours (multi-edges).
  const Csr& c = g.csr();
  const int64_t n = g.num_nodes(), e = c.nnz();
  const Tensor self = arange(n, kInt64, g.device()).view({1, n});
  const Tensor vertices = concat({self, c.indices().to(kInt64).view({1, e})}, 1);
  const Tensor edges = concat({self, c.row_index().to(kInt64).view({1, e})}, 1);
  return from_incidence(concat({vertices, edges}, 0), n, n);
}

Hypergraph Hypergraph::from_graph_edges(const graph::Graph& g) {
  LOOM_CHECK(g.defined(), ValueError, "Hypergraph::from_graph_edges: the graph is undefined");
  NoGradGuard no_grad;
  // Unordered pairs {min, max} on the host, sorted and deduplicated (u -> v, v -> u and parallel copies are one
  // hyperedge); the hyperedges come in that sorted order. Edge weights are not carried over.
  const Csr& c = g.csr();
  const auto src = c.indices().to(kCPU).to_vector<int32_t>();
  const auto dst = c.row_index().to(kCPU).to_vector<int32_t>();
  std::vector<std::pair<int64_t, int64_t>> pairs(src.size());
  for (size_t k = 0; k < src.size(); ++k) pairs[k] = std::minmax<int64_t>(src[k], dst[k]);
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::vector<int64_t> vs, es;
  for (size_t e = 0; e < pairs.size(); ++e) {
    vs.push_back(pairs[e].first);
    es.push_back(static_cast<int64_t>(e));
    if (pairs[e].second != pairs[e].first) {  // a self loop is the singleton {v}
      vs.push_back(pairs[e].second);
      es.push_back(static_cast<int64_t>(e));
    }
  }
  const auto nnz = static_cast<int64_t>(vs.size());
  vs.insert(vs.end(), es.begin(), es.end());
  return from_incidence(from_vector<int64_t>(vs, {2, nnz}, g.device()), g.num_nodes(),
                        static_cast<int64_t>(pairs.size()));
}

}  // namespace loom::hypergraph
