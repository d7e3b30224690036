// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to hypergraph/: what a Hypergraph handle shares (the structure and its caches), and HypergraphAccess for
// the code that builds hypergraphs with a parent (receptive_field.cpp).
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "loom/hypergraph/hypergraph.h"

namespace loom::hypergraph {

struct Hypergraph::Impl {
  Csr members;            // rows = hyperedges, columns = vertices; pattern only
  Tensor weight;          // floating [M] or undefined
  Tensor kept;            // int64 [M]: id of each hyperedge in the user's numbering
  int64_t num_input = 0;  // hyperedges in the user's numbering (kept ids are below it)
  Tensor incidence_weight;  // floating [nnz] in members order, or undefined
  // Set on a receptive field only (receptive_field in hypergraph.h): the hypergraph it was cut from and, per
  // vertex, its id there. Vertex degrees come from the parent: a border vertex lacks some of its hyperedges here.
  Hypergraph parent;
  Tensor parent_vertices;  // int64 [N]
  mutable std::mutex mutex;  // guards the caches below
  mutable std::map<DType, StageCoefficients> hgnn, hgnnp;
  mutable std::unique_ptr<Hypergraph> singletons;
  // Its own lock: the coefficient builders ask for it while holding `mutex`, and a receptive field asks its parent's.
  mutable std::mutex degree_mutex;
  mutable std::map<std::pair<bool, DType>, Tensor> degree_sums;
};

struct HypergraphAccess {
  static Hypergraph::Impl& impl(Hypergraph& h) { return *h.impl_; }
  // Per vertex, as `dtype` [N]: sum over its hyperedges of h_ve (1 without incidence weights) times w_e when
  // hyperedge_weighted (HGNN's d_v), else without w_e (HGNN+'s d_v, the count without incidence weights). The
  // parent's on a receptive field. Cached; thread-safe.
  static const Tensor& vertex_degree_sums(const Hypergraph& h, bool hyperedge_weighted, DType dtype);
};

}  // namespace loom::hypergraph
