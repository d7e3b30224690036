// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of the segment family: oneTBB over segments, each segment's passes made by one task in row order
// (sums in float64), so results do not depend on the thread count. A heavy segment is simply a longer task.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/message/segment.h"

namespace loom::detail {

namespace {

constexpr int64_t kWorkPerTask = 16384;

// Calls f(s, begin, end) for every segment, in tasks of about kWorkPerTask elements on average.
template <class F>
void for_segments(const Tensor& offsets, int64_t n, int64_t width, F&& f) {
  const int64_t segs = offsets.numel() - 1;
  const int64_t* off = offsets.data<int64_t>();
  const int64_t per_seg = std::max<int64_t>(1, (n / std::max<int64_t>(1, segs) + 1) * width);
  parallel_for(segs, std::max<int64_t>(1, kWorkPerTask / per_seg), [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s) f(s, off[s], off[s + 1]);
  });
}

// NaN stays the maximum once seen, so a NaN in a segment makes the segment's softmax NaN.
template <class T>
inline T take_max(T m, T v) {
  return (v > m || v != v) ? v : m;
}

template <class T>
void reduce(const T* x, const Tensor& offsets, int64_t n, int64_t w, Reduce red, T* out, int64_t* arg) {
  for_segments(offsets, n, w, [&](int64_t s, int64_t b, int64_t e) {
    T* o = out + s * w;
    if (red == Reduce::kSum || red == Reduce::kMean) {
      thread_local std::vector<double> acc;
      acc.assign(static_cast<size_t>(w), 0.0);
      for (int64_t i = b; i < e; ++i)
        for (int64_t c = 0; c < w; ++c) acc[static_cast<size_t>(c)] += x[i * w + c];
      const double scale = red == Reduce::kMean && e > b ? 1.0 / double(e - b) : 1.0;
      for (int64_t c = 0; c < w; ++c) o[c] = T(acc[static_cast<size_t>(c)] * scale);
      return;
    }
    int64_t* a = arg + s * w;
    if (e == b) {
      for (int64_t c = 0; c < w; ++c) o[c] = T(0), a[c] = -1;
      return;
    }
    for (int64_t c = 0; c < w; ++c) o[c] = x[b * w + c], a[c] = b;
    const bool is_max = red == Reduce::kMax;
    for (int64_t i = b + 1; i < e; ++i) {
      for (int64_t c = 0; c < w; ++c) {
        const T v = x[i * w + c];
        if (is_max ? arg_wins<true>(v, i, o[c], a[c]) : arg_wins<false>(v, i, o[c], a[c])) o[c] = v, a[c] = i;
      }
    }
  });
}

template <class T>
void softmax(const T* x, const Tensor& offsets, int64_t n, int64_t w, T* y) {
  for_segments(offsets, n, w, [&](int64_t, int64_t b, int64_t e) {
    if (e == b) return;
    thread_local std::vector<T> m;
    thread_local std::vector<double> sum;
    m.assign(x + b * w, x + (b + 1) * w);
    sum.assign(static_cast<size_t>(w), 0.0);
    for (int64_t i = b + 1; i < e; ++i)
      for (int64_t c = 0; c < w; ++c) m[static_cast<size_t>(c)] = take_max(m[static_cast<size_t>(c)], x[i * w + c]);
    for (int64_t i = b; i < e; ++i) {
      for (int64_t c = 0; c < w; ++c) {
        const T ex = std::exp(x[i * w + c] - m[static_cast<size_t>(c)]);
        sum[static_cast<size_t>(c)] += ex;
        y[i * w + c] = ex;
      }
    }
    for (int64_t c = 0; c < w; ++c) m[static_cast<size_t>(c)] = T(1.0 / sum[static_cast<size_t>(c)]);  // m: 1/sum
    for (int64_t i = b; i < e; ++i)
      for (int64_t c = 0; c < w; ++c) y[i * w + c] *= m[static_cast<size_t>(c)];
  });
}

template <class T>
void softmax_backward(const T* y, const T* dy, const Tensor& offsets, int64_t n, int64_t w, T* dx) {
  for_segments(offsets, n, w, [&](int64_t, int64_t b, int64_t e) {
    if (e == b) return;
    thread_local std::vector<double> acc;
    acc.assign(static_cast<size_t>(w), 0.0);
    for (int64_t i = b; i < e; ++i)
      for (int64_t c = 0; c < w; ++c) acc[static_cast<size_t>(c)] += double(y[i * w + c]) * double(dy[i * w + c]);
    for (int64_t i = b; i < e; ++i) {
      for (int64_t c = 0; c < w; ++c) {
        const int64_t k = i * w + c;
        dx[k] = y[k] * (dy[k] - T(acc[static_cast<size_t>(c)]));
      }
    }
  });
}

}  // namespace

