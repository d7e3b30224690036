// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::gspmm_act: argument checks, dispatch and the backward. The [nnz, F] messages w[k] act(u[col k] + v[r]) are
// never stored: the forward reduces them as it makes them, the backward recomputes them edge by edge in two
// row-parallel passes (destinations: dv and dw; sources, over the cached transpose: du).
#include "core/message/gspmm_act.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/detail/check.h"
#include "core/message/gspmm.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom::mp {
namespace {

constexpr const char* kOp = "gspmm_act";

Tensor detached(const Tensor& t) { return t.defined() ? t.detach() : Tensor(); }

const char* reduce_name(Reduce r) {
  switch (r) {
    case Reduce::kSum: return "sum";
    case Reduce::kMean: return "mean";
    case Reduce::kMax: return "max";
    case Reduce::kMin: return "min";
  }
  return "?";
}

void check_node_tensor(const Csr& g, const char* arg, const Tensor& x, int64_t rows, const char* what) {
  loom::detail::check_floating(kOp, arg, x);
  LOOM_CHECK(x.dim() >= 2, ShapeError, kOp, ": '", arg, "' must have rank >= 2 ([", what, ", F]), got shape ",
             x.shape_str());
  LOOM_CHECK(x.device() == g.device(), DeviceError, kOp, ": '", arg, "' is on ", x.device().str(),
             " but the graph is on ", g.device().str(), " (move one with .to(device))");
  LOOM_CHECK(x.size(0) == rows, ShapeError, kOp, ": '", arg, "' has ", x.size(0), " rows (shape ", x.shape_str(),
             ") but the graph has ", what, " = ", rows);
}

void check_args(const Csr& g, Act act, Reduce reduce, const Tensor& u, const Tensor& v, const Tensor& w,
                double slope) {
  LOOM_CHECK(g.defined(), ValueError, kOp, ": 'g' is an undefined Csr");
  LOOM_CHECK(reduce == Reduce::kSum || reduce == Reduce::kMean || reduce == Reduce::kMax, ValueError, kOp,
             ": 'reduce' must be sum, mean or max, got ", reduce_name(reduce));
  LOOM_CHECK(static_cast<int>(act) <= static_cast<int>(Act::kTanh), ValueError, kOp, ": unknown 'act' value ",
             static_cast<int>(act));
  LOOM_CHECK(std::isfinite(slope), ValueError, kOp, ": 'negative_slope' must be finite, got ", slope);
  check_node_tensor(g, "u", u, g.num_cols(), "num_cols");
  check_node_tensor(g, "v", v, g.num_rows(), "num_rows");
  loom::detail::check_same_dtype(kOp, "u", u, "v", v);
  const Shape ut(u.shape().begin() + 1, u.shape().end()), vt(v.shape().begin() + 1, v.shape().end());
  LOOM_CHECK(ut == vt, ShapeError, kOp, ": 'u' ", u.shape_str(), " and 'v' ", v.shape_str(),
             " must have the same feature shape (after the first dimension)");
  if (w.defined()) {
    loom::detail::check_same_dtype(kOp, "u", u, "w", w);
    LOOM_CHECK(w.device() == g.device(), DeviceError, kOp, ": 'w' is on ", w.device().str(), " but the graph is on ",
               g.device().str(), " (move one with .to(device))");
    LOOM_CHECK(w.dim() == 1 && w.size(0) == g.nnz(), ShapeError, kOp, ": 'w' must be [nnz] = [", g.nnz(),
               "] (one weight per entry), got ", w.shape_str());
  }
}

}  // namespace

Tensor gspmm_act(const Csr& g, Act act, Reduce reduce, const Tensor& u, const Tensor& v, const Tensor& w,
                 double negative_slope) {
  check_args(g, act, reduce, u, v, w, negative_slope);
  detail::ActArgs a;
  a.act = act;
  a.slope = negative_slope;
  a.u = u;
  a.v = v;
  a.w = w;
  a.width = 1;
  for (int64_t d = 1; d < u.dim(); ++d) a.width *= u.size(d);
  Shape shape = v.shape();
  const bool is_max = reduce == Reduce::kMax;
  Tensor out, arg;
  if (g.num_rows() == 0 || a.width == 0 || g.nnz() == 0) {
    out = zeros(shape, u.dtype(), g.device());
    if (is_max) arg = full({g.num_rows(), a.width}, -1.0, kInt64, g.device());
  } else {
    out = empty(shape, u.dtype(), g.device());
    if (is_max) arg = empty({g.num_rows(), a.width}, kInt64, g.device());
    if (g.device().is_cuda()) {
      LOOM_CUDA_ONLY(kOp, detail::gspmm_act_cuda(g, reduce, a, out, arg));
    } else {
      detail::gspmm_act_cpu(g, reduce, a, out, arg);
    }
  }
  const bool gu = u.requires_grad(), gv = v.requires_grad(), gw = w.defined() && w.requires_grad();
  detail::ActArgs saved = a;
  saved.u = u.detach();
  saved.v = v.detach();
  saved.w = detached(w);
  autograd::record(kOp, {u, v, w}, out, [g, reduce, saved, arg, gu, gv, gw](const Tensor& dy) {
    const Tensor gy = reduce == Reduce::kMean ? detail::scale_by_inv_degree(g, dy) : dy;
    Tensor du, dv, dw;
    if (gu) du = zeros(saved.u.shape(), saved.u.dtype(), saved.u.device());
    if (gv) dv = zeros(saved.v.shape(), saved.v.dtype(), saved.v.device());
    if (gw) dw = zeros(saved.w.shape(), saved.w.dtype(), saved.w.device());
    if (g.nnz() > 0 && saved.width > 0) {
      if (gv || gw) {
        if (gy.is_cuda()) {
          LOOM_CUDA_ONLY(kOp, detail::act_dst_grad_cuda(g, saved, gy, arg, dv, dw));
        } else {
          detail::act_dst_grad_cpu(g, saved, gy, arg, dv, dw);
        }
      }
      if (gu) {
        const Csr& gt = g.transpose();
        if (gy.is_cuda()) {
          LOOM_CUDA_ONLY(kOp, detail::act_src_grad_cuda(gt, saved, gy, arg, du));
        } else {
          detail::act_src_grad_cpu(gt, saved, gy, arg, du);
        }
      }
    }
    return std::vector<Tensor>{du, dv, dw};
  });
  return out;
}

}  // namespace loom::mp
