// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Node reordering: relabel a graph's nodes so that neighbours get nearby ids, which puts the feature rows a
// message-passing kernel gathers for one destination close together in memory. A reordering is a measured step
// (its own time and the locality before and after) and the reordered graph carries its Permutation, so features go
// in through rows_to_new and every per-node result comes back through rows_to_old: results stay in the user's ids.
#pragma once
#include <cstdint>
#include <string>

#include "loom/core/choices.h"
#include "loom/core/options.h"
#include "loom/core/tensor.h"
#include "loom/graph/graph.h"

namespace loom::graph {

// kDegree: by total degree (in + out), highest first, ties by id: the hubs' rows, read by most rows, share cache
//          lines and pages at the front.
// kRcm:    reverse Cuthill-McKee on the symmetrised graph (BFS from a pseudo-peripheral node of each component,
//          neighbours by ascending degree, then the whole order reversed): small bandwidth, neighbours close.
// kMetis:  METIS k-way parts of about ReorderOptions::part_nodes nodes, part after part, RCM inside each part
//          (only edges inside the part count there): each part's rows are contiguous. Needs Loom built with METIS.
enum class Reorder : uint8_t { kNone, kDegree, kRcm, kMetis };

struct ReorderOptions {
  // kMetis: the target part size (parts = ceil(N / part_nodes)); 4096 rows of 128 float32 features are 2 MiB.
  LOOM_ARG(int64_t, part_nodes) = 4096;
  LOOM_ARG(uint64_t, seed) = 0;  // kMetis: METIS's seed
};

// A relabelling of N nodes, int64 on the CPU: new id i is old id new_to_old[i], and old_to_new is its inverse.
struct Permutation {
  Tensor new_to_old, old_to_new;

  bool defined() const { return new_to_old.defined(); }
  int64_t size() const { return new_to_old.defined() ? new_to_old.numel() : 0; }
  static Permutation identity(int64_t n);
  // From new_to_old (int32/int64 [N], any device). ShapeError unless 1-D; IndexError naming the position of an id
  // outside [0, N); ValueError naming both positions of a repeated id (so a non-bijection never gets through).
  static Permutation from_order(const Tensor& new_to_old);
  Permutation inverse() const { return Permutation{old_to_new, new_to_old}; }
  // Throws unless new_to_old and old_to_new are both [N] and inverse bijections, naming the first problem:
  // ValueError when undefined, ShapeError for other shapes or lengths, IndexError for an id outside [0, N),
  // ValueError for a repeated id or tables that are not each other's inverse. For a Permutation put together by
  // hand rather than by from_order; permute_graph calls it, since a non-bijection would merge or drop nodes.
  void check(const char* op) const;

  // Node ids (int32/int64, any shape, any device; dtype and device kept) mapped old -> new, and new -> old.
  // IndexError for an id outside [0, N).
  Tensor ids_to_new(const Tensor& old_ids) const;
  Tensor ids_to_old(const Tensor& new_ids) const;
  // Per-node rows (x [N, ...], any dtype and device): row i of the result is x's row for the same node under the
  // other numbering (rows_to_new(x)[i] = x[new_to_old[i]]). ShapeError unless x has N rows. Differentiable.
  Tensor rows_to_new(const Tensor& x) const;
  Tensor rows_to_old(const Tensor& x) const;
};

// How close neighbours' ids are, over every edge u -> v of a graph (self loops included: they cost nothing).
struct Locality {
  double mean_edge_gap = 0;       // mean |u - v|
  double mean_neighbour_gap = 0;  // mean gap between consecutive (sorted) source ids within a destination's row
  int64_t bandwidth = 0;          // max |u - v|
  // "mean gap 1234.5, neighbour gap 56.7, bandwidth 2707"
  std::string str() const;
};
Locality measure_locality(const Graph& g);

// The order `method` gives g's nodes (kNone: the identity). ValueError for kMetis when Loom has no METIS, or a
// part_nodes < 1.
Permutation compute_order(const Graph& g, Reorder method, const ReorderOptions& options = {});

// g with node old_to_new[v] in place of v: the same edges (weights and edge features follow them), on g's device.
// The result's csr() is sorted by (destination, source) in the new ids, and its edge_ids() give each entry's
// position in g's csr(), so edge tensors in g's csr order map with index_select(t, result.edge_ids()).
// ShapeError unless p.size() == g.num_nodes(); p.check()'s errors for a malformed p. Applying p.inverse() to the result gives g's csr() back exactly
// when g's rows were sorted (every Graph built by from_edge_index is).
Graph permute_graph(const Graph& g, const Permutation& p);

// A reordering as one measured step.
struct Reordering {
  Graph graph;               // permute_graph(g, permutation); g itself for kNone
  Permutation permutation;   // identity for kNone
  Reorder method = Reorder::kNone;
  double order_seconds = 0;  // compute_order
  double apply_seconds = 0;  // permute_graph
  Locality before, after;
  // "rcm: 0.41 s to order, 0.12 s to apply; mean gap 349525.3 -> 1024.0, neighbour gap ... "
  std::string str() const;
};
Reordering reorder(const Graph& g, Reorder method, const ReorderOptions& options = {});

}  // namespace loom::graph

namespace loom {
template <> struct EnumNames<graph::Reorder> {
  static constexpr std::string_view what = "reorder";
  static constexpr std::array<std::pair<graph::Reorder, std::string_view>, 4> table{{{graph::Reorder::kNone, "none"},
                                                                                      {graph::Reorder::kDegree, "degree"},
                                                                                      {graph::Reorder::kRcm, "rcm"},
                                                                                      {graph::Reorder::kMetis, "metis"}}};
};
}  // namespace loom
