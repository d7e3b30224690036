// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Node orders (graph/orders.h). Reverse Cuthill-McKee is written here rather than taken from Boost.Graph: it needs
// the order restricted to parts (for the METIS order), and one pass over a CSR adjacency with a reused level
// marker keeps it linear in the edges on graphs of millions of nodes with many small components.
#include "graph/orders.h"

#include <algorithm>
#include <numeric>
#include <tuple>
#include <utility>

#include "loom/core/tensor.h"

namespace loom::graph::detail {

std::vector<int64_t> degree_order(const Graph& g) {
  // The graph's own edges (not in_degrees(), which a receptive field takes from its parent graph).
  const auto in = g.csr().row_degrees().to(kCPU).to_vector<int64_t>();
  const auto out = g.csc().row_degrees().to(kCPU).to_vector<int64_t>();
  std::vector<int64_t> order(in.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return in[a] + out[a] > in[b] + out[b]; });
  return order;
}

std::vector<int64_t> rcm_order(const Adjacency& a, const std::vector<int64_t>* part) {
  const int64_t n = a.n();
  const auto same = [part](int64_t u, int64_t v) { return part == nullptr || (*part)[u] == (*part)[v]; };
  std::vector<int64_t> deg(static_cast<size_t>(n), 0);
  for (int64_t v = 0; v < n; ++v)
    for (int64_t k = a.ptr[v]; k < a.ptr[v + 1]; ++k) deg[v] += same(v, a.nbr[k]) ? 1 : 0;
  const auto key = [&](int64_t v) { return std::make_tuple(part ? (*part)[v] : 0, deg[v], v); };
  const auto by_key = [&](int64_t x, int64_t y) { return key(x) < key(y); };
  // Components are started in this order: part by part, from their lowest-degree node.
  std::vector<int64_t> seeds(static_cast<size_t>(n));
  std::iota(seeds.begin(), seeds.end(), int64_t{0});
  std::sort(seeds.begin(), seeds.end(), by_key);

  std::vector<char> placed(static_cast<size_t>(n), 0);
  std::vector<int64_t> stamp(static_cast<size_t>(n), -1), frontier, next, order;
  order.reserve(static_cast<size_t>(n));
  int64_t sweeps = 0;
  // Breadth-first levels from `root` over unplaced nodes of its part: the depth of the level structure and the
  // lowest-degree node of its last level.
  const auto sweep = [&](int64_t root) {
    const int64_t id = sweeps++;
    frontier.assign(1, root);
    stamp[root] = id;
    int64_t depth = 0;
    for (;;) {
      next.clear();
      for (int64_t u : frontier)
        for (int64_t k = a.ptr[u]; k < a.ptr[u + 1]; ++k) {
          const int64_t w = a.nbr[k];
          if (!placed[w] && stamp[w] != id && same(u, w)) stamp[w] = id, next.push_back(w);
        }
      if (next.empty()) break;
      frontier.swap(next);
      ++depth;
    }
    return std::make_pair(depth, *std::min_element(frontier.begin(), frontier.end(), by_key));
  };
  for (int64_t s : seeds) {
    if (placed[s]) continue;
    // George & Liu's pseudo-peripheral node: move to the far end while that deepens the level structure (a few
    // sweeps; capped so that a pathological component cannot make this quadratic).
    int64_t root = s;
    auto [depth, far] = sweep(root);
    for (int i = 0; i < 8 && far != root; ++i) {
      const auto [far_depth, farther] = sweep(far);
      if (far_depth <= depth) break;
      root = far, depth = far_depth, far = farther;
    }
    // Cuthill-McKee: breadth first, each node's unplaced neighbours by ascending degree.
    size_t head = order.size();
    order.push_back(root);
    placed[root] = 1;
    while (head < order.size()) {
      const int64_t u = order[head++];
      const size_t first = order.size();
      for (int64_t k = a.ptr[u]; k < a.ptr[u + 1]; ++k) {
        const int64_t w = a.nbr[k];
        if (!placed[w] && same(u, w)) placed[w] = 1, order.push_back(w);
      }
      std::sort(order.begin() + static_cast<std::ptrdiff_t>(first), order.end(), by_key);
    }
  }
  std::reverse(order.begin(), order.end());
  return order;
}

}  // namespace loom::graph::detail
