// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A graph for message passing: in-edge Csr (rows = destinations, columns = sources) with the out-edge Csr
// (its transpose) cached, optional edge weights and edge features in Csr order, and cached normalisations.
// A Graph is a cheap handle (shared, immutable structure); transforms return new graphs (loom/graph/transforms.h).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::graph {

// Edge coefficients computed from the (weighted) degrees, as GCN and mean aggregation use them:
//   kSym:        w_e / sqrt(deg(src) deg(dst))   (deg = weighted in-degree, PyG's gcn_norm; 0 where deg is 0)
//   kRandomWalk: w_e / deg(dst)                  (each destination's coefficients sum to 1)
enum class Norm : uint8_t { kSym, kRandomWalk };

class Graph {
 public:
  Graph() = default;

  // edge_index int32/int64 [2, E]: row 0 sources, row 1 targets (PyG's layout), on the CPU or CUDA (the graph
  // lives there). edge_weight floating [E], finite; edge_attr floating [E, D]. Duplicate edges are kept (a
  // multigraph; coalesce() merges them). Errors: IndexError naming the edge for an id outside [0, num_nodes),
  // ShapeError for mismatched lengths, ValueError for a NaN/Inf weight (naming the edge), DeviceError when the
  // tensors are on different devices.
  static Graph from_edge_index(const Tensor& edge_index, int64_t num_nodes, const Tensor& edge_weight = Tensor(),
                               const Tensor& edge_attr = Tensor());
  // Adopts a square in-edge Csr (rows = destinations). Its values, when [nnz], become the edge weights;
  // edge_attr [nnz, D] is in the Csr's entry order.
  static Graph from_csr(const Csr& in_edges, const Tensor& edge_attr = Tensor());

  bool defined() const { return impl_ != nullptr; }
  int64_t num_nodes() const;
  int64_t num_edges() const;
  Device device() const;
  std::string str() const;  // "Graph(2708 nodes, 10556 edges, weighted, cpu)"

  // In-edges: row v lists the sources of v's in-edges. Pattern only (weights are edge_weight()).
  const Csr& csr() const;
  // Out-edges: csr().transpose(), built on first use and cached.
  const Csr& csc() const;
  // Floating [E] in csr() order, or undefined (every edge weighs 1).
  const Tensor& edge_weight() const;
  // Floating [E, D] in csr() order, or undefined.
  const Tensor& edge_attr() const;
  // For each csr() entry, the position of that edge in the input of from_edge_index (int64 [E]).
  const Tensor& edge_ids() const;

  // int64 [2, E] in csr() order (row 0 sources, row 1 targets).
  Tensor edge_index() const;
  // int64 [N]: number of in-edges / out-edges of each node (on a receptive_field graph: in the graph it was cut
  // from, see transforms.h).
  Tensor in_degrees() const;
  Tensor out_degrees() const;
  bool has_self_loops() const;

  // Cached edge coefficients [E] in csr() order, of dtype `dtype` (float32 or float64), computed once per
  // (kind, dtype) and reused by every layer that asks (thread-safe).
  const Tensor& norm(Norm kind, DType dtype = kFloat32) const;
  // This graph with a self loop added to every node that has none (weight 1, zero edge features), built once
  // and cached: GCNConv and GATConv call it on every forward at no cost after the first.
  const Graph& with_self_loops() const;

  // A copy on `device` (structure, weights, features; caches are rebuilt there on demand), or this graph when it is
  // there already. A receptive field's parent graph moves with it, so its degrees stay the parent's.
  Graph to(Device device) const;
  // The same structure with other edge weights ([E] in csr() order; undefined drops them) or edge features.
  Graph with_edge_weight(const Tensor& edge_weight) const;
  Graph with_edge_attr(const Tensor& edge_attr) const;

 private:
  friend struct GraphAccess;  // receptive_field (transforms.h) sets a cut-out graph's parent
  struct Impl;
  const Impl& impl() const;  // throws ValueError on an undefined graph
  std::shared_ptr<Impl> impl_;
};

}  // namespace loom::graph
