// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// SINCConv: q = W_Q x + b_Q, k = W_K x, c = W_N ctx(x) (aggregate the raw inputs, then project), dropout on the
// three, then one fused mp::gspmm_act per layer for the messages act(q_dst + k_src + c_dst) and W_R on their
// reduction. Edge weights of the graph are not used (the method has none); "sym" uses degree coefficients.
#include "loom/layers/sinc_conv.h"

#include "layers/layer_checks.h"
#include "loom/core/autograd.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::layers {
namespace {

constexpr const char* kOp = "SINCConv";

// The activations the fused gspmm_act kernel applies per edge.
mp::Act engine_activation(Activation a) {
  switch (a) {
    case Activation::kRelu: return mp::Act::kRelu;
    case Activation::kLeakyRelu: return mp::Act::kLeakyRelu;
    case Activation::kSigmoid: return mp::Act::kSigmoid;
    case Activation::kTanh: return mp::Act::kTanh;
    default:
      check_choice(kOp, a, {Activation::kRelu, Activation::kLeakyRelu, Activation::kSigmoid, Activation::kTanh});
      return mp::Act::kIdentity;  // not reached: check_choice throws
  }
}

// deg_out(src)^-1/2 deg_in(dst)^-1/2 per csr() entry, degrees clamped to >= 1 (the method note's "sym"). Graph::norm
// (kSym) uses the in-degree at both ends, which differs on directed graphs, so it is computed here.
Tensor sym_weights(const graph::Graph& g, DType dtype) {
  NoGradGuard no_grad;
  auto inv_sqrt = [&](const Tensor& deg) {
    // max(deg, 1) = relu(deg - 1) + 1 on integer degrees.
    return pow(add_scalar(relu(add_scalar(deg.to(dtype), -1.0)), 1.0), -0.5);
  };
  const Csr& c = g.csr();
  const Tensor src = index_select(inv_sqrt(g.out_degrees()), c.indices());
  const Tensor dst = index_select(inv_sqrt(g.in_degrees()), c.row_index());
  return mul(src, dst);
}

}  // namespace

SINCConv::SINCConv(const SINCConvOptions& options) : GraphLayer("SINCConv"), options_(options) {
  const auto& o = options_;
  LOOM_CHECK(o.in_features() > 0 && o.hidden_features() > 0 && o.out_features() > 0, ValueError, kOp,
             ": in_features, hidden_features and out_features must be > 0, got ", o.in_features(), ", ",
             o.hidden_features(), ", ", o.out_features());
  LOOM_CHECK(o.dropout() >= 0.0 && o.dropout() < 1.0, ValueError, kOp, ": 'dropout' must be in [0, 1), got ",
             o.dropout());
  // Message max would need W_R per edge; min has no use here.
  check_choice(kOp, o.aggr(), {Aggregation::kSum, Aggregation::kMean, Aggregation::kSym});
  check_choice("SINCConv (context)", o.context_aggr(),
               {Aggregation::kSum, Aggregation::kMean, Aggregation::kMax, Aggregation::kSym});
  engine_activation(o.activation());
  lin_query = register_module("lin_query", std::make_shared<nn::Linear>(
                                               nn::LinearOptions(o.in_features(), o.hidden_features()).bias(true)));
  lin_key = register_module("lin_key", std::make_shared<nn::Linear>(
                                           nn::LinearOptions(o.in_features(), o.hidden_features()).bias(false)));
  if (o.context()) {
    lin_context = register_module(
        "lin_context",
        std::make_shared<nn::Linear>(nn::LinearOptions(o.in_features(), o.hidden_features()).bias(false)));
  }
  lin_out = register_module("lin_out", std::make_shared<nn::Linear>(
                                           nn::LinearOptions(o.hidden_features(), o.out_features()).bias(true)));
}

Tensor SINCConv::forward(const graph::Graph& g, const Tensor& x) {
  const auto& o = options_;
  detail::check_node_input(kOp, g, x, o.in_features(), lin_query->weight);
  const Csr& csr = g.csr();
  const bool train = is_training();
  const bool need_sym = o.aggr() == Aggregation::kSym || (o.context() && o.context_aggr() == Aggregation::kSym);
  const Tensor wsym = need_sym ? sym_weights(g, x.dtype()) : Tensor();

  Tensor q = dropout(lin_query->forward(x), o.dropout(), train);  // centre (destination)
  const Tensor k = dropout(lin_key->forward(x), o.dropout(), train);  // neighbour (source)
  if (o.context()) {
    const Aggregation ca = o.context_aggr();
    const Tensor agg = ca == Aggregation::kSym    ? mp::gspmm(csr, mp::u_mul_e, mp::sum, x, wsym)
                       : ca == Aggregation::kMean ? mp::gspmm(csr, mp::copy_u, mp::mean, x)
                       : ca == Aggregation::kMax  ? mp::gspmm(csr, mp::copy_u, mp::max, x)
                                                  : mp::gspmm(csr, mp::copy_u, mp::sum, x);
    q = add(q, dropout(lin_context->forward(agg), o.dropout(), train));
  }
  const mp::Reduce reduce = o.aggr() == Aggregation::kMean ? mp::mean : mp::sum;
  const Tensor m = mp::gspmm_act(csr, engine_activation(o.activation()), reduce, k, q,
                                 o.aggr() == Aggregation::kSym ? wsym : Tensor(), 0.2);
  return lin_out->forward(m);
}

}  // namespace loom::layers
