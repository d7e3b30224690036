// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Random graphs for every engine test (Csr, message passing, layers): small but nasty, always mixing the cases
// kernels get wrong. Graph convention: rows are destinations, columns are sources (an edge src -> dst is the
// entry (dst, src)).
//
// random_graph(seed, num_dst, num_src, avg_degree) returns unsorted int64 COO edges (CPU) that ALWAYS contain,
// whenever the sizes allow it:
//   - empty rows: about 10% of the destinations (at least one) have no in-edges;
//   - isolated nodes: about 5% of the sources (at least one) are never used as a source; when the graph is
//     square those ids are also empty rows, so they have no edge at all;
//   - self loops (square graphs only): a few v -> v edges;
//   - duplicate edges: about 5% of the edges (at least one) are repeated, possibly several times;
//   - one hub row with a very high in-degree: ceil(4/5 num_src) for num_src <= 2500, else 2000 + num_src / 100
//     (distinct sources, more than a warp or a block handles in one pass);
//   - other rows with degrees uniform in [0, 2 avg_degree] (so ~avg_degree on average);
//   - edges in a random order (builders must sort).
// avg_degree == 0 or an empty side gives the zero-edge graph (also: empty_graph). num_src != num_dst gives a
// bipartite graph (no self loops). The same seed gives the same graph on every platform (only mt19937_64 and
// integer arithmetic are used, no std distributions).
#pragma once
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::testing {

struct RandomGraph {
  Tensor src, dst;  // int64 [num_edges] on the CPU, unsorted
  int64_t num_src = 0, num_dst = 0;
  int64_t num_edges() const { return src.numel(); }
  int64_t hub = -1;                     // the destination with the very high in-degree (-1 when none)
  std::vector<int64_t> isolated_srcs;   // sources never used
  std::vector<int64_t> empty_rows;      // destinations without in-edges
};

namespace detail_graph {
// Uniform integer in [0, n) from a 64-bit generator (n > 0): the multiply-shift map, identical everywhere.
inline int64_t below(std::mt19937_64& g, int64_t n) {
  return static_cast<int64_t>((static_cast<unsigned __int128>(g()) * static_cast<uint64_t>(n)) >> 64);
}
inline void shuffle(std::vector<int64_t>& v, std::mt19937_64& g) {
  for (int64_t i = static_cast<int64_t>(v.size()) - 1; i > 0; --i) std::swap(v[i], v[below(g, i + 1)]);
}
}  // namespace detail_graph

inline RandomGraph empty_graph(int64_t num_dst, int64_t num_src) {
  RandomGraph g;
  g.num_dst = num_dst;
  g.num_src = num_src;
  g.src = empty({0}, kInt64);
  g.dst = empty({0}, kInt64);
  for (int64_t v = 0; v < num_dst; ++v) g.empty_rows.push_back(v);
  for (int64_t u = 0; u < num_src; ++u) g.isolated_srcs.push_back(u);
  return g;
}

inline RandomGraph random_graph(uint32_t seed, int64_t num_dst, int64_t num_src, int64_t avg_degree) {
  using detail_graph::below;
  if (avg_degree <= 0 || num_dst <= 0 || num_src <= 0) return empty_graph(num_dst, num_src);
  std::mt19937_64 gen(0x9e3779b97f4a7c15ULL ^ seed);
  const bool square = num_src == num_dst;

  // Isolated sources (and, in a square graph, the same ids as empty rows). Keep at least one usable source.
  std::vector<int64_t> src_perm(static_cast<size_t>(num_src));
  std::iota(src_perm.begin(), src_perm.end(), int64_t{0});
  detail_graph::shuffle(src_perm, gen);
  const int64_t n_iso = num_src >= 2 ? std::max<int64_t>(1, num_src / 20) : 0;
  std::vector<char> is_iso(static_cast<size_t>(num_src), 0), is_empty(static_cast<size_t>(num_dst), 0);
  RandomGraph g;
  g.num_dst = num_dst;
  g.num_src = num_src;
  for (int64_t i = 0; i < n_iso; ++i) {
    const int64_t u = src_perm[static_cast<size_t>(i)];
    is_iso[static_cast<size_t>(u)] = 1;
    g.isolated_srcs.push_back(u);
    if (square) is_empty[static_cast<size_t>(u)] = 1;
  }
  std::vector<int64_t> usable(src_perm.begin() + n_iso, src_perm.end());

  // Empty rows: ~10% of the destinations (at least one when there are two or more), never the hub.
  std::vector<int64_t> dst_perm(static_cast<size_t>(num_dst));
  std::iota(dst_perm.begin(), dst_perm.end(), int64_t{0});
  detail_graph::shuffle(dst_perm, gen);
  const int64_t n_empty = num_dst >= 2 ? std::max<int64_t>(1, num_dst / 10) : 0;
  for (int64_t i = 0; i < n_empty; ++i) is_empty[static_cast<size_t>(dst_perm[static_cast<size_t>(i)])] = 1;
  int64_t hub = -1;
  for (int64_t v : dst_perm)
    if (!is_empty[static_cast<size_t>(v)]) {
      hub = v;
      break;
    }
  for (int64_t v = 0; v < num_dst; ++v)
    if (is_empty[static_cast<size_t>(v)]) g.empty_rows.push_back(v);
  g.hub = hub;

  std::vector<int64_t> src, dst;
  auto add = [&](int64_t d, int64_t s) {
    dst.push_back(d);
    src.push_back(s);
  };
  const int64_t nu = static_cast<int64_t>(usable.size());
  if (hub >= 0 && nu > 0) {
    const int64_t hub_deg = num_src <= 2500 ? (4 * num_src + 4) / 5 : 2000 + num_src / 100;
    std::vector<int64_t> pick = usable;
    detail_graph::shuffle(pick, gen);
    for (int64_t i = 0; i < std::min(hub_deg, nu); ++i) add(hub, pick[static_cast<size_t>(i)]);
  }
  for (int64_t v = 0; v < num_dst; ++v) {
    if (v == hub || is_empty[static_cast<size_t>(v)] || nu == 0) continue;
    const int64_t deg = below(gen, 2 * avg_degree + 1);
    for (int64_t i = 0; i < deg; ++i) add(v, usable[static_cast<size_t>(below(gen, nu))]);
  }
  if (square) {  // a few self loops on non-empty, non-isolated nodes
    int64_t loops = std::max<int64_t>(1, num_dst / 50);
    for (int64_t v : dst_perm) {
      if (loops == 0) break;
      if (is_empty[static_cast<size_t>(v)] || is_iso[static_cast<size_t>(v)]) continue;
      add(v, v);
      --loops;
    }
  }
  const int64_t base = static_cast<int64_t>(src.size());
  if (base > 0) {  // duplicates: ~5% (at least one), one of them three times over
    const int64_t n_dup = std::max<int64_t>(1, base / 20);
    for (int64_t i = 0; i < n_dup; ++i) {
      const int64_t k = below(gen, base);
      add(dst[static_cast<size_t>(k)], src[static_cast<size_t>(k)]);
      if (i == 0) add(dst[static_cast<size_t>(k)], src[static_cast<size_t>(k)]);
    }
  }
  // Random order.
  std::vector<int64_t> order(src.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  detail_graph::shuffle(order, gen);
  std::vector<int64_t> s2(src.size()), d2(src.size());
  for (size_t i = 0; i < order.size(); ++i) {
    s2[i] = src[static_cast<size_t>(order[i])];
    d2[i] = dst[static_cast<size_t>(order[i])];
  }
  const int64_t m = static_cast<int64_t>(s2.size());
  g.src = from_vector<int64_t>(s2, {m});
  g.dst = from_vector<int64_t>(d2, {m});
  return g;
}

// The graph as a Csr (rows = destinations) on `device`; values (optional) are [num_edges] or [num_edges, H] in
// the graph's edge order (they are permuted with the entries).
inline Csr to_csr(const RandomGraph& g, Device device = kCPU, DupPolicy dup = DupPolicy::kKeep,
                  const Tensor& values = Tensor()) {
  return Csr::from_coo(g.dst.to(device), g.src.to(device), g.num_dst, g.num_src,
                       values.defined() ? values.to(device) : Tensor(), dup);
}

// A pattern-only random Csr (duplicates kept unless dup says otherwise); see random_graph for what it contains.
inline Csr random_csr(uint32_t seed, int64_t num_dst, int64_t num_src, int64_t avg_degree, Device device = kCPU,
                      DupPolicy dup = DupPolicy::kKeep) {
  return to_csr(random_graph(seed, num_dst, num_src, avg_degree), device, dup);
}

struct NamedGraph {
  std::string name;
  Csr g;
};

// The graphs every op is checked on: square with a hub of 1200 in-edges, bipartite both ways, a tiny
// one and the zero-edge graph; all with empty rows, isolated nodes, self loops (square) and duplicate edges.
inline std::vector<NamedGraph> graph_zoo() {
  return {{"square_hub", random_csr(11, 1500, 1500, 3)},
          {"bipartite_wide", random_csr(12, 60, 140, 4)},
          {"bipartite_tall", random_csr(13, 140, 60, 2)},
          {"tiny", random_csr(14, 5, 5, 1)},
          {"zero_edge", random_csr(15, 7, 4, 0)}};
}

}  // namespace loom::testing
