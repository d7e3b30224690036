// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The float64 central-difference gradcheck, in the three forms the suites need: over the inputs of a function of
// tensors (gradcheck), over leaves a closure reads (param_gradcheck: an input and a module's parameters), and over
// a module's named parameters (module_gradcheck). One loop serves all three.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/nn.h"
#include "loom/core/ops.h"
#include "loom/core/tensor.h"
#include "support/testing.h"

namespace loom::testing {

using Leaves = std::vector<std::pair<std::string, Tensor>>;

struct GradcheckOptions {
  double eps = 1e-6, atol = 1e-6, rtol = 1e-4;  // pass when |numeric - autograd| <= atol + rtol |numeric|
  uint32_t seed = 12345;                        // of the fixed random weights w of the objective sum(f() * w)
  bool need_grad = false;                       // a leaf without a gradient fails (else it counts as zero)
};

// Central differences of sum(f() * w) against autograd for every element of every leaf. The leaves are float64
// tensors that f reads; they are perturbed in place and restored.
inline ::testing::AssertionResult leaves_gradcheck(const std::function<Tensor()>& f, const Leaves& leaves,
                                                   const GradcheckOptions& o = GradcheckOptions()) {
  for (const auto& [name, p] : leaves) {
    if (p.dtype() != kFloat64) return ::testing::AssertionFailure() << name << " " << p.str() << " is not float64";
    p.zero_grad();
  }
  const Tensor out = f();
  const Tensor w = random_tensor(out.shape(), o.seed, -1.0, 1.0, out.dtype(), out.device());
  sum(mul(out, w)).backward();
  auto objective = [&]() {
    NoGradGuard no_grad;
    return sum(mul(f(), w)).item_double();
  };
  for (const auto& [name, p] : leaves) {
    Tensor g = p.grad();
    if (!g.defined()) {
      if (o.need_grad) return ::testing::AssertionFailure() << name << " got no gradient";
      g = zeros_like(p);
    }
    const std::vector<double> ga = g.cpu().to_vector<double>();
    double* d = p.data<double>();
    for (int64_t i = 0; i < p.numel(); ++i) {
      const double orig = d[i];
      d[i] = orig + o.eps;
      const double fp = objective();
      d[i] = orig - o.eps;
      const double fm = objective();
      d[i] = orig;
      const double num = (fp - fm) / (2 * o.eps), ana = ga[static_cast<size_t>(i)];
      if (!(std::abs(num - ana) <= o.atol + o.rtol * std::abs(num))) {
        return ::testing::AssertionFailure() << "gradient of " << name << " " << p.shape_str() << " element " << i
                                             << ": autograd " << ana << ", numeric " << num;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

// gradcheck of f's inputs: float64 inputs are checked (on copies); other inputs (indices, labels, float32) are
// passed through untouched.
inline ::testing::AssertionResult gradcheck(const Fn& f, std::vector<Tensor> inputs, double eps = 1e-6,
                                            double atol = 1e-6, double rtol = 1e-4) {
  Leaves leaves;
  for (size_t k = 0; k < inputs.size(); ++k) {
    Tensor& t = inputs[k];
    if (!t.defined()) continue;
    t = t.clone().detach();
    if (t.dtype() == kFloat64) {
      t.set_requires_grad(true);
      leaves.emplace_back("input " + std::to_string(k), t);
    }
  }
  return leaves_gradcheck([&] { return f(inputs); }, leaves, {eps, atol, rtol, 12345, false});
}

// gradcheck of leaves f reads in place (x and a layer's parameters), named "param k".
inline ::testing::AssertionResult param_gradcheck(const std::function<Tensor()>& f, const std::vector<Tensor>& params,
                                                  double eps = 1e-6, double atol = 1e-6, double rtol = 1e-4) {
  Leaves leaves;
  for (size_t k = 0; k < params.size(); ++k) leaves.emplace_back("param " + std::to_string(k), params[k]);
  return leaves_gradcheck(f, leaves, {eps, atol, rtol, 4242, false});
}

// gradcheck of every named parameter of `m` (each must receive a gradient) and of the `extra` leaves (an input).
inline ::testing::AssertionResult module_gradcheck(const nn::Module& m, const std::function<Tensor()>& f,
                                                   Leaves extra = {}) {
  for (const auto& [name, p] : m.named_parameters()) extra.emplace_back(name, p);
  return leaves_gradcheck(f, extra, {1e-6, 1e-6, 1e-4, 99, true});
}

}  // namespace loom::testing
