// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of gspmm_act. Forward, dv and du: each row (of g, or of its transpose for du) is owned by a team
// (team.cuh: a warp, or a block for rows above kHeavy entries), lanes across the features and groups across the
// entries, partials combined by the team's fixed butterfly. dw: a group of lanes per entry, lanes across the
// features, a butterfly sum. No atomics anywhere: bitwise reproducible run to run.
#include "core/detail/dispatch.h"
#include "core/message/gspmm.h"
#include "core/message/gspmm_act.h"
#include "core/message/segment.h"
#include "core/message/team.cuh"

namespace loom::mp::detail {
namespace {

using loom::detail::arg_wins;
using loom::detail::dispatch_floating;
using loom::detail::kThreads;
using loom::detail::kWarp;
using loom::detail::stream;
using loom::detail::team::ArgVal;
using loom::detail::team::launch_segments;
using loom::detail::team::lanes_for;
using loom::detail::team::SumOp;
using loom::detail::team::Team;
using loom::detail::team::team_reduce;

struct ArgMaxOp {  // the larger value, then the earlier entry (ties keep the first entry of the row)
  template <class T>
  __device__ ArgVal<T> operator()(ArgVal<T> a, ArgVal<T> b) const {
    if (b.i < 0) return a;
    if (a.i < 0) return b;
    return arg_wins<true>(b.v, b.i, a.v, a.i) ? b : a;
  }
};

// Pointers shared by every kernel.
template <class T>
struct Ptrs {
  const int32_t* idx;  // column of each entry (of g or gt)
  const T* u;
  const T* v;
  const T* w;  // nullptr: weights 1
  int64_t F;
  T slope;
};

template <class T, class A, bool kMax>
struct Forward {
  Ptrs<T> p;
  T* out;
  int64_t* arg;
  bool mean;
  __device__ void operator()(int64_t r, int64_t b, int64_t e, const Team& t, unsigned char* smem) const {
    const int64_t F = p.F;
    for (int64_t c0 = 0; c0 < F; c0 += t.g) {
      const int64_t c = c0 + t.col;
      const bool on = c < F;
      const T vr = on ? p.v[r * F + c] : T(0);
      if constexpr (kMax) {
        ArgVal<T> best{T(0), -1};
        if (on) {
          for (int64_t k = b + t.sub; k < e; k += t.subs) {
            const T s = p.w ? p.w[k] : T(1);
            const T m = s * A::forward(p.u[int64_t(p.idx[k]) * F + c] + vr, p.slope);
            if (best.i < 0 || arg_wins<true>(m, k, best.v, best.i)) best = {m, k};
          }
        }
        best = team_reduce(best, t, ArgMaxOp{}, reinterpret_cast<ArgVal<T>*>(smem));
        if (t.sub == 0 && on) {
          out[r * F + c] = best.i < 0 ? T(0) : best.v;
          arg[r * F + c] = best.i;
        }
      } else {
        T acc(0);
        if (on) {
          for (int64_t k = b + t.sub; k < e; k += t.subs) {
            const T s = p.w ? p.w[k] : T(1);
            acc += s * A::forward(p.u[int64_t(p.idx[k]) * F + c] + vr, p.slope);
          }
        }
        acc = team_reduce(acc, t, SumOp{}, reinterpret_cast<T*>(smem));
        if (mean && e > b) acc *= T(1) / T(e - b);
        if (t.sub == 0 && on) out[r * F + c] = acc;
      }
    }
  }
};

// dv[r, c] = gy[r, c] * sum over the row's entries of w[k] act'(z).
template <class T, class A>
struct DstGrad {
  Ptrs<T> p;
  const T* gy;
  const int64_t* arg;
  T* dv;
  __device__ void operator()(int64_t r, int64_t b, int64_t e, const Team& t, unsigned char* smem) const {
    const int64_t F = p.F;
    for (int64_t c0 = 0; c0 < F; c0 += t.g) {
      const int64_t c = c0 + t.col;
      const bool on = c < F;
      const T vr = on ? p.v[r * F + c] : T(0);
      const int64_t a = on && arg ? arg[r * F + c] : -1;
      T acc(0);
      if (on) {
        for (int64_t k = b + t.sub; k < e; k += t.subs) {
          if (arg && a != k) continue;
          const T s = p.w ? p.w[k] : T(1);
          acc += s * A::backward_x(p.u[int64_t(p.idx[k]) * F + c] + vr, p.slope);
        }
      }
      acc = team_reduce(acc, t, SumOp{}, reinterpret_cast<T*>(smem));
      if (t.sub == 0 && on) dv[r * F + c] = gy[r * F + c] * acc;
    }
  }
};

// du[j, c] = sum over j's out-entries (k, destination r) of gy[r, c] w[k] act'(u[j, c] + v[r, c]).
template <class T, class A>
struct SrcGrad {
  Ptrs<T> p;  // idx: gt's indices (destinations)
  const int64_t* eid;
  const T* gy;
  const int64_t* arg;
  T* du;
  __device__ void operator()(int64_t j, int64_t b, int64_t e, const Team& t, unsigned char* smem) const {
    const int64_t F = p.F;
    for (int64_t c0 = 0; c0 < F; c0 += t.g) {
      const int64_t c = c0 + t.col;
      const bool on = c < F;
      const T uj = on ? p.u[j * F + c] : T(0);
      T acc(0);
      if (on) {
        for (int64_t kt = b + t.sub; kt < e; kt += t.subs) {
          const int64_t k = eid[kt], r = p.idx[kt];
          if (arg && arg[r * F + c] != k) continue;
          const T s = p.w ? p.w[k] : T(1);
          acc += gy[r * F + c] * s * A::backward_x(uj + p.v[r * F + c], p.slope);
        }
      }
      acc = team_reduce(acc, t, SumOp{}, reinterpret_cast<T*>(smem));
      if (t.sub == 0 && on) du[j * F + c] = acc;
    }
  }
};

// dw[k] = sum over f of gy[r, f] act(z): groups of G lanes per entry (G a power of two covering F, at most 32),
// lanes across the features, a butterfly inside the group. The loop is uniform per warp (shuffles are safe).
template <class T, class A>
__global__ void edge_weight_grad_kernel(Ptrs<T> p, const int32_t* __restrict__ rows, const T* __restrict__ gy,
                                        const int64_t* __restrict__ arg, int64_t nnz, int G, T* __restrict__ dw) {
  const int lane = threadIdx.x % kWarp;
  const int per_warp = kWarp / G;
  const int64_t warp = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) / kWarp;
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / kWarp);
  const int64_t F = p.F;
  for (int64_t base = warp * per_warp; base < nnz; base += warps * per_warp) {
    const int64_t k = base + lane / G;
    T acc(0);
    if (k < nnz) {
      const int64_t r = rows[k], c = p.idx[k];
      for (int64_t f = lane % G; f < F; f += G) {
        if (arg && arg[r * F + f] != k) continue;
        acc += gy[r * F + f] * A::forward(p.u[c * F + f] + p.v[r * F + f], p.slope);
      }
    }
    for (int o = G / 2; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
    if (k < nnz && lane % G == 0) dw[k] = acc;
  }
}

template <class T>
Ptrs<T> ptrs_of(const Csr& g, const ActArgs& a) {
  return Ptrs<T>{g.indices().data<int32_t>(), a.u.data<T>(), a.v.data<T>(),
                 a.w.defined() ? a.w.data<T>() : nullptr, a.width, static_cast<T>(a.slope)};
}

}  // namespace

