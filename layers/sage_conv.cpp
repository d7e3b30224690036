// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// SAGEConv: W_l aggr(neighbours) + W_r x_v (+ b), with mean/sum/max aggregation through propagate/gspmm and an
// optional L2 normalisation of the output rows. Mean/sum with out <= in fuse W_r x_v and b into the aggregation.
#include "loom/layers/sage_conv.h"

#include "layers/layer_checks.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::layers {

namespace {

mp::Reduce engine_reduce(Aggregation aggr) {
  check_choice("SAGEConv", aggr, {Aggregation::kMean, Aggregation::kMax, Aggregation::kSum});
  return aggr == Aggregation::kMean ? mp::mean : aggr == Aggregation::kSum ? mp::sum : mp::max;
}

}  // namespace

SAGEConv::SAGEConv(const SAGEConvOptions& options) : GraphLayer("SAGEConv"), options_(options) {
  LOOM_CHECK(options.in_features() > 0 && options.out_features() > 0, ValueError,
             "SAGEConv: in_features and out_features must be positive, got ", options.in_features(), " and ",
             options.out_features());
  engine_reduce(options.aggr());
  const int64_t in = options.in_features(), out = options.out_features();
  lin_l = register_module("lin_l", std::make_shared<nn::Linear>(nn::LinearOptions(in, out).bias(options.bias())));
  if (options.root_weight()) {
    lin_r = register_module("lin_r", std::make_shared<nn::Linear>(nn::LinearOptions(in, out).bias(false)));
  }
}

Tensor SAGEConv::forward(const graph::Graph& g, const Tensor& x) {
  detail::check_node_input("SAGEConv", g, x, options_.in_features(), lin_l->weight);
  const mp::Reduce reduce = engine_reduce(options_.aggr());
  const Csr& csr = g.csr();
  const Tensor& bias = lin_l->bias;
  Tensor out;
  if (reduce != mp::max && options_.out_features() <= options_.in_features()) {
    // Mean and sum commute with W_l (not with its bias): aggregate the projected, narrower rows, with W_r x and the
    // bias added by the reduction's store (one pass, no [N, out] temporaries for the adds).
    const Tensor root = lin_r ? matmul(x, transpose(lin_r->weight, 0, 1)) : Tensor();
    out = mp::propagate(csr, {mp::copy_u, reduce, mp::Update{.bias = bias, .root = root}},
                        matmul(x, transpose(lin_l->weight, 0, 1)));
  } else if (reduce != mp::max && lin_r) {
    // Aggregate the narrower raw rows, then both projections as one GEMM: [aggr(x), x] [W_l, W_r]^T, whose [N, 2 in]
    // operand is smaller than the [N, out] products and sum it replaces.
    const Tensor agg = mp::gspmm(csr, mp::copy_u, reduce, x);
    out = matmul(concat({agg, x}, 1), transpose(concat({lin_l->weight, lin_r->weight}, 1), 0, 1));
    if (bias.defined()) out = add(out, bias);
  } else {
    out = lin_l->forward(mp::gspmm(csr, mp::copy_u, reduce, x));
    if (lin_r) out = add(out, lin_r->forward(x));
  }
  if (options_.normalize()) {
    // x / max(||x||, 1e-12) as F.normalize, written x / sqrt(||x||^2 + 1e-24): identical except for rows of norm
    // ~1e-12, and differentiable at zero rows (which stay zero).
    const Tensor sq = sum(mul(out, out), 1, /*keepdim=*/true);
    out = div(out, sqrt(add_scalar(sq, 1e-24)));
  }
  return out;
}

}  // namespace loom::layers
