// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// SGD with momentum, dampening, Nesterov momentum and L2 weight decay (PyTorch's update rule).
#include <cmath>

#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"

namespace loom::optim {

SGD::SGD(std::vector<Tensor> params, const SGDOptions& options)
    : Optimizer(std::move(params), options.lr(), "SGD"), options_(options), momentum_(params_.size()) {
  LOOM_CHECK(std::isfinite(options.momentum()) && options.momentum() >= 0.0, ValueError, "SGD: invalid momentum ",
             options.momentum(), " (must be >= 0)");
  LOOM_CHECK(std::isfinite(options.dampening()) && options.dampening() >= 0.0, ValueError,
             "SGD: invalid dampening ", options.dampening(), " (must be >= 0)");
  LOOM_CHECK(std::isfinite(options.weight_decay()) && options.weight_decay() >= 0.0, ValueError,
             "SGD: invalid weight_decay ", options.weight_decay(), " (must be >= 0)");
  LOOM_CHECK(!options.nesterov() || (options.momentum() > 0.0 && options.dampening() == 0.0), ValueError,
             "SGD: nesterov needs momentum > 0 and dampening 0, got momentum ", options.momentum(), " and dampening ",
             options.dampening());
}

void SGD::step() {
  NoGradGuard no_grad;
  const double mom = options_.momentum(), wd = options_.weight_decay();
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor& p = params_[i];
    Tensor g = p.grad();
    if (!g.defined()) continue;
    if (wd != 0.0) g = add(g, mul_scalar(p.detach(), wd));
    if (mom != 0.0) {
      Tensor& buf = momentum_[i];
      if (!buf.defined()) {
        buf = g.clone();
      } else {
        buf.mul_(mom).add_(g, 1.0 - options_.dampening());
      }
      g = options_.nesterov() ? add(g, mul_scalar(buf, mom)) : buf;
    }
    p.add_(g, -lr_);
  }
}

NamedTensors SGD::state_dict() const {
  NamedTensors out;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (momentum_[i].defined()) out.insert("momentum." + std::to_string(i), momentum_[i].detach().clone());
  }
  return out;
}

void SGD::load_state_dict(const NamedTensors& state) {
  std::vector<Tensor> buffers(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    const std::string key = "momentum." + std::to_string(i);
    if (state.contains(key)) buffers[i] = state_like(state, key, i);
  }
  momentum_ = std::move(buffers);
}

}  // namespace loom::optim
