// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of the reduce family. Each output element is written by one task, summing its chunk in order.
#include <algorithm>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/ops/reduce.h"

namespace loom::detail {
namespace {
// About 4096 elements per parallel task, counted with the real segment length: short rows (a [4M, 32] sum over its
// last dimension) batch many segments per task instead of one task each.
int64_t task_grain(const ReduceDims& d, int64_t chunk) {
  return std::max<int64_t>(1, 4096 / std::max<int64_t>(1, std::min(d.axis, chunk) * d.inner));
}
}  // namespace

void sum_dim_cpu(const Tensor& x, const ReduceDims& d, int64_t chunk, const Tensor& out) {
  const int64_t chunks = d.axis <= chunk ? 1 : (d.axis + chunk - 1) / chunk;
  dispatch_floating(x.dtype(), "sum", [&]<class T>() {
    const T* px = x.data<T>();
    T* po = out.data<T>();
    // Task t = (o, c): sums rows [c*chunk, end) of outer block o into po[t*inner .. +inner).
    parallel_for(d.outer * chunks, task_grain(d, chunk),
                 [&](int64_t b, int64_t e) {
                   for (int64_t t = b; t < e; ++t) {
                     const int64_t o = t / chunks, c = t % chunks;
                     const int64_t a0 = c * chunk, a1 = std::min(d.axis, a0 + chunk);
                     T* acc = po + t * d.inner;
                     const T* base = px + o * d.axis * d.inner;
                     if (d.inner == 1) {
                       T s(0);
                       for (int64_t a = a0; a < a1; ++a) s += base[a];
                       acc[0] = s;
                       continue;
                     }
                     for (int64_t i = 0; i < d.inner; ++i) acc[i] = T(0);
                     for (int64_t a = a0; a < a1; ++a) {
                       const T* row = base + a * d.inner;
                       for (int64_t i = 0; i < d.inner; ++i) acc[i] += row[i];
                     }
                   }
                 });
  });
}

void max_dim_cpu(const Tensor& x, const Tensor& in_index, const ReduceDims& d, int64_t chunk, const Tensor& values,
                 const Tensor& indices) {
  const int64_t chunks = d.axis <= chunk ? 1 : (d.axis + chunk - 1) / chunk;
  const int64_t* pin = in_index.defined() ? in_index.data<int64_t>() : nullptr;
  dispatch_floating(x.dtype(), "max", [&]<class T>() {
    const T* px = x.data<T>();
    T* pv = values.data<T>();
    int64_t* pi = indices.data<int64_t>();
    // Task t = (o, c) writes the inner values of chunk c of outer block o; rows are scanned in order.
    parallel_for(d.outer * chunks, task_grain(d, chunk),
                 [&](int64_t b, int64_t e) {
                   for (int64_t t = b; t < e; ++t) {
                     const int64_t o = t / chunks, c = t % chunks;
                     const int64_t a0 = c * chunk, a1 = std::min(d.axis, a0 + chunk);
                     const int64_t base = o * d.axis * d.inner;
                     T* v = pv + t * d.inner;
                     int64_t* ix = pi + t * d.inner;
                     for (int64_t i = 0; i < d.inner; ++i) {
                       const int64_t k = base + a0 * d.inner + i;
                       v[i] = px[k];
                       ix[i] = pin ? pin[k] : a0;
                     }
                     for (int64_t a = a0 + 1; a < a1; ++a) {
                       const T* row = px + base + a * d.inner;
                       const int64_t* irow = pin ? pin + base + a * d.inner : nullptr;
                       for (int64_t i = 0; i < d.inner; ++i) {
                         const int64_t j = irow ? irow[i] : a;
                         if (max_wins(row[i], j, v[i], ix[i])) {
                           v[i] = row[i];
                           ix[i] = j;
                         }
                       }
                     }
                   }
                 });
  });
}

void max_backward_cpu(const Tensor& dy, const Tensor& index, const ReduceDims& d, const Tensor& dx) {
  dispatch_floating(dy.dtype(), "max backward", [&]<class T>() {
    const T* pdy = dy.data<T>();
    const int64_t* pi = index.data<int64_t>();
    T* pdx = dx.data<T>();
    parallel_for(d.outer * d.inner, 1 << 14, [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; ++t) {
        const int64_t o = t / d.inner, i = t % d.inner;
        pdx[(o * d.axis + pi[t]) * d.inner + i] = pdy[t];
      }
    });
  });
}

}  // namespace loom::detail
