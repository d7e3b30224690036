// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// BipartiteSAGEConv: the aggregation is one propagate over the relation's Csr; mean and sum project the source rows
// first when that makes them narrower, with W_r x_dst and the bias added in the aggregation's store.
#include "loom/hetero/relation_layers.h"

#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::hetero {

namespace {

mp::Reduce engine_reduce(Aggregation aggr) {
  check_choice("BipartiteSAGEConv", aggr, {Aggregation::kMean, Aggregation::kSum, Aggregation::kMax});
  return aggr == Aggregation::kMean ? mp::mean : aggr == Aggregation::kSum ? mp::sum : mp::max;
}

void check_input(const char* arg, const Tensor& x, int64_t rows, const char* side, int64_t width, const Tensor& p) {
  LOOM_CHECK(x.defined() && x.dim() == 2, ShapeError, "BipartiteSAGEConv.forward: '", arg, "' must be [", rows, ", ",
             width, "], got ", x.defined() ? x.str() : "undefined");
  LOOM_CHECK(x.size(1) == width, ShapeError, "BipartiteSAGEConv.forward: '", arg, "' has ", x.size(1),
             " features but the layer takes ", width, " (", side, ")");
  LOOM_CHECK(x.size(0) == rows, ShapeError, "BipartiteSAGEConv.forward: '", arg, "' has ", x.size(0),
             " rows but the relation has ", rows, " ", side == std::string("in_src") ? "source" : "destination",
             " nodes");
  LOOM_CHECK(x.dtype() == p.dtype() && x.device() == p.device(), DTypeError, "BipartiteSAGEConv.forward: '", arg,
             "' is ", x.str(), " but the layer's parameters are ", p.str());
}

}  // namespace

BipartiteSAGEConv::BipartiteSAGEConv(const BipartiteSAGEConvOptions& options)
    : RelationLayer("BipartiteSAGEConv"), options_(options) {
  LOOM_CHECK(options.in_src() > 0 && options.in_dst() > 0 && options.out_features() > 0, ValueError,
             "BipartiteSAGEConv: in_src, in_dst and out_features must be positive, got ", options.in_src(), ", ",
             options.in_dst(), " and ", options.out_features());
  engine_reduce(options.aggr());
  const int64_t out = options.out_features();
  lin_l = register_module("lin_l",
                          std::make_shared<nn::Linear>(nn::LinearOptions(options.in_src(), out).bias(options.bias())));
  if (options.root_weight()) {
    lin_r = register_module("lin_r", std::make_shared<nn::Linear>(nn::LinearOptions(options.in_dst(), out).bias(false)));
  }
}

Tensor BipartiteSAGEConv::forward(const Csr& rel, const Tensor& x_src, const Tensor& x_dst) {
  LOOM_CHECK(rel.defined(), ValueError, "BipartiteSAGEConv.forward: the relation Csr is undefined");
  check_input("x_src", x_src, rel.num_cols(), "in_src", options_.in_src(), lin_l->weight);
  if (lin_r) check_input("x_dst", x_dst, rel.num_rows(), "in_dst", options_.in_dst(), lin_l->weight);
  const mp::Reduce reduce = engine_reduce(options_.aggr());
  const Tensor root = lin_r ? matmul(x_dst, transpose(lin_r->weight, 0, 1)) : Tensor();
  const Tensor& bias = lin_l->bias;
  if (reduce != mp::max && options_.out_features() <= options_.in_src()) {
    // Mean and sum commute with W_l: aggregate the narrower projected rows; root and bias join in the store.
    return mp::propagate(rel, {mp::copy_u, reduce, mp::Update{.bias = bias, .root = root}},
                         matmul(x_src, transpose(lin_l->weight, 0, 1)));
  }
  Tensor out = matmul(mp::gspmm(rel, mp::copy_u, reduce, x_src), transpose(lin_l->weight, 0, 1));
  if (bias.defined()) out = add(out, bias);
  return root.defined() ? add(out, root) : out;
}

}  // namespace loom::hetero
