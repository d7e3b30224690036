// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// receptive_field (loom/hypergraph/hypergraph.h): the hyperedges and vertices a stack of hypergraph layers reads for
// some vertices, cut out with every member of every hyperedge and with the parent's vertex degrees.
#include <map>
#include <utility>
#include <vector>

#include "hypergraph/hypergraph_impl.h"
#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::hypergraph {

SubHypergraph receptive_field(const Hypergraph& h, const Tensor& vertices, int hops) {
  const char* op = "receptive_field";
  LOOM_CHECK(hops >= 0, ValueError, op, ": hops must be >= 0, got ", hops);
  LOOM_CHECK(vertices.defined() && vertices.dim() == 1 && (vertices.dtype() == kInt32 || vertices.dtype() == kInt64),
             ShapeError, op, ": 'vertices' must be a 1-D int32/int64 list of vertex ids, got ",
             vertices.defined() ? vertices.shape_str() : std::string("an undefined tensor"));
  NoGradGuard no_grad;
  const int64_t n = h.num_vertices();
  const auto seeds = vertices.to(kCPU).to(kInt64).to_vector<int64_t>();
  for (size_t i = 0; i < seeds.size(); ++i) {
    LOOM_CHECK(seeds[i] >= 0 && seeds[i] < n, IndexError, op, ": vertices[", i, "] = ", seeds[i], " is outside [0, ",
               n, ") (the hypergraph has ", n, " vertices)");
  }
  const Csr& members = h.hyperedge_members();  // rows hyperedges
  const Csr& vm = h.vertex_memberships();      // rows vertices
  const auto m_ptr = members.indptr().to(kCPU).to_vector<int64_t>();
  const auto m_idx = members.indices().to(kCPU).to_vector<int32_t>();
  const auto v_ptr = vm.indptr().to(kCPU).to_vector<int64_t>();
  const auto v_idx = vm.indices().to(kCPU).to_vector<int32_t>();
  // Breadth-first over vertex -> hyperedge -> member steps: dist[v] = steps from the nearest seed, -1 beyond hops;
  // a hyperedge is read when one of its vertices is within hops - 1 steps.
  std::vector<int> dist(static_cast<size_t>(n), -1);
  std::vector<char> read(static_cast<size_t>(h.num_hyperedges()), 0);
  std::vector<int64_t> frontier;
  for (int64_t v : seeds) {
    if (dist[static_cast<size_t>(v)] < 0) frontier.push_back(v);
    dist[static_cast<size_t>(v)] = 0;
  }
  for (int r = 1; r <= hops && !frontier.empty(); ++r) {
    std::vector<int64_t> next;
    for (int64_t v : frontier) {
      for (int64_t j = v_ptr[static_cast<size_t>(v)]; j < v_ptr[static_cast<size_t>(v) + 1]; ++j) {
        const auto e = static_cast<size_t>(v_idx[static_cast<size_t>(j)]);
        if (read[e]) continue;
        read[e] = 1;
        for (int64_t k = m_ptr[e]; k < m_ptr[e + 1]; ++k) {
          const auto u = static_cast<size_t>(m_idx[static_cast<size_t>(k)]);
          if (dist[u] < 0) {
            dist[u] = r;
            next.push_back(static_cast<int64_t>(u));
          }
        }
      }
    }
    frontier.swap(next);
  }
  // Local ids in increasing parent id on both sides, so every row keeps its parent's order (sums in the same order).
  std::vector<int64_t> vertex_ids, local(static_cast<size_t>(n), -1), edge_ids;
  for (int64_t v = 0; v < n; ++v) {
    if (dist[static_cast<size_t>(v)] < 0) continue;
    local[static_cast<size_t>(v)] = static_cast<int64_t>(vertex_ids.size());
    vertex_ids.push_back(v);
  }
  std::vector<int64_t> inc_vertex, inc_edge;
  std::map<std::pair<int64_t, int64_t>, int64_t> parent_position;  // (local hyperedge, local vertex) -> members pos
  for (int64_t e = 0; e < h.num_hyperedges(); ++e) {
    if (!read[static_cast<size_t>(e)]) continue;
    const auto le = static_cast<int64_t>(edge_ids.size());
    edge_ids.push_back(e);
    for (int64_t k = m_ptr[static_cast<size_t>(e)]; k < m_ptr[static_cast<size_t>(e) + 1]; ++k) {
      const int64_t lv = local[static_cast<size_t>(m_idx[static_cast<size_t>(k)])];
      inc_vertex.push_back(lv);
      inc_edge.push_back(le);
      parent_position.emplace(std::make_pair(le, lv), k);
    }
  }
  const Device device = h.device();
  const auto nnz = static_cast<int64_t>(inc_vertex.size());
  std::vector<int64_t> inc(inc_vertex);
  inc.insert(inc.end(), inc_edge.begin(), inc_edge.end());
  SubHypergraph out;
  out.vertices = from_vector<int64_t>(vertex_ids, {static_cast<int64_t>(vertex_ids.size())}, device);
  out.hyperedges = from_vector<int64_t>(edge_ids, {static_cast<int64_t>(edge_ids.size())}, device);
  const Tensor& w = h.hyperedge_weight();
  out.hypergraph = Hypergraph::from_incidence(from_vector<int64_t>(inc, {2, nnz}, device),
                                              static_cast<int64_t>(vertex_ids.size()),
                                              static_cast<int64_t>(edge_ids.size()),
                                              w.defined() ? index_select(w, out.hyperedges) : Tensor(),
                                              EmptyHyperedges::kError);
  if (h.incidence_weight().defined()) {
    // The parent's h_ve, permuted into the result's members order.
    const auto sub_inc = out.hypergraph.incidence().to(kCPU).to_vector<int64_t>();
    std::vector<int64_t> pos(static_cast<size_t>(nnz));
    for (int64_t k = 0; k < nnz; ++k) {
      pos[static_cast<size_t>(k)] = parent_position.at({sub_inc[static_cast<size_t>(nnz + k)],
                                                        sub_inc[static_cast<size_t>(k)]});
    }
    out.hypergraph = out.hypergraph.with_incidence_weight(
        index_select(h.incidence_weight(), from_vector<int64_t>(pos, {nnz}, device)));
  }
  auto& im = HypergraphAccess::impl(out.hypergraph);
  im.parent = h;
  im.parent_vertices = out.vertices;
  return out;
}

}  // namespace loom::hypergraph
