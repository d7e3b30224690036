// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GINConv and GINEConv: (1 + eps) x_v plus a neighbourhood sum (GIN: one gspmm; GINE: ReLU(x_u + e_uv) per edge
// through gather/scatter), then the inner MLP. Edge weights are ignored, as in PyG.
#include "loom/layers/gin_conv.h"

#include "layers/layer_checks.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::layers {

GINConv::GINConv(const GINConvOptions& options) : GINConv(options, "GINConv") {}

GINConv::GINConv(const GINConvOptions& options, const char* name) : GraphLayer(name), options_(options) {
  LOOM_CHECK(options.in_features() > 0 && options.out_features() > 0, ValueError, name,
             ": in_features and out_features must be positive, got ", options.in_features(), " and ",
             options.out_features());
  LOOM_CHECK(options.edge_dim() >= 0, ValueError, name, ": edge_dim must be >= 0, got ", options.edge_dim());
  mlp = register_module("mlp", std::make_shared<nn::MLP>(
                                   nn::MLPOptions(options.in_features(), options.hidden(), options.out_features())
                                       .norm(options.norm())));
  const Tensor e = full({1}, options.eps());
  eps = options.train_eps() ? register_parameter("eps", e) : register_buffer("eps", e);
}

Tensor GINConv::combine(const Tensor& x, const Tensor& aggregated) {
  return mlp->forward(add(mul(x, add_scalar(eps, 1.0)), aggregated));
}

Tensor GINConv::forward(const graph::Graph& g, const Tensor& x) {
  detail::check_node_input(name().c_str(), g, x, options_.in_features(), eps);
  return combine(x, mp::gspmm(g.csr(), mp::copy_u, mp::sum, x));
}

GINEConv::GINEConv(const GINConvOptions& options) : GINConv(options, "GINEConv") {
  if (options.edge_dim() > 0) {
    lin_edge = register_module("lin_edge", std::make_shared<nn::Linear>(options.edge_dim(), options.in_features()));
  }
}

Tensor GINEConv::forward(const graph::Graph& g, const Tensor& x) {
  const int64_t in = options().in_features(), edge_dim = options().edge_dim();
  detail::check_node_input("GINEConv", g, x, in, eps);
  Tensor attr = g.edge_attr();
  LOOM_CHECK(attr.defined(), ValueError,
             "GINEConv.forward: the graph has no edge features (build it with edge_attr, or use GINConv)");
  const int64_t want = edge_dim > 0 ? edge_dim : in;
  LOOM_CHECK(attr.size(1) == want, ShapeError, "GINEConv.forward: edge_attr must be [E, ", want, "] (",
             edge_dim > 0 ? "edge_dim = " : "no edge_dim: in_features = ", want, "), got ", attr.shape_str());
  if (attr.dtype() != x.dtype()) attr = attr.to(x.dtype());
  const Tensor e = lin_edge ? lin_edge->forward(attr) : attr;
  const Csr& csr = g.csr();
  const Tensor messages = relu(add(mp::gather_src(csr, x), e));  // [E, in]
  return combine(x, mp::scatter(csr, messages, mp::sum));
}

}  // namespace loom::layers
