// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph-level readouts as engine segment ops over graph_ptr (see loom/layers/pool.h).
#include "loom/layers/pool.h"

#include <vector>

#include "loom/core/error.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::layers {

namespace {

void check_pool(const char* name, const Tensor& x) {
  LOOM_CHECK(x.defined() && x.dim() == 2, ShapeError, name, ": 'x' must be [N, F], got ",
             x.defined() ? x.shape_str() : std::string("undefined"));
}

}  // namespace

Tensor global_sum_pool(const Tensor& x, const Tensor& graph_ptr) {
  check_pool("global_sum_pool", x);
  return mp::segment_reduce(x, graph_ptr, mp::Reduce::kSum);
}

Tensor global_mean_pool(const Tensor& x, const Tensor& graph_ptr) {
  check_pool("global_mean_pool", x);
  return mp::segment_reduce(x, graph_ptr, mp::Reduce::kMean);
}

Tensor global_max_pool(const Tensor& x, const Tensor& graph_ptr) {
  check_pool("global_max_pool", x);
  return mp::segment_reduce(x, graph_ptr, mp::Reduce::kMax);
}

Tensor global_pool(const Tensor& x, const Tensor& graph_ptr, Readout readout) {
  switch (readout) {
    case Readout::kSum: return global_sum_pool(x, graph_ptr);
    case Readout::kMean: return global_mean_pool(x, graph_ptr);
    case Readout::kMax: return global_max_pool(x, graph_ptr);
    case Readout::kAttention: break;
    case Readout::kHistograph:
      throw ValueError("global_pool: the histograph readout reads every layer and has parameters: use a "
                       "HistographReadout module");
  }
  throw ValueError("global_pool: the attention readout has parameters: use a GlobalAttentionPool module");
}

GlobalAttentionPool::GlobalAttentionPool(const GlobalAttentionPoolOptions& o) : options_(o) {
  LOOM_CHECK(o.in_features() >= 1 && o.gate_hidden() >= 0, ValueError,
             "GlobalAttentionPool: in_features must be >= 1 and gate_hidden >= 0, got ", o.in_features(), " and ",
             o.gate_hidden());
  std::vector<int64_t> hidden;
  if (o.gate_hidden() > 0) hidden.push_back(o.gate_hidden());
  gate = register_module("gate", std::make_shared<nn::MLP>(nn::MLPOptions(o.in_features(), hidden, 1)));
}

Tensor GlobalAttentionPool::weights(const Tensor& x, const Tensor& graph_ptr) {
  check_pool("GlobalAttentionPool", x);
  LOOM_CHECK(x.size(1) == options_.in_features(), ShapeError, "GlobalAttentionPool: 'x' has ", x.size(1),
             " features, expected ", options_.in_features());
  return mp::segment_softmax(gate->forward(x), graph_ptr);  // [N, 1], normalised within each graph
}

Tensor GlobalAttentionPool::forward(const Tensor& x, const Tensor& graph_ptr) {
  return mp::segment_reduce(mul(weights(x, graph_ptr), x), graph_ptr, mp::Reduce::kSum);
}

}  // namespace loom::layers
