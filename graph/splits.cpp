// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Seeded random node and edge splits (loom/graph/transforms.h).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "graph/edges.h"
#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/random.h"
#include "loom/graph/transforms.h"

namespace loom::graph {

namespace detail {

// A permutation of 0..n-1 by Fisher-Yates driven by loom's stateless hash random_bits(seed, i): the same seed
// gives the same split everywhere, and unlike randperm it leaves the global generator (init, dropout) untouched.
std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> p(static_cast<size_t>(n));
  std::iota(p.begin(), p.end(), int64_t{0});
  for (int64_t i = n - 1; i > 0; --i) {
    // Multiply-shift maps 64 random bits onto [0, i + 1) without the bias of a modulo.
    const auto j = static_cast<int64_t>(
        (static_cast<unsigned __int128>(random_bits(seed, static_cast<uint64_t>(i))) * static_cast<uint64_t>(i + 1)) >>
        64);
    std::swap(p[static_cast<size_t>(i)], p[static_cast<size_t>(j)]);
  }
  return p;
}

}  // namespace detail

using detail::seeded_permutation;

namespace {

// Sorted copy of p[begin, end).
std::vector<int64_t> sorted_part(const std::vector<int64_t>& p, int64_t begin, int64_t end) {
  std::vector<int64_t> v(p.begin() + begin, p.begin() + end);
  std::sort(v.begin(), v.end());
  return v;
}

// round(a n) and round(b n), the second clamped so that both fit in n (a + b may round up past 1).
std::pair<int64_t, int64_t> split_sizes(int64_t n, double a, double b) {
  const auto na = std::min<int64_t>(n, std::llround(a * static_cast<double>(n)));
  const auto nb = std::min<int64_t>(n - na, std::llround(b * static_cast<double>(n)));
  return {na, nb};
}

void check_fractions(const char* op, const char* a_name, double a, const char* b_name, double b) {
  detail::check_fraction(op, a_name, a);
  detail::check_fraction(op, b_name, b);
  // A little slack: 0.7 + 0.3 and the like must pass despite binary rounding.
  LOOM_CHECK(a + b <= 1.0 + 1e-9, ValueError, op, ": ", a_name, " + ", b_name, " = ", a + b,
             " exceeds 1 (the fractions of one set of items)");
}

}  // namespace

NodeSplit random_node_split(int64_t num_nodes, double train, double val, uint64_t seed) {
  const char* op = "random_node_split";
  LOOM_CHECK(num_nodes >= 0, ValueError, op, ": num_nodes must be >= 0, got ", num_nodes);
  check_fractions(op, "train", train, "val", val);
  const auto [n_train, n_val] = split_sizes(num_nodes, train, val);
  const std::vector<int64_t> p = seeded_permutation(num_nodes, seed);
  NodeSplit s;
  s.train = detail::index_tensor(sorted_part(p, 0, n_train), kCPU);
  s.val = detail::index_tensor(sorted_part(p, n_train, n_train + n_val), kCPU);
  s.test = detail::index_tensor(sorted_part(p, n_train + n_val, num_nodes), kCPU);
  return s;
}

NodeSplit per_class_split(const Tensor& y, int64_t train_per_class, int64_t val_per_class, uint64_t seed) {
  const char* op = "per_class_split";
  LOOM_CHECK(y.defined() && y.dim() == 1 && (y.dtype() == kInt64 || y.dtype() == kInt32), ShapeError, op,
             ": y must be int32/int64 labels [N], got ", y.defined() ? y.str() : "an undefined tensor");
  LOOM_CHECK(train_per_class >= 0 && val_per_class >= 0, ValueError, op,
             ": train_per_class and val_per_class must be >= 0, got ", train_per_class, " and ", val_per_class);
  const std::vector<int64_t> labels = y.cpu().to(kInt64).to_vector<int64_t>();
  const int64_t n = static_cast<int64_t>(labels.size());
  int64_t classes = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = labels[static_cast<size_t>(i)];
    LOOM_CHECK(c >= 0, IndexError, op, ": label ", c, " of node ", i, " is negative");
    classes = std::max(classes, c + 1);
  }
  // One permutation of all nodes, read class by class: each class's order is a seeded shuffle of its nodes.
  std::vector<int64_t> taken(static_cast<size_t>(classes), 0), train, val, test;
  for (int64_t i : seeded_permutation(n, seed)) {
    int64_t& k = taken[static_cast<size_t>(labels[static_cast<size_t>(i)])];
    (k < train_per_class ? train : k < train_per_class + val_per_class ? val : test).push_back(i);
    ++k;
  }
  for (auto* v : {&train, &val, &test}) std::sort(v->begin(), v->end());
  return {detail::index_tensor(train, kCPU), detail::index_tensor(val, kCPU), detail::index_tensor(test, kCPU)};
}

std::pair<Tensor, Tensor> split_nodes(const Tensor& nodes, double fraction, uint64_t seed) {
  const char* op = "split_nodes";
  detail::check_fraction(op, "fraction", fraction);
  LOOM_CHECK(nodes.defined() && nodes.dim() == 1, ShapeError, op, ": nodes must be ids [n], got ",
             nodes.defined() ? nodes.str() : "an undefined tensor");
  const std::vector<int64_t> ids = nodes.cpu().to(kInt64).to_vector<int64_t>();
  const int64_t n = static_cast<int64_t>(ids.size());
  const int64_t k = split_sizes(n, fraction, 0.0).first;
  std::vector<int64_t> p = seeded_permutation(n, seed);
  for (int64_t& i : p) i = ids[static_cast<size_t>(i)];
  return {detail::index_tensor(sorted_part(p, 0, k), kCPU), detail::index_tensor(sorted_part(p, k, n), kCPU)};
}

EdgeSplit random_edge_split(const Graph& g, double val, double test, uint64_t seed) {
  const char* op = "random_edge_split";
  check_fractions(op, "val", val, "test", test);
  NoGradGuard no_grad;
  const int64_t m = g.num_edges();
  const auto [n_val, n_test] = split_sizes(m, val, test);
  // Positions in csr() order, held out independently of each other (a duplicate or reverse edge is its own edge).
  const std::vector<int64_t> p = seeded_permutation(m, seed);
  const detail::HostEdges e = detail::host_edges(g);
  auto edges_at = [&](const std::vector<int64_t>& pos) {
    std::vector<int64_t> s, d;
    for (int64_t k : pos) {
      s.push_back(e.src[static_cast<size_t>(k)]);
      d.push_back(e.dst[static_cast<size_t>(k)]);
    }
    return detail::edge_index_tensor(s, d, g.device());
  };
  EdgeSplit out;
  out.val_edges = edges_at(sorted_part(p, 0, n_val));
  out.test_edges = edges_at(sorted_part(p, n_val, n_val + n_test));
  out.train = detail::select_edges(g, e, sorted_part(p, n_val + n_test, m));
  return out;
}

}  // namespace loom::graph
