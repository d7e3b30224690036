// Private to the unary family: functors written once for CPU and CUDA, and the kernel entry points.
// A forward functor maps x to y; its Grad counterpart maps (s, dy) to dx, where s is the saved x or y (see
// unary_saves_output) so that the backward is one fused pass without temporaries.
#pragma once
#include <cmath>

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

struct ReluF {
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const { return x > T(0) ? x : T(0); }
};
struct ReluGradF {  // s = x
  template <class T> LOOM_HOST_DEVICE T operator()(T x, T dy) const { return x > T(0) ? dy : T(0); }
};

struct LeakyReluF {
  double slope;
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const { return x > T(0) ? x : x * T(slope); }
};
struct LeakyReluGradF {  // s = x
  double slope;
  template <class T> LOOM_HOST_DEVICE T operator()(T x, T dy) const { return x > T(0) ? dy : dy * T(slope); }
};

struct EluF {  // expm1 keeps precision for small negative x
  double alpha;
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const { return x > T(0) ? x : T(alpha) * std::expm1(x); }
};
struct EluGradF {  // s = x
  double alpha;
  template <class T> LOOM_HOST_DEVICE T operator()(T x, T dy) const {
    return x > T(0) ? dy : dy * T(alpha) * std::exp(x);
  }
};

// Exact GELU: x * Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2. d/dx = Phi(x) + x * phi(x).
struct GeluF {
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const {
    return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
  }
};
struct GeluGradF {  // s = x
  template <class T> LOOM_HOST_DEVICE T operator()(T x, T dy) const {
    const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
    const T pdf = T(0.39894228040143267794) * std::exp(T(-0.5) * x * x);  // 1/sqrt(2 pi) e^(-x^2/2)
    return dy * (cdf + x * pdf);
  }
};

// Never exponentiates a large positive number: both branches stay in (0, 1] without overflow.
struct SigmoidF {
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const {
    if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
  }
};
struct SigmoidGradF {  // s = y
  template <class T> LOOM_HOST_DEVICE T operator()(T y, T dy) const { return dy * y * (T(1) - y); }
};

struct TanhF {
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const { return std::tanh(x); }
};
struct TanhGradF {  // s = y
  template <class T> LOOM_HOST_DEVICE T operator()(T y, T dy) const { return dy * (T(1) - y * y); }
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

// Whether the backward reads the output y (true) or the input x (false).
constexpr bool unary_saves_output(UnaryOp op) {
  return op == UnaryOp::kSigmoid || op == UnaryOp::kTanh || op == UnaryOp::kExp || op == UnaryOp::kSqrt;
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
    case UnaryOp::kRelu: return f(ReluF{});
    case UnaryOp::kLeakyRelu: return f(LeakyReluF{p.a});
    case UnaryOp::kElu: return f(EluF{p.a});
    case UnaryOp::kGelu: return f(GeluF{});
    case UnaryOp::kSigmoid: return f(SigmoidF{});
    case UnaryOp::kTanh: return f(TanhF{});
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
    case UnaryOp::kRelu: return f(ReluGradF{});
    case UnaryOp::kLeakyRelu: return f(LeakyReluGradF{p.a});
    case UnaryOp::kElu: return f(EluGradF{p.a});
    case UnaryOp::kGelu: return f(GeluGradF{});
    case UnaryOp::kSigmoid: return f(SigmoidGradF{});
    case UnaryOp::kTanh: return f(TanhGradF{});
    case UnaryOp::kExp: return f(ExpGradF{});
    case UnaryOp::kLog: return f(LogGradF{});
    case UnaryOp::kSqrt: return f(SqrtGradF{});
    case UnaryOp::kPow: return f(PowGradF{p.a});
  }
  return f(AffineGradF{p.a});
}

}  // namespace loom::detail
