// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// add, sub, mul, div with broadcasting, and sum_to (the gradient reduction broadcasting needs).
#include "core/ops/binary.h"

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
  const size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    LOOM_CHECK(da == db || da == 1 || db == 1, ShapeError, op, ": shapes ", shape_str(a), " and ", shape_str(b),
               " do not broadcast (dimension ", i, ": ", da, " vs ", db, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  LOOM_CHECK(shape.size() <= x.shape().size(), ShapeError, "sum_to: cannot reduce ", x.shape_str(), " to ",
             shape_str(shape));
  const size_t lead = x.shape().size() - shape.size();
  Tensor r = x;
  // Leading dimensions that `shape` lacks are summed away; then size-1 dimensions of `shape` are summed keepdim.
  for (size_t i = 0; i < lead; ++i) r = sum(r, 0, /*keepdim=*/false);
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1 && r.shape()[i] != 1) r = sum(r, static_cast<int64_t>(i), /*keepdim=*/true);
  }
  LOOM_CHECK(r.shape() == shape, ShapeError, "sum_to: cannot reduce ", x.shape_str(), " to ", shape_str(shape));
  return r;
}

namespace {

Tensor binary(const char* name, detail::BinaryOp op, const Tensor& a, const Tensor& b) {
  detail::check_floating(name, "a", a);
  detail::check_floating(name, "b", b);
  detail::check_same_device(name, "a", a, "b", b);
  detail::check_same_dtype(name, "a", a, "b", b);
  const Shape shape = broadcast_shapes(name, a.shape(), b.shape());
  Tensor out = empty(shape, a.dtype(), a.device());
  const detail::BroadcastIndexer ix = detail::make_broadcast_indexer(a.shape(), b.shape(), shape);
  if (a.is_cuda()) {
    LOOM_CUDA_ONLY(name, detail::binary_cuda(op, a, b, out, ix));
  } else {
    detail::binary_cpu(op, a, b, out, ix);
  }
  return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary("add", detail::BinaryOp::kAdd, a, b);
  autograd::record("add", {a, b}, out, [sa = a.shape(), sb = b.shape()](const Tensor& dy) {
    return std::vector<Tensor>{sum_to(dy, sa), sum_to(dy, sb)};
  });
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary("sub", detail::BinaryOp::kSub, a, b);
  autograd::record("sub", {a, b}, out, [sa = a.shape(), sb = b.shape()](const Tensor& dy) {
    return std::vector<Tensor>{sum_to(dy, sa), sum_to(neg(dy), sb)};
  });
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary("mul", detail::BinaryOp::kMul, a, b);
  const bool ga = a.requires_grad(), gb = b.requires_grad();
  autograd::record("mul", {a, b}, out, [a = a.detach(), b = b.detach(), ga, gb](const Tensor& dy) {
    return std::vector<Tensor>{ga ? sum_to(mul(dy, b), a.shape()) : Tensor(),
                               gb ? sum_to(mul(dy, a), b.shape()) : Tensor()};
  });
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary("div", detail::BinaryOp::kDiv, a, b);
  const bool ga = a.requires_grad(), gb = b.requires_grad();
  autograd::record("div", {a, b}, out,
                   [sa = a.shape(), b = b.detach(), y = out.detach(), ga, gb](const Tensor& dy) {
                     Tensor dy_over_b = div(dy, b);  // d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b = -y/b
                     return std::vector<Tensor>{ga ? sum_to(dy_over_b, sa) : Tensor(),
                                                gb ? sum_to(neg(mul(dy_over_b, y)), b.shape()) : Tensor()};
                   });
  return out;
}

}  // namespace loom
