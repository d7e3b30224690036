// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of the norm family: one warp per layer-norm row (shuffle reductions in a fixed order), one thread
// per (chunk, column) for the column partial sums, and grid-stride maps for the batch norm passes. No atomics.
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/ops/norm.h"

namespace loom::detail {

namespace {

template <class T>
__global__ void layer_norm_forward_kernel(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ b,
                                          T eps, T* __restrict__ y, T* __restrict__ mean, T* __restrict__ rstd,
                                          int64_t rows, int64_t cols) {
  const int lane = threadIdx.x % kWarp;
  for (int64_t r = blockIdx.x * int64_t(kRowsPerBlock) + threadIdx.x / kWarp; r < rows;
       r += int64_t(gridDim.x) * kRowsPerBlock) {
    const T* xr = x + r * cols;
    T s(0);
    for (int64_t c = lane; c < cols; c += kWarp) s += xr[c];
    const T mu = warp_sum(s) / T(cols);
    T v(0);
    for (int64_t c = lane; c < cols; c += kWarp) v += (xr[c] - mu) * (xr[c] - mu);
    const T rs = inv_std(warp_sum(v) / T(cols), eps);
    T* yr = y + r * cols;
    for (int64_t c = lane; c < cols; c += kWarp) {
      T o = (xr[c] - mu) * rs;
      if (w) o *= w[c];
      if (b) o += b[c];
      yr[c] = o;
    }
    if (lane == 0) {
      mean[r] = mu;
      rstd[r] = rs;
    }
  }
}

template <class T>
__global__ void layer_norm_backward_kernel(const T* __restrict__ dy, const T* __restrict__ x,
                                           const T* __restrict__ w, const T* __restrict__ mean,
                                           const T* __restrict__ rstd, T* __restrict__ dx, int64_t rows,
                                           int64_t cols) {
  const int lane = threadIdx.x % kWarp;
  for (int64_t r = blockIdx.x * int64_t(kRowsPerBlock) + threadIdx.x / kWarp; r < rows;
       r += int64_t(gridDim.x) * kRowsPerBlock) {
    const T* xr = x + r * cols;
    const T* dyr = dy + r * cols;
    const T mu = mean[r], rs = rstd[r];
    T s1(0), s2(0);
    for (int64_t c = lane; c < cols; c += kWarp) {
      const T g = w ? dyr[c] * w[c] : dyr[c];
      s1 += g;
      s2 += g * (xr[c] - mu) * rs;
    }
    const T m1 = warp_sum(s1) / T(cols), m2 = warp_sum(s2) / T(cols);
    T* dxr = dx + r * cols;
    for (int64_t c = lane; c < cols; c += kWarp) {
      const T g = w ? dyr[c] * w[c] : dyr[c];
      dxr[c] = rs * (g - m1 - (xr[c] - mu) * rs * m2);
    }
  }
}

// Thread t = (chunk k, column c): neighbouring threads read neighbouring columns of a row (coalesced).
template <class T>
__global__ void col_partial_sums_kernel(ColTermF<T> f, T* __restrict__ out, int64_t rows, int64_t cols,
                                        int64_t chunk, int64_t n_out) {
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n_out; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t k = t / cols, c = t % cols;
    const int64_t r1 = min(rows, (k + 1) * chunk);
    T s(0);
    for (int64_t r = k * chunk; r < r1; ++r) s += f(r, c);
    out[t] = s;
  }
}

template <class T, class F>
__global__ void index_map_kernel(F f, T* __restrict__ out, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = f(i);
}

template <class T, class F>
void index_map_cuda(F f, T* out, int64_t n) {
  if (n == 0) return;
  index_map_kernel<T, F><<<blocks_for(n), kThreads, 0, stream()>>>(f, out, n);
  LOOM_CUDA_CHECK_LAUNCH();
}

}  // namespace

void layer_norm_forward_cuda(const Tensor& x, const Tensor& w, const Tensor& b, double eps, const Tensor& y,
                             const Tensor& mean, const Tensor& rstd) {
  const int64_t cols = x.size(-1), rows = x.numel() / cols;
  if (rows == 0) return;
  dispatch_floating(x.dtype(), "layer_norm", [&]<class T>() {
    layer_norm_forward_kernel<T><<<row_blocks(rows), kThreads, 0, stream()>>>(
        x.data<T>(), opt_data<T>(w), opt_data<T>(b), T(eps), y.data<T>(), mean.data<T>(), rstd.data<T>(), rows,
        cols);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

void layer_norm_backward_cuda(const Tensor& dy, const Tensor& x, const Tensor& w, const Tensor& mean,
                              const Tensor& rstd, const Tensor& dx) {
  const int64_t cols = x.size(-1), rows = x.numel() / cols;
  if (rows == 0) return;
  dispatch_floating(x.dtype(), "layer_norm", [&]<class T>() {
    layer_norm_backward_kernel<T><<<row_blocks(rows), kThreads, 0, stream()>>>(
        dy.data<T>(), x.data<T>(), opt_data<T>(w), mean.data<T>(), rstd.data<T>(), dx.data<T>(), rows, cols);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

void col_partial_sums_cuda(const ColTermInputs& in, int64_t rows, int64_t cols, int64_t chunk, const Tensor& out) {
  const int64_t n_out = out.numel();
  if (n_out == 0) return;
  const Tensor& ref = in.x.defined() ? in.x : in.dy;
  dispatch_floating(ref.dtype(), "norm", [&]<class T>() {
    col_partial_sums_kernel<T><<<blocks_for(n_out), kThreads, 0, stream()>>>(make_col_term<T>(in, cols),
                                                                             out.data<T>(), rows, cols, chunk, n_out);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

void batch_norm_apply_cuda(const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& w,
                           const Tensor& b, double eps, const Tensor& y) {
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>() {
    index_map_cuda(make_batch_norm_apply<T>(x, mean, var, w, b, eps), y.data<T>(), x.numel());
  });
}

void batch_norm_backward_cuda(const Tensor& dy, const Tensor& x, const Tensor& mean, const Tensor& var,
                              const Tensor& w, const Tensor& sum_dy, const Tensor& sum_dy_xhat, double eps,
                              const Tensor& dx) {
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>() {
    index_map_cuda(make_batch_norm_backward<T>(dy, x, mean, var, w, sum_dy, sum_dy_xhat, eps), dx.data<T>(),
                   x.numel());
  });
}

}  // namespace loom::detail