BadOffset find_bad_offset_cpu(const Tensor& offsets, int64_t n) {
  const int64_t* o = offsets.data<int64_t>();
  const int64_t last = offsets.numel() - 1;
  for (int64_t i = 0; i <= last; ++i) {
    const bool bad = (i == 0 && o[0] != 0) || (i > 0 && o[i] < o[i - 1]) || (i == last && o[i] != n);
    if (bad) return {i, o[i]};
  }
  return {};
}

void segment_reduce_cpu(const Tensor& x, const Tensor& offsets, Reduce reduce_op, const Tensor& out,
                        const Tensor& arg) {
  const int64_t n = x.shape()[0], w = row_width(x);
  dispatch_floating(x.dtype(), "segment_reduce", [&]<class T>() {
    reduce<T>(x.data<T>(), offsets, n, w, reduce_op, out.data<T>(), arg.defined() ? arg.data<int64_t>() : nullptr);
  });
}

void segment_reduce_backward_cpu(const Tensor& dy, const Tensor& offsets, Reduce reduce_op, const Tensor& arg,
                                 const Tensor& dx) {
  const int64_t n = dx.shape()[0], w = row_width(dx);
  dispatch_floating(dy.dtype(), "segment_reduce backward", [&]<class T>() {
    const T* pdy = dy.data<T>();
    T* pdx = dx.data<T>();
    if (reduce_op == Reduce::kMax || reduce_op == Reduce::kMin) {
      const int64_t* pa = arg.data<int64_t>();
      parallel_for(dy.numel(), kWorkPerTask, [&](int64_t b, int64_t e) {
        for (int64_t t = b; t < e; ++t)
          if (pa[t] >= 0) pdx[pa[t] * w + t % w] = pdy[t];
      });
      return;
    }
    for_segments(offsets, n, w, [&](int64_t s, int64_t b, int64_t e) {
      const T scale = reduce_op == Reduce::kMean ? T(1.0 / double(std::max<int64_t>(1, e - b))) : T(1);
      for (int64_t i = b; i < e; ++i)
        for (int64_t c = 0; c < w; ++c) pdx[i * w + c] = pdy[s * w + c] * scale;
    });
  });
}

void segment_softmax_cpu(const Tensor& x, const Tensor& offsets, const Tensor& y) {
  const int64_t n = x.shape()[0], w = row_width(x);
  dispatch_floating(x.dtype(), "segment_softmax",
                    [&]<class T>() { softmax<T>(x.data<T>(), offsets, n, w, y.data<T>()); });
}

void segment_softmax_backward_cpu(const Tensor& y, const Tensor& dy, const Tensor& offsets, const Tensor& dx) {
  const int64_t n = y.shape()[0], w = row_width(y);
  dispatch_floating(y.dtype(), "segment_softmax backward", [&]<class T>() {
    softmax_backward<T>(y.data<T>(), dy.data<T>(), offsets, n, w, dx.data<T>());
  });
}

}  // namespace loom::detail
