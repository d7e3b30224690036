// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the unary family: functors written once for CPU and CUDA, and the kernel entry points.
// A forward functor maps x to y; its Grad counterpart maps (s, dy) to dx, where s is the saved x or y (see
// unary_saves_output) so that the backward is one fused pass without temporaries.
#pragma once
#include <cmath>

#include "core/detail/activation.h"
#include "core/detail/elementwise.h"
#include "loom/core/tensor.h"

namespace loom::detail {

// std:: maths resolves to the float or double overload on the host and to CUDA's device maths under nvcc.
struct AffineF {  // y = x * scale + shift (neg, add_scalar, mul_scalar)
  double scale, shift;
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const { return x * T(scale) + T(shift); }
};
struct AffineGradF {
  double scale;
  template <class T> LOOM_HOST_DEVICE T operator()(T, T dy) const { return dy * T(scale); }
};

// The activations (relu, leaky_relu, elu, gelu, sigmoid, tanh) are the table's (core/detail/activation.h); `a` is
// the activation's parameter (leaky_relu: slope, elu: alpha).
template <class A>
struct ActF {
  double a;
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const { return A::forward(x, T(a)); }
};
template <class A>
struct ActGradF {  // s = y where A::prefers_output, else x
  double a;
  // A zero derivative passes no gradient, not dy * 0: relu's backward stays +0 where x <= 0 whatever dy is (inf
  // or NaN included), as torch's threshold_backward.
  template <class T> LOOM_HOST_DEVICE T operator()(T s, T dy) const {
    T d;
    if constexpr (A::prefers_output) {
      d = A::backward_y(s, T(a));
    } else {
      d = A::backward_x(s, T(a));
    }
    return d == T(0) ? T(0) : dy * d;
  }
};

struct ExpF {
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const { return std::exp(x); }
};
struct ExpGradF {  // s = y
  template <class T> LOOM_HOST_DEVICE T operator()(T y, T dy) const { return dy * y; }
};

struct LogF {  // IEEE: log(0) = -inf, log(x < 0) = NaN
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const { return std::log(x); }
};
struct LogGradF {  // s = x
  template <class T> LOOM_HOST_DEVICE T operator()(T x, T dy) const { return dy / x; }
};

struct SqrtF {
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const { return std::sqrt(x); }
};
struct SqrtGradF {  // s = y
  template <class T> LOOM_HOST_DEVICE T operator()(T y, T dy) const { return dy / (T(2) * y); }
};

struct PowF {
  double exponent;
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const { return std::pow(x, T(exponent)); }
};
struct PowGradF {  // s = x. x^0 is constant: its gradient is 0 even where x^-1 is infinite (as PyTorch).
  double exponent;
  template <class T> LOOM_HOST_DEVICE T operator()(T x, T dy) const {
    if (exponent == 0.0) return T(0);
    return dy * T(exponent) * std::pow(x, T(exponent - 1.0));
  }
};

// The unary ops, named so that one dispatch serves both back ends.
enum class UnaryOp { kAffine, kRelu, kLeakyRelu, kElu, kGelu, kSigmoid, kTanh, kExp, kLog, kSqrt, kPow };

// a, b: the op's scalar parameters (affine: scale, shift; leaky_relu: slope; elu: alpha; pow: exponent).
struct UnaryParams {
  double a = 0, b = 0;
};

// The table activation a unary op is, if any.
constexpr bool unary_is_activation(UnaryOp op) {
  return op == UnaryOp::kRelu || op == UnaryOp::kLeakyRelu || op == UnaryOp::kElu || op == UnaryOp::kGelu ||
         op == UnaryOp::kSigmoid || op == UnaryOp::kTanh;
}
constexpr Activation unary_activation(UnaryOp op) {
  switch (op) {
    case UnaryOp::kRelu: return Activation::kRelu;
    case UnaryOp::kLeakyRelu: return Activation::kLeakyRelu;
    case UnaryOp::kElu: return Activation::kElu;
    case UnaryOp::kGelu: return Activation::kGelu;
    case UnaryOp::kSigmoid: return Activation::kSigmoid;
    case UnaryOp::kTanh: return Activation::kTanh;
    default: return Activation::kIdentity;
  }
}

// Whether the backward reads the output y (true) or the input x (false): the table says for activations.
constexpr bool unary_saves_output(UnaryOp op) {
  if (unary_is_activation(op)) {
    return with_activation(unary_activation(op), []<class A>(A) { return A::prefers_output; });
  }
  return op == UnaryOp::kExp || op == UnaryOp::kSqrt;
}

// y = f(x); x and y share shape, dtype and device.
void unary_cpu(UnaryOp op, const UnaryParams& p, const Tensor& x, const Tensor& y);
void unary_cuda(UnaryOp op, const UnaryParams& p, const Tensor& x, const Tensor& y);
// dx = grad(s, dy), s the saved x or y; all four share shape, dtype and device.
void unary_grad_cpu(UnaryOp op, const UnaryParams& p, const Tensor& s, const Tensor& dy, const Tensor& dx);
void unary_grad_cuda(UnaryOp op, const UnaryParams& p, const Tensor& s, const Tensor& dy, const Tensor& dx);

template <class F>
decltype(auto) with_unary_functor(UnaryOp op, const UnaryParams& p, F&& f) {
  switch (op) {
    case UnaryOp::kAffine: return f(AffineF{p.a, p.b});
    case UnaryOp::kRelu:
    case UnaryOp::kLeakyRelu:
    case UnaryOp::kElu:
    case UnaryOp::kGelu:
    case UnaryOp::kSigmoid:
    case UnaryOp::kTanh: return with_activation(unary_activation(op), [&]<class A>(A) { return f(ActF<A>{p.a}); });
    case UnaryOp::kExp: return f(ExpF{});
    case UnaryOp::kLog: return f(LogF{});
    case UnaryOp::kSqrt: return f(SqrtF{});
    case UnaryOp::kPow: return f(PowF{p.a});
  }
  return f(AffineF{p.a, p.b});
}

template <class F>
decltype(auto) with_unary_grad_functor(UnaryOp op, const UnaryParams& p, F&& f) {
  switch (op) {
    case UnaryOp::kAffine: return f(AffineGradF{p.a});
    case UnaryOp::kRelu:
    case UnaryOp::kLeakyRelu:
    case UnaryOp::kElu:
    case UnaryOp::kGelu:
    case UnaryOp::kSigmoid:
    case UnaryOp::kTanh:
      return with_activation(unary_activation(op), [&]<class A>(A) { return f(ActGradF<A>{p.a}); });
    case UnaryOp::kExp: return f(ExpGradF{});
    case UnaryOp::kLog: return f(LogGradF{});
    case UnaryOp::kSqrt: return f(SqrtGradF{});
    case UnaryOp::kPow: return f(PowGradF{p.a});
  }
  return f(AffineGradF{p.a});
}

}  // namespace loom::detail
