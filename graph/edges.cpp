// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Internal helpers of the graph module (graph/edges.h): host edge lists and edge selections.
#include "graph/edges.h"

#include <algorithm>
#include <cmath>

#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::graph::detail {

HostEdges host_edges(const Graph& g) {
  const Csr& c = g.csr();
  const auto s = c.indices().to(kCPU).to_vector<int32_t>();
  const auto d = c.row_index().to(kCPU).to_vector<int32_t>();
  HostEdges e;
  e.src.assign(s.begin(), s.end());
  e.dst.assign(d.begin(), d.end());
  return e;
}

std::vector<int64_t> host_ids(const char* op, const char* arg, const Tensor& t) {
  LOOM_CHECK(t.defined(), ValueError, op, ": '", arg, "' is undefined");
  LOOM_CHECK(t.dtype() == kInt32 || t.dtype() == kInt64, DTypeError, op, ": '", arg,
             "' must be int32 or int64, got ", dtype_name(t.dtype()));
  return t.to(kCPU).to(kInt64).to_vector<int64_t>();
}

Tensor index_tensor(const std::vector<int64_t>& v, Device device) {
  return from_vector<int64_t>(v, {static_cast<int64_t>(v.size())}).to(device);
}

Tensor edge_index_tensor(const std::vector<int64_t>& src, const std::vector<int64_t>& dst, Device device) {
  std::vector<int64_t> both(src);
  both.insert(both.end(), dst.begin(), dst.end());
  return from_vector<int64_t>(both, {2, static_cast<int64_t>(src.size())}).to(device);
}

Graph select_edges(const Graph& g, const HostEdges& e, const std::vector<int64_t>& keep) {
  std::vector<int64_t> s, d;
  s.reserve(keep.size());
  d.reserve(keep.size());
  for (int64_t k : keep) {
    s.push_back(e.src[static_cast<size_t>(k)]);
    d.push_back(e.dst[static_cast<size_t>(k)]);
  }
  const Tensor idx = index_tensor(keep, g.device());
  const Tensor& w = g.edge_weight();
  const Tensor& a = g.edge_attr();
  return Graph::from_edge_index(edge_index_tensor(s, d, g.device()), g.num_nodes(),
                                w.defined() ? index_select(w, idx) : Tensor(),
                                a.defined() ? index_select(a, idx) : Tensor());
}

bool is_symmetric(const HostEdges& e, int64_t num_nodes) {
  const auto n = static_cast<uint64_t>(num_nodes);
  std::vector<uint64_t> fwd, rev;
  fwd.reserve(e.src.size());
  rev.reserve(e.src.size());
  for (size_t k = 0; k < e.src.size(); ++k) {
    fwd.push_back(static_cast<uint64_t>(e.src[k]) * n + static_cast<uint64_t>(e.dst[k]));
    rev.push_back(static_cast<uint64_t>(e.dst[k]) * n + static_cast<uint64_t>(e.src[k]));
  }
  // Same set of (src, dst) keys both ways round (duplicates do not matter).
  for (auto* v : {&fwd, &rev}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  return fwd == rev;
}

void check_fraction(const char* op, const char* arg, double f) {
  LOOM_CHECK(std::isfinite(f) && f >= 0.0 && f <= 1.0, ValueError, op, ": '", arg,
             "' must be a fraction in [0, 1], got ", f);
}

Adjacency symmetric_adjacency(const Graph& g) {
  const Csr in = g.csr().to(kCPU);
  const auto ip = in.indptr().to_vector<int64_t>();
  const auto ix = in.indices().to_vector<int32_t>();
  const int64_t n = g.num_nodes();
  std::vector<int64_t> deg(static_cast<size_t>(n), 0);
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = ip[v]; k < ip[v + 1]; ++k)
      if (ix[k] != v) ++deg[v], ++deg[ix[k]];
  Adjacency a;
  a.ptr.assign(static_cast<size_t>(n + 1), 0);
  for (int64_t v = 0; v < n; ++v) a.ptr[v + 1] = a.ptr[v] + deg[v];
  a.nbr.resize(static_cast<size_t>(a.ptr[n]));
  std::vector<int64_t> fill(a.ptr.begin(), a.ptr.end() - 1);
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = ip[v]; k < ip[v + 1]; ++k)
      if (ix[k] != v) a.nbr[fill[v]++] = ix[k], a.nbr[fill[ix[k]]++] = v;
  // Sort and drop repeats row by row, compacting in place.
  int64_t out = 0;
  for (int64_t v = 0; v < n; ++v) {
    const int64_t b = a.ptr[v], e = a.ptr[v + 1];
    std::sort(a.nbr.begin() + b, a.nbr.begin() + e);
    a.ptr[v] = out;
    for (int64_t k = b; k < e; ++k)
      if (k == b || a.nbr[k] != a.nbr[k - 1]) a.nbr[out++] = a.nbr[k];
  }
  a.ptr[n] = out;
  a.nbr.resize(static_cast<size_t>(out));
  return a;
}

}  // namespace loom::graph::detail
