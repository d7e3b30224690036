// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the norm family. Layer norm works on x viewed as [rows, C] with per-row kernels; batch norm works on
// x [N, C] with per-channel statistics gathered as column sums: each chunk of rows gives one row of partial sums
// [chunks, C] (fixed chunks, no atomics), which the deterministic sum() then reduces.
#pragma once
#include <cmath>
#include <cstdint>

#include "core/detail/macros.h"
#include "loom/core/tensor.h"

namespace loom::detail {

// ---- layer norm (w and b may be undefined)
// y = (x - mean) * rstd * w + b per row; writes mean [rows] and rstd [rows] (biased variance) for the backward.
void layer_norm_forward_cpu(const Tensor& x, const Tensor& w, const Tensor& b, double eps, const Tensor& y,
                            const Tensor& mean, const Tensor& rstd);
void layer_norm_forward_cuda(const Tensor& x, const Tensor& w, const Tensor& b, double eps, const Tensor& y,
                             const Tensor& mean, const Tensor& rstd);
// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) per row, with g = dy * w (dy when w is undefined).
void layer_norm_backward_cpu(const Tensor& dy, const Tensor& x, const Tensor& w, const Tensor& mean,
                             const Tensor& rstd, const Tensor& dx);
void layer_norm_backward_cuda(const Tensor& dy, const Tensor& x, const Tensor& w, const Tensor& mean,
                              const Tensor& rstd, const Tensor& dx);

// ---- column partial sums over [rows, C]
enum class ColTerm {
  kX,              // x
  kSquaredDev,     // (x - mean[c])^2
  kDy,             // dy
  kDyXhatChannel,  // dy * (x - mean[c]) / sqrt(var[c] + eps)   (batch norm: `stat` is var)
  kDyXhatRow,      // dy * (x - mean[r]) * rstd[r]               (layer norm: `stat` is rstd)
};

template <class T>
LOOM_HOST_DEVICE inline T inv_std(T var, T eps) { return T(1) / std::sqrt(var + eps); }

template <class T>
struct ColTermF {
  ColTerm term;
  const T* x;
  const T* dy;
  const T* mean;
  const T* stat;
  T eps;
  int64_t cols;
  LOOM_HOST_DEVICE T operator()(int64_t r, int64_t c) const {
    const int64_t i = r * cols + c;
    switch (term) {
      case ColTerm::kX: return x[i];
      case ColTerm::kSquaredDev: { const T d = x[i] - mean[c]; return d * d; }
      case ColTerm::kDy: return dy[i];
      case ColTerm::kDyXhatChannel: return dy[i] * (x[i] - mean[c]) * inv_std(stat[c], eps);
      case ColTerm::kDyXhatRow: return dy[i] * (x[i] - mean[r]) * stat[r];
    }
    return T(0);
  }
};

// Tensors a ColTerm reads (undefined where the term does not use them); x and dy are [rows, cols].
struct ColTermInputs {
  ColTerm term;
  Tensor x, dy, mean, stat;
  double eps = 0;
};
// out [chunks, cols]: out[k, c] = sum of term(r, c) for r in [k * chunk, min(rows, (k + 1) * chunk)), in order.
void col_partial_sums_cpu(const ColTermInputs& in, int64_t rows, int64_t cols, int64_t chunk, const Tensor& out);
void col_partial_sums_cuda(const ColTermInputs& in, int64_t rows, int64_t cols, int64_t chunk, const Tensor& out);
constexpr int64_t kColChunkCpu = 1024;
constexpr int64_t kColChunkCuda = 256;

// ---- batch norm elementwise passes over x [N, C] (w, b may be undefined)
// y = (x - mean[c]) / sqrt(var[c] + eps) * w[c] + b[c]
void batch_norm_apply_cpu(const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& w, const Tensor& b,
                          double eps, const Tensor& y);
void batch_norm_apply_cuda(const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& w,
                           const Tensor& b, double eps, const Tensor& y);
// Training (batch statistics): dx = w rstd (dy - sum_dy/N - xhat sum_dy_xhat/N); eval (fixed statistics, sums
// undefined): dx = w rstd dy.
void batch_norm_backward_cpu(const Tensor& dy, const Tensor& x, const Tensor& mean, const Tensor& var,
                             const Tensor& w, const Tensor& sum_dy, const Tensor& sum_dy_xhat, double eps,
                             const Tensor& dx);
void batch_norm_backward_cuda(const Tensor& dy, const Tensor& x, const Tensor& mean, const Tensor& var,
                              const Tensor& w, const Tensor& sum_dy, const Tensor& sum_dy_xhat, double eps,
                              const Tensor& dx);

// The batch norm elementwise passes as functors of the flat index (shared by the CPU and CUDA maps).
template <class T>
struct BatchNormApplyF {
  const T* x;
  const T* mean;
  const T* var;
  const T* w;  // may be null
  const T* b;  // may be null
  T eps;
  int64_t cols;
  LOOM_HOST_DEVICE T operator()(int64_t i) const {
    const int64_t c = i % cols;
    T v = (x[i] - mean[c]) * inv_std(var[c], eps);
    if (w) v *= w[c];
    if (b) v += b[c];
    return v;
  }
};

template <class T>
struct BatchNormBackwardF {
  const T* dy;
  const T* x;
  const T* mean;
  const T* var;
  const T* w;            // may be null
  const T* sum_dy;       // null in eval mode
  const T* sum_dy_xhat;  // null in eval mode
  T eps, inv_n;
  int64_t cols;
  LOOM_HOST_DEVICE T operator()(int64_t i) const {
    const int64_t c = i % cols;
    const T rstd = inv_std(var[c], eps);
    const T scale = w ? w[c] * rstd : rstd;
    if (!sum_dy) return dy[i] * scale;
    const T xhat = (x[i] - mean[c]) * rstd;
    return scale * (dy[i] - sum_dy[c] * inv_n - xhat * sum_dy_xhat[c] * inv_n);
  }
};

// Pointer of an optional tensor (nullptr when undefined).
template <class T>
const T* opt_data(const Tensor& t) { return t.defined() ? t.data<T>() : nullptr; }

// Functors from tensors, so the CPU and CUDA files build them the same way.
template <class T>
ColTermF<T> make_col_term(const ColTermInputs& in, int64_t cols) {
  return {in.term, opt_data<T>(in.x), opt_data<T>(in.dy), opt_data<T>(in.mean), opt_data<T>(in.stat), T(in.eps),
          cols};
}
template <class T>
BatchNormApplyF<T> make_batch_norm_apply(const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& w,
                                         const Tensor& b, double eps) {
  return {x.data<T>(), mean.data<T>(), var.data<T>(), opt_data<T>(w), opt_data<T>(b), T(eps), x.size(1)};
}
template <class T>
BatchNormBackwardF<T> make_batch_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& mean,
                                               const Tensor& var, const Tensor& w, const Tensor& sum_dy,
                                               const Tensor& sum_dy_xhat, double eps) {
  return {dy.data<T>(),         x.data<T>(), mean.data<T>(), var.data<T>(), opt_data<T>(w), opt_data<T>(sum_dy),
          opt_data<T>(sum_dy_xhat), T(eps), T(1) / T(x.size(0)), x.size(1)};
}

}  // namespace loom::detail
