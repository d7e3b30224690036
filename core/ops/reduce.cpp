// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Reductions: sum, mean and max along a dimension or over everything, and argmax.
#include "core/ops/reduce.h"

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace detail {
ReduceDims reduce_dims(const Shape& shape, int64_t dim) {
  ReduceDims d;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
    const int64_t s = shape[static_cast<size_t>(i)];
    if (i < dim) d.outer *= s;
    else if (i == dim) d.axis = s;
    else d.inner *= s;
  }
  return d;
}

namespace {
Shape reduced_shape(const Shape& s, int64_t dim, bool keepdim) {
  Shape out = s;
  if (keepdim) out[static_cast<size_t>(dim)] = 1;
  else out.erase(out.begin() + dim);
  return out;
}

// Chunked sum: [outer, axis, inner] -> partial [outer, chunks, inner] -> ... -> [outer, inner].
Tensor sum_dim_impl(const Tensor& x, const ReduceDims& d) {
  const int64_t chunk = x.is_cuda() ? kSumChunkCuda : kSumChunkCpu;
  const int64_t chunks = d.axis <= chunk ? 1 : (d.axis + chunk - 1) / chunk;
  Tensor out = empty({d.outer * chunks, d.inner}, x.dtype(), x.device());
  if (x.is_cuda()) {
    LOOM_CUDA_ONLY("sum", sum_dim_cuda(x, d, chunk, out));
  } else {
    sum_dim_cpu(x, d, chunk, out);
  }
  if (chunks == 1) return out;
  return sum_dim_impl(out, ReduceDims{d.outer, chunks, d.inner});
}

struct MaxResult {
  Tensor values, indices;  // [outer * inner] each; indices int64 along the reduced axis
};

// Chunked arg-max: each pass keeps (value, original index) per chunk, so ties across chunks still pick the first.
MaxResult max_dim_impl(const Tensor& x, const Tensor& in_index, const ReduceDims& d) {
  const int64_t chunk = x.is_cuda() ? kSumChunkCuda : kSumChunkCpu;
  const int64_t chunks = d.axis <= chunk ? 1 : (d.axis + chunk - 1) / chunk;
  MaxResult r{empty({d.outer * chunks * d.inner}, x.dtype(), x.device()),
              empty({d.outer * chunks * d.inner}, kInt64, x.device())};
  if (x.is_cuda()) {
    LOOM_CUDA_ONLY("max", max_dim_cuda(x, in_index, d, chunk, r.values, r.indices));
  } else {
    max_dim_cpu(x, in_index, d, chunk, r.values, r.indices);
  }
  if (chunks == 1) return r;
  return max_dim_impl(r.values, r.indices, ReduceDims{d.outer, chunks, d.inner});
}

// Checks shared by max and argmax; returns the wrapped dimension.
int64_t check_max_args(const char* op, const Tensor& x, int64_t dim) {
  check_floating(op, "x", x);
  LOOM_CHECK(x.dim() >= 1, ShapeError, op, ": cannot reduce dimension ", dim, " of a rank-0 tensor");
  const int64_t d = wrap_dim(op, dim, x.dim());
  LOOM_CHECK(x.shape()[static_cast<size_t>(d)] > 0, ShapeError, op, ": cannot reduce dimension ", dim,
             " of size 0 (shape ", x.shape_str(), ")");
  return d;
}
}  // namespace
}  // namespace detail

Tensor sum(const Tensor& x, int64_t dim, bool keepdim) {
  detail::check_floating("sum", "x", x);
  const int64_t rank = x.dim();
  LOOM_CHECK(rank >= 1, ShapeError, "sum: cannot reduce dimension ", dim, " of a rank-0 tensor");
  const int64_t d = detail::wrap_dim("sum", dim, rank);
  const detail::ReduceDims rd = detail::reduce_dims(x.shape(), d);
  Tensor out = detail::sum_dim_impl(x.detach(), rd).view(detail::reduced_shape(x.shape(), d, keepdim));
  autograd::record("sum", {x}, out, [xs = x.shape(), d](const Tensor& dy) {
    Shape kept = xs;
    kept[static_cast<size_t>(d)] = 1;
    return std::vector<Tensor>{add(zeros(xs, dy.dtype(), dy.device()), dy.view(kept))};
  });
  return out;
}

Tensor sum(const Tensor& x) {
  detail::check_floating("sum", "x", x);
  Tensor out = sum(x.detach().view({-1}), 0, false);  // rank 0
  autograd::record("sum", {x}, out, [xs = x.shape()](const Tensor& dy) {
    return std::vector<Tensor>{add(zeros(xs, dy.dtype(), dy.device()), dy)};
  });
  return out;
}

Tensor mean(const Tensor& x, int64_t dim, bool keepdim) {
  detail::check_floating("mean", "x", x);
  LOOM_CHECK(x.dim() >= 1, ShapeError, "mean: cannot reduce dimension ", dim, " of a rank-0 tensor");
  const int64_t d = detail::wrap_dim("mean", dim, x.dim());
  // sum and mul_scalar record their own gradients: dy / n broadcast back. An empty axis gives 0 * inf = NaN.
  const double n = static_cast<double>(x.shape()[static_cast<size_t>(d)]);
  return mul_scalar(sum(x, d, keepdim), 1.0 / n);
}

Tensor mean(const Tensor& x) {
  detail::check_floating("mean", "x", x);
  return mul_scalar(sum(x), 1.0 / static_cast<double>(x.numel()));
}

Tensor max(const Tensor& x, int64_t dim, bool keepdim) {
  const int64_t d = detail::check_max_args("max", x, dim);
  const detail::ReduceDims rd = detail::reduce_dims(x.shape(), d);
  const Shape out_shape = detail::reduced_shape(x.shape(), d, keepdim);
  detail::MaxResult r = detail::max_dim_impl(x.detach(), Tensor(), rd);
  Tensor out = r.values.view(out_shape);
  // The forward's arg index is kept, so the backward routes each dy to the first maximum without recomputing.
  autograd::record("max", {x}, out, [xs = x.shape(), rd, index = r.indices](const Tensor& dy) {
    Tensor dx = zeros(xs, dy.dtype(), dy.device());
    if (dy.is_cuda()) {
      LOOM_CUDA_ONLY("max backward", detail::max_backward_cuda(dy, index, rd, dx));
    } else {
      detail::max_backward_cpu(dy, index, rd, dx);
    }
    return std::vector<Tensor>{dx};
  });
  return out;
}

Tensor max(const Tensor& x) {
  detail::check_floating("max", "x", x);
  LOOM_CHECK(x.numel() > 0, ShapeError, "max: cannot reduce an empty tensor ", x.shape_str());
  return max(x.view({-1}), 0, false);  // the view records its own gradient back to x's shape
}

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  const int64_t d = detail::check_max_args("argmax", x, dim);
  const detail::ReduceDims rd = detail::reduce_dims(x.shape(), d);
  return detail::max_dim_impl(x.detach(), Tensor(), rd).indices.view(detail::reduced_shape(x.shape(), d, keepdim));
}

}  // namespace loom
