// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to Adam: the whole update of one parameter as one elementwise pass over (p, g, m, v), shared by the CPU
// loop and the CUDA kernel. Written with tensor ops, one step cost about 18 kernels and 12 allocations a parameter
// (each in-place op is an out-of-place op and a copy), which dominated small GPU training steps.
#pragma once
#include <cmath>
#include <cstdint>

#include "core/detail/macros.h"
#include "loom/core/tensor.h"

namespace loom::detail {

// The step's scalars, computed once on the host in double.
struct AdamScalars {
  double beta1, beta2;
  double step_size;       // lr / (1 - beta1^t)
  double inv_sqrt_bias2;  // 1 / sqrt(1 - beta2^t)
  double eps;
  double weight_decay;
  bool decoupled;         // AdamW: p *= 1 - lr * wd before the step; Adam: g += wd * p
  double decay;           // 1 - lr * wd (used when decoupled)
};

// One element, in T, in the order of PyTorch's single-tensor Adam:
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= step_size * m / (sqrt(v) / sqrt(bias2) + eps).
template <class T>
struct AdamElement {
  T b1, one_minus_b1, b2, one_minus_b2, step_size, inv_sqrt_bias2, eps, wd, decay;
  bool decoupled;
  explicit AdamElement(const AdamScalars& s)
      : b1(T(s.beta1)), one_minus_b1(T(1.0 - s.beta1)), b2(T(s.beta2)), one_minus_b2(T(1.0 - s.beta2)),
        step_size(T(s.step_size)), inv_sqrt_bias2(T(s.inv_sqrt_bias2)), eps(T(s.eps)), wd(T(s.weight_decay)),
        decay(T(s.decay)), decoupled(s.decoupled) {}
  LOOM_HOST_DEVICE void operator()(T& p, T g, T& m, T& v) const {
    if (decoupled) {
      p *= decay;
    } else if (wd != T(0)) {
      g += wd * p;
    }
    m = b1 * m + one_minus_b1 * g;
    v = b2 * v + one_minus_b2 * (g * g);
    p -= step_size * (m / (std::sqrt(v) * inv_sqrt_bias2 + eps));
  }
};

// p, m, v updated in place from g; all four contiguous, of one floating dtype, one device and numel.
void adam_update_cpu(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const AdamScalars& s);
void adam_update_cuda(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const AdamScalars& s);

}  // namespace loom::detail
