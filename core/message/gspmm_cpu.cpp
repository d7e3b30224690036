// CPU kernels of gspmm: oneTBB over destination rows, each output row written by one task in entry order, so the
// result is bitwise the same for any thread count. The inner loop runs over a contiguous run of features and is a
// template on the message, the reducer and the inner strides (no branch on the message kind inside).
#include <algorithm>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/message/functors.h"
#include "core/message/gspmm.h"

namespace loom::mp::detail {
namespace {

using loom::detail::dispatch_floating;
using loom::detail::parallel_for;

// Rows per task: about 16k message evaluations each, at least one row.
int64_t row_grain(const CsrView& g, int64_t out_len) {
  const int64_t work = std::max<int64_t>(1, (g.nnz / std::max<int64_t>(1, g.rows) + 1) * out_len);
  return std::max<int64_t>(1, (int64_t{1} << 14) / work);
}

// g(f, u offset, e offset) for every output element of a row, in order, without divisions.
template <class G>
inline void for_each_feature(const Bcast& b, G&& g) {
  int64_t f = 0;
  for (int64_t i0 = 0; i0 < b.n[0]; ++i0) {
    for (int64_t i1 = 0; i1 < b.n[1]; ++i1) {
      const int64_t ub = i0 * b.us[0] + i1 * b.us[1], eb = i0 * b.es[0] + i1 * b.es[1];
      for (int64_t c = 0; c < b.n[2]; ++c, ++f) g(f, ub + c * b.us[2], eb + c * b.es[2]);
    }
  }
}

template <class F, class T>
inline T msg_at(const T* up, const T* ep, int64_t cu, int64_t ce) {
  if constexpr (F::use_lhs && F::use_rhs) {
    return F::apply(up[cu], ep[ce]);
  } else if constexpr (F::use_lhs) {
    return F::apply(up[cu], T(0));
  } else {
    return F::apply(T(0), ep[ce]);
  }
}

// One destination row: the first entry sets the accumulators, the others combine into them in entry order.
template <class T, class F, class R, int US, int ES>
void forward_rows(const CsrView& g, const T* u, const T* e, const Bcast& b, bool mean, T* out, int64_t* arg,
                  int64_t r0, int64_t r1) {
  const int64_t n0 = b.n[0], n1 = b.n[1], n2 = b.n[2], L = b.out_len;
  for (int64_t v = r0; v < r1; ++v) {
    T* o = out + v * L;
    int64_t* a = R::has_arg ? arg + v * L : nullptr;
    const int64_t k0 = g.indptr[v], k1 = g.indptr[v + 1];
    if (k0 == k1) {
      std::fill(o, o + L, T(0));
      if constexpr (R::has_arg) std::fill(a, a + L, int64_t{-1});
      continue;
    }
    for (int64_t k = k0; k < k1; ++k) {
      const T* ub = F::use_lhs ? u + static_cast<int64_t>(g.indices[k]) * b.u_len : nullptr;
      const T* eb = F::use_rhs ? e + k * b.e_len : nullptr;
      for (int64_t i0 = 0; i0 < n0; ++i0) {
        for (int64_t i1 = 0; i1 < n1; ++i1) {
          const int64_t ob = (i0 * n1 + i1) * n2;
          T* oo = o + ob;
          const T* up = F::use_lhs ? ub + i0 * b.us[0] + i1 * b.us[1] : nullptr;
          const T* ep = F::use_rhs ? eb + i0 * b.es[0] + i1 * b.es[1] : nullptr;
          if (k == k0) {
            for (int64_t c = 0; c < n2; ++c) oo[c] = msg_at<F>(up, ep, c * US, c * ES);
            if constexpr (R::has_arg) std::fill(a + ob, a + ob + n2, k);
          } else if constexpr (R::has_arg) {
            int64_t* aa = a + ob;
            for (int64_t c = 0; c < n2; ++c) {
              const T m = msg_at<F>(up, ep, c * US, c * ES);
              const bool w = R::better(m, oo[c]);
              oo[c] = w ? m : oo[c];
              aa[c] = w ? k : aa[c];
            }
          } else {
            for (int64_t c = 0; c < n2; ++c) oo[c] += msg_at<F>(up, ep, c * US, c * ES);
          }
        }
      }
    }
    if (mean) {
      const T s = T(1) / static_cast<T>(k1 - k0);
      for (int64_t f = 0; f < L; ++f) o[f] *= s;
    }
  }
}

}  // namespace

void gspmm_cpu(const Csr& gr, Msg msg, Reduce reduce, const Tensor& u, const Tensor& e, const Bcast& b,
               const Tensor& out, const Tensor& arg) {
  const CsrView g = view_of(gr);
  const bool mean = reduce == Reduce::kMean;
  dispatch_floating(out.dtype(), "gspmm", [&]<class T>() {
    const T* up = u.defined() ? u.data<T>() : nullptr;
    const T* ep = e.defined() ? e.data<T>() : nullptr;
    T* op = out.data<T>();
    int64_t* ap = arg.defined() ? arg.data<int64_t>() : nullptr;
    with_msg(msg, [&]<class F>(F) {
      with_reducer(reduce, [&]<class R>(R) {
        auto run = [&]<int US, int ES>() {
          parallel_for(g.rows, row_grain(g, b.out_len), [&](int64_t r0, int64_t r1) {
            forward_rows<T, F, R, US, ES>(g, up, ep, b, mean, op, ap, r0, r1);
          });
        };
        // Inner strides: copy_u reads only u (contiguous), copy_e only e; binary messages have three layouts.
        if constexpr (!F::use_rhs) {
          run.template operator()<1, 0>();
        } else if constexpr (!F::use_lhs) {
          run.template operator()<0, 1>();
        } else if (b.us[2] == 1 && b.es[2] == 1) {
          run.template operator()<1, 1>();
        } else if (b.us[2] == 1) {
          run.template operator()<1, 0>();
        } else {
          run.template operator()<0, 1>();
        }
      });
    });
  });
}

void edge_grad_cpu(const Csr& gr, Msg msg, const Tensor& u, const Tensor& e, const Tensor& dy, const Tensor& arg,
                   const Bcast& b, const Tensor& de) {
  const CsrView g = view_of(gr);
  dispatch_floating(de.dtype(), "gspmm backward", [&]<class T>() {
    const T* up = u.defined() ? u.data<T>() : nullptr;
    const T* ep = e.data<T>();
    const T* gp = dy.data<T>();
    const int64_t* ap = arg.defined() ? arg.data<int64_t>() : nullptr;
    T* dp = de.data<T>();
    with_msg(msg, [&]<class F>(F) {
      if constexpr (F::use_rhs) {
        // One task per block of destination rows; each entry's de values are summed over f in order.
        parallel_for(g.rows, row_grain(g, b.out_len), [&](int64_t r0, int64_t r1) {
          for (int64_t v = r0; v < r1; ++v) {
            const T* dyv = gp + v * b.out_len;
            const int64_t* av = ap ? ap + v * b.out_len : nullptr;
            for (int64_t k = g.indptr[v]; k < g.indptr[v + 1]; ++k) {
              const T* ub = F::use_lhs ? up + static_cast<int64_t>(g.indices[k]) * b.u_len : nullptr;
              const T* eb = ep + k * b.e_len;
              T* dk = dp + k * b.e_len;
              for_each_feature(b, [&](int64_t f, int64_t uo, int64_t eo) {
                if (av && av[f] != k) return;
                dk[eo] += dyv[f] * F::de(F::use_lhs ? ub[uo] : T(0), eb[eo]);
              });
            }
          }
        });
      }
    });
  });
}

void arg_u_grad_cpu(const Csr& gtr, Msg msg, const Tensor& u, const Tensor& e, const Tensor& dy, const Tensor& arg,
                    const Bcast& b, const Tensor& du) {
  const CsrView gt = view_of(gtr);
  const int64_t* eid = gtr.edge_ids().data<int64_t>();
  dispatch_floating(du.dtype(), "gspmm backward", [&]<class T>() {
    const T* up = u.data<T>();
    const T* ep = e.defined() ? e.data<T>() : nullptr;
    const T* gp = dy.data<T>();
    const int64_t* ap = arg.data<int64_t>();
    T* dp = du.data<T>();
    with_msg(msg, [&]<class F>(F) {
      if constexpr (F::use_lhs) {
        // Row j of the transpose lists j's out-edges: its du row is written by this task alone.
        parallel_for(gt.rows, row_grain(gt, b.out_len), [&](int64_t r0, int64_t r1) {
          for (int64_t j = r0; j < r1; ++j) {
            T* dj = dp + j * b.out_len;
            const T* uj = up + j * b.u_len;
            for (int64_t kt = gt.indptr[j]; kt < gt.indptr[j + 1]; ++kt) {
              const int64_t k = eid[kt], v = gt.indices[kt];
              const int64_t* av = ap + v * b.out_len;
              const T* dyv = gp + v * b.out_len;
              const T* ek = F::use_rhs ? ep + k * b.e_len : nullptr;
              for_each_feature(b, [&](int64_t f, int64_t uo, int64_t eo) {
                if (av[f] != k) return;
                dj[f] += dyv[f] * F::du(uj[uo], F::use_rhs ? ek[eo] : T(0));
              });
            }
          }
        });
      }
    });
  });
}

void scale_by_inv_degree_cpu(const Csr& gr, const Tensor& dy, const Tensor& out) {
  const CsrView g = view_of(gr);
  const int64_t L = dy.numel() / std::max<int64_t>(1, g.rows);
  dispatch_floating(dy.dtype(), "gspmm backward", [&]<class T>() {
    const T* x = dy.data<T>();
    T* y = out.data<T>();
    const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 14) / std::max<int64_t>(1, L));
    parallel_for(g.rows, grain, [&](int64_t r0, int64_t r1) {
      for (int64_t v = r0; v < r1; ++v) {
        const T s = T(1) / static_cast<T>(std::max<int64_t>(1, g.indptr[v + 1] - g.indptr[v]));
        for (int64_t f = 0; f < L; ++f) y[v * L + f] = x[v * L + f] * s;
      }
    });
  });
}

}  // namespace loom::mp::detail
