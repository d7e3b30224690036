// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The activation table, written once (LOOM_HOST_DEVICE) for every kernel that activates: the unary ops
// (core/ops/unary), gspmm_act's per-edge message, GATv2's logits and propagate's fused update, on CPU and CUDA.
// Each activation is a struct with
//   forward(x, a)      y = act(x); `a` is the parameter (leaky_relu: negative slope, elu: alpha; others ignore it)
//   backward_x(x, a)   act'(x) from the input
//   backward_y(y, a)   act'(x) read off the output y = act(x), where has_backward_y (act invertible enough:
//                      leaky_relu needs a >= 0, elu a > 0; gelu has none)
//   prefers_output     whether a saved-tensor backward should keep y (sigmoid, tanh: act' is cheap from y) or x
// At a kink the derivative is the left one (relu' (0) = 0, leaky_relu'(0) = a, elu'(0) = a), as torch's.
// std:: maths resolves to the float or double overload on the host and to CUDA's device maths under nvcc.
#pragma once
#include <cmath>

#include "core/detail/macros.h"
#include "loom/core/choices.h"
#include "loom/core/message.h"

namespace loom::detail {

struct IdentityAct {
  static constexpr bool has_backward_y = true, prefers_output = false;
  template <class T> LOOM_HOST_DEVICE static T forward(T x, T) { return x; }
  template <class T> LOOM_HOST_DEVICE static T backward_x(T, T) { return T(1); }
  template <class T> LOOM_HOST_DEVICE static T backward_y(T, T) { return T(1); }
};
struct ReluAct {
  static constexpr bool has_backward_y = true, prefers_output = false;
  template <class T> LOOM_HOST_DEVICE static T forward(T x, T) { return x > T(0) ? x : T(0); }
  template <class T> LOOM_HOST_DEVICE static T backward_x(T x, T) { return x > T(0) ? T(1) : T(0); }
  template <class T> LOOM_HOST_DEVICE static T backward_y(T y, T) { return y > T(0) ? T(1) : T(0); }
};
struct LeakyReluAct {  // a: the negative slope; backward_y needs a >= 0 (y keeps x's sign)
  static constexpr bool has_backward_y = true, prefers_output = false;
  template <class T> LOOM_HOST_DEVICE static T forward(T x, T a) { return x > T(0) ? x : x * a; }
  template <class T> LOOM_HOST_DEVICE static T backward_x(T x, T a) { return x > T(0) ? T(1) : a; }
  template <class T> LOOM_HOST_DEVICE static T backward_y(T y, T a) { return y > T(0) ? T(1) : a; }
};
struct EluAct {  // a: alpha; expm1 keeps precision for small negative x. backward_y: y + a = a e^x for x <= 0 (a > 0)
  static constexpr bool has_backward_y = true, prefers_output = false;
  template <class T> LOOM_HOST_DEVICE static T forward(T x, T a) { return x > T(0) ? x : a * std::expm1(x); }
  template <class T> LOOM_HOST_DEVICE static T backward_x(T x, T a) { return x > T(0) ? T(1) : a * std::exp(x); }
  template <class T> LOOM_HOST_DEVICE static T backward_y(T y, T a) { return y > T(0) ? T(1) : y + a; }
};
// Exact GELU: x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2; d/dx = Phi(x) + x phi(x). Not invertible: no backward_y.
struct GeluAct {
  static constexpr bool has_backward_y = false, prefers_output = false;
  template <class T> LOOM_HOST_DEVICE static T forward(T x, T) {
    return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
  }
  template <class T> LOOM_HOST_DEVICE static T backward_x(T x, T) {
    const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
    const T pdf = T(0.39894228040143267794) * std::exp(T(-0.5) * x * x);  // 1/sqrt(2 pi) e^(-x^2/2)
    return cdf + x * pdf;
  }
};
struct SigmoidAct {  // never exponentiates a large positive number: both branches stay in (0, 1] without overflow
  static constexpr bool has_backward_y = true, prefers_output = true;
  template <class T> LOOM_HOST_DEVICE static T forward(T x, T) {
    if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
  }
  template <class T> LOOM_HOST_DEVICE static T backward_x(T x, T a) { return backward_y(forward(x, a), a); }
  template <class T> LOOM_HOST_DEVICE static T backward_y(T y, T) { return y * (T(1) - y); }
};
struct TanhAct {
  static constexpr bool has_backward_y = true, prefers_output = true;
  template <class T> LOOM_HOST_DEVICE static T forward(T x, T) { return std::tanh(x); }
  template <class T> LOOM_HOST_DEVICE static T backward_x(T x, T a) { return backward_y(std::tanh(x), a); }
  template <class T> LOOM_HOST_DEVICE static T backward_y(T y, T) { return T(1) - y * y; }
};

// Calls f(Act{}) for a runtime Activation: kernels are templates on the activation (no branch in the inner loop).
template <class F>
constexpr decltype(auto) with_activation(Activation act, F&& f) {
  switch (act) {
    case Activation::kIdentity: return f(IdentityAct{});
    case Activation::kRelu: return f(ReluAct{});
    case Activation::kLeakyRelu: return f(LeakyReluAct{});
    case Activation::kElu: return f(EluAct{});
    case Activation::kGelu: return f(GeluAct{});
    case Activation::kSigmoid: return f(SigmoidAct{});
    case Activation::kTanh: return f(TanhAct{});
  }
  return f(IdentityAct{});
}

// The engine's fused kernels take mp::Act (the subset whose derivative can be read off the output).
LOOM_HOST_DEVICE constexpr Activation to_activation(mp::Act act) {
  switch (act) {
    case mp::Act::kIdentity: return Activation::kIdentity;
    case mp::Act::kRelu: return Activation::kRelu;
    case mp::Act::kLeakyRelu: return Activation::kLeakyRelu;
    case mp::Act::kSigmoid: return Activation::kSigmoid;
    case mp::Act::kTanh: return Activation::kTanh;
  }
  return Activation::kIdentity;
}
template <class F>
decltype(auto) with_activation(mp::Act act, F&& f) {
  return with_activation(to_activation(act), static_cast<F&&>(f));
}

// Every mp::Act is read off the output by propagate's backward.
static_assert(IdentityAct::has_backward_y && ReluAct::has_backward_y && LeakyReluAct::has_backward_y &&
              SigmoidAct::has_backward_y && TanhAct::has_backward_y);

// Per-element runtime forms, for kernels that are not templates on the activation (propagate's fused update: one
// more template axis would multiply its CUDA instantiations). A switch over the same table.
template <class T>
LOOM_HOST_DEVICE inline T activation_forward(mp::Act act, T x, T a) {
  switch (act) {
    case mp::Act::kRelu: return ReluAct::forward(x, a);
    case mp::Act::kLeakyRelu: return LeakyReluAct::forward(x, a);
    case mp::Act::kSigmoid: return SigmoidAct::forward(x, a);
    case mp::Act::kTanh: return TanhAct::forward(x, a);
    case mp::Act::kIdentity: break;
  }
  return IdentityAct::forward(x, a);
}
template <class T>
LOOM_HOST_DEVICE inline T activation_backward_y(mp::Act act, T y, T a) {
  switch (act) {
    case mp::Act::kRelu: return ReluAct::backward_y(y, a);
    case mp::Act::kLeakyRelu: return LeakyReluAct::backward_y(y, a);
    case mp::Act::kSigmoid: return SigmoidAct::backward_y(y, a);
    case mp::Act::kTanh: return TanhAct::backward_y(y, a);
    case mp::Act::kIdentity: break;
  }
  return IdentityAct::backward_y(y, a);
}

}  // namespace loom::detail
