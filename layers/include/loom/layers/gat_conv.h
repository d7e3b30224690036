// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GATConv (Velickovic et al.) and GATv2Conv (Brody et al.), as torch_geometric.nn's. Attention is fused:
// logits by gsddmm (GAT: u_add_v of per-node scores) or mp::gatv2_logits, edge_softmax, attention dropout, and
// a weighted gspmm: memory O(E H + N H C) in forward and backward, never an [E, H, C] tensor.
#pragma once
#include <cstdint>
#include <memory>

#include "loom/core/nn.h"
#include "loom/graph/graph.h"
#include "loom/layers/layer.h"
#include "loom/layers/score_mask.h"

namespace loom::layers {

struct GATConvOptions {
  GATConvOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, out_features);  // per head (C)
  LOOM_ARG(int64_t, heads) = 1;     // H
  LOOM_ARG(bool, concat) = true;    // output [N, H C]; false: mean over heads, [N, C]
  LOOM_ARG(double, negative_slope) = 0.2;
  LOOM_ARG(double, dropout) = 0.0;  // on the attention coefficients, while training
  LOOM_ARG(bool, add_self_loops) = true;
  LOOM_ARG(int64_t, edge_dim) = 0;  // > 0: edge features [E, edge_dim] (g.edge_attr()) enter the logits
  LOOM_ARG(bool, bias) = true;
  LOOM_ARG(bool, share_weights) = false;  // GATv2 only: one projection for sources and targets
};

// GAT: h = x W ([N, H, C]); logit(u -> v) = LeakyReLU(<att_src, h_u> + <att_dst, h_v> [+ <att_edge, W_e e_uv>]).
// Parameters: weight [H C, in] (Glorot), att_src, att_dst [H, C] (Glorot), with edge_dim: weight_edge [H C,
// edge_dim] and att_edge [H, C]; bias [H C] or [C] (zeros). The edge term is contracted to [E, H] through the
// parameters ([H, edge_dim]) first. With add_self_loops, the loops Graph::with_self_loops adds carry zero edge
// features (PyG's GATConv fills them with the mean of the node's in-edge features instead), and nodes that
// already have a loop keep theirs (add_remaining_self_loops).
class GATConv : public GraphLayer {
 public:
  explicit GATConv(const GATConvOptions& options);
  // x [N, in] -> [N, H C] (concat) or [N, C].
  Tensor forward(const graph::Graph& g, const Tensor& x) override;
  const GATConvOptions& options() const { return options_; }
  Tensor weight, att_src, att_dst, weight_edge, att_edge, bias;

 private:
  GATConvOptions options_;
  ScoreMaskCache score_mask_;  // block-diagonal ones [H C, H] (see forward), shared by concurrent forwards
};

// GATv2: logit(u -> v) = <att, LeakyReLU(W_l x_u + b_l + W_r x_v + b_r)>, fused by mp::gatv2_logits; the
// message is W_l x_u + b_l. Parameters: weight_l, weight_r [H C, in] (Glorot; weight_r and bias_r absent with
// share_weights, which uses the source projection for both sides), bias_l, bias_r [H C] (zeros, present with
// bias as in PyG's lin_l/lin_r), att [H, C] (Glorot); bias [H C] or [C]. edge_dim > 0 throws NotImplementedError
// in the constructor: the edge term sits inside the LeakyReLU, so it cannot be contracted to [E, H] like GAT's
// without an [E, H, C] tensor (weight_edge stays undefined).
class GATv2Conv : public GraphLayer {
 public:
  explicit GATv2Conv(const GATConvOptions& options);
  Tensor forward(const graph::Graph& g, const Tensor& x) override;
  const GATConvOptions& options() const { return options_; }
  Tensor weight_l, bias_l, weight_r, bias_r, att, weight_edge, bias;

 private:
  GATConvOptions options_;
};

}  // namespace loom::layers
