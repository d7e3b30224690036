// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GATConv and GATv2Conv: the projections are dense matmuls; the attention is fused over the Csr (gsddmm or
// gatv2_logits for the logits, edge_softmax, dropout on [E, H], one weighted gspmm), so nothing of size [E, H, C]
// is ever built, forward or backward.
#include "loom/layers/gat_conv.h"

#include <cmath>
#include <string>
#include <vector>

#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::layers {

namespace {

void check_options(const char* layer, const GATConvOptions& o) {
  LOOM_CHECK(o.in_features() > 0 && o.out_features() > 0, ValueError, layer,
             ": in_features and out_features must be positive, got ", o.in_features(), " and ", o.out_features());
  LOOM_CHECK(o.heads() > 0, ValueError, layer, ": heads must be positive, got ", o.heads());
  LOOM_CHECK(o.dropout() >= 0.0 && o.dropout() <= 1.0, ValueError, layer, ": dropout must be in [0, 1], got ",
             o.dropout());
  LOOM_CHECK(std::isfinite(o.negative_slope()), ValueError, layer, ": negative_slope must be finite, got ",
             o.negative_slope());
  LOOM_CHECK(o.edge_dim() >= 0, ValueError, layer, ": edge_dim must be >= 0, got ", o.edge_dim());
}

// The graph the attention runs on (self loops added once and cached by the graph) after checking x against it.
const graph::Graph& attention_graph(const char* layer, const GATConvOptions& o, const graph::Graph& g,
                                    const Tensor& x) {
  LOOM_CHECK(g.defined(), ValueError, layer, ".forward: the graph is undefined");
  LOOM_CHECK(x.defined(), ValueError, layer, ".forward: 'x' is an undefined tensor");
  LOOM_CHECK(x.dim() == 2 && x.size(1) == o.in_features(), ShapeError, layer, ".forward: 'x' must be [N, ",
             o.in_features(), "], got ", x.shape_str());
  LOOM_CHECK(x.size(0) == g.num_nodes(), ShapeError, layer, ".forward: 'x' has ", x.size(0),
             " rows but the graph has ", g.num_nodes(), " nodes");
  LOOM_CHECK(x.device() == g.device(), DeviceError, layer, ".forward: 'x' is on ", x.device().str(),
             " but the graph is on ", g.device().str());
  return o.add_self_loops() ? g.with_self_loops() : g;
}

// Softmax of the logits [E, H] over each destination's in-edges, attention dropout, the weighted sum of the
// messages h [N, H, C], then heads concatenated or averaged and the bias added.
Tensor aggregate(const GATConvOptions& o, bool training, const Csr& csr, const Tensor& logits, const Tensor& h,
                 const Tensor& bias) {
  Tensor alpha = mp::edge_softmax(csr, logits);
  alpha = dropout(alpha, o.dropout(), training);
  Tensor out = mp::gspmm(csr, mp::u_mul_e, mp::sum, h, alpha);  // [N, H, C]
  out = o.concat() ? out.view({h.size(0), o.heads() * o.out_features()}) : mean(out, 1);
  return bias.defined() ? add(out, bias) : out;
}

}  // namespace

// ---------------------------------------------------------------- GATConv

GATConv::GATConv(const GATConvOptions& options) : GraphLayer("GATConv"), options_(options) {
  check_options("GATConv", options);
  LOOM_CHECK(!options.share_weights(), ValueError,
             "GATConv: share_weights applies to GATv2Conv only (GAT has a single projection already)");
  const int64_t H = options.heads(), C = options.out_features();
  weight = register_parameter("weight", nn::init::xavier_uniform_(empty({H * C, options.in_features()})));
  att_src = register_parameter("att_src", nn::init::xavier_uniform_(empty({H, C})));
  att_dst = register_parameter("att_dst", nn::init::xavier_uniform_(empty({H, C})));
  if (options.edge_dim() > 0) {
    weight_edge = register_parameter("weight_edge", nn::init::xavier_uniform_(empty({H * C, options.edge_dim()})));
    att_edge = register_parameter("att_edge", nn::init::xavier_uniform_(empty({H, C})));
  }
  if (options.bias()) bias = register_parameter("bias", zeros({options.concat() ? H * C : C}));
}

