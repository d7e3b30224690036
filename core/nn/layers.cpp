// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Dropout, LayerNorm and BatchNorm1d modules: thin owners of parameters and buffers around the ops.
#include "loom/core/autograd.h"
#include "loom/core/nn.h"
#include "loom/core/ops.h"

namespace loom::nn {

Dropout::Dropout(const DropoutOptions& options) : Module("Dropout"), options_(options) {
  LOOM_CHECK(options.p() >= 0.0 && options.p() <= 1.0, ValueError, "Dropout: p must be in [0, 1], got ", options.p());
}

Tensor Dropout::forward(const Tensor& x) { return dropout(x, options_.p(), is_training()); }

LayerNorm::LayerNorm(const LayerNormOptions& options) : Module("LayerNorm"), options_(options) {
  LOOM_CHECK(options.normalized_shape() > 0, ValueError, "LayerNorm: normalized_shape must be positive, got ",
             options.normalized_shape());
  LOOM_CHECK(options.eps() > 0, ValueError, "LayerNorm: eps must be positive, got ", options.eps());
  if (options.elementwise_affine()) {
    weight = register_parameter("weight", ones({options.normalized_shape()}));
    bias = register_parameter("bias", zeros({options.normalized_shape()}));
  }
}

Tensor LayerNorm::forward(const Tensor& x) {
  LOOM_CHECK(x.defined() && x.dim() >= 1 && x.size(-1) == options_.normalized_shape(), ShapeError,
             "LayerNorm.forward: input must be [..., ", options_.normalized_shape(), "], got ",
             x.defined() ? x.str() : "an undefined tensor");
  return layer_norm(x, weight, bias, options_.eps());
}

BatchNorm1d::BatchNorm1d(const BatchNorm1dOptions& options) : Module("BatchNorm1d"), options_(options) {
  const int64_t c = options.num_features();
  LOOM_CHECK(c > 0, ValueError, "BatchNorm1d: num_features must be positive, got ", c);
  LOOM_CHECK(options.eps() > 0, ValueError, "BatchNorm1d: eps must be positive, got ", options.eps());
  LOOM_CHECK(options.momentum() >= 0 && options.momentum() <= 1, ValueError,
             "BatchNorm1d: momentum must be in [0, 1], got ", options.momentum());
  if (options.affine()) {
    weight = register_parameter("weight", ones({c}));
    bias = register_parameter("bias", zeros({c}));
  }
  running_mean = register_buffer("running_mean", zeros({c}));
  running_var = register_buffer("running_var", ones({c}));
  num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, kInt64));
}

Tensor BatchNorm1d::forward(const Tensor& x) {
  LOOM_CHECK(x.defined() && x.dim() == 2 && x.size(1) == options_.num_features(), ShapeError,
             "BatchNorm1d.forward: input must be [N, ", options_.num_features(), "], got ",
             x.defined() ? x.str() : "an undefined tensor");
  // The op updates its running-statistics arguments; pass copies of the handles so that the registered buffers
  // receive the update even if the op rebinds its arguments.
  Tensor mean = running_mean, var = running_var;
  Tensor y = batch_norm(x, weight, bias, mean, var, is_training(), options_.momentum(), options_.eps());
  if (is_training()) {
    NoGradGuard no_grad;
    if (!mean.is_same(running_mean)) running_mean.copy_(mean);
    if (!var.is_same(running_var)) running_var.copy_(var);
    num_batches_tracked.fill_(static_cast<double>(num_batches_tracked.item<int64_t>() + 1));
  }
  return y;
}

}  // namespace loom::nn
