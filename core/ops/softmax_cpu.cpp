// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of the softmax family. One task owns whole slices (a row when inner == 1, else a block of columns of
// one outer index) and makes its passes over them in a fixed order: results do not depend on the thread count.
// Sums of float32 accumulate in double so that long rows keep float32 accuracy.
#include <algorithm>
#include <cmath>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/ops/softmax.h"

namespace loom::detail {

namespace {

constexpr int64_t kColumnBlock = 64;  // columns per task when inner > 1 (one cache-friendly strip per row)
constexpr int64_t kElementsPerTask = 8192;

// NaN stays the maximum once seen, so a NaN anywhere in a slice makes the slice NaN.
template <class T>
inline T take_max(T m, T v) {
  return (v > m || v != v) ? v : m;
}

// Calls f(o, i0, i1) for every task: a column block [i0, i1) of outer index o.
template <class F>
void for_column_blocks(const ReduceDims& d, F&& f) {
  const int64_t blocks = (d.inner + kColumnBlock - 1) / kColumnBlock;
  const int64_t per = std::max<int64_t>(1, d.axis * std::min(d.inner, kColumnBlock));
  parallel_for(d.outer * blocks, std::max<int64_t>(1, kElementsPerTask / per), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t o = t / blocks, i0 = (t % blocks) * kColumnBlock;
      f(o, i0, std::min(d.inner, i0 + kColumnBlock));
    }
  });
}

template <class T>
void forward(const T* px, T* py, const ReduceDims& d, bool log_) {
  if (d.inner == 1) {
    parallel_for(d.outer, std::max<int64_t>(1, kElementsPerTask / std::max<int64_t>(1, d.axis)),
                 [&](int64_t b, int64_t e) {
                   for (int64_t o = b; o < e; ++o) {
                     const T* x = px + o * d.axis;
                     T* y = py + o * d.axis;
                     T m = x[0];
                     for (int64_t a = 1; a < d.axis; ++a) m = take_max(m, x[a]);
                     double s = 0;
                     for (int64_t a = 0; a < d.axis; ++a) {
                       const T e_a = std::exp(x[a] - m);
                       s += e_a;
                       if (!log_) y[a] = e_a;
                     }
                     if (log_) {
                       // (x - m) first: it is exact near the max, so the large terms do not lose digits.
                       const T ls = static_cast<T>(std::log(s));
                       for (int64_t a = 0; a < d.axis; ++a) y[a] = (x[a] - m) - ls;
                     } else {
                       const T inv = static_cast<T>(1.0 / s);
                       for (int64_t a = 0; a < d.axis; ++a) y[a] *= inv;
                     }
                   }
                 });
    return;
  }
  for_column_blocks(d, [&](int64_t o, int64_t i0, int64_t i1) {
    T m[kColumnBlock];
    double s[kColumnBlock];
    const int64_t w = i1 - i0;
    const T* x = px + o * d.axis * d.inner + i0;
    T* y = py + o * d.axis * d.inner + i0;
    for (int64_t i = 0; i < w; ++i) m[i] = x[i], s[i] = 0;
    for (int64_t a = 1; a < d.axis; ++a)
      for (int64_t i = 0; i < w; ++i) m[i] = take_max(m[i], x[a * d.inner + i]);
    for (int64_t a = 0; a < d.axis; ++a) {
      for (int64_t i = 0; i < w; ++i) {
        const T e_a = std::exp(x[a * d.inner + i] - m[i]);
        s[i] += e_a;
        if (!log_) y[a * d.inner + i] = e_a;
      }
    }
    if (log_) {
      T ls[kColumnBlock];
      for (int64_t i = 0; i < w; ++i) ls[i] = static_cast<T>(std::log(s[i]));
      for (int64_t a = 0; a < d.axis; ++a)
        for (int64_t i = 0; i < w; ++i) y[a * d.inner + i] = (x[a * d.inner + i] - m[i]) - ls[i];
    } else {
      for (int64_t i = 0; i < w; ++i) m[i] = static_cast<T>(1.0 / s[i]);  // m becomes 1 / sum
      for (int64_t a = 0; a < d.axis; ++a)
        for (int64_t i = 0; i < w; ++i) y[a * d.inner + i] *= m[i];
    }
  });
}

// softmax: g = dy * y summed, dx = y * (dy - s); log_softmax: g = dy summed, dx = dy - exp(y) * s.
template <class T>
void backward(const T* py, const T* pdy, T* pdx, const ReduceDims& d, bool log_) {
  for_column_blocks(d, [&](int64_t o, int64_t i0, int64_t i1) {
    double s[kColumnBlock];
    const int64_t w = i1 - i0;
    const int64_t base = o * d.axis * d.inner + i0;
    const T* y = py + base;
    const T* dy = pdy + base;
    T* dx = pdx + base;
    for (int64_t i = 0; i < w; ++i) s[i] = 0;
    for (int64_t a = 0; a < d.axis; ++a) {
      for (int64_t i = 0; i < w; ++i) {
        const int64_t k = a * d.inner + i;
        s[i] += log_ ? dy[k] : dy[k] * y[k];
      }
    }
    for (int64_t a = 0; a < d.axis; ++a) {
      for (int64_t i = 0; i < w; ++i) {
        const int64_t k = a * d.inner + i;
        const T si = static_cast<T>(s[i]);
        dx[k] = log_ ? dy[k] - std::exp(y[k]) * si : y[k] * (dy[k] - si);
      }
    }
  });
}

}  // namespace

void softmax_forward_cpu(const Tensor& x, const ReduceDims& d, bool log_, const Tensor& y) {
  if (x.numel() == 0) return;
  dispatch_floating(x.dtype(), log_ ? "log_softmax" : "softmax",
                    [&]<class T>() { forward<T>(x.data<T>(), y.data<T>(), d, log_); });
}

void softmax_backward_cpu(const Tensor& y, const Tensor& dy, const ReduceDims& d, bool log_, const Tensor& dx) {
  if (y.numel() == 0) return;
  dispatch_floating(y.dtype(), log_ ? "log_softmax backward" : "softmax backward",
                    [&]<class T>() { backward<T>(y.data<T>(), dy.data<T>(), dx.data<T>(), d, log_); });
}

}  // namespace loom::detail
