// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Adam (L2 weight decay added to the gradient) and AdamW (decoupled weight decay), with bias correction.
#include <cmath>

#include "core/detail/macros.h"
#include "core/optim/adam_update.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"

namespace loom::optim {

namespace {
AdamOptions from_adamw(const AdamWOptions& o) {
  return AdamOptions(o.lr()).betas(o.betas()).eps(o.eps()).weight_decay(o.weight_decay());
}
}  // namespace

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options) : Adam(std::move(params), options, false, "Adam") {}

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options, bool decoupled, const char* name)
    : Optimizer(std::move(params), options.lr(), name),
      options_(options),
      decoupled_(decoupled),
      steps_(params_.size(), 0),
      exp_avg_(params_.size()),
      exp_avg_sq_(params_.size()) {
  const auto [b1, b2] = options.betas();
  LOOM_CHECK(b1 >= 0.0 && b1 < 1.0, ValueError, name, ": invalid beta1 ", b1, " (must be in [0, 1))");
  LOOM_CHECK(b2 >= 0.0 && b2 < 1.0, ValueError, name, ": invalid beta2 ", b2, " (must be in [0, 1))");
  LOOM_CHECK(std::isfinite(options.eps()) && options.eps() >= 0.0, ValueError, name, ": invalid eps ", options.eps(),
             " (must be >= 0)");
  LOOM_CHECK(std::isfinite(options.weight_decay()) && options.weight_decay() >= 0.0, ValueError, name,
             ": invalid weight_decay ", options.weight_decay(), " (must be >= 0)");
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& options)
    : Adam(std::move(params), from_adamw(options), true, "AdamW") {}

void Adam::step() {
  NoGradGuard no_grad;
  const auto [b1, b2] = options_.betas();
  const double wd = options_.weight_decay();
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    LOOM_CHECK(g.dtype() == p.dtype() && g.device() == p.device() && g.shape() == p.shape(), ValueError, name_,
               ".step: parameter ", i, " is ", p.str(), " but its gradient is ", g.str());
    if (!exp_avg_[i].defined()) {
      exp_avg_[i] = zeros_like(p);
      exp_avg_sq_[i] = zeros_like(p);
    }
    const double t = static_cast<double>(++steps_[i]);
    const detail::AdamScalars s{b1, b2, lr_ / (1.0 - std::pow(b1, t)), 1.0 / std::sqrt(1.0 - std::pow(b2, t)),
                                options_.eps(), wd, decoupled_, 1.0 - lr_ * wd};
    if (p.is_cuda()) {
      LOOM_CUDA_ONLY(name_, detail::adam_update_cuda(p, g, exp_avg_[i], exp_avg_sq_[i], s));
    } else {
      detail::adam_update_cpu(p, g, exp_avg_[i], exp_avg_sq_[i], s);
    }
  }
}

// Moments are saved only for parameters that have taken a step; "step" holds every parameter's count.
NamedTensors Adam::state_dict() const {
  NamedTensors out;
  out.insert("step", from_vector<int64_t>(steps_, {static_cast<int64_t>(steps_.size())}));
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!exp_avg_[i].defined()) continue;
    out.insert("exp_avg." + std::to_string(i), exp_avg_[i].detach().clone());
    out.insert("exp_avg_sq." + std::to_string(i), exp_avg_sq_[i].detach().clone());
  }
  return out;
}

void Adam::load_state_dict(const NamedTensors& state) {
  const Tensor& step = state.at("step");
  LOOM_CHECK(step.dtype() == kInt64 && step.dim() == 1 && step.size(0) == static_cast<int64_t>(params_.size()),
             ValueError, name_, ".load_state_dict: 'step' is ", step.str(), ", expected int64 [", params_.size(), "]");
  std::vector<Tensor> m(params_.size()), v(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    const std::string k = std::to_string(i);
    if (!state.contains("exp_avg." + k)) continue;
    m[i] = state_like(state, "exp_avg." + k, i);
    v[i] = state_like(state, "exp_avg_sq." + k, i);
  }
  steps_ = step.to_vector<int64_t>();
  exp_avg_ = std::move(m);
  exp_avg_sq_ = std::move(v);
}

}  // namespace loom::optim
