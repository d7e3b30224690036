// Elementwise unary ops: checks, dispatch to the CPU or CUDA map, and gradients.
#include "core/ops/unary.h"

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace {
Tensor unary(const char* name, detail::UnaryOp op, detail::UnaryParams p, const Tensor& x) {
  detail::check_floating(name, "x", x);
  Tensor y = empty_like(x);
  if (x.is_cuda()) {
    LOOM_CUDA_ONLY(name, detail::unary_cuda(op, p, x, y));
  } else {
    detail::unary_cpu(op, p, x, y);
  }
  return y;
}
}  // namespace

Tensor mul_scalar(const Tensor& x, double s) {
  Tensor y = unary("mul_scalar", detail::UnaryOp::kAffine, {s, 0.0}, x);
  autograd::record("mul_scalar", {x}, y, [s](const Tensor& dy) { return std::vector<Tensor>{mul_scalar(dy, s)}; });
  return y;
}

Tensor add_scalar(const Tensor& x, double s) {
  Tensor y = unary("add_scalar", detail::UnaryOp::kAffine, {1.0, s}, x);
  autograd::record("add_scalar", {x}, y, [](const Tensor& dy) { return std::vector<Tensor>{dy}; });
  return y;
}

Tensor neg(const Tensor& x) {
  Tensor y = unary("neg", detail::UnaryOp::kAffine, {-1.0, 0.0}, x);
  autograd::record("neg", {x}, y, [](const Tensor& dy) { return std::vector<Tensor>{neg(dy)}; });
  return y;
}

}  // namespace loom
