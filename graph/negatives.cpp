// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Seeded negative sampling for link prediction (loom/graph/link.h). Sparse graphs use rejection sampling (a draw
// is a non-edge with probability >= 7/8 there); dense ones enumerate their non-edges, so a request that barely
// fits still ends in a bounded time. Every draw is random_bits(seed, counter) with one running counter.
#include <algorithm>
#include <unordered_set>
#include <vector>

#include "graph/edges.h"
#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/random.h"
#include "loom/graph/link.h"

namespace loom::graph {

namespace {

// One seeded stream: uniform integers in [0, n) by multiply-shift (no modulo bias) and doubles in [0, 1).
struct Draws {
  uint64_t seed, counter = 0;
  int64_t below(int64_t n) {
    return static_cast<int64_t>(
        (static_cast<unsigned __int128>(random_bits(seed, counter++)) * static_cast<uint64_t>(n)) >> 64);
  }
  double unit() { return static_cast<double>(random_bits(seed, counter++) >> 11) * 0x1.0p-53; }
};

// The first k of a seeded partial Fisher-Yates shuffle of v.
template <class T>
void take_first(std::vector<T>& v, size_t k, Draws& r) {
  for (size_t i = 0; i < k; ++i)
    std::swap(v[i], v[i + static_cast<size_t>(r.below(static_cast<int64_t>(v.size() - i)))]);
  v.resize(k);
}

uint64_t key(int64_t u, int64_t v, int64_t n) {
  return static_cast<uint64_t>(u) * static_cast<uint64_t>(n) + static_cast<uint64_t>(v);
}

}  // namespace

Tensor negative_edges(const Graph& g, int64_t count, uint64_t seed, NegativeMode mode) {
  const char* op = "negative_edges";
  LOOM_CHECK(count >= 0, ValueError, op, ": 'count' must be >= 0, got ", count);
  NoGradGuard no_grad;
  const int64_t n = g.num_nodes();
  const detail::HostEdges e = detail::host_edges(g);
  const bool undirected = detail::is_symmetric(e, n);
  std::vector<uint64_t> edges;  // sorted distinct non-loop (src, dst) keys
  std::vector<double> degree(static_cast<size_t>(n), 0.0);
  for (size_t k = 0; k < e.src.size(); ++k) {
    if (e.src[k] != e.dst[k]) edges.push_back(key(e.src[k], e.dst[k], n));
    degree[static_cast<size_t>(e.src[k])] += 1;
    degree[static_cast<size_t>(e.dst[k])] += 1;
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  const auto is_edge = [&](int64_t u, int64_t v) {
    return std::binary_search(edges.begin(), edges.end(), key(u, v, n));
  };
  // Unordered pairs for undirected graphs: (u, v) and (v, u) are one candidate.
  const int64_t pairs = undirected ? n * (n - 1) / 2 : n * (n - 1);
  const int64_t links = undirected ? static_cast<int64_t>(edges.size()) / 2 : static_cast<int64_t>(edges.size());
  const int64_t available = pairs - links;
  LOOM_CHECK(count <= available, ValueError, op, ": 'count' = ", count, " negatives asked, but the graph (", n,
             " nodes, ", links, undirected ? " undirected" : " directed", " links) leaves only ", available,
             " non-edges");
  Draws r{seed};
  std::vector<int64_t> src, dst;
  if (static_cast<double>(available - count) * 8.0 < static_cast<double>(n) * static_cast<double>(n)) {
    // Dense: enumerate the non-edges and take a seeded sample (uniform in either mode).
    std::vector<std::pair<int64_t, int64_t>> all;
    for (int64_t u = 0; u < n; ++u)
      for (int64_t v = undirected ? u + 1 : 0; v < n; ++v)
        if (u != v && !is_edge(u, v)) all.emplace_back(u, v);
    take_first(all, static_cast<size_t>(count), r);
    for (const auto& [u, v] : all) {
      src.push_back(u);
      dst.push_back(v);
    }
    return detail::edge_index_tensor(src, dst, g.device());
  }
  std::vector<double> cdf(degree.size());
  double total = 0;
  for (size_t i = 0; i < degree.size(); ++i) cdf[i] = total += degree[i];
  // Degree-biased draws may stall when the popular nodes are saturated: after this many tries, draw uniformly.
  const int64_t biased_tries = mode == NegativeMode::kDegree && total > 0 ? 64 * count + 1024 : 0;
  std::unordered_set<uint64_t> taken;
  for (int64_t tries = 0; static_cast<int64_t>(src.size()) < count; ++tries) {
    const int64_t u = r.below(n);
    int64_t v = 0;
    if (tries < biased_tries) {
      const auto it = std::upper_bound(cdf.begin(), cdf.end(), r.unit() * total);
      v = std::min<int64_t>(n - 1, it - cdf.begin());
    } else {
      v = r.below(n);
    }
    if (u == v || is_edge(u, v)) continue;
    if (!taken.insert(undirected ? key(std::min(u, v), std::max(u, v), n) : key(u, v, n)).second) continue;
    src.push_back(u);
    dst.push_back(v);
  }
  return detail::edge_index_tensor(src, dst, g.device());
}

namespace {

// Per positive (u, v): per_positive distinct w != u, v, not adjacent to u; the 2-hop ones first when `two_hop_first`
// (hard_negatives), else uniform over all of them (tail_negatives). `op` names the caller in errors.
Tensor negatives_per_positive(const char* op, const Graph& g, const Tensor& positives, int64_t per_positive,
                              uint64_t seed, bool two_hop_first) {
  LOOM_CHECK(per_positive >= 0, ValueError, op, ": 'per_positive' must be >= 0, got ", per_positive);
  LOOM_CHECK(positives.defined() && positives.dim() == 2 && positives.size(0) == 2, ShapeError, op,
             ": 'positives' must be [2, k], got ", positives.defined() ? positives.str() : "an undefined tensor");
  NoGradGuard no_grad;
  const std::vector<int64_t> pos = detail::host_ids(op, "positives", positives);
  const int64_t k = positives.size(1), n = g.num_nodes();
  const detail::HostEdges e = detail::host_edges(g);
  // Neighbours ignoring direction, sorted and distinct, without self loops.
  std::vector<std::vector<int64_t>> adj(static_cast<size_t>(n));
  for (size_t i = 0; i < e.src.size(); ++i) {
    if (e.src[i] == e.dst[i]) continue;
    adj[static_cast<size_t>(e.src[i])].push_back(e.dst[i]);
    adj[static_cast<size_t>(e.dst[i])].push_back(e.src[i]);
  }
  for (auto& a : adj) {
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
  }
  Draws r{seed};
  std::vector<int64_t> src, dst;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t u = pos[static_cast<size_t>(i)], v = pos[static_cast<size_t>(k + i)];
    LOOM_CHECK(u >= 0 && u < n && v >= 0 && v < n, IndexError, op, ": positive ", i, " = (", u, ", ", v,
               ") is outside the graph's ", n, " nodes");
    const std::vector<int64_t>& near = adj[static_cast<size_t>(u)];
    const auto excluded = [&](int64_t w) {
      return w == u || w == v || std::binary_search(near.begin(), near.end(), w);
    };
    std::vector<int64_t> two_hop;
    if (two_hop_first) {
      for (int64_t w : near)
        for (int64_t x : adj[static_cast<size_t>(w)])
          if (!excluded(x)) two_hop.push_back(x);
    }
    std::sort(two_hop.begin(), two_hop.end());
    two_hop.erase(std::unique(two_hop.begin(), two_hop.end()), two_hop.end());
    std::vector<int64_t> chosen = two_hop;
    take_first(chosen, std::min(chosen.size(), static_cast<size_t>(per_positive)), r);
    const auto need = static_cast<size_t>(per_positive);
    if (chosen.size() < need) {
      const int64_t room = n - 1 - (v != u) - static_cast<int64_t>(near.size()) +
                           (v != u && std::binary_search(near.begin(), near.end(), v));
      LOOM_CHECK(room >= per_positive, ValueError, op, ": source ", u, " of positive ", i, " has only ", room,
                 " non-neighbours for per_positive = ", per_positive);
      // The 2-hop nodes are all taken; the rest are uniform among the other non-neighbours.
      const auto taken = [&](int64_t w) {
        return excluded(w) || std::binary_search(two_hop.begin(), two_hop.end(), w);
      };
      if (room * 4 < n) {  // few candidates: enumerate them rather than reject most draws
        std::vector<int64_t> rest;
        for (int64_t w = 0; w < n; ++w)
          if (!taken(w)) rest.push_back(w);
        take_first(rest, need - chosen.size(), r);
        chosen.insert(chosen.end(), rest.begin(), rest.end());
      } else {
        std::unordered_set<int64_t> extra;
        while (chosen.size() < need) {
          const int64_t w = r.below(n);
          if (!taken(w) && extra.insert(w).second) chosen.push_back(w);
        }
      }
    }
    for (int64_t w : chosen) {
      src.push_back(u);
      dst.push_back(w);
    }
  }
  return detail::edge_index_tensor(src, dst, g.device());
}

}  // namespace

Tensor hard_negatives(const Graph& g, const Tensor& positives, int64_t per_positive, uint64_t seed) {
  return negatives_per_positive("hard_negatives", g, positives, per_positive, seed, true);
}

Tensor tail_negatives(const Graph& g, const Tensor& positives, int64_t per_positive, uint64_t seed) {
  return negatives_per_positive("tail_negatives", g, positives, per_positive, seed, false);
}

}  // namespace loom::graph
