// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// nn::init: in-place initialisers drawing from loom's global seeded generator, with PyTorch's fan and gain rules.
#include <cmath>

#include "loom/core/autograd.h"
#include "loom/core/nn.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"

namespace loom::nn::init {

namespace {
void check_floating(const char* fn, const Tensor& t) {
  LOOM_CHECK(t.defined(), ValueError, "init::", fn, ": undefined tensor");
  LOOM_CHECK(is_floating(t.dtype()), DTypeError, "init::", fn, ": needs a float32 or float64 tensor, got ", t.str());
}
int64_t fan(const Tensor& t, FanMode mode) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return mode == FanMode::kFanIn ? fan_in : fan_out;
}
}  // namespace

double calculate_gain(const std::string& nonlinearity, double param) {
  if (nonlinearity == "linear" || nonlinearity == "identity" || nonlinearity == "sigmoid") return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nonlinearity == "selu") return 0.75;
  throw ValueError("init::calculate_gain: unknown nonlinearity '" + nonlinearity +
                   "' (expected linear, identity, sigmoid, tanh, relu, leaky_relu or selu)");
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  LOOM_CHECK(t.defined() && t.dim() >= 2, ShapeError,
             "init: fan in and fan out need a tensor of rank >= 2, got ", t.str());
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

Tensor uniform_(Tensor t, double low, double high) {
  check_floating("uniform_", t);
  if (t.numel() == 0) return t;  // zero-element tensors: nothing to draw (their fans may be 0)
  LOOM_CHECK(low <= high, ValueError, "init::uniform_: low ", low, " is greater than high ", high);
  NoGradGuard no_grad;
  t.copy_(uniform(t.shape(), low, high, t.dtype(), t.device()));
  return t;
}

Tensor normal_(Tensor t, double mean, double std) {
  check_floating("normal_", t);
  if (t.numel() == 0) return t;
  LOOM_CHECK(std >= 0, ValueError, "init::normal_: std must be >= 0, got ", std);
  NoGradGuard no_grad;
  t.copy_(add_scalar(mul_scalar(randn(t.shape(), t.dtype(), t.device()), std), mean));
  return t;
}

Tensor constant_(Tensor t, double value) {
  LOOM_CHECK(t.defined(), ValueError, "init::constant_: undefined tensor");
  t.fill_(value);
  return t;
}
Tensor zeros_(Tensor t) { return constant_(std::move(t), 0.0); }
Tensor ones_(Tensor t) { return constant_(std::move(t), 1.0); }

Tensor xavier_uniform_(Tensor t, double gain) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform_(std::move(t), -bound, bound);
}

Tensor xavier_normal_(Tensor t, double gain) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return normal_(std::move(t), 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)));
}

Tensor kaiming_uniform_(Tensor t, double a, FanMode mode, const std::string& nonlinearity) {
  const double std = calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan(t, mode)));
  const double bound = std::sqrt(3.0) * std;
  return uniform_(std::move(t), -bound, bound);
}

Tensor kaiming_normal_(Tensor t, double a, FanMode mode, const std::string& nonlinearity) {
  const double std = calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan(t, mode)));
  return normal_(std::move(t), 0.0, std);
}

}  // namespace loom::nn::init
