// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Boost.Graph interop (loom/graph/boost.h): a Graph as a boost::compressed_sparse_row_graph and back.
#include "loom/graph/boost.h"

#include <limits>
#include <utility>
#include <vector>

#include "graph/edges.h"
#include "loom/core/error.h"

namespace loom::graph {

BoostGraph to_boost(const Graph& g) {
  const int64_t n = g.num_nodes();
  LOOM_CHECK(n <= std::numeric_limits<uint32_t>::max(), ValueError, "to_boost: ", n,
             " nodes exceed BoostGraph's 32-bit vertex ids");
  // csc() is the out-edge Csr (rows = sources): its entries are already grouped by source, which is the order
  // edges_are_sorted asks for, and Boost keeps it, so Boost's edge k is csc() entry k.
  const Csr& out = g.csc();
  const auto indptr = out.indptr().to(kCPU).to_vector<int64_t>();
  const auto indices = out.indices().to(kCPU).to_vector<int32_t>();
  std::vector<std::pair<uint32_t, uint32_t>> edges(indices.size());
  for (int64_t u = 0; u < n; ++u) {
    for (int64_t k = indptr[static_cast<size_t>(u)]; k < indptr[static_cast<size_t>(u) + 1]; ++k) {
      edges[static_cast<size_t>(k)] = {static_cast<uint32_t>(u), static_cast<uint32_t>(indices[static_cast<size_t>(k)])};
    }
  }
  return BoostGraph(boost::edges_are_sorted, edges.begin(), edges.end(), static_cast<uint32_t>(n),
                    static_cast<uint64_t>(edges.size()));
}

Graph from_boost(const BoostGraph& bg) {
  std::vector<int64_t> src, dst;
  src.reserve(num_edges(bg));
  dst.reserve(num_edges(bg));
  for (auto [it, end] = edges(bg); it != end; ++it) {
    src.push_back(source(*it, bg));
    dst.push_back(target(*it, bg));
  }
  return Graph::from_edge_index(detail::edge_index_tensor(src, dst, kCPU), static_cast<int64_t>(num_vertices(bg)));
}

}  // namespace loom::graph
