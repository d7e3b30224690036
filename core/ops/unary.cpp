// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Elementwise unary ops: checks, dispatch to the CPU or CUDA map, and gradients. Each gradient is one fused pass
// dx = grad(s, dy) over the saved input or output s (no temporaries); the affine ops reuse mul_scalar/neg.
#include "core/ops/unary.h"

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace {
using detail::UnaryOp;
using detail::UnaryParams;

Tensor unary(const char* name, UnaryOp op, UnaryParams p, const Tensor& x) {
  detail::check_floating(name, "x", x);
  Tensor y = empty_like(x);
  if (x.is_cuda()) {
    LOOM_CUDA_ONLY(name, detail::unary_cuda(op, p, x, y));
  } else {
    detail::unary_cpu(op, p, x, y);
  }
  return y;
}

Tensor unary_grad(const char* name, UnaryOp op, UnaryParams p, const Tensor& s, const Tensor& dy) {
  detail::check_same_shape(name, "saved", s, "grad_output", dy);
  detail::check_same_dtype(name, "saved", s, "grad_output", dy);
  detail::check_same_device(name, "saved", s, "grad_output", dy);
  Tensor dx = empty_like(s);
  if (s.is_cuda()) {
    LOOM_CUDA_ONLY(name, detail::unary_grad_cuda(op, p, s, dy, dx));
  } else {
    detail::unary_grad_cpu(op, p, s, dy, dx);
  }
  return dx;
}

// Forward plus a recorded fused backward that reads x or y (detached: capturing y itself would be a cycle).
Tensor unary_op(const char* name, UnaryOp op, UnaryParams p, const Tensor& x) {
  Tensor y = unary(name, op, p, x);
  Tensor saved = detail::unary_saves_output(op) ? y.detach() : x.detach();
  autograd::record(name, {x}, y, [name, op, p, saved](const Tensor& dy) {
    return std::vector<Tensor>{unary_grad(name, op, p, saved, dy)};
  });
  return y;
}
}  // namespace

Tensor mul_scalar(const Tensor& x, double s) {
  Tensor y = unary("mul_scalar", UnaryOp::kAffine, {s, 0.0}, x);
  autograd::record("mul_scalar", {x}, y, [s](const Tensor& dy) { return std::vector<Tensor>{mul_scalar(dy, s)}; });
  return y;
}

Tensor add_scalar(const Tensor& x, double s) {
  Tensor y = unary("add_scalar", UnaryOp::kAffine, {1.0, s}, x);
  autograd::record("add_scalar", {x}, y, [](const Tensor& dy) { return std::vector<Tensor>{dy}; });
  return y;
}

Tensor neg(const Tensor& x) {
  Tensor y = unary("neg", UnaryOp::kAffine, {-1.0, 0.0}, x);
  autograd::record("neg", {x}, y, [](const Tensor& dy) { return std::vector<Tensor>{neg(dy)}; });
  return y;
}

Tensor relu(const Tensor& x) { return unary_op("relu", UnaryOp::kRelu, {}, x); }
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  return unary_op("leaky_relu", UnaryOp::kLeakyRelu, {negative_slope, 0.0}, x);
}
Tensor elu(const Tensor& x, double alpha) { return unary_op("elu", UnaryOp::kElu, {alpha, 0.0}, x); }
Tensor gelu(const Tensor& x) { return unary_op("gelu", UnaryOp::kGelu, {}, x); }
Tensor sigmoid(const Tensor& x) { return unary_op("sigmoid", UnaryOp::kSigmoid, {}, x); }
Tensor tanh(const Tensor& x) { return unary_op("tanh", UnaryOp::kTanh, {}, x); }
Tensor exp(const Tensor& x) { return unary_op("exp", UnaryOp::kExp, {}, x); }
Tensor log(const Tensor& x) { return unary_op("log", UnaryOp::kLog, {}, x); }
Tensor sqrt(const Tensor& x) { return unary_op("sqrt", UnaryOp::kSqrt, {}, x); }
Tensor pow(const Tensor& x, double exponent) { return unary_op("pow", UnaryOp::kPow, {exponent, 0.0}, x); }

}  // namespace loom
