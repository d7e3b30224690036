// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to graph/: what a Graph handle shares (the structure and its caches), and GraphAccess for the code in
// graph/ that builds graphs with a parent (receptive_field in subgraph.cpp).
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "loom/graph/graph.h"

namespace loom::graph {

struct Graph::Impl {
  Csr csr;
  Tensor weight, attr, edge_ids;
  // Set on a receptive field only (transforms.h): the graph it was cut from and, per node, its id there. Every
  // degree this graph reports or normalises with is the parent's, so that its border nodes (which lack some of
  // their edges here) still count all of them.
  Graph parent;
  Tensor parent_nodes;  // int64 [N]
  mutable std::mutex mutex;  // guards norms and self_loops
  mutable std::map<std::pair<Norm, DType>, Tensor> norms;
  mutable std::unique_ptr<Graph> self_loops;
  mutable bool self_loops_is_self = false;  // with_self_loops() is the graph itself (no loop was missing)
  // Its own lock: norm() asks for it while holding `mutex`, and a receptive field asks its parent's.
  mutable std::mutex degree_mutex;
  mutable std::map<DType, Tensor> weighted_in_degrees;
};

struct GraphAccess {
  static Graph::Impl& impl(Graph& g) { return *g.impl_; }
  // Weighted in-degree of every node as `dtype` [N] (the row sums of the weights; the parent's on a receptive
  // field), cached per dtype. Thread-safe.
  static const Tensor& weighted_in_degrees(const Graph& g, DType dtype);
};

}  // namespace loom::graph
