// CPU kernels of the reduce family. Each output element is written by one task, summing its chunk in order.
#include <algorithm>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/ops/reduce.h"

namespace loom::detail {

void sum_dim_cpu(const Tensor& x, const ReduceDims& d, int64_t chunk, const Tensor& out) {
  const int64_t chunks = d.axis <= chunk ? 1 : (d.axis + chunk - 1) / chunk;
  dispatch_floating(x.dtype(), "sum", [&]<class T>() {
    const T* px = x.data<T>();
    T* po = out.data<T>();
    // Task t = (o, c): sums rows [c*chunk, end) of outer block o into po[t*inner .. +inner).
    parallel_for(d.outer * chunks, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, chunk * d.inner)),
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

}  // namespace loom::detail
