// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// layer_norm and batch_norm: checks, statistics, running-stat updates and fused backward passes (norm.h).
#include "core/ops/norm.h"

#include <algorithm>

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace {

using detail::ColTerm;

// An optional per-channel parameter: undefined, or floating [C] with x's dtype and device.
void check_channel_param(const char* op, const char* arg, const Tensor& p, const Tensor& x, int64_t channels) {
  if (!p.defined()) return;
  detail::check_floating(op, arg, p);
  detail::check_same_device(op, "x", x, arg, p);
  detail::check_same_dtype(op, "x", x, arg, p);
  LOOM_CHECK(p.shape() == Shape{channels}, ShapeError, op, ": '", arg, "' must have shape [", channels,
             "] to match x ", x.shape_str(), ", got ", p.shape_str());
}

// Column sums over the rows of [rows, cols] of one term of x, dy and per-row/per-channel statistics: fixed chunks
// of partial sums, then the deterministic sum(). Unused tensors are undefined.
Tensor col_sums(detail::ColTerm term, int64_t rows, int64_t cols, const Tensor& x, const Tensor& dy,
                const Tensor& mean = Tensor(), const Tensor& stat = Tensor(), double eps = 0.0) {
  const Tensor& ref = x.defined() ? x : dy;
  const int64_t chunk = ref.is_cuda() ? detail::kColChunkCuda : detail::kColChunkCpu;
  const int64_t chunks = std::max<int64_t>(1, (rows + chunk - 1) / chunk);
  Tensor partial = empty({chunks, cols}, ref.dtype(), ref.device());
  const detail::ColTermInputs in{term, x, dy, mean, stat, eps};
  if (ref.is_cuda()) {
    LOOM_CUDA_ONLY("norm", detail::col_partial_sums_cuda(in, rows, cols, chunk, partial));
  } else {
    detail::col_partial_sums_cpu(in, rows, cols, chunk, partial);
  }
  return sum(partial, 0);
}

}  // namespace

Tensor layer_norm(const Tensor& x_in, const Tensor& weight, const Tensor& bias, double eps) {
  const char* op = "layer_norm";
  detail::check_floating(op, "x", x_in);
  LOOM_CHECK(x_in.dim() >= 1, ShapeError, op, ": 'x' must have at least one dimension, got shape ",
             x_in.shape_str());
  const int64_t cols = x_in.size(-1);
  LOOM_CHECK(cols >= 1, ShapeError, op, ": 'x' has an empty last dimension: ", x_in.shape_str());
  check_channel_param(op, "weight", weight, x_in, cols);
  check_channel_param(op, "bias", bias, x_in, cols);
  LOOM_CHECK(eps >= 0, ValueError, op, ": eps must be >= 0, got ", eps);
  const int64_t rows = x_in.numel() / cols;
  const Tensor x = x_in.detach();
  Tensor y = empty_like(x);
  Tensor mean = empty({rows}, x.dtype(), x.device()), rstd = empty({rows}, x.dtype(), x.device());
  if (x.is_cuda()) {
    LOOM_CUDA_ONLY(op, detail::layer_norm_forward_cuda(x, weight, bias, eps, y, mean, rstd));
  } else {
    detail::layer_norm_forward_cpu(x, weight, bias, eps, y, mean, rstd);
  }
  const bool gx = x_in.requires_grad(), gw = weight.defined() && weight.requires_grad(),
             gb = bias.defined() && bias.requires_grad();
  autograd::record(op, {x_in, weight, bias}, y,
                   [x, w = weight.defined() ? weight.detach() : Tensor(), mean, rstd, rows, cols, gx, gw,
                    gb](const Tensor& dy) {
                     Tensor dx, dw, db;
                     if (gx) {
                       dx = empty_like(x);
                       if (x.is_cuda()) {
                         LOOM_CUDA_ONLY("layer_norm", detail::layer_norm_backward_cuda(dy, x, w, mean, rstd, dx));
                       } else {
                         detail::layer_norm_backward_cpu(dy, x, w, mean, rstd, dx);
                       }
                     }
                     if (gw) dw = col_sums(ColTerm::kDyXhatRow, rows, cols, x, dy, mean, rstd);
                     if (gb) db = col_sums(ColTerm::kDy, rows, cols, Tensor(), dy);
                     return std::vector<Tensor>{dx, dw, db};
                   });
  return y;
}

