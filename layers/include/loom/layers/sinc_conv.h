// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// SINC-GCN (Lim et al., "Enhancing Graph Representations with Neighborhood-Contextualized Message-Passing"): each
// message sees the whole neighbourhood of its centre through a context vector (method note
// ../shared/papers/ncmp-sinc-gcn.md):
//   q_v = W_Q x_v + b_Q,  k_u = W_K x_u,  c_v = W_N (ctx_{w in N(v)} x_w)
//   out_v = W_R (msg_{u in N(v)} act(q_v + k_u + c_v)) + b_R
// The per-edge "add, activate, reduce" is one fused mp::gspmm_act: no [E, hidden] tensor is stored.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "loom/core/nn.h"
#include "loom/graph/graph.h"
#include "loom/layers/layer.h"

namespace loom::layers {

struct SINCConvOptions {
  SINCConvOptions(int64_t in_features, int64_t hidden_features, int64_t out_features)
      : in_features_(in_features), hidden_features_(hidden_features), out_features_(out_features) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, hidden_features);
  LOOM_ARG(int64_t, out_features);
  LOOM_ARG(Aggregation, aggr) = Aggregation::kSum;          // messages: sum | mean | sym
  LOOM_ARG(Aggregation, context_aggr) = Aggregation::kSum;  // context: sum | mean | max | sym
  LOOM_ARG(Activation, activation) = Activation::kRelu;     // relu | leaky_relu (0.2) | sigmoid | tanh
  LOOM_ARG(double, dropout) = 0.0;              // on q, k and c, while training
  LOOM_ARG(bool, context) = true;               // false: SIR-GCN (no c_v), the paper's ablation
};

// Children: lin_query (in -> hidden, bias), lin_key (in -> hidden, no bias), lin_context (in -> hidden, no
// bias; absent without context), lin_out (hidden -> out, bias).
class SINCConv : public GraphLayer {
 public:
  explicit SINCConv(const SINCConvOptions& options);
  Tensor forward(const graph::Graph& g, const Tensor& x) override;
  const SINCConvOptions& options() const { return options_; }
  std::shared_ptr<nn::Linear> lin_query, lin_key, lin_context, lin_out;

 private:
  SINCConvOptions options_;
};

}  // namespace loom::layers
