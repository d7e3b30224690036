// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The fused Adam update on the CPU (adam_update.h): one parallel pass over the parameter's elements.
#include "core/optim/adam_update.h"

#include "core/detail/dispatch.h"
#include "core/detail/elementwise.h"
#include "core/detail/parallel.h"

namespace loom::detail {

void adam_update_cpu(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const AdamScalars& s) {
  dispatch_floating(p.dtype(), "Adam.step", [&]<class T>() {
    const AdamElement<T> f(s);
    T* pp = p.data<T>();
    const T* pg = g.data<T>();
    T* pm = m.data<T>();
    T* pv = v.data<T>();
    parallel_for(p.numel(), kElementwiseGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) f(pp[i], pg[i], pm[i], pv[i]);
    });
  });
}

}  // namespace loom::detail