Tensor batch_norm(const Tensor& x_in, const Tensor& weight, const Tensor& bias, Tensor& running_mean,
                  Tensor& running_var, bool training, double momentum, double eps) {
  const char* op = "batch_norm";
  detail::check_floating(op, "x", x_in);
  LOOM_CHECK(x_in.dim() == 2, ShapeError, op, ": 'x' must be [N, C], got shape ", x_in.shape_str());
  const int64_t n = x_in.size(0), cols = x_in.size(1);
  check_channel_param(op, "weight", weight, x_in, cols);
  check_channel_param(op, "bias", bias, x_in, cols);
  check_channel_param(op, "running_mean", running_mean, x_in, cols);
  check_channel_param(op, "running_var", running_var, x_in, cols);
  LOOM_CHECK(running_mean.defined() == running_var.defined(), ValueError, op,
             ": 'running_mean' and 'running_var' must both be given or both be undefined");
  LOOM_CHECK(training || running_mean.defined(), ValueError, op,
             ": eval mode (training = false) needs 'running_mean' and 'running_var'");
  LOOM_CHECK(momentum >= 0 && momentum <= 1, ValueError, op, ": momentum must be in [0, 1], got ", momentum);
  LOOM_CHECK(eps >= 0, ValueError, op, ": eps must be >= 0, got ", eps);
  LOOM_CHECK(!training || n > 1, ValueError, op, ": training needs more than 1 value per channel, got 'x' ",
             x_in.shape_str());
  const Tensor x = x_in.detach();
  Tensor mean, var;  // the statistics y is normalised with (batch ones in training; a snapshot of the running ones)
  if (training) {
    NoGradGuard no_grad;
    mean = mul_scalar(col_sums(ColTerm::kX, n, cols, x, Tensor()), 1.0 / double(n));
    var = mul_scalar(col_sums(ColTerm::kSquaredDev, n, cols, x, Tensor(), mean),
                     1.0 / double(n));  // biased: what y is normalised with
    if (running_mean.defined()) {
      // PyTorch semantics: new = (1 - momentum) old + momentum batch, with the unbiased variance for running_var.
      running_mean.mul_(1.0 - momentum).add_(mean, momentum);
      running_var.mul_(1.0 - momentum).add_(var, momentum * double(n) / double(n - 1));
    }
  } else {
    mean = running_mean.detach().clone();
    var = running_var.detach().clone();
  }
  Tensor y = empty_like(x);
  if (x.is_cuda()) {
    LOOM_CUDA_ONLY(op, detail::batch_norm_apply_cuda(x, mean, var, weight, bias, eps, y));
  } else {
    detail::batch_norm_apply_cpu(x, mean, var, weight, bias, eps, y);
  }
  const bool gx = x_in.requires_grad(), gw = weight.defined() && weight.requires_grad(),
             gb = bias.defined() && bias.requires_grad();
  autograd::record(
      op, {x_in, weight, bias}, y,
      [x, w = weight.defined() ? weight.detach() : Tensor(), mean, var, n, cols, training, eps, gx, gw,
       gb](const Tensor& dy) {
        // sum_n dy gives db; sum_n dy * xhat gives dw; in training both also enter dx.
        Tensor sum_dy, sum_dy_xhat;
        if (gb || (gx && training))
          sum_dy = col_sums(ColTerm::kDy, n, cols, Tensor(), dy);
        if (gw || (gx && training))
          sum_dy_xhat = col_sums(ColTerm::kDyXhatChannel, n, cols, x, dy, mean, var, eps);
        Tensor dx;
        if (gx) {
          dx = empty_like(x);
          const Tensor s1 = training ? sum_dy : Tensor(), s2 = training ? sum_dy_xhat : Tensor();
          if (x.is_cuda()) {
            LOOM_CUDA_ONLY("batch_norm", detail::batch_norm_backward_cuda(dy, x, mean, var, w, s1, s2, eps, dx));
          } else {
            detail::batch_norm_backward_cpu(dy, x, mean, var, w, s1, s2, eps, dx);
          }
        }
        return std::vector<Tensor>{dx, gw ? sum_dy_xhat : Tensor(), gb ? sum_dy : Tensor()};
      });
  return y;
}

}  // namespace loom
