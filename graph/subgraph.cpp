// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Subgraphs (loom/graph/transforms.h): the subgraph induced by a node set, the k-hop neighbourhood of seeds, and
// the receptive field of a layer stack (a k-hop neighbourhood that keeps the parent's degrees).
#include <vector>

#include "graph/edges.h"
#include "graph/graph_impl.h"
#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/graph/transforms.h"

namespace loom::graph {

using detail::HostEdges;

namespace {

// Per node, the number of in-hops from the nearest seed (0 for the seeds), or -1 beyond k hops (BFS over in-edges).
std::vector<int> in_hop_distances(const Graph& g, const std::vector<int64_t>& seeds, int k) {
  const Csr& c = g.csr();
  const auto indptr = c.indptr().to(kCPU).to_vector<int64_t>();
  const auto indices = c.indices().to(kCPU).to_vector<int32_t>();
  std::vector<int> dist(static_cast<size_t>(g.num_nodes()), -1);
  std::vector<int64_t> frontier;
  for (int64_t v : seeds) {
    if (dist[static_cast<size_t>(v)] < 0) frontier.push_back(v);
    dist[static_cast<size_t>(v)] = 0;
  }
  for (int r = 1; r <= k && !frontier.empty(); ++r) {
    std::vector<int64_t> next;
    for (int64_t v : frontier) {
      for (int64_t j = indptr[static_cast<size_t>(v)]; j < indptr[static_cast<size_t>(v) + 1]; ++j) {
        const auto u = static_cast<size_t>(indices[static_cast<size_t>(j)]);
        if (dist[u] < 0) {
          dist[u] = r;
          next.push_back(static_cast<int64_t>(u));
        }
      }
    }
    frontier.swap(next);
  }
  return dist;
}

// Host ids of a 1-D node list, each checked in [0, n).
std::vector<int64_t> checked_nodes(const char* op, const char* arg, const Tensor& t, int64_t n) {
  std::vector<int64_t> ids = detail::host_ids(op, arg, t);
  LOOM_CHECK(t.dim() == 1, ShapeError, op, ": '", arg, "' must be a 1-D list of node ids, got ", t.shape_str());
  for (size_t i = 0; i < ids.size(); ++i) {
    LOOM_CHECK(ids[i] >= 0 && ids[i] < n, IndexError, op, ": ", arg, "[", i, "] = ", ids[i],
               " is outside [0, ", n, ") (the graph has ", n, " nodes)");
  }
  return ids;
}

}  // namespace

Subgraph induced_subgraph(const Graph& g, const Tensor& nodes) {
  const char* op = "induced_subgraph";
  NoGradGuard no_grad;
  const int64_t n = g.num_nodes();
  const std::vector<int64_t> ids = checked_nodes(op, "nodes", nodes, n);
  std::vector<int64_t> local(static_cast<size_t>(n), -1);
  for (size_t i = 0; i < ids.size(); ++i) {
    int64_t& slot = local[static_cast<size_t>(ids[i])];
    LOOM_CHECK(slot < 0, ValueError, op, ": nodes[", i, "] = ", ids[i], " repeats nodes[", slot,
               "] (node ids must be distinct)");
    slot = static_cast<int64_t>(i);
  }
  const HostEdges e = detail::host_edges(g);
  std::vector<int64_t> keep, src, dst;
  for (size_t k = 0; k < e.src.size(); ++k) {
    const int64_t s = local[static_cast<size_t>(e.src[k])], d = local[static_cast<size_t>(e.dst[k])];
    if (s < 0 || d < 0) continue;
    keep.push_back(static_cast<int64_t>(k));
    src.push_back(s);
    dst.push_back(d);
  }
  const Tensor kept = detail::index_tensor(keep, g.device());
  const Tensor& w = g.edge_weight();
  const Tensor& a = g.edge_attr();
  Subgraph out;
  out.graph = Graph::from_edge_index(detail::edge_index_tensor(src, dst, g.device()),
                                     static_cast<int64_t>(ids.size()), w.defined() ? index_select(w, kept) : Tensor(),
                                     a.defined() ? index_select(a, kept) : Tensor());
  // The new graph's edge_ids() are positions in `keep`; composing gives positions in g's csr order.
  out.edge_ids = index_select(kept, out.graph.edge_ids());
  out.nodes = detail::index_tensor(ids, g.device());
  return out;
}

Tensor k_hop_nodes(const Graph& g, const Tensor& seeds, int k) {
  const char* op = "k_hop_nodes";
  LOOM_CHECK(k >= 0, ValueError, op, ": k must be >= 0, got ", k);
  const int64_t n = g.num_nodes();
  const std::vector<int64_t> start = checked_nodes(op, "seeds", seeds, n);
  const Csr& c = g.csr();
  const auto indptr = c.indptr().to(kCPU).to_vector<int64_t>();
  const auto indices = c.indices().to(kCPU).to_vector<int32_t>();
  // k rounds of frontier expansion over in-edges: round r adds the sources of the frontier's in-edges, i.e. the
  // nodes whose messages arrive after r + 1 layers.
  std::vector<char> seen(static_cast<size_t>(n), 0);
  std::vector<int64_t> frontier;
  for (int64_t v : start) {
    if (!seen[static_cast<size_t>(v)]) frontier.push_back(v);
    seen[static_cast<size_t>(v)] = 1;
  }
  for (int r = 0; r < k && !frontier.empty(); ++r) {
    std::vector<int64_t> next;
    for (int64_t v : frontier) {
      for (int64_t j = indptr[static_cast<size_t>(v)]; j < indptr[static_cast<size_t>(v) + 1]; ++j) {
        const auto u = static_cast<size_t>(indices[static_cast<size_t>(j)]);
        if (!seen[u]) next.push_back(static_cast<int64_t>(u));
        seen[u] = 1;
      }
    }
    frontier.swap(next);
  }
  std::vector<int64_t> out;
  for (int64_t v = 0; v < n; ++v) {
    if (seen[static_cast<size_t>(v)]) out.push_back(v);
  }
  return detail::index_tensor(out, g.device());
}

Subgraph k_hop_subgraph(const Graph& g, const Tensor& seeds, int k) {
  return induced_subgraph(g, k_hop_nodes(g, seeds, k));
}

Subgraph receptive_field(const Graph& g, const Tensor& nodes, int hops) {
  const char* op = "receptive_field";
  LOOM_CHECK(hops >= 0, ValueError, op, ": hops must be >= 0, got ", hops);
  NoGradGuard no_grad;
  const int64_t n = g.num_nodes();
  const std::vector<int> dist = in_hop_distances(g, checked_nodes(op, "nodes", nodes, n), hops);
  // Local ids in increasing g id: each kept row lists its sources in g's order, so the sums run in g's order.
  std::vector<int64_t> ids, local(static_cast<size_t>(n), -1);
  for (int64_t v = 0; v < n; ++v) {
    if (dist[static_cast<size_t>(v)] < 0) continue;
    local[static_cast<size_t>(v)] = static_cast<int64_t>(ids.size());
    ids.push_back(v);
  }
  const Csr& c = g.csr();
  const auto indptr = c.indptr().to(kCPU).to_vector<int64_t>();
  const auto indices = c.indices().to(kCPU).to_vector<int32_t>();
  std::vector<int64_t> keep, src, dst;
  for (int64_t v : ids) {
    if (dist[static_cast<size_t>(v)] >= hops) continue;  // border: its in-edges are not read
    for (int64_t j = indptr[static_cast<size_t>(v)]; j < indptr[static_cast<size_t>(v) + 1]; ++j) {
      keep.push_back(j);
      src.push_back(local[static_cast<size_t>(indices[static_cast<size_t>(j)])]);
      dst.push_back(local[static_cast<size_t>(v)]);
    }
  }
  const Tensor kept = detail::index_tensor(keep, g.device());
  const Tensor& w = g.edge_weight();
  const Tensor& a = g.edge_attr();
  Subgraph out;
  out.graph = Graph::from_edge_index(detail::edge_index_tensor(src, dst, g.device()),
                                     static_cast<int64_t>(ids.size()), w.defined() ? index_select(w, kept) : Tensor(),
                                     a.defined() ? index_select(a, kept) : Tensor());
  out.edge_ids = index_select(kept, out.graph.edge_ids());
  out.nodes = detail::index_tensor(ids, g.device());
  auto& im = GraphAccess::impl(out.graph);
  im.parent = g;
  im.parent_nodes = out.nodes;
  return out;
}

}  // namespace loom::graph
