// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GCNConv: symmetric-normalised neighbourhood sum (one gspmm over the graph's cached coefficients) and a dense
// projection, applied on whichever side of the aggregation is narrower.
#include "loom/layers/gcn_conv.h"

#include "layers/layer_checks.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::layers {

GCNConv::GCNConv(const GCNConvOptions& options) : GraphLayer("GCNConv"), options_(options) {
  LOOM_CHECK(options.in_features() > 0 && options.out_features() > 0, ValueError,
             "GCNConv: in_features and out_features must be positive, got ", options.in_features(), " and ",
             options.out_features());
  weight = register_parameter("weight", empty({options.out_features(), options.in_features()}));
  if (options.bias()) bias = register_parameter("bias", empty({options.out_features()}));
  reset_parameters();
}

void GCNConv::reset_parameters() {
  nn::init::glorot_uniform_(weight);
  if (bias.defined()) nn::init::zeros_(bias);
}

Tensor GCNConv::forward(const graph::Graph& g, const Tensor& x) {
  detail::check_node_input("GCNConv", g, x, options_.in_features(), weight);
  const graph::Graph& h = options_.add_self_loops() ? g.with_self_loops() : g;
  const Csr& csr = h.csr();
  // Per-edge coefficients: the cached D^-1/2 A D^-1/2 entries, the raw weights, or none (every edge weighs 1).
  Tensor coef;
  if (options_.normalize()) {
    coef = h.norm(graph::Norm::kSym, x.dtype());
  } else if (h.edge_weight().defined()) {
    coef = h.edge_weight().dtype() == x.dtype() ? h.edge_weight() : h.edge_weight().to(x.dtype());
  }
  // The bias rides in the aggregation's update (one pass over the output) when the aggregation comes last.
  auto aggregate = [&](const Tensor& feats, const Tensor& b) {
    const mp::Propagation p{coef.defined() ? mp::u_mul_e : mp::copy_u, mp::sum, mp::Update{b}};
    return mp::propagate(csr, p, feats, coef);
  };
  const Tensor wt = transpose(weight, 0, 1);  // [in, out]
  // The aggregation is linear, so A (X W) = (A X) W: aggregate the narrower of X and X W.
  if (options_.out_features() <= options_.in_features()) return aggregate(matmul(x, wt), bias);
  const Tensor out = matmul(aggregate(x, Tensor()), wt);
  return bias.defined() ? add(out, bias) : out;
}

}  // namespace loom::layers
