// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Node reordering (loom/graph/reorder.h): permutations and their checks, relabelling a graph, the locality
// measure, and the timed step. The orders themselves are in orders.cpp.
#include "loom/graph/reorder.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "graph/edges.h"
#include "graph/orders.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/graph/partition.h"

namespace loom::graph {

namespace {

// table[ids] with ids' shape, dtype and device; an id outside the table is named by its position.
Tensor map_ids(const char* op, const Tensor& table, const Tensor& ids) {
  LOOM_CHECK(ids.defined(), ValueError, op, ": 'ids' is undefined");
  LOOM_CHECK(ids.dtype() == kInt32 || ids.dtype() == kInt64, DTypeError, op, ": node ids must be int32 or int64, got ",
             dtype_name(ids.dtype()));
  LOOM_CHECK(table.defined(), ValueError, op, ": the permutation is undefined");
  if (ids.numel() == 0) return ids;
  const Tensor flat = ids.to(kInt64).reshape({-1});
  Tensor out;
  try {
    out = index_select(table.to(ids.device()), flat);
  } catch (const IndexError&) {
    const auto v = flat.to(kCPU).to_vector<int64_t>();
    const int64_t n = table.numel();
    for (size_t k = 0; k < v.size(); ++k) {
      LOOM_CHECK(v[k] >= 0 && v[k] < n, IndexError, op, ": node id ", v[k], " at position ", k, " is outside [0, ", n,
                 ")");
    }
    throw;
  }
  return out.reshape(ids.shape()).to(ids.dtype());
}

Tensor map_rows(const char* op, const Tensor& index, const Tensor& x) {
  LOOM_CHECK(x.defined(), ValueError, op, ": 'x' is undefined");
  LOOM_CHECK(x.dim() >= 1 && x.size(0) == index.numel(), ShapeError, op, ": 'x' must have one row per node (",
             index.numel(), "), got ", x.shape_str());
  return index_select(x, index.to(x.device()));
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Permutation Permutation::identity(int64_t n) {
  LOOM_CHECK(n >= 0, ValueError, "Permutation::identity: n must be >= 0, got ", n);
  const Tensor t = arange(n);
  return Permutation{t, t};
}

Permutation Permutation::from_order(const Tensor& new_to_old) {
  const char* op = "Permutation::from_order";
  LOOM_CHECK(new_to_old.defined() && new_to_old.dim() == 1, ShapeError, op, ": 'new_to_old' must be [N], got ",
             new_to_old.defined() ? new_to_old.shape_str() : std::string("undefined"));
  std::vector<int64_t> order = detail::host_ids(op, "new_to_old", new_to_old);
  const int64_t n = static_cast<int64_t>(order.size());
  std::vector<int64_t> inverse(order.size(), -1);
  // N ids, each in range and none repeated: a bijection.
  for (int64_t i = 0; i < n; ++i) {
    const int64_t old = order[i];
    LOOM_CHECK(old >= 0 && old < n, IndexError, op, ": new id ", i, " maps to old id ", old, ", outside [0, ", n, ")");
    LOOM_CHECK(inverse[old] < 0, ValueError, op, ": old id ", old, " appears at new ids ", inverse[old], " and ", i,
               " (a permutation lists every node exactly once)");
    inverse[old] = i;
  }
  return Permutation{from_vector<int64_t>(order, {n}), from_vector<int64_t>(inverse, {n})};
}

void Permutation::check(const char* op) const {
  LOOM_CHECK(new_to_old.defined() && old_to_new.defined(), ValueError, op, ": the permutation is undefined");
  LOOM_CHECK(new_to_old.dim() == 1 && old_to_new.dim() == 1 && new_to_old.numel() == old_to_new.numel(), ShapeError,
             op, ": the permutation's new_to_old ", new_to_old.shape_str(), " and old_to_new ",
             old_to_new.shape_str(), " must both be [N]");
  const std::vector<int64_t> fwd = detail::host_ids(op, "new_to_old", new_to_old);
  const std::vector<int64_t> inv = detail::host_ids(op, "old_to_new", old_to_new);
  const int64_t n = static_cast<int64_t>(fwd.size());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t old = fwd[i];
    LOOM_CHECK(old >= 0 && old < n, IndexError, op, ": new id ", i, " maps to old id ", old, ", outside [0, ", n, ")");
    // inv[fwd[i]] == i for every i makes fwd one-to-one (so a bijection) and inv its inverse; a repeated old id
    // fails here at its second position.
    LOOM_CHECK(inv[old] == i, ValueError, op, ": new id ", i, " maps to old id ", old, " but old_to_new maps ", old,
               " to new id ", inv[old], " (a permutation lists every node exactly once, and old_to_new is the "
               "inverse of new_to_old)");
  }
}

Tensor Permutation::ids_to_new(const Tensor& old_ids) const {
  return map_ids("Permutation::ids_to_new", old_to_new, old_ids);
}
Tensor Permutation::ids_to_old(const Tensor& new_ids) const {
  return map_ids("Permutation::ids_to_old", new_to_old, new_ids);
}
Tensor Permutation::rows_to_new(const Tensor& x) const { return map_rows("Permutation::rows_to_new", new_to_old, x); }
Tensor Permutation::rows_to_old(const Tensor& x) const { return map_rows("Permutation::rows_to_old", old_to_new, x); }

std::string Locality::str() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "mean gap %.1f, neighbour gap %.1f, bandwidth %lld", mean_edge_gap,
                mean_neighbour_gap, static_cast<long long>(bandwidth));
  return buf;
}

