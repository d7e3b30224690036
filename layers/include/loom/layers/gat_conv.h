// GATConv (Velickovic et al.) and GATv2Conv (Brody et al.), as torch_geometric.nn's. Attention is fused:
// logits by gsddmm (GAT: u_add_v of per-node scores) or mp::gatv2_logits, edge_softmax, attention dropout, and
// a weighted gspmm: memory O(E H + N H C) in forward and backward, never an [E, H, C] tensor.
#pragma once
#include <cstdint>
#include <memory>

#include "loom/core/nn.h"
#include "loom/graph/graph.h"

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
// edge_dim] and att_edge [H, C]; bias [H C] or [C].
class GATConv : public nn::Module {
 public:
  explicit GATConv(const GATConvOptions& options);
  // x [N, in] -> [N, H C] (concat) or [N, C].
  Tensor forward(const graph::Graph& g, const Tensor& x);
  const GATConvOptions& options() const { return options_; }
  Tensor weight, att_src, att_dst, weight_edge, att_edge, bias;

 private:
  GATConvOptions options_;
};

// GATv2: logit(u -> v) = <att, LeakyReLU(W_l x_u + W_r x_v [+ W_e e_uv])>, fused by mp::gatv2_logits; the
// message is W_l x_u. Parameters: weight_l, weight_r [H C, in] (weight_r absent with share_weights), bias_l,
// bias_r [H C], att [H, C], with edge_dim weight_edge [H C, edge_dim]; bias [H C] or [C].
class GATv2Conv : public nn::Module {
 public:
  explicit GATv2Conv(const GATConvOptions& options);
  Tensor forward(const graph::Graph& g, const Tensor& x);
  const GATConvOptions& options() const { return options_; }
  Tensor weight_l, bias_l, weight_r, bias_r, att, weight_edge, bias;

 private:
  GATConvOptions options_;
};

}  // namespace loom::layers
