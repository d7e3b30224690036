// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of the loss family: per-row log-sum-exp passes on oneTBB, the elementwise maps of loss.h, and the
// target range scan.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/detail/dispatch.h"
#include "core/detail/elementwise.h"
#include "core/detail/parallel.h"
#include "core/ops/loss.h"

namespace loom::detail {

namespace {
int64_t row_grain(int64_t cols) { return std::max<int64_t>(1, 8192 / std::max<int64_t>(1, cols)); }

// The row statistics of x * scale: m = max, l = log sum exp(x * scale - m).
template <class T>
void row_stats(const T* x, int64_t cols, T scale, T& m, T& l) {
  m = -std::numeric_limits<T>::infinity();
  for (int64_t c = 0; c < cols; ++c) m = std::max(m, x[c] * scale);
  T s(0);
  for (int64_t c = 0; c < cols; ++c) s += std::exp(x[c] * scale - m);
  l = std::log(s);
}
}  // namespace

void cross_entropy_rows_cpu(const Tensor& logits, const Tensor& target, double smoothing, const Tensor& loss,
                            const RowStats& stats) {
  const int64_t rows = logits.size(0), cols = logits.size(1);
  dispatch_floating(logits.dtype(), "cross_entropy", [&]<class T>() {
    const T* px = logits.data<T>();
    const int64_t* pt = target.data<int64_t>();
    T* pl = loss.data<T>();
    T* pm = stats.max.data<T>();
    T* ps = stats.log_sum.data<T>();
    const T s = T(smoothing);
    parallel_for(rows, row_grain(cols), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const T* xr = px + r * cols;
        T m, l;
        row_stats(xr, cols, T(1), m, l);
        T shifted(0);  // sum of (x_c - m)
        for (int64_t c = 0; c < cols; ++c) shifted += xr[c] - m;
        // -(1 - s) (x_t - m - l) - (s / C) sum_c (x_c - m - l)
        pl[r] = l - (T(1) - s) * (xr[pt[r]] - m) - s / T(cols) * shifted;
        pm[r] = m;
        ps[r] = l;
      }
    });
  });
}

void kl_rows_cpu(const Tensor& student, const Tensor& teacher, double temperature, const Tensor& kl,
                 const RowStats& student_stats, const RowStats& teacher_stats) {
  const int64_t rows = student.size(0), cols = student.size(1);
  dispatch_floating(student.dtype(), "kl_div_with_temperature", [&]<class T>() {
    const T* ps = student.data<T>();
    const T* pt = teacher.data<T>();
    T* pk = kl.data<T>();
    T* pms = student_stats.max.data<T>();
    T* pls = student_stats.log_sum.data<T>();
    T* pmt = teacher_stats.max.data<T>();
    T* plt = teacher_stats.log_sum.data<T>();
    const T inv_t = T(1) / T(temperature);
    parallel_for(rows, row_grain(cols), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const T* sr = ps + r * cols;
        const T* tr = pt + r * cols;
        T ms, ls, mt, lt;
        row_stats(sr, cols, inv_t, ms, ls);
        row_stats(tr, cols, inv_t, mt, lt);
        T k(0);
        for (int64_t c = 0; c < cols; ++c) {
          const T log_p = (tr[c] * inv_t - mt) - lt, log_q = (sr[c] * inv_t - ms) - ls;
          k += std::exp(log_p) * (log_p - log_q);
        }
        pk[r] = k;
        pms[r] = ms;
        pls[r] = ls;
        pmt[r] = mt;
        plt[r] = lt;
      }
    });
  });
}

void loss_map_cpu(LossMap kind, const LossMapArgs& args, const Tensor& out) {
  dispatch_floating(out.dtype(), "loss", [&]<class T>() {
    const LossMapF<T> f = make_loss_map<T>(kind, args);
    T* po = out.data<T>();
    parallel_for(out.numel(), kElementwiseGrain, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) po[i] = f(i);
    });
  });
}

}  // namespace loom::detail
