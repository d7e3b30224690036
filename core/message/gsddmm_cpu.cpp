// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of gsddmm: oneTBB over rows of the walked Csr, so every output row (an entry's features in the forward,
// a node's gradient in the backward) is written by one task, its sums taken in entry order (float64 accumulators):
// results do not depend on the thread count.
#include <algorithm>
#include <type_traits>
#include <vector>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/message/gsddmm.h"

namespace loom::detail {

namespace {

constexpr int64_t kWorkPerTask = 16384;  // elements of output per task, roughly

int64_t row_grain(const Csr& g, int64_t per_entry) {
  const int64_t rows = std::max<int64_t>(1, g.num_rows());
  const int64_t per_row = std::max<int64_t>(1, (g.nnz() / rows + 1) * per_entry);
  return std::max<int64_t>(1, kWorkPerTask / per_row);
}

template <class Fn, class T>
void forward(const Csr& g, const T* u, const T* v, const SddmmDims& d, T* out) {
  const int64_t* indptr = g.indptr().data<int64_t>();
  const int32_t* cols = g.indices().data<int32_t>();
  const int64_t out_len = d.out_len();
  parallel_for(g.num_rows(), row_grain(g, d.full_len), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* vr = Fn::use_rhs ? v + r * d.v_len : nullptr;
      for (int64_t k = indptr[r]; k < indptr[r + 1]; ++k) {
        const T* ur = Fn::use_lhs ? u + int64_t(cols[k]) * d.u_len : nullptr;
        T* o = out + k * out_len;
        auto pair = [&](int64_t f, T& a, T& b) {
          int64_t ou, ov;
          d.ix.offsets(f, ou, ov);
          a = Fn::use_lhs ? ur[ou] : T(0);
          b = Fn::use_rhs ? vr[ov] : T(0);
        };
        if constexpr (std::is_same_v<Fn, mp::detail::Dot>) {
          for (int64_t fo = 0; fo < out_len; ++fo) {
            double acc = 0;
            for (int64_t j = 0; j < d.red; ++j) {
              T a, b;
              pair(fo * d.red + j, a, b);
              acc += double(a) * double(b);
            }
            o[fo] = T(acc);
          }
        } else {
          for (int64_t f = 0; f < out_len; ++f) {
            T a, b;
            pair(f, a, b);
            o[f] = Fn::apply(a, b);
          }
        }
      }
    }
  });
}

template <class Fn, bool kSideU, class T>
void backward(const Csr& walk, const T* u, const T* v, const T* dy, const SddmmDims& d, T* grad) {
  const int64_t* indptr = walk.indptr().data<int64_t>();
  const int32_t* other = walk.indices().data<int32_t>();
  const int64_t* eids = kSideU ? walk.edge_ids().data<int64_t>() : nullptr;
  const int64_t out_len = d.out_len(), full = d.full_len;
  parallel_for(walk.num_rows(), row_grain(walk, full), [&](int64_t x0, int64_t x1) {
    std::vector<double> acc(static_cast<size_t>(full));
    for (int64_t x = x0; x < x1; ++x) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t j = indptr[x]; j < indptr[x + 1]; ++j) {
        const int64_t k = kSideU ? eids[j] : j;
        const int64_t ui = kSideU ? x : other[j], vi = kSideU ? other[j] : x;
        const T* ur = Fn::use_lhs && u ? u + ui * d.u_len : nullptr;
        const T* vr = Fn::use_rhs && v ? v + vi * d.v_len : nullptr;
        const T* g = dy + k * out_len;
        for (int64_t f = 0; f < full; ++f) {
          int64_t ou, ov;
          d.ix.offsets(f, ou, ov);
          const T a = ur ? ur[ou] : T(0), b = vr ? vr[ov] : T(0);
          acc[static_cast<size_t>(f)] += grad_side<Fn, kSideU>(g[f / d.red], a, b);
        }
      }
      T* out = grad + x * full;
      for (int64_t f = 0; f < full; ++f) out[f] = T(acc[static_cast<size_t>(f)]);
    }
  });
}

const void* ptr_or_null(const Tensor& t) { return t.defined() ? t.raw_data() : nullptr; }

}  // namespace

void gsddmm_cpu(const Csr& g, Binary op, const Tensor& u, const Tensor& v, const SddmmDims& d, const Tensor& out) {
  dispatch_floating(out.dtype(), "gsddmm", [&]<class T>() {
    with_binary(op, [&]<class Fn>(Fn) {
      forward<Fn, T>(g, static_cast<const T*>(ptr_or_null(u)), static_cast<const T*>(ptr_or_null(v)), d,
                      out.data<T>());
    });
  });
}

void gsddmm_backward_cpu(const Csr& walk, bool side_u, Binary op, const Tensor& u, const Tensor& v, const Tensor& dy,
                         const SddmmDims& d, const Tensor& grad) {
  dispatch_floating(dy.dtype(), "gsddmm backward", [&]<class T>() {
    with_binary(op, [&]<class Fn>(Fn) {
      const T* pu = static_cast<const T*>(ptr_or_null(u));
      const T* pv = static_cast<const T*>(ptr_or_null(v));
      if (side_u) backward<Fn, true, T>(walk, pu, pv, dy.data<T>(), d, grad.data<T>());
      else backward<Fn, false, T>(walk, pu, pv, dy.data<T>(), d, grad.data<T>());
    });
  });
}

}  // namespace loom::detail
