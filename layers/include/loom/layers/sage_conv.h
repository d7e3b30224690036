// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// SAGEConv (Hamilton et al.): out = W_l aggr_{u in N(v)} x_u + W_r x_v (+ b), optional L2 normalisation of the
// output, as torch_geometric.nn.SAGEConv. Mean and sum project first when out <= in (the aggregation commutes with
// W_l; W_r x_v and b are then added inside the aggregation's store); max aggregates the raw features.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "loom/core/nn.h"
#include "loom/graph/graph.h"
#include "loom/layers/layer.h"

namespace loom::layers {

struct SAGEConvOptions {
  SAGEConvOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, out_features);
  LOOM_ARG(Aggregation, aggr) = Aggregation::kMean;  // mean | max | sum
  LOOM_ARG(bool, root_weight) = true;    // add W_r x_v
  LOOM_ARG(bool, normalize) = false;     // L2-normalise each output row
  LOOM_ARG(bool, bias) = true;           // lin_l's bias, as PyG
};

// Children: lin_l (Linear in -> out, with the bias) and, with root_weight, lin_r (Linear in -> out, no bias).
class SAGEConv : public GraphLayer {
 public:
  explicit SAGEConv(const SAGEConvOptions& options);
  Tensor forward(const graph::Graph& g, const Tensor& x) override;
  const SAGEConvOptions& options() const { return options_; }
  std::shared_ptr<nn::Linear> lin_l, lin_r;

 private:
  SAGEConvOptions options_;
};

}  // namespace loom::layers
