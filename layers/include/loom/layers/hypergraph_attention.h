// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HypergraphAttentionConv: multi-head attention between each vertex and the hyperedges it belongs to, fused like
// GATConv (per-node and per-hyperedge scores by GEMM, logits by gsddmm, edge_softmax, one weighted gspmm): memory
// O(nnz H + (N + M) H C) in forward and backward, never an incidence x H x C tensor.
#pragma once
#include <cstdint>

#include "loom/core/nn.h"
#include "loom/hypergraph/hypergraph.h"
#include "loom/layers/layer.h"
#include "loom/layers/score_mask.h"

namespace loom::layers {

struct HypergraphAttentionConvOptions {
  HypergraphAttentionConvOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, out_features);  // per head (C)
  LOOM_ARG(int64_t, heads) = 1;     // H
  LOOM_ARG(bool, concat) = true;    // output [N, H C]; false: mean over heads, [N, C]
  LOOM_ARG(double, negative_slope) = 0.2;
  LOOM_ARG(double, dropout) = 0.0;  // on the attention coefficients, while training
  LOOM_ARG(bool, bias) = true;
};

// With x [N, in] on a hypergraph of N vertices and M hyperedges:
//   h        = x W^T viewed as [N, H, C]
//   f_e      = mean of h_v over the vertices v of hyperedge e               ([M, H, C], hypergraph::v2e mean)
//   s_v      = <att_v[k], h_v[k]> per head k,  s_e = <att_e[k], f_e[k]>      ([N, H], [M, H]: one GEMM each)
//   logit_ve = LeakyReLU(s_v + s_e) for every incidence v in e              (gsddmm u_add_v on vertex_memberships)
//   alpha_ve = softmax of logit_ve over the hyperedges of v, per head, then attention dropout while training
//   out_v    = sum over e containing v of alpha_ve f_e                      ([N, H, C], weighted gspmm)
// then heads concatenated ([N, H C]) or averaged ([N, C]), plus bias. A vertex in no hyperedge gets the bias only
// (use Hypergraph::with_singletons to let it see itself). Repeated incidences count once (the Hypergraph dedups).
// Parameters: weight [H C, in], att_v, att_e [H, C] (Glorot), bias [H C] or [C] (zeros).
//
// Differences from PyG's HypergraphConv(use_attention=True), which shares the idea (attention between a vertex
// and its incident hyperedges, softmax over each vertex's hyperedges):
//   - PyG needs user-given hyperedge features (hyperedge_attr, projected by the same linear map); here they are the
//     mean of the member vertices' projections, so any hypergraph works without extra inputs.
//   - PyG applies alpha in both stages (vertex -> hyperedge and back) with its D^-1 / B^-1 degree normalisation and
//     hyperedge weights; here the vertex -> hyperedge stage is a plain mean and the hyperedge -> vertex stage is
//     the attention-weighted sum (the softmax already normalises it). Hyperedge weights are not used.
//   - PyG's single att [1, H, 2 C] is split here into att_v and att_e (the same parameter count).
class HypergraphAttentionConv : public HypergraphLayer {
 public:
  explicit HypergraphAttentionConv(const HypergraphAttentionConvOptions& options);
  // x [N, in] on the hypergraph's device -> [N, H C] (concat) or [N, C].
  Tensor forward(const hypergraph::Hypergraph& h, const Tensor& x) override;
  const HypergraphAttentionConvOptions& options() const { return options_; }
  Tensor weight, att_v, att_e, bias;

 private:
  HypergraphAttentionConvOptions options_;
  ScoreMaskCache score_mask_;  // block-diagonal ones [H C, H] (see forward), shared by concurrent forwards
};

}  // namespace loom::layers
