// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MLP: a stack of Linear layers with optional normalisation, a choice of activation, and dropout.
#include "loom/core/nn.h"
#include "loom/core/ops.h"

namespace loom::nn {

MLP::MLP(const MLPOptions& options) : Module("MLP"), options_(options) {
  LOOM_CHECK(options.in_features() > 0 && options.out_features() > 0, ValueError,
             "MLP: in_features and out_features must be positive, got ", options.in_features(), " and ",
             options.out_features());
  for (int64_t h : options.hidden()) LOOM_CHECK(h > 0, ValueError, "MLP: hidden sizes must be positive, got ", h);
  const NormLayer norm = options.norm();
  LOOM_CHECK(options.dropout() >= 0.0 && options.dropout() <= 1.0, ValueError, "MLP: dropout must be in [0, 1], got ",
             options.dropout());

  auto layers = register_module("layers", std::make_shared<ModuleList>());
  std::shared_ptr<ModuleList> norms;
  if (norm != NormLayer::kNone) norms = register_module("norms", std::make_shared<ModuleList>());
  int64_t in = options.in_features();
  for (int64_t h : options.hidden()) {
    layers_.push_back(std::make_shared<Linear>(LinearOptions(in, h).bias(options.bias())));
    layers->push_back(layers_.back());
    if (norm == NormLayer::kBatch) {
      batch_norms_.push_back(std::make_shared<BatchNorm1d>(BatchNorm1dOptions(h)));
      norms->push_back(batch_norms_.back());
    } else if (norm == NormLayer::kLayer) {
      layer_norms_.push_back(std::make_shared<LayerNorm>(LayerNormOptions(h)));
      norms->push_back(layer_norms_.back());
    }
    in = h;
  }
  layers_.push_back(std::make_shared<Linear>(LinearOptions(in, options.out_features()).bias(options.bias())));
  layers->push_back(layers_.back());
}

Tensor MLP::normalise(size_t i, const Tensor& x) {
  if (!batch_norms_.empty()) return batch_norms_[i]->forward(x);
  if (!layer_norms_.empty()) return layer_norms_[i]->forward(x);
  return x;
}

Tensor MLP::forward(const Tensor& x) {
  Tensor h = x;
  const size_t hidden = layers_.size() - 1;
  for (size_t i = 0; i < hidden; ++i) {
    h = activate(normalise(i, layers_[i]->forward(h)), options_.activation());
    if (options_.dropout() > 0.0) h = dropout(h, options_.dropout(), is_training());
  }
  return layers_[hidden]->forward(h);
}

}  // namespace loom::nn
