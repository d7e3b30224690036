// Private to the unary family: functors written once for CPU and CUDA, and the kernel entry points.
// A functor maps x (and its parameters) to y; its Grad counterpart maps (x, y, dy) to dx.
#pragma once
#include <cmath>

#include "core/detail/elementwise.h"
#include "loom/core/tensor.h"

namespace loom::detail {

struct AffineF {  // y = x * scale + shift (neg, add_scalar, mul_scalar)
  double scale, shift;
  template <class T> LOOM_HOST_DEVICE T operator()(T x) const { return x * T(scale) + T(shift); }
};

// The unary ops, named so that one dispatch serves both back ends.
enum class UnaryOp { kAffine };

struct UnaryParams {
  double a = 0, b = 0;
};

void unary_cpu(UnaryOp op, const UnaryParams& p, const Tensor& x, const Tensor& y);
void unary_cuda(UnaryOp op, const UnaryParams& p, const Tensor& x, const Tensor& y);

template <class F>
decltype(auto) with_unary_functor(UnaryOp op, const UnaryParams& p, F&& f) {
  switch (op) {
    case UnaryOp::kAffine: return f(AffineF{p.a, p.b});
  }
  return f(AffineF{p.a, p.b});
}

}  // namespace loom::detail
