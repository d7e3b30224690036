// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph algorithms on the CPU by Boost.Graph (loom/graph/algorithms.h): weak components and BFS hop distances.
#include "loom/graph/algorithms.h"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/visitors.hpp>
#include <utility>
#include <vector>

#include "graph/edges.h"
#include "loom/core/error.h"
#include "loom/graph/boost.h"

namespace loom::graph {

Components connected_components(const Graph& g) {
  const int64_t n = g.num_nodes();
  // Boost's CSR graph has no undirected form. A directed graph holding every edge in both directions has the
  // same DFS forest as the undirected graph, so Boost's connected_components (the overload without named
  // parameters, which accepts directed graphs) labels the weak components of g.
  const detail::HostEdges e = detail::host_edges(g);
  std::vector<std::pair<uint32_t, uint32_t>> both;
  both.reserve(2 * e.src.size());
  for (size_t k = 0; k < e.src.size(); ++k) {
    both.emplace_back(static_cast<uint32_t>(e.src[k]), static_cast<uint32_t>(e.dst[k]));
    both.emplace_back(static_cast<uint32_t>(e.dst[k]), static_cast<uint32_t>(e.src[k]));
  }
  const BoostGraph sym(boost::edges_are_unsorted_multi_pass, both.begin(), both.end(), static_cast<uint32_t>(n));
  std::vector<uint64_t> comp(static_cast<size_t>(n));
  boost::connected_components(sym, boost::make_iterator_property_map(comp.begin(), get(boost::vertex_index, sym)));
  // Renumber by first appearance in node order, so that labels are numbered by their smallest node whatever
  // order Boost's DFS discovered the components in.
  std::vector<int64_t> relabel(static_cast<size_t>(n), -1), labels(static_cast<size_t>(n));
  int64_t count = 0;
  for (size_t v = 0; v < comp.size(); ++v) {
    int64_t& r = relabel[static_cast<size_t>(comp[v])];
    if (r < 0) r = count++;
    labels[v] = r;
  }
  return {detail::index_tensor(labels, g.device()), count};
}

Tensor largest_connected_component(const Graph& g) {
  const Components c = connected_components(g);
  const auto labels = c.labels.to(kCPU).to_vector<int64_t>();
  std::vector<int64_t> size(static_cast<size_t>(c.count), 0);
  for (int64_t l : labels) ++size[static_cast<size_t>(l)];
  // Strictly greater keeps the first of equal sizes: the lowest label, i.e. the component of the smallest node.
  int64_t best = 0;
  for (int64_t l = 1; l < c.count; ++l) {
    if (size[static_cast<size_t>(l)] > size[static_cast<size_t>(best)]) best = l;
  }
  std::vector<int64_t> nodes;
  for (size_t v = 0; v < labels.size(); ++v) {
    if (labels[v] == best) nodes.push_back(static_cast<int64_t>(v));
  }
  return detail::index_tensor(nodes, g.device());
}

Tensor bfs_distances(const Graph& g, int64_t source) {
  const int64_t n = g.num_nodes();
  LOOM_CHECK(source >= 0 && source < n, IndexError, "bfs_distances: source ", source, " is outside [0, ", n,
             ") (the graph has ", n, " nodes)");
  const BoostGraph bg = to_boost(g);
  std::vector<int64_t> dist(static_cast<size_t>(n), -1);
  dist[static_cast<size_t>(source)] = 0;
  // record_distances sets d[target] = d[source] + 1 on each tree edge; nodes never reached keep -1.
  auto dmap = boost::make_iterator_property_map(dist.begin(), get(boost::vertex_index, bg));
  boost::breadth_first_search(
      bg, boost::vertex(static_cast<uint32_t>(source), bg),
      boost::visitor(boost::make_bfs_visitor(boost::record_distances(dmap, boost::on_tree_edge()))));
  return detail::index_tensor(dist, g.device());
}

}  // namespace loom::graph
