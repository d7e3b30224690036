// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of the loss family: one warp per row for the log-softmax statistics (shuffle reductions in a fixed
// order), the elementwise maps of loss.h in a grid-stride loop, and the target range check.
#include <cuda/std/limits>

#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/ops/loss.h"

namespace loom::detail {

namespace {

// The row statistics of x * scale (every lane of the warp gets them): m = max, l = log sum exp(x * scale - m).
template <class T>
__device__ void warp_row_stats(const T* x, int64_t cols, T scale, int lane, T& m, T& l) {
  T v = -::cuda::std::numeric_limits<T>::infinity();
  for (int64_t c = lane; c < cols; c += kWarp) v = max(v, x[c] * scale);
  m = warp_max(v);
  T s(0);
  for (int64_t c = lane; c < cols; c += kWarp) s += exp(x[c] * scale - m);
  l = log(warp_sum(s));
}

template <class T>
__global__ void cross_entropy_rows_kernel(const T* __restrict__ x, const int64_t* __restrict__ target, T smoothing,
                                          T* __restrict__ loss, T* __restrict__ row_max, T* __restrict__ row_log_sum,
                                          int64_t rows, int64_t cols) {
  const int lane = threadIdx.x % kWarp;
  for (int64_t r = blockIdx.x * int64_t(kRowsPerBlock) + threadIdx.x / kWarp; r < rows;
       r += int64_t(gridDim.x) * kRowsPerBlock) {
    const T* xr = x + r * cols;
    T m, l;
    warp_row_stats(xr, cols, T(1), lane, m, l);
    T shifted(0);
    for (int64_t c = lane; c < cols; c += kWarp) shifted += xr[c] - m;
    shifted = warp_sum(shifted);
    if (lane == 0) {
      loss[r] = l - (T(1) - smoothing) * (xr[target[r]] - m) - smoothing / T(cols) * shifted;
      row_max[r] = m;
      row_log_sum[r] = l;
    }
  }
}

template <class T>
__global__ void kl_rows_kernel(const T* __restrict__ s, const T* __restrict__ t, T inv_t, T* __restrict__ kl,
                               T* __restrict__ ms_out, T* __restrict__ ls_out, T* __restrict__ mt_out,
                               T* __restrict__ lt_out, int64_t rows, int64_t cols) {
  const int lane = threadIdx.x % kWarp;
  for (int64_t r = blockIdx.x * int64_t(kRowsPerBlock) + threadIdx.x / kWarp; r < rows;
       r += int64_t(gridDim.x) * kRowsPerBlock) {
    const T* sr = s + r * cols;
    const T* tr = t + r * cols;
    T ms, ls, mt, lt;
    warp_row_stats(sr, cols, inv_t, lane, ms, ls);
    warp_row_stats(tr, cols, inv_t, lane, mt, lt);
    T k(0);
    for (int64_t c = lane; c < cols; c += kWarp) {
      const T log_p = (tr[c] * inv_t - mt) - lt, log_q = (sr[c] * inv_t - ms) - ls;
      k += exp(log_p) * (log_p - log_q);
    }
    k = warp_sum(k);
    if (lane == 0) {
      kl[r] = k;
      ms_out[r] = ms;
      ls_out[r] = ls;
      mt_out[r] = mt;
      lt_out[r] = lt;
    }
  }
}

template <class T>
__global__ void loss_map_kernel(LossMapF<T> f, T* __restrict__ out, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = f(i);
}

}  // namespace

void cross_entropy_rows_cuda(const Tensor& logits, const Tensor& target, double smoothing, const Tensor& loss,
                             const RowStats& stats) {
  const int64_t rows = logits.size(0), cols = logits.size(1);
  if (rows == 0) return;
  dispatch_floating(logits.dtype(), "cross_entropy", [&]<class T>() {
    cross_entropy_rows_kernel<T><<<row_blocks(rows), kThreads, 0, stream()>>>(
        logits.data<T>(), target.data<int64_t>(), T(smoothing), loss.data<T>(), stats.max.data<T>(),
        stats.log_sum.data<T>(), rows, cols);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

void kl_rows_cuda(const Tensor& student, const Tensor& teacher, double temperature, const Tensor& kl,
                  const RowStats& student_stats, const RowStats& teacher_stats) {
  const int64_t rows = student.size(0), cols = student.size(1);
  if (rows == 0) return;
  dispatch_floating(student.dtype(), "kl_div_with_temperature", [&]<class T>() {
    kl_rows_kernel<T><<<row_blocks(rows), kThreads, 0, stream()>>>(
        student.data<T>(), teacher.data<T>(), T(1) / T(temperature), kl.data<T>(), student_stats.max.data<T>(),
        student_stats.log_sum.data<T>(), teacher_stats.max.data<T>(), teacher_stats.log_sum.data<T>(), rows, cols);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

void loss_map_cuda(LossMap kind, const LossMapArgs& args, const Tensor& out) {
  const int64_t n = out.numel();
  if (n == 0) return;
  dispatch_floating(out.dtype(), "loss", [&]<class T>() {
    loss_map_kernel<T><<<blocks_for(n), kThreads, 0, stream()>>>(make_loss_map<T>(kind, args), out.data<T>(), n);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace loom::detail
