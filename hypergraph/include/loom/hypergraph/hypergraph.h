// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A hypergraph of N vertices and M hyperedges for message passing: the incidence structure in both orientations as
// Csr (cached), optional hyperedge weights, optional incidence weights (a real-valued H), degrees, and the
// per-incidence coefficients of HGNN's and HGNN+'s operators (cached). A Hypergraph is a cheap handle to immutable,
// shared structure.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loom/core/message.h"
#include "loom/core/sparse.h"
#include "loom/core/tensor.h"
#include "loom/graph/graph.h"

namespace loom::hypergraph {

// Hyperedges without any vertex: dropped (their ids are renumbered away; see kept_hyperedges()) or an error.
enum class EmptyHyperedges : uint8_t { kDrop, kError };

class Hypergraph {
 public:
  Hypergraph() = default;

  // incidence int32/int64 [2, nnz]: row 0 vertex ids, row 1 hyperedge ids (PyG's hyperedge_index layout), on the
  // CPU or CUDA (the hypergraph lives there). num_hyperedges < 0 means max id + 1. hyperedge_weight floating [M],
  // finite. A repeated (vertex, hyperedge) pair counts once. Errors: IndexError naming the incidence for an id out
  // of range, ShapeError for bad shapes, ValueError for non-finite weights or (with kError) an empty hyperedge.
  static Hypergraph from_incidence(const Tensor& incidence, int64_t num_vertices, int64_t num_hyperedges = -1,
                                   const Tensor& hyperedge_weight = Tensor(),
                                   EmptyHyperedges empty = EmptyHyperedges::kDrop);
  // One hyperedge per list (vertex ids in [0, num_vertices)), on the CPU.
  static Hypergraph from_vertex_lists(const std::vector<std::vector<int64_t>>& hyperedges, int64_t num_vertices,
                                      EmptyHyperedges empty = EmptyHyperedges::kDrop);
  // HGNN's citation protocol: one hyperedge per vertex v holding v and its in-neighbours (sources of its in-edges).
  static Hypergraph from_graph_neighborhoods(const graph::Graph& g);
  // Each edge {u, v} as a 2-vertex hyperedge (self loops as singletons; both directions of an edge kept once).
  static Hypergraph from_graph_edges(const graph::Graph& g);
  // A sparse incidence matrix: rows = vertices, columns = hyperedges (H, N x M). Its values, when present (floating
  // [nnz], finite, >= 0), become the incidence weights (see with_incidence_weight); a matrix with values and a
  // repeated (vertex, hyperedge) entry is a ValueError naming the entry. Without values the structure is binary.
  // hyperedge_weight gives W. Empty columns follow `empty`.
  static Hypergraph from_incidence_matrix(const Csr& h, const Tensor& hyperedge_weight = Tensor(),
                                          EmptyHyperedges empty = EmptyHyperedges::kDrop);
  // DHG's k-nearest-neighbour construction: features floating [N, F] (finite), one hyperedge per vertex v holding v
  // and its k nearest other vertices by Euclidean distance (ties: the lower id), so every hyperedge has k + 1
  // vertices; 1 <= k < N (ValueError otherwise). Built on the features' device. Distances are computed a block of
  // rows at a time (one GEMM, ||a||^2 + ||b||^2 - 2 a.b, then topk), so memory is O(block x N), never N x N: on
  // CUDA this handles N in the millions.
  static Hypergraph from_knn(const Tensor& features, int64_t k);
  // Groups of attributes: attributes int32/int64 [N] or [N, A] (one column per attribute; a negative value means
  // "missing"). One hyperedge per distinct (column, value) pair, holding the vertices that share it; hyperedges are
  // ordered by column, then value. A group of one vertex is kept only when keep_singletons is true. Grouping runs on
  // the host (preprocessing); the hypergraph is built on the attributes' device.
  static Hypergraph from_attribute_groups(const Tensor& attributes, bool keep_singletons = false);
  // HGNN+'s multi-modal hyperedge groups: the hyperedges of every part, in order (part i's ids follow those of the
  // parts before it), over the same vertices (ShapeError naming the part otherwise) and device. Weights are kept
  // (1 for a part without weights); the result has weights when any part has them. Duplicate hyperedges across
  // parts stay separate hyperedges, as in DHG's group merging.
  static Hypergraph merge(const std::vector<Hypergraph>& parts);

