// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Optimizers (SGD, Adam, AdamW), learning-rate schedules (StepLR, CosineAnnealingLR) and gradient clipping,
// following PyTorch's update rules. Updates run under NoGradGuard with tensor ops, so they work on any device.
// Optimizers hold the parameter handles given to them; state (momentum, moments) is created on the first step()
// on the parameter's device.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "loom/core/io.h"
#include "loom/core/options.h"
#include "loom/core/tensor.h"

namespace loom::optim {

using Betas = std::pair<double, double>;  // (beta1, beta2) of Adam; an alias because macros split on commas

class Optimizer {
 public:
  // ValueError for an empty list, an undefined or non-floating tensor, a non-leaf, or a negative lr.
  Optimizer(std::vector<Tensor> params, double lr, const char* name);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient (parameters without one are skipped).
  virtual void step() = 0;
  // Drops every parameter's gradient (set-to-none semantics).
  void zero_grad();
  double lr() const { return lr_; }
  void set_lr(double lr);
  const std::vector<Tensor>& parameters() const { return params_; }

  // The per-parameter state (momentum buffers, Adam moments and step counts) keyed "<what>.<parameter index>",
  // for checkpoints. load_state_dict takes what state_dict returned for the same parameter list (shapes and
  // dtypes checked; tensors copied to each parameter's device) and replaces the current state; the learning
  // rate is not part of it (set_lr).
  virtual NamedTensors state_dict() const = 0;
  virtual void load_state_dict(const NamedTensors& state) = 0;

 protected:
  // Copies state[key] into a tensor like params_[i] (ValueError naming the key on a shape or dtype mismatch).
  Tensor state_like(const NamedTensors& state, const std::string& key, size_t i) const;
  std::vector<Tensor> params_;
  double lr_;
  const char* name_;
};

struct SGDOptions {
  SGDOptions(double lr) : lr_(lr) {}  // NOLINT: implicit from the learning rate, as in LibTorch
  LOOM_ARG(double, lr);
  LOOM_ARG(double, momentum) = 0.0;
  LOOM_ARG(double, dampening) = 0.0;
  LOOM_ARG(double, weight_decay) = 0.0;
  LOOM_ARG(bool, nesterov) = false;
};

// g = grad + weight_decay * p; with momentum: buf = g on the first step, then buf = momentum * buf +
// (1 - dampening) * g, and g = nesterov ? g + momentum * buf : buf; finally p -= lr * g.
// Nesterov needs momentum > 0 and dampening 0.
class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& options);
  void step() override;
  NamedTensors state_dict() const override;
  void load_state_dict(const NamedTensors& state) override;
  const SGDOptions& options() const { return options_; }

 private:
  SGDOptions options_;
  std::vector<Tensor> momentum_;  // per parameter, undefined until its first step
};

struct AdamOptions {
  AdamOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT
  LOOM_ARG(double, lr);
  LOOM_ARG(Betas, betas) = {0.9, 0.999};
  LOOM_ARG(double, eps) = 1e-8;
  LOOM_ARG(double, weight_decay) = 0.0;
};

// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
// Adam adds weight_decay * p to g (L2); AdamW instead multiplies p by (1 - lr * weight_decay) first (decoupled).
class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, const AdamOptions& options);
  void step() override;
  NamedTensors state_dict() const override;
  void load_state_dict(const NamedTensors& state) override;
  const AdamOptions& options() const { return options_; }

 protected:
  Adam(std::vector<Tensor> params, const AdamOptions& options, bool decoupled, const char* name);

 private:
  AdamOptions options_;
  bool decoupled_;
  std::vector<int64_t> steps_;
  std::vector<Tensor> exp_avg_, exp_avg_sq_;
};

struct AdamWOptions {
  AdamWOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT
  LOOM_ARG(double, lr);
  LOOM_ARG(Betas, betas) = {0.9, 0.999};
  LOOM_ARG(double, eps) = 1e-8;
  LOOM_ARG(double, weight_decay) = 1e-2;
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<Tensor> params, const AdamWOptions& options);
};

// ---------------------------------------------------------------- learning-rate schedules
// Built on an optimizer whose current lr becomes the base lr. Call step() once per epoch, after the optimizer's
// step(); each call advances the epoch counter and sets the optimizer's lr.
class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& optimizer) : optimizer_(optimizer), base_lr_(optimizer.lr()) {}
  virtual ~LRScheduler() = default;
  void step();
  int64_t last_epoch() const { return epoch_; }
  // Resumes at `epoch` (a checkpoint's last_epoch()) without touching the optimizer's lr, which the checkpoint
  // restores itself.
  void set_last_epoch(int64_t epoch) { epoch_ = epoch; }
  double get_last_lr() const { return optimizer_.lr(); }

 protected:
  virtual double lr_at(int64_t epoch) const = 0;
  Optimizer& optimizer_;
  double base_lr_;

 private:
  int64_t epoch_ = 0;
};

// lr = base_lr * gamma^floor(epoch / step_size).
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  double lr_at(int64_t epoch) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

// lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2 (PyTorch's closed form).
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0);

 protected:
  double lr_at(int64_t epoch) const override;

 private:
  int64_t t_max_;
  double eta_min_;
};

// Multiplies the lr by `factor` when the watched metric has not improved for more than `patience` steps (as
// torch.optim.lr_scheduler.ReduceLROnPlateau, threshold mode "rel"): an improvement is a value better than
// best * (1 + threshold) when maximising, best * (1 - threshold) when minimising. The lr never goes below min_lr.
class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(Optimizer& optimizer, bool maximize, double factor = 0.1, int64_t patience = 10,
                    double threshold = 1e-4, double min_lr = 0.0);
  void step(double metric);
  // State for checkpoints: the best value seen and the steps since it.
  double best() const { return best_; }
  int64_t num_bad_steps() const { return bad_; }
  void set_state(double best, int64_t num_bad_steps) { best_ = best, bad_ = num_bad_steps; }

 private:
  Optimizer& optimizer_;
  bool maximize_;
  double factor_, threshold_, min_lr_;
  int64_t patience_;
  double best_;
  int64_t bad_ = 0;
};

// Scales all gradients in place so that their joint L2 norm is at most max_norm (factor max_norm / (norm + 1e-6)
// when the norm exceeds it) and returns the norm before clipping. Parameters without a gradient are skipped.
// A non-finite norm throws ValueError when error_if_nonfinite, and otherwise leaves the gradients untouched.
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm, bool error_if_nonfinite = false);

}  // namespace loom::optim
