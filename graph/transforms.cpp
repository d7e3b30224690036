// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph transforms (self loops, coalesce, to_undirected) and feature normalisation (loom/graph/transforms.h).
// Subgraphs are in subgraph.cpp, random splits in splits.cpp.
#include "loom/graph/transforms.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "graph/edges.h"
#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::graph {

using detail::edge_index_tensor;
using detail::host_edges;
using detail::HostEdges;
using detail::index_tensor;

Graph add_self_loops(const Graph& g, double fill) {
  NoGradGuard no_grad;
  const int64_t n = g.num_nodes();
  // Nodes that already have a loop keep theirs (and its weight); the others get one.
  const HostEdges e = host_edges(g);
  std::vector<char> has(static_cast<size_t>(n), 0);
  for (size_t k = 0; k < e.src.size(); ++k) {
    if (e.src[k] == e.dst[k]) has[static_cast<size_t>(e.src[k])] = 1;
  }
  std::vector<int64_t> loops;
  for (int64_t v = 0; v < n; ++v) {
    if (!has[static_cast<size_t>(v)]) loops.push_back(v);
  }
  const int64_t l = static_cast<int64_t>(loops.size());
  if (l == 0) return g;
  const Tensor edge_index = concat({g.edge_index(), edge_index_tensor(loops, loops, g.device())}, 1);
  Tensor weight, attr;
  if (g.edge_weight().defined()) {
    weight = concat({g.edge_weight(), full({l}, fill, g.edge_weight().dtype(), g.device())}, 0);
  }
  if (g.edge_attr().defined()) {
    attr = concat({g.edge_attr(), zeros({l, g.edge_attr().size(1)}, g.edge_attr().dtype(), g.device())}, 0);
  }
  return Graph::from_edge_index(edge_index, n, weight, attr);
}

Graph remove_self_loops(const Graph& g) {
  NoGradGuard no_grad;
  const HostEdges e = host_edges(g);
  std::vector<int64_t> keep;
  for (size_t k = 0; k < e.src.size(); ++k) {
    if (e.src[k] != e.dst[k]) keep.push_back(static_cast<int64_t>(k));
  }
  if (static_cast<int64_t>(keep.size()) == g.num_edges()) return g;
  return detail::select_edges(g, e, keep);
}

Graph coalesce(const Graph& g) {
  NoGradGuard no_grad;
  const HostEdges e = host_edges(g);
  const int64_t m = g.num_edges();
  // from_edge_index sorts columns within rows, but from_csr adopts rows as given: sort (dst, src) here so that
  // duplicates are adjacent whatever built the graph. Stable, so each group keeps csr order (a fixed summation order).
  std::vector<int64_t> order(static_cast<size_t>(m));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    const auto ua = static_cast<size_t>(a), ub = static_cast<size_t>(b);
    return e.dst[ua] != e.dst[ub] ? e.dst[ua] < e.dst[ub] : e.src[ua] < e.src[ub];
  });
  std::vector<int64_t> group(static_cast<size_t>(m)), src, dst;
  for (int64_t i = 0; i < m; ++i) {
    const auto k = static_cast<size_t>(order[static_cast<size_t>(i)]);
    if (src.empty() || e.src[k] != src.back() || e.dst[k] != dst.back()) {
      src.push_back(e.src[k]);
      dst.push_back(e.dst[k]);
    }
    group[k] = static_cast<int64_t>(src.size()) - 1;
  }
  const auto u = static_cast<int64_t>(src.size());
  if (u == m) return g;
  // Sums by index_add (deterministic on both devices). An unweighted graph stays unweighted: its duplicates are
  // copies of a weight-1 edge, and turning them into weight 2 would change what GCN computes on it.
  const Tensor idx = index_tensor(group, g.device());
  Tensor weight, attr;
  if (g.edge_weight().defined()) {
    weight = index_add(zeros({u}, g.edge_weight().dtype(), g.device()), idx, g.edge_weight());
  }
  if (g.edge_attr().defined()) {
    const Tensor& a = g.edge_attr();
    attr = index_add(zeros({u, a.size(1)}, a.dtype(), g.device()), idx, a);
  }
  return Graph::from_edge_index(edge_index_tensor(src, dst, g.device()), g.num_nodes(), weight, attr);
}

Graph to_undirected(const Graph& g) {
  NoGradGuard no_grad;
  const Tensor ei = g.edge_index();
  const Tensor reversed = concat({ei.narrow_rows(1, 2), ei.narrow_rows(0, 1)}, 0);
  const Tensor& w = g.edge_weight();
  const Tensor& a = g.edge_attr();
  const Graph both = Graph::from_edge_index(concat({ei, reversed}, 1), g.num_nodes(),
                                            w.defined() ? concat({w, w}, 0) : Tensor(),
                                            a.defined() ? concat({a, a}, 0) : Tensor());
  return coalesce(both);
}

Tensor row_normalize(const Tensor& x) {
  const char* op = "row_normalize";
  LOOM_CHECK(x.defined(), ValueError, op, ": 'x' is undefined");
  LOOM_CHECK(is_floating(x.dtype()), DTypeError, op, ": 'x' must be float32 or float64, got ", dtype_name(x.dtype()));
  LOOM_CHECK(x.dim() == 2, ShapeError, op, ": 'x' must be [N, F] features, got ", x.shape_str());
  NoGradGuard no_grad;
  const int64_t n = x.size(0);
  // Row sums on the host (N values) so that a zero sum can become 1: those rows are divided by 1, i.e. unchanged.
  auto s = sum(x.detach(), 1).to(kCPU).to(kFloat64).to_vector<double>();
  for (double& v : s) v = v == 0.0 ? 1.0 : v;
  const Tensor denom = from_vector<double>(s, {n, 1}).to(x.dtype()).to(x.device());
  return div(x.detach(), denom);
}

}  // namespace loom::graph
