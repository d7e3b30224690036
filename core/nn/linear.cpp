// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Linear: y = x W^T + b with PyTorch's parameter layout and default initialisation.
#include <cmath>

#include "loom/core/autograd.h"
#include "loom/core/nn.h"
#include "loom/core/ops.h"

namespace loom::nn {

Linear::Linear(const LinearOptions& options) : Module("Linear"), options_(options) {
  LOOM_CHECK(options.in_features() > 0 && options.out_features() > 0, ValueError,
             "Linear: in_features and out_features must be positive, got ", options.in_features(), " and ",
             options.out_features());
  weight = register_parameter("weight", empty({options.out_features(), options.in_features()}));
  if (options.bias()) bias = register_parameter("bias", empty({options.out_features()}));
  reset_parameters();
}

void Linear::reset_parameters() {
  // kaiming_uniform_ with a = sqrt(5) gives the bound gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in).
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(options_.in_features()));
    init::uniform_(bias, -bound, bound);
  }
}

Tensor Linear::forward(const Tensor& x) {
  const int64_t in = options_.in_features();
  LOOM_CHECK(x.defined(), ValueError, "Linear.forward: the input is an undefined tensor");
  LOOM_CHECK(x.dim() >= 1 && x.dim() <= 3 && x.size(-1) == in, ShapeError, "Linear.forward: input must be [..., ",
             in, "] of rank 1 to 3, got ", x.str());
  const Tensor wt = transpose(weight, 0, 1);  // [in, out]
  Tensor y = x.dim() == 1 ? matmul(x.view({1, in}), wt).view({options_.out_features()}) : matmul(x, wt);
  return bias.defined() ? add(y, bias) : y;
}

}  // namespace loom::nn
