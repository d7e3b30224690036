// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of the norm family: per-row layer norm passes, chunked column sums and the batch norm elementwise
// passes, on oneTBB with each output written by one task.
#include <algorithm>

#include "core/detail/dispatch.h"
#include "core/detail/elementwise.h"
#include "core/detail/parallel.h"
#include "core/ops/norm.h"

namespace loom::detail {

namespace {
// Rows per task: enough elements per task to amortise the scheduling.
int64_t row_grain(int64_t cols) { return std::max<int64_t>(1, 8192 / std::max<int64_t>(1, cols)); }
}  // namespace

void layer_norm_forward_cpu(const Tensor& x, const Tensor& w, const Tensor& b, double eps, const Tensor& y,
                            const Tensor& mean, const Tensor& rstd) {
  const int64_t cols = x.size(-1), rows = x.numel() / cols;
  dispatch_floating(x.dtype(), "layer_norm", [&]<class T>() {
    const T* px = x.data<T>();
    const T* pw = opt_data<T>(w);
    const T* pb = opt_data<T>(b);
    T* py = y.data<T>();
    T* pm = mean.data<T>();
    T* pr = rstd.data<T>();
    parallel_for(rows, row_grain(cols), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const T* xr = px + r * cols;
        T s(0);
        for (int64_t c = 0; c < cols; ++c) s += xr[c];
        const T mu = s / T(cols);
        T v(0);  // two passes: the variance of centred values does not cancel catastrophically
        for (int64_t c = 0; c < cols; ++c) v += (xr[c] - mu) * (xr[c] - mu);
        const T rs = inv_std(v / T(cols), T(eps));
        T* yr = py + r * cols;
        for (int64_t c = 0; c < cols; ++c) {
          T o = (xr[c] - mu) * rs;
          if (pw) o *= pw[c];
          if (pb) o += pb[c];
          yr[c] = o;
        }
        pm[r] = mu;
        pr[r] = rs;
      }
    });
  });
}

void layer_norm_backward_cpu(const Tensor& dy, const Tensor& x, const Tensor& w, const Tensor& mean,
                             const Tensor& rstd, const Tensor& dx) {
  const int64_t cols = x.size(-1), rows = x.numel() / cols;
  dispatch_floating(x.dtype(), "layer_norm", [&]<class T>() {
    const T* pdy = dy.data<T>();
    const T* px = x.data<T>();
    const T* pw = opt_data<T>(w);
    const T* pm = mean.data<T>();
    const T* pr = rstd.data<T>();
    T* pdx = dx.data<T>();
    parallel_for(rows, row_grain(cols), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const T* xr = px + r * cols;
        const T* dyr = pdy + r * cols;
        const T mu = pm[r], rs = pr[r];
        T s1(0), s2(0);  // sum g, sum g * xhat with g = dy * w
        for (int64_t c = 0; c < cols; ++c) {
          const T g = pw ? dyr[c] * pw[c] : dyr[c];
          s1 += g;
          s2 += g * (xr[c] - mu) * rs;
        }
        const T m1 = s1 / T(cols), m2 = s2 / T(cols);
        T* dxr = pdx + r * cols;
        for (int64_t c = 0; c < cols; ++c) {
          const T g = pw ? dyr[c] * pw[c] : dyr[c];
          dxr[c] = rs * (g - m1 - (xr[c] - mu) * rs * m2);
        }
      }
    });
  });
}

void col_partial_sums_cpu(const ColTermInputs& in, int64_t rows, int64_t cols, int64_t chunk, const Tensor& out) {
  constexpr int64_t kColBlock = 256;  // columns per task: a stack accumulator, rows read contiguously
  const int64_t chunks = out.size(0), col_blocks = (cols + kColBlock - 1) / kColBlock;
  const Tensor& ref = in.x.defined() ? in.x : in.dy;
  dispatch_floating(ref.dtype(), "norm", [&]<class T>() {
    const ColTermF<T> f = make_col_term<T>(in, cols);
    T* po = out.data<T>();
    parallel_for(chunks * col_blocks, 1, [&](int64_t t0, int64_t t1) {
      T acc[kColBlock];
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t k = t / col_blocks, c0 = (t % col_blocks) * kColBlock;
        const int64_t c1 = std::min(cols, c0 + kColBlock);
        const int64_t r1 = std::min(rows, (k + 1) * chunk);
        std::fill(acc, acc + (c1 - c0), T(0));
        for (int64_t r = k * chunk; r < r1; ++r)
          for (int64_t c = c0; c < c1; ++c) acc[c - c0] += f(r, c);
        std::copy(acc, acc + (c1 - c0), po + k * cols + c0);
      }
    });
  });
}

void batch_norm_apply_cpu(const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& w, const Tensor& b,
                          double eps, const Tensor& y) {
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>() {
    const BatchNormApplyF<T> f = make_batch_norm_apply<T>(x, mean, var, w, b, eps);
    T* py = y.data<T>();
    parallel_for(x.numel(), kElementwiseGrain, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) py[i] = f(i);
    });
  });
}

void batch_norm_backward_cpu(const Tensor& dy, const Tensor& x, const Tensor& mean, const Tensor& var,
                             const Tensor& w, const Tensor& sum_dy, const Tensor& sum_dy_xhat, double eps,
                             const Tensor& dx) {
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>() {
    const BatchNormBackwardF<T> f = make_batch_norm_backward<T>(dy, x, mean, var, w, sum_dy, sum_dy_xhat, eps);
    T* pdx = dx.data<T>();
    parallel_for(x.numel(), kElementwiseGrain, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) pdx[i] = f(i);
    });
  });
}

}  // namespace loom::detail
