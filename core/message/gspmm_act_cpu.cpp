// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of gspmm_act: oneTBB over rows (destinations for the forward and dv/dw, sources of the transpose for
// du), each output row and each entry's dw written by one task in entry order, so results are bitwise the same for
// any thread count. The activation is a template parameter: no branch on it in the inner loops.
#include <algorithm>
#include <cstdint>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/message/gspmm.h"
#include "core/message/gspmm_act.h"
#include "core/message/segment.h"

namespace loom::mp::detail {
namespace {

using loom::detail::arg_wins;
using loom::detail::dispatch_floating;
using loom::detail::parallel_for;

// Rows per task: about 16k edge-feature evaluations each, at least one row.
int64_t grain_for(const CsrView& g, int64_t width) {
  const int64_t work = std::max<int64_t>(1, (g.nnz / std::max<int64_t>(1, g.rows) + 1) * width);
  return std::max<int64_t>(1, (int64_t{1} << 14) / work);
}

template <class T, class A, bool kMax>
void forward_rows(const CsrView& g, const T* u, const T* v, const T* w, int64_t F, T slope, bool mean, T* out,
                  int64_t* arg, int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    T* o = out + r * F;
    const T* vr = v + r * F;
    const int64_t k0 = g.indptr[r], k1 = g.indptr[r + 1];
    if (k0 == k1) {
      std::fill(o, o + F, T(0));
      if constexpr (kMax) std::fill(arg + r * F, arg + (r + 1) * F, int64_t{-1});
      continue;
    }
    for (int64_t k = k0; k < k1; ++k) {
      const T* ur = u + static_cast<int64_t>(g.indices[k]) * F;
      const T s = w ? w[k] : T(1);
      if constexpr (kMax) {
        int64_t* a = arg + r * F;
        for (int64_t f = 0; f < F; ++f) {
          const T m = s * A::forward(ur[f] + vr[f], slope);
          if (k == k0 || arg_wins<true>(m, k, o[f], a[f])) {
            o[f] = m;
            a[f] = k;
          }
        }
      } else if (k == k0) {
        for (int64_t f = 0; f < F; ++f) o[f] = s * A::forward(ur[f] + vr[f], slope);
      } else {
        for (int64_t f = 0; f < F; ++f) o[f] += s * A::forward(ur[f] + vr[f], slope);
      }
    }
    if (mean) {
      const T sc = T(1) / static_cast<T>(k1 - k0);
      for (int64_t f = 0; f < F; ++f) o[f] *= sc;
    }
  }
}

}  // namespace

void gspmm_act_cpu(const Csr& gr, Reduce reduce, const ActArgs& a, const Tensor& out, const Tensor& arg) {
  const CsrView g = view_of(gr);
  const int64_t F = a.width;
  const bool mean = reduce == Reduce::kMean;
  dispatch_floating(out.dtype(), "gspmm_act", [&]<class T>() {
    const T* u = a.u.data<T>();
    const T* v = a.v.data<T>();
    const T* w = a.w.defined() ? a.w.data<T>() : nullptr;
    T* o = out.data<T>();
    int64_t* ap = arg.defined() ? arg.data<int64_t>() : nullptr;
    const T slope = static_cast<T>(a.slope);
    with_activation(a.act, [&]<class A>(A) {
      parallel_for(g.rows, grain_for(g, F), [&](int64_t r0, int64_t r1) {
        if (reduce == Reduce::kMax) {
          forward_rows<T, A, true>(g, u, v, w, F, slope, false, o, ap, r0, r1);
        } else {
          forward_rows<T, A, false>(g, u, v, w, F, slope, mean, o, nullptr, r0, r1);
        }
      });
    });
  });
}

void act_dst_grad_cpu(const Csr& gr, const ActArgs& a, const Tensor& gy, const Tensor& arg, const Tensor& dv,
                      const Tensor& dw) {
  const CsrView g = view_of(gr);
  const int64_t F = a.width;
  dispatch_floating(gy.dtype(), "gspmm_act backward", [&]<class T>() {
    const T* u = a.u.data<T>();
    const T* v = a.v.data<T>();
    const T* w = a.w.defined() ? a.w.data<T>() : nullptr;
    const T* dy = gy.data<T>();
    const int64_t* ap = arg.defined() ? arg.data<int64_t>() : nullptr;
    T* dvp = dv.defined() ? dv.data<T>() : nullptr;
    T* dwp = dw.defined() ? dw.data<T>() : nullptr;
    const T slope = static_cast<T>(a.slope);
    with_activation(a.act, [&]<class A>(A) {
      parallel_for(g.rows, grain_for(g, F), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const T* vr = v + r * F;
          const T* dyr = dy + r * F;
          const int64_t* ar = ap ? ap + r * F : nullptr;
          T* dvr = dvp ? dvp + r * F : nullptr;
          for (int64_t k = g.indptr[r]; k < g.indptr[r + 1]; ++k) {
            const T* ur = u + static_cast<int64_t>(g.indices[k]) * F;
            const T s = w ? w[k] : T(1);
            T acc(0);
            for (int64_t f = 0; f < F; ++f) {
              if (ar && ar[f] != k) continue;
              const T z = ur[f] + vr[f];
              if (dvr) dvr[f] += dyr[f] * s * A::backward_x(z, slope);
              if (dwp) acc += dyr[f] * A::forward(z, slope);
            }
            if (dwp) dwp[k] = acc;
          }
        }
      });
    });
  });
}

void act_src_grad_cpu(const Csr& gtr, const ActArgs& a, const Tensor& gy, const Tensor& arg, const Tensor& du) {
  const CsrView gt = view_of(gtr);
  const int64_t* eid = gtr.edge_ids().data<int64_t>();
  const int64_t F = a.width;
  dispatch_floating(gy.dtype(), "gspmm_act backward", [&]<class T>() {
    const T* u = a.u.data<T>();
    const T* v = a.v.data<T>();
    const T* w = a.w.defined() ? a.w.data<T>() : nullptr;
    const T* dy = gy.data<T>();
    const int64_t* ap = arg.defined() ? arg.data<int64_t>() : nullptr;
    T* dup = du.data<T>();
    const T slope = static_cast<T>(a.slope);
    with_activation(a.act, [&]<class A>(A) {
      // Row j of the transpose lists j's out-entries: du row j is written by this task alone.
      parallel_for(gt.rows, grain_for(gt, F), [&](int64_t j0, int64_t j1) {
        for (int64_t j = j0; j < j1; ++j) {
          const T* uj = u + j * F;
          T* duj = dup + j * F;
          for (int64_t kt = gt.indptr[j]; kt < gt.indptr[j + 1]; ++kt) {
            const int64_t k = eid[kt], r = gt.indices[kt];
            const T* vr = v + r * F;
            const T* dyr = dy + r * F;
            const int64_t* ar = ap ? ap + r * F : nullptr;
            const T s = w ? w[k] : T(1);
            for (int64_t f = 0; f < F; ++f) {
              if (ar && ar[f] != k) continue;
              duj[f] += dyr[f] * s * A::backward_x(uj[f] + vr[f], slope);
            }
          }
        }
      });
    });
  });
}

}  // namespace loom::mp::detail
