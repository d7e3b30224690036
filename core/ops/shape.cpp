// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Shape ops: concat, slice, reshape and transpose. Checks, output shapes, dispatch to the strided copies, gradients.
#include "core/ops/shape.h"

#include <string>

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "core/ops/reduce.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace {

void axis_copy(const char* op, const Tensor& src, const Tensor& dst, const detail::AxisCopy& c) {
  if (c.outer * c.len * c.inner == 0) return;
  if (src.is_cuda()) {
    LOOM_CUDA_ONLY(op, detail::axis_copy_cuda(src, dst, c));
  } else {
    detail::axis_copy_cpu(src, dst, c);
  }
}

// The [outer, axis, inner] split of `shape` around `dim`, as an AxisCopy with no offsets yet.
detail::AxisCopy axis_view(const Shape& shape, int64_t dim) {
  const detail::ReduceDims d = detail::reduce_dims(shape, dim);
  detail::AxisCopy c;
  c.outer = d.outer;
  c.inner = d.inner;
  return c;
}

// Copies `src` into `dst` at offset `off` along dim (src has dst's shape except along dim).
void place(const char* op, const Tensor& src, const Tensor& dst, int64_t dim, int64_t off) {
  detail::AxisCopy c = axis_view(dst.shape(), dim);
  c.src_axis = c.len = src.shape()[static_cast<size_t>(dim)];
  c.dst_axis = dst.shape()[static_cast<size_t>(dim)];
  c.dst_off = off;
  axis_copy(op, src, dst, c);
}

// dst gets src[.., off:off + dst.size(dim), ..].
void take(const char* op, const Tensor& src, const Tensor& dst, int64_t dim, int64_t off) {
  detail::AxisCopy c = axis_view(src.shape(), dim);
  c.src_axis = src.shape()[static_cast<size_t>(dim)];
  c.dst_axis = c.len = dst.shape()[static_cast<size_t>(dim)];
  c.src_off = off;
  axis_copy(op, src, dst, c);
}

}  // namespace

Tensor concat(const std::vector<Tensor>& xs, int64_t dim) {
  LOOM_CHECK(!xs.empty(), ValueError, "concat: needs at least one tensor, got an empty list");
  for (size_t k = 0; k < xs.size(); ++k) {
    const std::string name = "xs[" + std::to_string(k) + "]";
    detail::check_defined("concat", name.c_str(), xs[k]);
    if (k == 0) continue;
    detail::check_same_dtype("concat", "xs[0]", xs[0], name.c_str(), xs[k]);
    detail::check_same_device("concat", "xs[0]", xs[0], name.c_str(), xs[k]);
  }
  const int64_t rank = xs[0].dim();
  LOOM_CHECK(rank >= 1, ShapeError, "concat: cannot concatenate rank-0 tensors");
  const int64_t d = detail::wrap_dim("concat", dim, rank);
  Shape out_shape = xs[0].shape();
  out_shape[static_cast<size_t>(d)] = 0;
  std::vector<int64_t> sizes;
  for (size_t k = 0; k < xs.size(); ++k) {
    const Shape& s = xs[k].shape();
    bool ok = xs[k].dim() == rank;
    for (int64_t j = 0; ok && j < rank; ++j)
      ok = j == d || s[static_cast<size_t>(j)] == xs[0].shape()[static_cast<size_t>(j)];
    LOOM_CHECK(ok, ShapeError, "concat: xs[", k, "] has shape ", xs[k].shape_str(), " but xs[0] has shape ",
               xs[0].shape_str(), " (all dimensions but ", d, " must match)");
    sizes.push_back(s[static_cast<size_t>(d)]);
    out_shape[static_cast<size_t>(d)] += sizes.back();
  }
  Tensor out = empty(out_shape, xs[0].dtype(), xs[0].device());
  int64_t off = 0;
  for (size_t k = 0; k < xs.size(); ++k) {
    place("concat", xs[k], out, d, off);
    off += sizes[k];
  }
  autograd::record("concat", xs, out, [d, sizes](const Tensor& dy) {
    std::vector<Tensor> grads;
    int64_t o = 0;
    for (int64_t s : sizes) {
      grads.push_back(slice(dy, d, o, o + s));
      o += s;
    }
    return grads;
  });
  return out;
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end) {
  detail::check_defined("slice", "x", x);
  LOOM_CHECK(x.dim() >= 1, ShapeError, "slice: cannot slice a rank-0 tensor");
  const int64_t d = detail::wrap_dim("slice", dim, x.dim());
  const int64_t n = x.shape()[static_cast<size_t>(d)];
  const int64_t s = start < 0 ? start + n : start, e = end < 0 ? end + n : end;
  LOOM_CHECK(0 <= s && s <= e && e <= n, IndexError, "slice: range [", start, ", ", end, ") is out of range for ",
             "dimension ", dim, " of size ", n, " (shape ", x.shape_str(), "; expected 0 <= start <= end <= ", n,
             " after counting negative values from the end)");
  Shape out_shape = x.shape();
  out_shape[static_cast<size_t>(d)] = e - s;
  Tensor out = empty(out_shape, x.dtype(), x.device());
  take("slice", x, out, d, s);
  autograd::record("slice", {x}, out, [xs = x.shape(), d, s](const Tensor& dy) {
    Tensor dx = zeros(xs, dy.dtype(), dy.device());
    place("slice backward", dy, dx, d, s);
    return std::vector<Tensor>{dx};
  });
  return out;
}

Tensor reshape(const Tensor& x, const Shape& shape) {
  detail::check_defined("reshape", "x", x);
  return x.view(shape);  // a view sharing storage; it records its own gradient
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  detail::check_defined("transpose", "x", x);
  const int64_t rank = x.dim();
  const int64_t d0 = detail::wrap_dim("transpose", dim0, rank), d1 = detail::wrap_dim("transpose", dim1, rank);
  Shape out_shape = x.shape();
  if (rank > 0) std::swap(out_shape[static_cast<size_t>(d0)], out_shape[static_cast<size_t>(d1)]);
  Tensor out = empty(out_shape, x.dtype(), x.device());
  if (out.numel() > 0) {
    detail::PermuteCopy p;
    p.rank = static_cast<int>(rank);
    int64_t stride = 1;
    int64_t in_stride[kMaxRank] = {};
    for (int64_t k = rank - 1; k >= 0; --k) {
      in_stride[k] = stride;
      stride *= x.shape()[static_cast<size_t>(k)];
    }
    for (int64_t k = 0; k < rank; ++k) {
      p.out_shape[k] = out_shape[static_cast<size_t>(k)];
      p.in_stride[k] = in_stride[k == d0 ? d1 : (k == d1 ? d0 : k)];
    }
    if (rank == 0) p = detail::PermuteCopy{1, {1}, {1}};  // a scalar: one element, seen as shape [1]
    if (x.is_cuda()) {
      LOOM_CUDA_ONLY("transpose", detail::permute_copy_cuda(x, out, p));
    } else {
      detail::permute_copy_cpu(x, out, p);
    }
  }
  autograd::record("transpose", {x}, out,
                   [d0, d1](const Tensor& dy) { return std::vector<Tensor>{transpose(dy, d0, d1)}; });
  return out;
}

}  // namespace loom
