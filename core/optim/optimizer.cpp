// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The Optimizer base, learning-rate schedules and gradient-norm clipping.
#include <cmath>
#include <numbers>
#include <unordered_set>

#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"

namespace loom::optim {

Optimizer::Optimizer(std::vector<Tensor> params, double lr, const char* name)
    : params_(std::move(params)), lr_(lr), name_(name) {
  LOOM_CHECK(!params_.empty(), ValueError, name_, ": got an empty parameter list");
  std::unordered_set<const TensorImpl*> seen;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    LOOM_CHECK(p.defined(), ValueError, name_, ": parameter ", i, " is an undefined tensor");
    LOOM_CHECK(is_floating(p.dtype()), DTypeError, name_, ": parameter ", i, " must be float32 or float64, got ",
               p.str());
    LOOM_CHECK(p.is_leaf(), ValueError, name_, ": parameter ", i, " is not a leaf tensor (an op produced it)");
    LOOM_CHECK(seen.insert(p.impl()).second, ValueError, name_, ": parameter ", i, " appears more than once");
  }
  set_lr(lr);
}

void Optimizer::set_lr(double lr) {
  LOOM_CHECK(std::isfinite(lr) && lr >= 0.0, ValueError, name_, ": invalid learning rate ", lr, " (must be >= 0)");
  lr_ = lr;
}

void Optimizer::zero_grad() {
  for (const Tensor& p : params_) p.zero_grad();
}

Tensor Optimizer::state_like(const NamedTensors& state, const std::string& key, size_t i) const {
  const Tensor& p = params_.at(i);
  const Tensor& t = state.at(key);
  LOOM_CHECK(t.shape() == p.shape() && t.dtype() == p.dtype(), ValueError, name_, ".load_state_dict: '", key,
             "' is ", t.str(), " but parameter ", i, " is ", p.str());
  return t.to(p.device()).clone();
}

// ---------------------------------------------------------------- schedules

void LRScheduler::step() {
  ++epoch_;
  optimizer_.set_lr(lr_at(epoch_));
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  LOOM_CHECK(step_size > 0, ValueError, "StepLR: step_size must be positive, got ", step_size);
  LOOM_CHECK(std::isfinite(gamma) && gamma > 0.0, ValueError, "StepLR: gamma must be positive, got ", gamma);
}

double StepLR::lr_at(int64_t epoch) const {
  return base_lr_ * std::pow(gamma_, static_cast<double>(epoch / step_size_));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer), t_max_(T_max), eta_min_(eta_min) {
  LOOM_CHECK(T_max > 0, ValueError, "CosineAnnealingLR: T_max must be positive, got ", T_max);
  LOOM_CHECK(std::isfinite(eta_min) && eta_min >= 0.0, ValueError,
             "CosineAnnealingLR: eta_min must be >= 0, got ", eta_min);
}

double CosineAnnealingLR::lr_at(int64_t epoch) const {
  const double phase = std::numbers::pi * static_cast<double>(epoch) / static_cast<double>(t_max_);
  return eta_min_ + (base_lr_ - eta_min_) * (1.0 + std::cos(phase)) / 2.0;
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, bool maximize, double factor, int64_t patience,
                                     double threshold, double min_lr)
    : optimizer_(optimizer),
      maximize_(maximize),
      factor_(factor),
      threshold_(threshold),
      min_lr_(min_lr),
      patience_(patience),
      best_(maximize ? -INFINITY : INFINITY) {
  LOOM_CHECK(std::isfinite(factor) && factor > 0.0 && factor < 1.0, ValueError,
             "ReduceLROnPlateau: factor must be in (0, 1), got ", factor);
  LOOM_CHECK(patience >= 0, ValueError, "ReduceLROnPlateau: patience must be >= 0, got ", patience);
  LOOM_CHECK(std::isfinite(threshold) && threshold >= 0.0, ValueError,
             "ReduceLROnPlateau: threshold must be >= 0, got ", threshold);
  LOOM_CHECK(std::isfinite(min_lr) && min_lr >= 0.0, ValueError, "ReduceLROnPlateau: min_lr must be >= 0, got ",
             min_lr);
}

void ReduceLROnPlateau::step(double metric) {
  const bool better = maximize_ ? metric > best_ * (best_ >= 0 ? 1.0 + threshold_ : 1.0 - threshold_)
                                : metric < best_ * (best_ >= 0 ? 1.0 - threshold_ : 1.0 + threshold_);
  if (better || std::isinf(best_)) {
    best_ = metric;
    bad_ = 0;
    return;
  }
  if (++bad_ > patience_) {
    optimizer_.set_lr(std::max(min_lr_, optimizer_.lr() * factor_));
    bad_ = 0;
  }
}

// ---------------------------------------------------------------- clipping

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm, bool error_if_nonfinite) {
  LOOM_CHECK(std::isfinite(max_norm) && max_norm >= 0.0, ValueError, "clip_grad_norm: max_norm must be >= 0, got ",
             max_norm);
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& p : params) {
    LOOM_CHECK(p.defined(), ValueError, "clip_grad_norm: a parameter is an undefined tensor");
    if (Tensor g = p.grad(); g.defined()) grads.push_back(g);
  }
  if (grads.empty()) return 0.0;
  // Squared norms are summed on the first gradient's device and read back once.
  const Device device = grads[0].device();
  Tensor total;
  for (const Tensor& g : grads) {
    Tensor sq = sum(mul(g, g)).to(kFloat64).to(device);
    total = total.defined() ? add(total, sq) : sq;
  }
  const double norm = std::sqrt(total.item_double());
  if (!std::isfinite(norm)) {
    LOOM_CHECK(!error_if_nonfinite, ValueError, "clip_grad_norm: the total gradient norm is ", norm,
               " (a gradient holds NaN or infinity)");
    return norm;
  }
  const double coef = max_norm / (norm + 1e-6);
  if (coef < 1.0)
    for (Tensor& g : grads) g.mul_(coef);
  return norm;
}

}  // namespace loom::optim
