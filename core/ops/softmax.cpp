// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// softmax and log_softmax along any dimension: checks, dispatch to the fused kernels, and the fused backward.
#include "core/ops/softmax.h"

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace {

Tensor softmax_impl(const char* name, const Tensor& x, int64_t dim, bool log_) {
  detail::check_floating(name, "x", x);
  LOOM_CHECK(x.dim() >= 1, ShapeError, name, ": needs a tensor of rank >= 1, got a rank-0 tensor");
  const int64_t d = detail::wrap_dim(name, dim, x.dim());
  const detail::ReduceDims rd = detail::reduce_dims(x.shape(), d);
  Tensor y = empty_like(x);
  if (x.is_cuda()) {
    LOOM_CUDA_ONLY(name, detail::softmax_forward_cuda(x, rd, log_, y));
  } else {
    detail::softmax_forward_cpu(x, rd, log_, y);
  }
  // The backward needs only y (not x): one fused pass per slice, no intermediate buffers.
  autograd::record(name, {x}, y, [name, y = y.detach(), rd, log_](const Tensor& dy) {
    detail::check_same_shape(name, "grad", dy, "output", y);
    Tensor dx = empty_like(y);
    if (y.is_cuda()) {
      LOOM_CUDA_ONLY(name, detail::softmax_backward_cuda(y, dy, rd, log_, dx));
    } else {
      detail::softmax_backward_cpu(y, dy, rd, log_, dx);
    }
    return std::vector<Tensor>{dx};
  });
  return y;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) { return softmax_impl("softmax", x, dim, false); }
Tensor log_softmax(const Tensor& x, int64_t dim) { return softmax_impl("log_softmax", x, dim, true); }

}  // namespace loom
