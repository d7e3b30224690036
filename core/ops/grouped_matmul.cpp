// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// grouped_matmul: checks, dispatch and the gradients (dx = dy W_g^T by the same grouped kernel with a transpose
// flag, dW_g = x_g^T dy_g by the weight-gradient kernel, db_g = column sums of dy_g: in that kernel's pass on the
// CPU, by group_column_sums on CUDA).
#include "core/ops/grouped_matmul.h"

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace {

constexpr const char* kOp = "grouped_matmul";

void check_offsets(const std::vector<int64_t>& offsets, int64_t groups, int64_t rows) {
  LOOM_CHECK(static_cast<int64_t>(offsets.size()) == groups + 1, ShapeError, kOp, ": 'offsets' has ",
             offsets.size(), " entries but 'w' has ", groups, " groups (expected ", groups + 1, ")");
  LOOM_CHECK(offsets.front() == 0 && offsets.back() == rows, ValueError, kOp, ": 'offsets' must run from 0 to the ",
             rows, " rows of 'x', got ", offsets.front(), " .. ", offsets.back());
  for (size_t g = 0; g + 1 < offsets.size(); ++g) {
    LOOM_CHECK(offsets[g] <= offsets[g + 1], ValueError, kOp, ": 'offsets' must be non-decreasing, but group ", g,
               " runs from ", offsets[g], " to ", offsets[g + 1]);
  }
}

Tensor run_grouped(const Tensor& x, const Tensor& w, bool trans_w, const Tensor& bias,
                   const std::vector<int64_t>& offsets, int64_t out_cols) {
  const int64_t n = x.size(0);
  Tensor y = empty({n, out_cols}, x.dtype(), x.device());
  if (y.numel() == 0) return y;
  if (x.is_cuda()) {
    LOOM_CUDA_ONLY(kOp, detail::grouped_gemm_cuda(x, w, trans_w, bias, offsets, y));
  } else {
    detail::grouped_gemm_cpu(x, w, trans_w, bias, offsets, y);
  }
  return y;
}

}  // namespace

namespace detail {

Tensor group_column_sums(const Tensor& dy, const std::vector<int64_t>& offsets) {
  const int64_t m = dy.size(1);
  std::vector<Tensor> rows;
  for (size_t g = 0; g + 1 < offsets.size(); ++g) {
    // The engine's segment sum gives each group one block, which for a relation's 500k rows is one SM walking all of
    // them (most of the fused HeteroConv's backward on the H100); the core sum splits the rows into chunks.
    rows.push_back(offsets[g + 1] == offsets[g]
                       ? zeros({1, m}, dy.dtype(), dy.device())
                       : sum(dy.narrow_rows(offsets[g], offsets[g + 1]), 0).view({1, m}));
  }
  return concat(rows, 0);
}

}  // namespace detail

Tensor grouped_matmul(const Tensor& x, const Tensor& w, const std::vector<int64_t>& offsets, const Tensor& bias) {
  detail::check_floating(kOp, "x", x);
  detail::check_floating(kOp, "w", w);
  detail::check_same_device(kOp, "x", x, "w", w);
  detail::check_same_dtype(kOp, "x", x, "w", w);
  LOOM_CHECK(x.dim() == 2, ShapeError, kOp, ": 'x' must be [N, K], got ", x.shape_str());
  LOOM_CHECK(w.dim() == 3, ShapeError, kOp, ": 'w' must be [G, K, M] (one [K, M] matrix per group), got ",
             w.shape_str());
  const int64_t groups = w.size(0), k = w.size(1), m = w.size(2);
  LOOM_CHECK(x.size(1) == k, ShapeError, kOp, ": 'x' ", x.shape_str(), " x 'w' ", w.shape_str(),
             ": x has ", x.size(1), " columns but each weight has ", k, " rows");
  LOOM_CHECK(k >= 1 && m >= 1, ShapeError, kOp, ": 'w' ", w.shape_str(), " needs K >= 1 and M >= 1");
  check_offsets(offsets, groups, x.size(0));
  if (bias.defined()) {
    detail::check_floating(kOp, "bias", bias);
    detail::check_same_device(kOp, "x", x, "bias", bias);
    detail::check_same_dtype(kOp, "x", x, "bias", bias);
    LOOM_CHECK(bias.dim() == 2 && bias.size(0) == groups && bias.size(1) == m, ShapeError, kOp,
               ": 'bias' must be [G, M] = [", groups, ", ", m, "], got ", bias.shape_str());
  }
  const Tensor xd = x.detach(), wd = w.detach(), bd = bias.defined() ? bias.detach() : Tensor();
  Tensor y = run_grouped(xd, wd, /*trans_w=*/false, bd, offsets, m);

  const bool gx = x.requires_grad(), gw = w.requires_grad(), gb = bias.defined() && bias.requires_grad();
  std::vector<Tensor> inputs{x, w};
  if (bias.defined()) inputs.push_back(bias);
  autograd::record(kOp, inputs, y, [xd, wd, offsets, gx, gw, gb, has_bias = bias.defined()](const Tensor& dy) {
    std::vector<Tensor> grads(has_bias ? 3 : 2);
    if (gx) grads[0] = run_grouped(dy, wd, /*trans_w=*/true, Tensor(), offsets, wd.size(1));
    if (gw || gb) {
      Tensor dw = empty(wd.shape(), wd.dtype(), wd.device()), db;
      if (xd.is_cuda()) {
        LOOM_CUDA_ONLY(kOp, detail::grouped_gemm_weight_grad_cuda(xd, dy, offsets, dw));
        if (gb) db = detail::group_column_sums(dy, offsets);
      } else {
        if (gb) db = empty({wd.size(0), wd.size(2)}, wd.dtype(), wd.device());
        detail::grouped_gemm_weight_grad_cpu(xd, dy, offsets, dw, db);
      }
      if (gw) grads[1] = dw;
      if (gb) grads[2] = db;
    }
    return grads;
  });
  return y;
}

}  // namespace loom