void gspmm_act_cuda(const Csr& g, Reduce reduce, const ActArgs& a, const Tensor& out, const Tensor& arg) {
  dispatch_floating(out.dtype(), "gspmm_act", [&]<class T>() {
    const Ptrs<T> p = ptrs_of<T>(g, a);
    with_activation(a.act, [&]<class A>(A) {
      if (reduce == Reduce::kMax) {
        launch_segments(Forward<T, A, true>{p, out.data<T>(), arg.data<int64_t>(), false}, g.indptr(), a.width);
      } else {
        launch_segments(Forward<T, A, false>{p, out.data<T>(), nullptr, reduce == Reduce::kMean}, g.indptr(),
                        a.width);
      }
    });
  });
}

void act_dst_grad_cuda(const Csr& g, const ActArgs& a, const Tensor& gy, const Tensor& arg, const Tensor& dv,
                       const Tensor& dw) {
  const int64_t* ap = arg.defined() ? arg.data<int64_t>() : nullptr;
  dispatch_floating(gy.dtype(), "gspmm_act backward", [&]<class T>() {
    const Ptrs<T> p = ptrs_of<T>(g, a);
    with_activation(a.act, [&]<class A>(A) {
      if (dv.defined()) launch_segments(DstGrad<T, A>{p, gy.data<T>(), ap, dv.data<T>()}, g.indptr(), a.width);
      if (dw.defined()) {
        const int G = lanes_for(a.width);
        const int64_t warps = (g.nnz() + kWarp / G - 1) / (kWarp / G);
        edge_weight_grad_kernel<T, A><<<loom::detail::row_blocks(warps), kThreads, 0, stream()>>>(
            p, g.row_index().data<int32_t>(), gy.data<T>(), ap, g.nnz(), G, dw.data<T>());
        LOOM_CUDA_CHECK_LAUNCH();
      }
    });
  });
}

void act_src_grad_cuda(const Csr& gt, const ActArgs& a, const Tensor& gy, const Tensor& arg, const Tensor& du) {
  const int64_t* ap = arg.defined() ? arg.data<int64_t>() : nullptr;
  dispatch_floating(gy.dtype(), "gspmm_act backward", [&]<class T>() {
    const Ptrs<T> p = ptrs_of<T>(gt, a);
    with_activation(a.act, [&]<class A>(A) {
      launch_segments(SrcGrad<T, A>{p, gt.edge_ids().data<int64_t>(), gy.data<T>(), ap, du.data<T>()}, gt.indptr(),
                      a.width);
    });
  });
}

}  // namespace loom::mp::detail
