// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Leakage-free link splits (loom/graph/link.h). The unit of a split is a link, not a stored edge: for undirected
// graphs (u, v) and (v, u) are one link, duplicates are one link, so a held-out link can never leak back into the
// message-passing graph through its reverse or a second copy (random_edge_split draws stored edges one by one).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>
#include <vector>

#include "graph/edges.h"
#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/graph/link.h"

namespace loom::graph {

namespace {

struct Link {
  int64_t src, dst;
  auto operator<=>(const Link&) const = default;
};

// Each stored edge's link (self loops: src == dst, never split) and the sorted distinct links.
struct Links {
  std::vector<Link> of_edge;
  std::vector<Link> distinct;
  bool undirected = false;
};

Links links_of(const detail::HostEdges& e, int64_t num_nodes, const LinkSplitOptions& o) {
  Links l;
  l.undirected = o.undirected.value_or(detail::is_symmetric(e, num_nodes));
  for (size_t k = 0; k < e.src.size(); ++k) {
    int64_t s = e.src[k], d = e.dst[k];
    if (l.undirected && s > d) std::swap(s, d);
    l.of_edge.push_back({s, d});
    if (s != d) l.distinct.push_back({s, d});
  }
  std::sort(l.distinct.begin(), l.distinct.end());
  l.distinct.erase(std::unique(l.distinct.begin(), l.distinct.end()), l.distinct.end());
  return l;
}

Tensor link_tensor(std::vector<Link> v, Device device) {
  std::sort(v.begin(), v.end());
  std::vector<int64_t> s, d;
  for (const Link& x : v) {
    s.push_back(x.src);
    d.push_back(x.dst);
  }
  return detail::edge_index_tensor(s, d, device);
}

void check_args(const char* op, double val, double test, const LinkSplitOptions& o) {
  detail::check_fraction(op, "val", val);
  detail::check_fraction(op, "test", test);
  detail::check_fraction(op, "disjoint_train_ratio", o.disjoint_train_ratio);
  LOOM_CHECK(val + test <= 1.0 + 1e-9, ValueError, op, ": val + test = ", val + test,
             " exceeds 1 (the fractions of one set of links)");
}

// Splits `order` (indices into l.distinct): the last n_test are test, the n_val before them validation, and of the
// rest the last round(ratio * rest) are supervision-only. Builds the message-passing graph from the kept edges.
LinkSplit assemble(const Graph& g, const detail::HostEdges& e, const Links& l, const std::vector<int64_t>& order,
                   double val, double test, double ratio) {
  const auto m = static_cast<int64_t>(order.size());
  const int64_t n_test = std::min<int64_t>(m, std::llround(test * static_cast<double>(m)));
  const int64_t n_val = std::min<int64_t>(m - n_test, std::llround(val * static_cast<double>(m)));
  const int64_t n_train = m - n_test - n_val;
  const int64_t n_sup = std::min<int64_t>(n_train, std::llround(ratio * static_cast<double>(n_train)));
  std::vector<Link> parts[4];  // train, supervision, val, test
  for (int64_t i = 0; i < m; ++i) {
    const int part = i < n_train - n_sup ? 0 : i < n_train ? 1 : i < n_train + n_val ? 2 : 3;
    parts[part].push_back(l.distinct[static_cast<size_t>(order[static_cast<size_t>(i)])]);
  }
  std::vector<Link> kept = parts[0];
  std::sort(kept.begin(), kept.end());
  std::vector<int64_t> keep;
  for (size_t k = 0; k < l.of_edge.size(); ++k) {
    const Link& x = l.of_edge[k];
    if (x.src == x.dst || std::binary_search(kept.begin(), kept.end(), x)) keep.push_back(static_cast<int64_t>(k));
  }
  LinkSplit out;
  out.undirected = l.undirected;
  out.train = detail::select_edges(g, e, keep);
  out.train_edges = link_tensor(std::move(parts[0]), g.device());
  out.train_supervision = link_tensor(std::move(parts[1]), g.device());
  out.val_edges = link_tensor(std::move(parts[2]), g.device());
  out.test_edges = link_tensor(std::move(parts[3]), g.device());
  return out;
}

}  // namespace

LinkSplit random_link_split(const Graph& g, double val, double test, uint64_t seed, const LinkSplitOptions& o) {
  check_args("random_link_split", val, test, o);
  NoGradGuard no_grad;
  const detail::HostEdges e = detail::host_edges(g);
  const Links l = links_of(e, g.num_nodes(), o);
  // Seeded order of the distinct links, which are sorted: the split does not depend on the storage order.
  const std::vector<int64_t> order = detail::seeded_permutation(static_cast<int64_t>(l.distinct.size()), seed);
  return assemble(g, e, l, order, val, test, o.disjoint_train_ratio);
}

LinkSplit temporal_link_split(const Graph& g, const Tensor& times, double val, double test, const LinkSplitOptions& o) {
  const char* op = "temporal_link_split";
  check_args(op, val, test, o);
  LOOM_CHECK(o.disjoint_train_ratio == 0.0, ValueError, op,
             ": disjoint_train_ratio must be 0 for a temporal split, got ", o.disjoint_train_ratio);
  LOOM_CHECK(times.defined() && times.dim() == 1 && times.size(0) == g.num_edges(), ShapeError, op,
             ": 'times' must be [", g.num_edges(), "] (one time per edge, csr order), got ",
             times.defined() ? times.str() : "an undefined tensor");
  LOOM_CHECK(
      times.dtype() == kInt32 || times.dtype() == kInt64 || times.dtype() == kFloat32 || times.dtype() == kFloat64,
      DTypeError, op, ": 'times' must be int32/int64/float32/float64, got ", dtype_name(times.dtype()));
  NoGradGuard no_grad;
  // Doubles hold int64 times exactly up to 2^53 (any Unix time in nanoseconds until the year 2255).
  const std::vector<double> t = times.cpu().to(kFloat64).to_vector<double>();
  for (size_t k = 0; k < t.size(); ++k) LOOM_CHECK(!std::isnan(t[k]), ValueError, op, ": 'times' is NaN at edge ", k);
  const detail::HostEdges e = detail::host_edges(g);
  const Links l = links_of(e, g.num_nodes(), o);
  std::vector<double> link_time(l.distinct.size(), -INFINITY);
  for (size_t k = 0; k < l.of_edge.size(); ++k) {
    const auto it = std::lower_bound(l.distinct.begin(), l.distinct.end(), l.of_edge[k]);
    if (it != l.distinct.end() && *it == l.of_edge[k]) {
      double& lt = link_time[static_cast<size_t>(it - l.distinct.begin())];
      lt = std::max(lt, t[k]);
    }
  }
  // Oldest first; distinct is sorted, so a stable sort breaks ties by (src, dst).
  std::vector<int64_t> order(l.distinct.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return link_time[static_cast<size_t>(a)] < link_time[static_cast<size_t>(b)];
  });
  return assemble(g, e, l, order, val, test, 0.0);
}

}  // namespace loom::graph