Tensor GATConv::forward(const graph::Graph& g0, const Tensor& x) {
  const GATConvOptions& o = options_;
  const graph::Graph& g = attention_graph("GATConv", o, g0, x);
  const int64_t n = x.size(0), H = o.heads(), C = o.out_features();
  const Tensor hf = matmul(x, transpose(weight, 0, 1));  // [N, H C]
  const Tensor h = hf.view({n, H, C});
  // Per-node scores: a_src[n, h] = <h[n, h, :], att_src[h]>, likewise a_dst. Both come from one GEMM of h with a
  // block-diagonal [H C, 2 H] matrix holding att_src and att_dst: one read of h, where a broadcast product and a
  // reduction per side would write and re-read [N, H, C] twice. The logit of entry (dst, src) is
  // a_src[src] + a_dst[dst] (gsddmm's u is the column).
  const Tensor mask = score_mask_.get(H, C, x.dtype(), x.device());
  const Tensor att = concat({mul(att_src.view({H * C, 1}), mask), mul(att_dst.view({H * C, 1}), mask)}, 1);
  const Tensor scores = matmul(hf, att);  // [N, 2 H]
  const Tensor a_src = slice(scores, 1, 0, H), a_dst = slice(scores, 1, H, 2 * H);
  Tensor logits = mp::gsddmm(g.csr(), mp::u_add_v, a_src, a_dst);
  if (o.edge_dim() > 0) {
    const Tensor& ea = g.edge_attr();
    LOOM_CHECK(ea.defined(), ValueError, "GATConv.forward: edge_dim is ", o.edge_dim(),
               " but the graph has no edge features (Graph::from_edge_index(..., edge_attr) or with_edge_attr)");
    LOOM_CHECK(ea.dim() == 2 && ea.size(1) == o.edge_dim(), ShapeError, "GATConv.forward: edge features must be [E, ",
               o.edge_dim(), "], got ", ea.shape_str());
    // <att_edge[h], W_e e> = e . (sum_c att_edge[h, c] W_e[h C + c, :]): contract the parameters first, [H, D],
    // so the edge term is one [E, D] x [D, H] product.
    const Tensor we = sum(mul(weight_edge.view({H, C, o.edge_dim()}), att_edge.view({H, C, 1})), 1);
    logits = add(logits, matmul(ea, transpose(we, 0, 1)));
  }
  return aggregate(o, is_training(), g.csr(), leaky_relu(logits, o.negative_slope()), h, bias);
}

// ---------------------------------------------------------------- GATv2Conv

GATv2Conv::GATv2Conv(const GATConvOptions& options) : GraphLayer("GATv2Conv"), options_(options) {
  check_options("GATv2Conv", options);
  LOOM_CHECK(options.edge_dim() == 0, NotImplementedError, "GATv2Conv: edge_dim = ", options.edge_dim(),
             " is not supported: the edge term sits inside the LeakyReLU, so it cannot be contracted to [E, H] "
             "like GATConv's without an [E, H, C] tensor (use GATConv for edge features)");
  const int64_t H = options.heads(), C = options.out_features(), in = options.in_features();
  weight_l = register_parameter("weight_l", nn::init::xavier_uniform_(empty({H * C, in})));
  if (options.bias()) bias_l = register_parameter("bias_l", zeros({H * C}));
  if (!options.share_weights()) {
    weight_r = register_parameter("weight_r", nn::init::xavier_uniform_(empty({H * C, in})));
    if (options.bias()) bias_r = register_parameter("bias_r", zeros({H * C}));
  }
  att = register_parameter("att", nn::init::xavier_uniform_(empty({H, C})));
  if (options.bias()) bias = register_parameter("bias", zeros({options.concat() ? H * C : C}));
}

Tensor GATv2Conv::forward(const graph::Graph& g0, const Tensor& x) {
  const GATConvOptions& o = options_;
  const graph::Graph& g = attention_graph("GATv2Conv", o, g0, x);
  const int64_t n = x.size(0), H = o.heads(), C = o.out_features();
  auto project = [&](const Tensor& w, const Tensor& b) {
    Tensor y = matmul(x, transpose(w, 0, 1));
    return (b.defined() ? add(y, b) : y).view({n, H, C});
  };
  // Sources (the message, u in the kernels) and destinations (v).
  const Tensor xl = project(weight_l, bias_l);
  const Tensor xr = o.share_weights() ? xl : project(weight_r, bias_r);
  // The LeakyReLU is inside the fused sum here, before att (GATv2's "dynamic" attention).
  const Tensor logits = mp::gatv2_logits(g.csr(), xl, xr, att, o.negative_slope());
  return aggregate(o, is_training(), g.csr(), logits, xl, bias);
}

}  // namespace loom::layers
