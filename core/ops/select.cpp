// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Selection along the last dimension: topk and gather_last. Checks, dispatch, and the gradients: both scatter the
// output gradient back into zeros shaped like x (scatter_last, itself differentiable through gather_last).
#include <string>

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "core/ops/index.h"
#include "core/ops/select.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace {

// Product of all dimensions but the last (the number of slices).
int64_t leading(const Shape& s) {
  int64_t n = 1;
  for (size_t d = 0; d + 1 < s.size(); ++d) n *= s[d];
  return n;
}

// "[2, 5]": the multi-index of flat position `pos` in a tensor of shape `s`.
std::string position_str(const Shape& s, int64_t pos) {
  std::string out;
  for (size_t d = s.size(); d-- > 0;) {
    const int64_t v = s[d] > 0 ? pos % s[d] : 0;
    pos = s[d] > 0 ? pos / s[d] : 0;
    out = std::to_string(v) + (out.empty() ? "" : ", ") + out;
  }
  return "[" + out + "]";
}

// out = zeros(x_shape); out[..., index[..., j]] += src[..., j]. Gradient: gather_last(dout, index).
Tensor scatter_last(const Tensor& src, const Tensor& index, const Shape& x_shape) {
  const int64_t L = x_shape.back(), K = index.shape().back(), rows = leading(x_shape);
  Tensor out = empty(x_shape, src.dtype(), src.device());
  if (out.numel() > 0) {
    if (src.is_cuda()) {
      LOOM_CUDA_ONLY("gather_last backward", detail::scatter_last_add_cuda(src, index, rows, L, K, out));
    } else {
      detail::scatter_last_add_cpu(src, index, rows, L, K, out);
    }
  }
  autograd::record("scatter_last", {src}, out, [index = index.detach()](const Tensor& dy) {
    return std::vector<Tensor>{gather_last(dy, index)};
  });
  return out;
}

}  // namespace

TopK topk(const Tensor& x, int64_t k, bool largest) {
  detail::check_floating("topk", "x", x);
  LOOM_CHECK(x.dim() >= 1, ShapeError, "topk: 'x' must have rank >= 1 (slices along the last dimension), got a "
             "rank-0 tensor");
  const int64_t L = x.shape().back(), rows = leading(x.shape());
  LOOM_CHECK(k >= 0 && k <= L, ValueError, "topk: k = ", k, " is out of range for a last dimension of size L = ", L,
             " (expected 0 <= k <= L)");
  LOOM_CHECK(!x.is_cuda() || k <= detail::kTopkCudaMaxK, ValueError, "topk: k = ", k,
             " is larger than the CUDA limit of ", detail::kTopkCudaMaxK, " (x ", x.shape_str(), ")");
  Shape out_shape = x.shape();
  out_shape.back() = k;
  TopK r{empty(out_shape, x.dtype(), x.device()), empty(out_shape, kInt64, x.device())};
  if (k > 0 && rows > 0) {
    int64_t nan_slice = -1;
    if (x.is_cuda()) {
      LOOM_CUDA_ONLY("topk", nan_slice = detail::topk_cuda(x, rows, L, k, largest, r.values, r.indices));
    } else {
      nan_slice = detail::topk_cpu(x, rows, L, k, largest, r.values, r.indices);
    }
    LOOM_CHECK(nan_slice < 0, ValueError, "topk: 'x' ", x.shape_str(), " contains NaN (slice ", nan_slice,
               " along the last dimension); NaN has no order");
  }
  autograd::record("topk", {x}, r.values, [xs = x.shape(), index = r.indices](const Tensor& dy) {
    return std::vector<Tensor>{scatter_last(dy, index, xs)};
  });
  return r;
}

Tensor gather_last(const Tensor& x, const Tensor& index) {
  detail::check_defined("gather_last", "x", x);
  detail::check_index_dtype("gather_last", "index", index);
  detail::check_same_device("gather_last", "x", x, "index", index);
  LOOM_CHECK(x.dim() >= 1, ShapeError, "gather_last: 'x' must have rank >= 1 (slices along the last dimension), got "
             "a rank-0 tensor");
  Shape want = x.shape();
  want.back() = index.dim() == x.dim() ? index.shape().back() : -1;
  LOOM_CHECK(index.shape() == want, ShapeError, "gather_last: 'index' must have x's leading dimensions (x ",
             x.shape_str(), ", so index [..., K] of rank ", x.dim(), "), got ", index.shape_str());
  const int64_t L = x.shape().back(), K = index.shape().back(), rows = leading(x.shape());
  detail::BadIndex bad;
  if (index.numel() > 0) {
    if (index.is_cuda()) {
      bad = detail::find_bad_index_device("gather_last", index, L);
    } else {
      bad = detail::find_bad_index_cpu(index, L);
    }
  }
  LOOM_CHECK(bad.pos < 0, IndexError, "gather_last: index", position_str(index.shape(), bad.pos), " = ", bad.value,
             " is out of range for a last dimension of size ", L, " (expected 0 <= index < ", L, ")");
  Shape out_shape = x.shape();
  out_shape.back() = K;
  Tensor out = empty(out_shape, x.dtype(), x.device());
  if (out.numel() > 0) {
    if (x.is_cuda()) {
      LOOM_CUDA_ONLY("gather_last", detail::gather_last_cuda(x, index, rows, L, K, out));
    } else {
      detail::gather_last_cpu(x, index, rows, L, K, out);
    }
  }
  if (is_floating(x.dtype())) {
    autograd::record("gather_last", {x}, out, [xs = x.shape(), index = index.detach()](const Tensor& dy) {
      return std::vector<Tensor>{scatter_last(dy, index, xs)};
    });
  }
  return out;
}

}  // namespace loom
