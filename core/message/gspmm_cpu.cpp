// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of gspmm: oneTBB over destination rows, each output row written by one task in entry order, so the
// result is bitwise the same for any thread count. The inner loop runs over a contiguous run of features and is a
// template on the message, the reducer and the inner strides (no branch on the message kind inside).
#include <algorithm>
#include <type_traits>
#include <vector>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/message/functors.h"
#include "core/message/gspmm.h"

namespace loom::mp::detail {
namespace {

using loom::detail::dispatch_floating;
using loom::detail::parallel_for;

// Row ranges of about equal work (entries plus a per-row cost), cut by binary search on indptr: R-MAT degrees are
// skewed, so equal row counts give unequal tasks. Each row still belongs to one range, so results stay the same
// for any thread count; the cuts depend only on the graph and the feature width.
std::vector<int64_t> balanced_cuts(const CsrView& g, int64_t out_len) {
  const int64_t work = g.nnz + g.rows;
  const int64_t per = std::max<int64_t>(1, (int64_t{1} << 15) / std::max<int64_t>(1, out_len));
  const int64_t chunks = std::clamp<int64_t>(work / per, 1, std::max<int64_t>(1, g.rows));
  std::vector<int64_t> cuts(static_cast<size_t>(chunks) + 1);
  cuts[0] = 0;
  for (int64_t c = 1; c < chunks; ++c) {
    // First row v with indptr[v] + v >= c * work / chunks.
    const int64_t target = c * (work / chunks) + c * (work % chunks) / chunks;
    int64_t lo = cuts[static_cast<size_t>(c - 1)], hi = g.rows;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (g.indptr[mid] + mid < target) lo = mid + 1; else hi = mid;
    }
    cuts[static_cast<size_t>(c)] = lo;
  }
  cuts[static_cast<size_t>(chunks)] = g.rows;
  return cuts;
}

// The common path: sum/mean of u rows (copy_u) or of u rows times one weight per entry (u_mul_e with scalar
// weights), u contiguous with rows of N features. N is a compile-time constant for the usual widths so that the
// accumulators live in registers and the loop vectorizes fully; u rows a few entries ahead are prefetched because
// the gathers are random and the hardware prefetcher cannot guess them. Same order as forward_rows: the first
// entry sets the accumulator, the others add in entry order.
constexpr int64_t kAhead = 4;  // entries prefetched ahead (across row ends: the next rows' gathers overlap too)

template <class T, bool kMul, int N>
inline void sum_row_block(const int32_t* idx, const T* u, const T* w, int64_t k0, int64_t k1, int64_t nnz,
                          int64_t ld, int64_t c0, T* o) {
  T acc[N];
  {
    const T* x = u + static_cast<int64_t>(idx[k0]) * ld + c0;
    const T s = kMul ? w[k0] : T(1);
#pragma GCC ivdep
    for (int c = 0; c < N; ++c) acc[c] = kMul ? x[c] * s : x[c];
  }
  for (int64_t k = k0 + 1; k < k1; ++k) {
    if (k + kAhead < nnz) {
      const char* p = reinterpret_cast<const char*>(u + static_cast<int64_t>(idx[k + kAhead]) * ld + c0);
      for (int64_t b = 0; b < static_cast<int64_t>(N * sizeof(T)); b += 64) __builtin_prefetch(p + b, 0, 0);
    }
    const T* x = u + static_cast<int64_t>(idx[k]) * ld + c0;
    const T s = kMul ? w[k] : T(1);
#pragma GCC ivdep
    for (int c = 0; c < N; ++c) acc[c] += kMul ? x[c] * s : x[c];
  }
#pragma GCC ivdep
  for (int c = 0; c < N; ++c) o[c] = acc[c];
}

// Rows [r0, r1) for width L: blocks of N columns (N = L for the fixed widths), then the mean's scaling.
template <class T, bool kMul, int N>
void sum_rows(const CsrView& g, const T* u, const T* w, bool mean, T* out, int64_t L, int64_t r0, int64_t r1) {
  for (int64_t v = r0; v < r1; ++v) {
    T* o = out + v * L;
    const int64_t k0 = g.indptr[v], k1 = g.indptr[v + 1];
    if (k0 == k1) {
      std::fill(o, o + L, T(0));
      continue;
    }
    if (v == r0) {
      // Warm the first rows of the range, which the previous entries did not prefetch.
      for (int64_t k = k0; k < std::min(k1, k0 + kAhead); ++k) {
        const char* p = reinterpret_cast<const char*>(u + static_cast<int64_t>(g.indices[k]) * L);
        for (int64_t b = 0; b < L * static_cast<int64_t>(sizeof(T)); b += 64) __builtin_prefetch(p + b, 0, 0);
      }
    }
    for (int64_t c0 = 0; c0 < L; c0 += N) sum_row_block<T, kMul, N>(g.indices, u, w, k0, k1, g.nnz, L, c0, o + c0);
    if (mean) {
      const T s = T(1) / static_cast<T>(k1 - k0);
      for (int64_t f = 0; f < L; ++f) o[f] *= s;
    }
  }
}

// propagate's update on rows [r0, r1) just written by the same task (still in cache).
template <class T>
void epilogue_rows(const Epilogue& ep, T* out, int64_t L, int64_t r0, int64_t r1) {
  if (!ep.active()) return;
  const T* root = static_cast<const T*>(ep.root);
  const T* bias = static_cast<const T*>(ep.bias);
  const T slope = static_cast<T>(ep.slope);
  for (int64_t v = r0; v < r1; ++v) {
    T* o = out + v * L;
    const T* rv = root != nullptr ? root + v * L : nullptr;
    for (int64_t f = 0; f < L; ++f) o[f] = apply_epilogue(o[f], f, rv, bias, ep.act, slope);
  }
}

// Dispatches the fast path; false when the layout or reducer is not the common one.
template <class T, class F, class R>
bool try_fast_sum(const CsrView& g, const T* u, const T* e, const Bcast& b, bool mean, const Epilogue& ep, T* out) {
  constexpr bool kCopy = std::is_same_v<F, CopyUF>, kMul = std::is_same_v<F, UMulEF>;
  if constexpr (!std::is_same_v<R, SumR> || !(kCopy || kMul)) {
    return false;
  } else {
    const int64_t L = b.out_len;
    if (b.n[0] != 1 || b.n[1] != 1 || b.u_len != L || b.n[2] != L || (kMul && b.e_len != 1)) return false;
    const std::vector<int64_t> cuts = balanced_cuts(g, L);
    auto run = [&]<int N>() {
      parallel_for(static_cast<int64_t>(cuts.size()) - 1, 1, [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c) {
          const int64_t r0 = cuts[static_cast<size_t>(c)], r1 = cuts[static_cast<size_t>(c) + 1];
          sum_rows<T, kMul, N>(g, u, e, mean, out, L, r0, r1);
          epilogue_rows(ep, out, L, r0, r1);
        }
      });
    };
    switch (L) {
      case 16: run.template operator()<16>(); break;
      case 32: run.template operator()<32>(); break;
      case 64: run.template operator()<64>(); break;
      case 128: run.template operator()<128>(); break;
      case 256: run.template operator()<256>(); break;
      default:
        if (L % 16 != 0) return false;
        run.template operator()<16>();
    }
    return true;
  }
}

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
               const Epilogue& epi, const Tensor& out, const Tensor& arg) {
  const CsrView g = view_of(gr);
  const bool mean = reduce == Reduce::kMean;
  dispatch_floating(out.dtype(), "gspmm", [&]<class T>() {
    const T* up = u.defined() ? u.data<T>() : nullptr;
    const T* ep = e.defined() ? e.data<T>() : nullptr;
    T* op = out.data<T>();
    int64_t* ap = arg.defined() ? arg.data<int64_t>() : nullptr;
    with_msg(msg, [&]<class F>(F) {
      with_reducer(reduce, [&]<class R>(R) {
        if (try_fast_sum<T, F, R>(g, up, ep, b, mean, epi, op)) return;
        auto run = [&]<int US, int ES>() {
          parallel_for(g.rows, row_grain(g, b.out_len), [&](int64_t r0, int64_t r1) {
            forward_rows<T, F, R, US, ES>(g, up, ep, b, mean, op, ap, r0, r1);
            epilogue_rows(epi, op, b.out_len, r0, r1);
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
              const T* ub = F::d_rhs_reads_lhs ? up + static_cast<int64_t>(g.indices[k]) * b.u_len : nullptr;
              const T* eb = ep + k * b.e_len;
              T* dk = dp + k * b.e_len;
              for_each_feature(b, [&](int64_t f, int64_t uo, int64_t eo) {
                if (av && av[f] != k) return;
                dk[eo] += F::grad_rhs(dyv[f], F::d_rhs_reads_lhs ? ub[uo] : T(0), eb[eo]);
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
    const T* up = u.defined() ? u.data<T>() : nullptr;
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
            const T* uj = F::d_lhs_reads_lhs ? up + j * b.u_len : nullptr;
            for (int64_t kt = gt.indptr[j]; kt < gt.indptr[j + 1]; ++kt) {
              const int64_t k = eid[kt], v = gt.indices[kt];
              const int64_t* av = ap + v * b.out_len;
              const T* dyv = gp + v * b.out_len;
              const T* ek = F::d_lhs_reads_rhs ? ep + k * b.e_len : nullptr;
              for_each_feature(b, [&](int64_t f, int64_t uo, int64_t eo) {
                if (av[f] != k) return;
                dj[f] += F::grad_lhs(dyv[f], F::d_lhs_reads_lhs ? uj[uo] : T(0), F::d_lhs_reads_rhs ? ek[eo] : T(0));
              });
            }
          }
        });
      }
    });
  });
}

void act_backward_cpu(Act act, double slope, const Tensor& y, const Tensor& dy, const Tensor& dz) {
  dispatch_floating(y.dtype(), "propagate backward", [&]<class T>() {
    const T* yp = y.data<T>();
    const T* gp = dy.data<T>();
    T* zp = dz.data<T>();
    const T s = static_cast<T>(slope);
    parallel_for(y.numel(), int64_t{1} << 14, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) zp[i] = gp[i] * loom::detail::activation_backward_y(act, yp[i], s);
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
