// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GINConv (Xu et al.) and GINEConv (Hu et al.), as torch_geometric.nn's:
//   GIN:  out = MLP((1 + eps) x_v + sum_{u in N(v)} x_u)
//   GINE: out = MLP((1 + eps) x_v + sum_{u in N(v)} ReLU(x_u + W_e e_uv))
// GIN's sum is one fused gspmm. GINE's per-edge ReLU goes through the generic gather/scatter path (an [E, F]
// buffer), fine for the molecule-sized graphs it is used on.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "loom/core/nn.h"
#include "loom/graph/graph.h"
#include "loom/layers/layer.h"

namespace loom::layers {

struct GINConvOptions {
  // The inner MLP: in -> hidden... -> out (MLPOptions defaults otherwise: ReLU, no norm).
  GINConvOptions(int64_t in_features, std::vector<int64_t> hidden, int64_t out_features)
      : in_features_(in_features), hidden_(std::move(hidden)), out_features_(out_features) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(std::vector<int64_t>, hidden);
  LOOM_ARG(int64_t, out_features);
  LOOM_ARG(double, eps) = 0.0;        // initial eps
  LOOM_ARG(bool, train_eps) = false;  // eps is a learnable parameter
  LOOM_ARG(NormLayer, norm) = NormLayer::kNone;  // the inner MLP's norm
  LOOM_ARG(int64_t, edge_dim) = 0;    // GINE: edge feature size (0: edge features must already be [E, in])
};

// Children: mlp (nn::MLP). Parameter "eps" ([1], trained with train_eps, otherwise a buffer).
class GINConv : public GraphLayer {
 public:
  explicit GINConv(const GINConvOptions& options);
  Tensor forward(const graph::Graph& g, const Tensor& x) override;
  const GINConvOptions& options() const { return options_; }
  std::shared_ptr<nn::MLP> mlp;
  Tensor eps;

 protected:
  GINConv(const GINConvOptions& options, const char* name);
  Tensor combine(const Tensor& x, const Tensor& aggregated);  // mlp((1 + eps) x + aggregated)

 private:
  GINConvOptions options_;
};

// GINE: uses g.edge_attr() [E, edge_dim] (edge_dim > 0, child lin_edge: Linear edge_dim -> in) or [E, in].
class GINEConv : public GINConv {
 public:
  explicit GINEConv(const GINConvOptions& options);
  Tensor forward(const graph::Graph& g, const Tensor& x) override;
  std::shared_ptr<nn::Linear> lin_edge;  // null when edge_dim == 0
};

}  // namespace loom::layers
