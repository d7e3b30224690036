// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of gatv2_logits: oneTBB over rows of the walked Csr, so every output row (the logits of a row's
// entries in the forward, a node's gradient and att partial in the backward) is written by one task, its sums
// taken in entry order with float64 accumulators: results do not depend on the thread count.
#include <algorithm>
#include <vector>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/message/gatv2.h"

namespace loom::detail {

namespace {

constexpr int64_t kWorkPerTask = 16384;  // multiply-adds per task, roughly

int64_t row_grain(const Csr& g, int64_t per_entry) {
  const int64_t rows = std::max<int64_t>(1, g.num_rows());
  const int64_t per_row = std::max<int64_t>(1, (g.nnz() / rows + 1) * per_entry);
  return std::max<int64_t>(1, kWorkPerTask / per_row);
}

template <class T>
void forward(const Csr& g, const T* u, const T* v, const T* att, const Gatv2Dims& d, T* out) {
  const int64_t* indptr = g.indptr().data<int64_t>();
  const int32_t* cols = g.indices().data<int32_t>();
  const int64_t H = d.heads, C = d.channels, w = d.width();
  const T slope = T(d.slope);
  parallel_for(g.num_rows(), row_grain(g, w), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* vr = v + r * w;
      for (int64_t k = indptr[r]; k < indptr[r + 1]; ++k) {
        const T* ur = u + int64_t(cols[k]) * w;
        for (int64_t h = 0; h < H; ++h) {
          double acc = 0;
          for (int64_t c = 0; c < C; ++c) {
            const int64_t f = h * C + c;
            acc += double(att[f]) * double(Gatv2Act::forward(ur[f] + vr[f], slope));
          }
          out[k * H + h] = T(acc);
        }
      }
    }
  });
}

// grad (may be null on the v side when only att needs a gradient) and part (v side only, may be null).
template <bool kSideU, class T>
void backward(const Csr& walk, const T* u, const T* v, const T* att, const T* dy, const Gatv2Dims& d, T* grad,
              T* part) {
  const int64_t* indptr = walk.indptr().data<int64_t>();
  const int32_t* other = walk.indices().data<int32_t>();
  const int64_t* eids = kSideU ? walk.edge_ids().data<int64_t>() : nullptr;
  const int64_t H = d.heads, C = d.channels, w = d.width();
  const T slope = T(d.slope);
  parallel_for(walk.num_rows(), row_grain(walk, w), [&](int64_t x0, int64_t x1) {
    std::vector<double> acc(static_cast<size_t>(w)), acc_att(static_cast<size_t>(w));
    for (int64_t x = x0; x < x1; ++x) {
      std::fill(acc.begin(), acc.end(), 0.0);
      std::fill(acc_att.begin(), acc_att.end(), 0.0);
      for (int64_t j = indptr[x]; j < indptr[x + 1]; ++j) {
        const int64_t k = kSideU ? eids[j] : j;
        const int64_t ui = kSideU ? x : other[j], vi = kSideU ? other[j] : x;
        const T* ur = u + ui * w;
        const T* vr = v + vi * w;
        for (int64_t h = 0; h < H; ++h) {
          const double g = double(dy[k * H + h]);
          for (int64_t c = 0; c < C; ++c) {
            const int64_t f = h * C + c;
            const T z = ur[f] + vr[f];
            if (grad) acc[size_t(f)] += g * double(Gatv2Act::backward_x(z, slope));
            if (!kSideU && part) acc_att[size_t(f)] += g * double(Gatv2Act::forward(z, slope));
          }
        }
      }
      if (grad)
        for (int64_t f = 0; f < w; ++f) grad[x * w + f] = T(double(att[f]) * acc[size_t(f)]);
      if (!kSideU && part)
        for (int64_t f = 0; f < w; ++f) part[x * w + f] = T(acc_att[size_t(f)]);
    }
  });
}

template <class T>
T* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

}  // namespace

void gatv2_cpu(const Csr& g, const Tensor& u, const Tensor& v, const Tensor& att, const Gatv2Dims& d,
               const Tensor& out) {
  dispatch_floating(out.dtype(), "gatv2_logits", [&]<class T>() {
    forward<T>(g, u.data<T>(), v.data<T>(), att.data<T>(), d, out.data<T>());
  });
}

void gatv2_backward_cpu(const Csr& walk, bool side_u, const Tensor& u, const Tensor& v, const Tensor& att,
                        const Tensor& dy, const Gatv2Dims& d, const Tensor& grad, const Tensor& att_part) {
  dispatch_floating(dy.dtype(), "gatv2_logits backward", [&]<class T>() {
    if (side_u) {
      backward<true, T>(walk, u.data<T>(), v.data<T>(), att.data<T>(), dy.data<T>(), d, ptr_or_null<T>(grad),
                        nullptr);
    } else {
      backward<false, T>(walk, u.data<T>(), v.data<T>(), att.data<T>(), dy.data<T>(), d, ptr_or_null<T>(grad),
                         ptr_or_null<T>(att_part));
    }
  });
}

}  // namespace loom::detail