  bool defined() const { return impl_ != nullptr; }
  int64_t num_vertices() const;
  int64_t num_hyperedges() const;
  int64_t num_incidences() const;
  Device device() const;
  // "Hypergraph(2708 vertices, 1579 hyperedges, 4786 incidences, cpu)", plus ", weighted" / ", incidence-weighted".
  std::string str() const;

  // Rows = hyperedges, columns = vertices (H^T): gspmm over it sends vertex features to hyperedges (v2e).
  const Csr& hyperedge_members() const;
  // Rows = vertices, columns = hyperedges (H): gspmm over it sends hyperedge features to vertices (e2v). Cached.
  const Csr& vertex_memberships() const;
  // Floating [M], or undefined (every hyperedge weighs 1).
  const Tensor& hyperedge_weight() const;
  // Entries h_ve of a real-valued incidence matrix: floating [nnz] in incidence() / hyperedge_members() order, or
  // undefined (every incidence weighs 1).
  const Tensor& incidence_weight() const;
  // The same structure (and hyperedge weights) with incidence weights w: floating [nnz] in incidence() order, on
  // the hypergraph's device, finite and >= 0 (ValueError naming the position otherwise). With them:
  //   - v2e / e2v without a weight argument scale each incidence's message by h_ve (u_mul_e); mean divides the
  //     weighted sum by the count of incidences, not by the sum of the h_ve; max takes the max of h_ve x.
  //   - HGNN / HGNN+ use H's values in place of its ones (d_v, d_e below); with all h_ve = 1 both reduce exactly
  //     to the unweighted operators.
  //   - with_singletons gives the singleton incidences weight 1; merge concatenates the parts' incidence weights
  //     (1 for a part without); clique_expansion computes H W H^T with the weighted H; to(device) moves them.
  Hypergraph with_incidence_weight(const Tensor& w) const;
  // For dropped empty hyperedges: int64 [M] original id of each kept hyperedge (identity otherwise).
  const Tensor& kept_hyperedges() const;

  // int64 [N] number of hyperedges containing each vertex (on a receptive_field hypergraph: in the hypergraph it
  // was cut from); int64 [M] number of vertices of each hyperedge.
  Tensor vertex_degrees() const;
  Tensor hyperedge_sizes() const;
  // int64 [2, nnz] (vertex, hyperedge) in hyperedge_members() order.
  Tensor incidence() const;

  // This hypergraph plus one singleton hyperedge {v} per vertex, appended after the existing hyperedges with weight
  // 1 (AllSet's protocol: without it, a vertex in no hyperedge receives no message at all).
  Hypergraph with_singletons() const;

  // Clique expansion: the graph on the N vertices with an edge u -> v for every pair sharing a hyperedge, weighted by
  // sum over shared hyperedges e of w_e (H W H^T, computed with spgemm on the hypergraph's device). The diagonal
  // (u -> u, weight = w-degree of u) is kept only when self_loops is true.
  graph::Graph clique_expansion(bool self_loops = false) const;

  // Per-incidence coefficients, cached per dtype, in the order of the Csr each stage runs on:
  //   HGNN  (D_v^-1/2 H W D_e^-1 H^T D_v^-1/2):  v2e stage on hyperedge_members(): d_v^-1/2 / |e|;
  //                                            e2v stage on vertex_memberships(): w_e d_v^-1/2,
  //                                            with d_v = sum of the weights of v's hyperedges (0 -> coefficient 0).
  //   HGNN+ (D_v^-1 H W D_e^-1 H^T):            v2e: 1 / |e|;  e2v: w_e / d_v with d_v the count of v's hyperedges.
  // With incidence weights h_ve, |e| becomes d_e = sum_v h_ve and the entries of H are the h_ve:
  //   HGNN:  v2e h_ve d_v^-1/2 / d_e;  e2v h_ve w_e d_v^-1/2,  with d_v = sum_e h_ve w_e;
  //   HGNN+: v2e h_ve / d_e;           e2v h_ve w_e / d_v,     with d_v = sum_e h_ve.
  struct StageCoefficients {
    Tensor v2e, e2v;
  };
  const StageCoefficients& hgnn_coefficients(DType dtype = kFloat32) const;
  const StageCoefficients& hgnnp_coefficients(DType dtype = kFloat32) const;

