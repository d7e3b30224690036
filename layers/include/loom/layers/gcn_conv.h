// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GCNConv (Kipf & Welling): out = D^-1/2 (A + I) D^-1/2 X W + b, as torch_geometric.nn.GCNConv.
// One fused gspmm (u_mul_e, sum) with the graph's cached symmetric coefficients; the dense product runs on the
// narrower side (X W first when out <= in, aggregation first otherwise).
#pragma once
#include <cstdint>

#include "loom/core/nn.h"
#include "loom/graph/graph.h"
#include "loom/layers/layer.h"

namespace loom::layers {

struct GCNConvOptions {
  GCNConvOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, out_features);
  LOOM_ARG(bool, add_self_loops) = true;  // uses g.with_self_loops() (cached on the graph)
  LOOM_ARG(bool, normalize) = true;       // symmetric coefficients g.norm(kSym) (cached); false: plain (weighted) sum
  LOOM_ARG(bool, bias) = true;
};

// Parameters as PyG: weight [out, in] ("lin.weight" there, "weight" here; Glorot), bias [out] (zeros).
class GCNConv : public GraphLayer {
 public:
  explicit GCNConv(const GCNConvOptions& options);
  // x [N, in] on the graph's device -> [N, out]. Edge weights, when the graph has them, scale the messages.
  Tensor forward(const graph::Graph& g, const Tensor& x) override;
  void reset_parameters();
  const GCNConvOptions& options() const { return options_; }
  Tensor weight, bias;

 private:
  GCNConvOptions options_;
};

}  // namespace loom::layers
