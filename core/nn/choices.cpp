// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Messages for unknown choices, and activate(): the one place an Activation becomes tensor ops.
#include "loom/core/choices.h"

#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom {

namespace detail {

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

void throw_choice(const std::string& message, const std::vector<std::string>& valid) {
  throw ValueError(message + " (expected " + join_names(valid) + ")");
}

}  // namespace detail

Tensor activate(const Tensor& x, Activation act, double negative_slope) {
  switch (act) {
    case Activation::kIdentity: return x;
    case Activation::kRelu: return relu(x);
    case Activation::kLeakyRelu: return leaky_relu(x, negative_slope);
    case Activation::kElu: return elu(x);
    case Activation::kGelu: return gelu(x);
    case Activation::kSigmoid: return sigmoid(x);
    case Activation::kTanh: return tanh(x);
  }
  throw ValueError("activate: invalid Activation value");
}

}  // namespace loom