  Hypergraph to(Device device) const;

 private:
  friend struct HypergraphAccess;  // receptive_field (below) sets a cut-out hypergraph's parent
  struct Impl;
  const Impl& impl() const;
  static Hypergraph from_sparse_ids(const Tensor& incidence, int64_t num_vertices, int64_t num_hyperedges,
                                    const Tensor& hyperedge_weight, EmptyHyperedges empty);
  std::shared_ptr<Impl> impl_;
};

// The part of h that `hops` hypergraph layers read to compute the outputs of `vertices` (int32/int64 [n], any
// order, repeats allowed). A layer sends each vertex what its hyperedges gathered from all their members, so one
// layer needs, for a vertex set S, every hyperedge of S with every member. The result holds the hyperedges of
// the vertices within hops - 1 such steps of `vertices`, each with all its members (so hyperedge sizes are
// exact), over those members and `vertices` (result vertex i is h's vertex out.vertices[i], sorted; hyperedge j
// is h's hyperedge out.hyperedges[j], sorted), with their weights and incidence weights. Its vertex degrees are
// h's (vertex_degrees() and the d_v inside the HGNN / HGNN+ coefficients), so a stack of `hops` layers gives h's
// outputs at `vertices`. IndexError names an id outside the hypergraph, ValueError a negative hops.
struct SubHypergraph {
  Hypergraph hypergraph;
  Tensor vertices;    // int64 [n]
  Tensor hyperedges;  // int64 [m]
};
SubHypergraph receptive_field(const Hypergraph& h, const Tensor& vertices, int hops);

// Message passing on the engine (never an incidence x feature tensor), with autograd:
//   v2e: [N, F] vertex features -> [M, F], reduce over each hyperedge's vertices (sum, mean, max).
//   e2v: [M, F] hyperedge features -> [N, F], reduce over each vertex's hyperedges.
// On a hypergraph with incidence weights, each message is scaled by its h_ve (see with_incidence_weight).
Tensor v2e(const Hypergraph& h, const Tensor& x, mp::Reduce reduce);
Tensor e2v(const Hypergraph& h, const Tensor& y, mp::Reduce reduce);
// Weighted (e.g. attention-weighted) reductions: each incidence's message is scaled by its weight before the
// reduction. weight is floating [nnz] or [nnz, H] (one per head, with features [rows, H, C]) in the order of the Csr
// the stage runs on: hyperedge_members() for v2e (the order of incidence()), vertex_memberships() for e2v (its
// edge_ids() give each entry's position in hyperedge_members()). Gradients flow to the features and the weights.
Tensor v2e(const Hypergraph& h, const Tensor& x, const Tensor& weight, mp::Reduce reduce);
Tensor e2v(const Hypergraph& h, const Tensor& y, const Tensor& weight, mp::Reduce reduce);
// HGNN's smoothing D_v^-1/2 H W D_e^-1 H^T D_v^-1/2 X as two weighted fused SpMMs.
Tensor hgnn_smooth(const Hypergraph& h, const Tensor& x);
// HGNN+'s two-stage mean: D_v^-1 H W D_e^-1 H^T X.
Tensor hgnnp_smooth(const Hypergraph& h, const Tensor& x);

// The two stages of those operators, for callers that apply a row-wise linear map between them (it commutes with
// both stages, and on the hyperedge side it runs on M rows instead of N: HGNNConv does this when M < N).
// smooth(x) = smooth_to_vertices(h, kind, smooth_to_hyperedges(h, kind, x)).
enum class Smoothing : uint8_t { kHgnn, kHgnnPlus };
Tensor smooth_to_hyperedges(const Hypergraph& h, Smoothing kind, const Tensor& x);  // [N, F] -> [M, F]
// [M, F] -> [N, F]; bias [F], when given, is added in the same kernel (mp::propagate's update).
Tensor smooth_to_vertices(const Hypergraph& h, Smoothing kind, const Tensor& y, const Tensor& bias = Tensor());

}  // namespace loom::hypergraph