Locality measure_locality(const Graph& g) {
  const Csr in = g.csr().to(kCPU);
  const auto ptr = in.indptr().to_vector<int64_t>();
  const auto col = in.indices().to_vector<int32_t>();
  Locality l;
  double gap = 0, spread = 0, pairs = 0;
  for (int64_t v = 0; v + 1 < static_cast<int64_t>(ptr.size()); ++v) {
    if (ptr[v] == ptr[v + 1]) continue;
    int64_t lo = col[ptr[v]], hi = lo;
    for (int64_t k = ptr[v]; k < ptr[v + 1]; ++k) {
      const int64_t d = std::abs(col[k] - v);
      gap += static_cast<double>(d);
      l.bandwidth = std::max(l.bandwidth, d);
      lo = std::min<int64_t>(lo, col[k]), hi = std::max<int64_t>(hi, col[k]);
    }
    // The gaps between consecutive sorted ids of a row add up to its max - min.
    spread += static_cast<double>(hi - lo);
    pairs += static_cast<double>(ptr[v + 1] - ptr[v] - 1);
  }
  l.mean_edge_gap = col.empty() ? 0 : gap / static_cast<double>(col.size());
  l.mean_neighbour_gap = pairs > 0 ? spread / pairs : 0;
  return l;
}

Permutation compute_order(const Graph& g, Reorder method, const ReorderOptions& o) {
  LOOM_CHECK(o.part_nodes() >= 1, ValueError, "compute_order: part_nodes must be >= 1, got ", o.part_nodes());
  LOOM_CHECK(method != Reorder::kMetis || has_metis(), ValueError,
             "compute_order: the metis order needs METIS and this Loom was built without it (install libmetis-dev "
             "and rebuild); degree and rcm need nothing");
  const int64_t n = g.num_nodes();
  std::vector<int64_t> order;
  switch (method) {
    case Reorder::kNone: return Permutation::identity(n);
    case Reorder::kDegree: order = detail::degree_order(g); break;
    case Reorder::kRcm: order = detail::rcm_order(detail::symmetric_adjacency(g)); break;
    case Reorder::kMetis: {
      const int64_t parts = std::max<int64_t>(1, (n + o.part_nodes() - 1) / o.part_nodes());
      const Partition p = partition_graph(g, parts, PartitionOptions().method(PartitionMethod::kMetis).seed(o.seed()));
      const std::vector<int64_t> part = p.part.to_vector<int64_t>();
      order = detail::rcm_order(detail::symmetric_adjacency(g), &part);
      break;
    }
  }
  // Checked like a user's order: a bug in an order algorithm must not silently drop or repeat a node.
  return Permutation::from_order(from_vector<int64_t>(order, {n}));
}

Graph permute_graph(const Graph& g, const Permutation& p) {
  LOOM_CHECK(p.size() == g.num_nodes(), ShapeError, "permute_graph: the permutation has ", p.size(),
             " nodes but the graph has ", g.num_nodes());
  p.check("permute_graph");
  // edge_index(), edge_weight() and edge_attr() are all in csr() order, so the new graph's edge_ids() are
  // positions in g's csr().
  return Graph::from_edge_index(p.ids_to_new(g.edge_index()), g.num_nodes(), g.edge_weight(), g.edge_attr());
}

std::string Reordering::str() const {
  char buf[400];
  std::snprintf(buf, sizeof buf, "%s: %.3f s to order, %.3f s to apply; mean gap %.1f -> %.1f, neighbour gap %.1f -> "
                "%.1f, bandwidth %lld -> %lld", to_string(method).c_str(), order_seconds, apply_seconds,
                before.mean_edge_gap, after.mean_edge_gap, before.mean_neighbour_gap, after.mean_neighbour_gap,
                static_cast<long long>(before.bandwidth), static_cast<long long>(after.bandwidth));
  return buf;
}

Reordering reorder(const Graph& g, Reorder method, const ReorderOptions& o) {
  Reordering r;
  r.method = method;
  r.before = measure_locality(g);
  auto t0 = std::chrono::steady_clock::now();
  r.permutation = compute_order(g, method, o);
  r.order_seconds = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  r.graph = method == Reorder::kNone ? g : permute_graph(g, r.permutation);
  r.apply_seconds = seconds_since(t0);
  r.after = method == Reorder::kNone ? r.before : measure_locality(r.graph);
  return r;
}

}  // namespace loom::graph
