// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of gsddmm. Forward: a thread per (entry, feature) — the GAT case u_add_v on [N, H] is a thread per
// (entry, head) — with 16-byte loads when rows are unbroadcast and aligned; kDot on unbroadcast operands is the
// row-centric dot of gsddmm_dot_cuda.cu (v[row] in registers, u[col] gathered), otherwise each (entry, output
// feature) gets a lane group that splits the reduced dimension and combines it with a fixed butterfly. Backward: a team per row of
// the walked Csr (a warp, or a block for heavy rows: team.cuh). No atomics: bitwise reproducible.
#include <type_traits>

#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/message/gsddmm.h"
#include "core/message/gspmm_cuda.cuh"
#include "core/message/team.cuh"

namespace loom::detail {
namespace {

template <class T, int V>
struct alignas(sizeof(T) * V) Pack {
  T a[V];
};

template <class Fn, class T>
__global__ void map_kernel(const int32_t* __restrict__ rows, const int32_t* __restrict__ cols, const T* __restrict__ u,
                           const T* __restrict__ v, T* __restrict__ out, int64_t nnz, SddmmDims d) {
  const int64_t len = d.full_len, n = nnz * len;
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t k = t / len, f = t % len;
    int64_t ou, ov;
    d.ix.offsets(f, ou, ov);
    const T a = Fn::use_lhs ? u[int64_t(cols[k]) * d.u_len + ou] : T(0);
    const T b = Fn::use_rhs ? v[int64_t(rows[k]) * d.v_len + ov] : T(0);
    out[t] = Fn::apply(a, b);
  }
}

// Unbroadcast rows whose length is a multiple of V: V elements (16 bytes) per thread.
template <class Fn, class T, int V>
__global__ void map_vec_kernel(const int32_t* __restrict__ rows, const int32_t* __restrict__ cols,
                               const T* __restrict__ u, const T* __restrict__ v, T* __restrict__ out, int64_t nnz,
                               int64_t len) {
  using P = Pack<T, V>;
  const int64_t packs = len / V, n = nnz * packs;
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t k = t / packs, p = t % packs;
    P a{}, b{}, o;
    if (Fn::use_lhs) a = reinterpret_cast<const P*>(u + int64_t(cols[k]) * len)[p];
    if (Fn::use_rhs) b = reinterpret_cast<const P*>(v + int64_t(rows[k]) * len)[p];
#pragma unroll
    for (int i = 0; i < V; ++i) o.a[i] = Fn::apply(a.a[i], b.a[i]);
    reinterpret_cast<P*>(out)[t] = o;
  }
}

// kDot: `g` lanes (a power of two <= 32) per (entry, output feature). The loop runs in whole warps so that every
// lane takes part in the shuffles.
template <class T>
__global__ void dot_kernel(const int32_t* __restrict__ rows, const int32_t* __restrict__ cols, const T* __restrict__ u,
                           const T* __restrict__ v, T* __restrict__ out, int64_t groups, SddmmDims d, int g) {
  const int64_t out_len = d.full_len / d.red;
  const int64_t total = (groups * g + kWarp - 1) / kWarp * kWarp;
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t grp = t / g;
    const int lane = static_cast<int>(t % g);
    T acc(0);
    if (grp < groups) {
      const int64_t k = grp / out_len, fo = grp % out_len;
      const T* ur = u + int64_t(cols[k]) * d.u_len;
      const T* vr = v + int64_t(rows[k]) * d.v_len;
      for (int64_t j = lane; j < d.red; j += g) {
        int64_t ou, ov;
        d.ix.offsets(fo * d.red + j, ou, ov);
        acc += ur[ou] * vr[ov];
      }
    }
    for (int o = g / 2; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
    if (grp < groups && lane == 0) out[grp] = acc;
  }
}

// One row of the walked Csr per team (team.cuh): each thread sums its entry slots for one feature, the team
// combines the slots in a fixed order. Rows without entries get zeros.
template <class Fn, bool kSideU, class T>
struct BackwardRows {
  const int32_t* other;
  const int64_t* eids;
  const T* u;
  const T* v;
  const T* dy;
  T* grad;
  SddmmDims d;
  __device__ void operator()(int64_t x, int64_t b, int64_t e, const team::Team& t, unsigned char* smem) const {
    const int64_t full = d.full_len, out_len = d.full_len / d.red;
    for (int64_t c0 = 0; c0 < full; c0 += t.g) {
      const int64_t f = c0 + t.col;
      T acc(0);
      if (f < full) {
        int64_t ou, ov;
        d.ix.offsets(f, ou, ov);
        const int64_t fo = f / d.red;
        for (int64_t j = b + t.sub; j < e; j += t.subs) {
          const int64_t k = kSideU ? eids[j] : j;
          const int64_t ui = kSideU ? x : other[j], vi = kSideU ? other[j] : x;
          const T a = u ? u[ui * d.u_len + ou] : T(0);
          const T bv = v ? v[vi * d.v_len + ov] : T(0);
          acc += grad_side<Fn, kSideU>(dy[k * out_len + fo], a, bv);
        }
      }
      acc = team::team_reduce(acc, t, team::SumOp{}, reinterpret_cast<T*>(smem));
      if (t.sub == 0 && f < full) grad[x * full + f] = acc;
    }
  }
};

bool aligned16(const void* p) { return p == nullptr || reinterpret_cast<uintptr_t>(p) % 16 == 0; }

const void* ptr_or_null(const Tensor& t) { return t.defined() ? t.raw_data() : nullptr; }

}  // namespace

void gsddmm_cuda(const Csr& g, Binary op, const Tensor& u, const Tensor& v, const SddmmDims& d, const Tensor& out) {
  const int64_t nnz = g.nnz();
  const int32_t* rows = g.row_index().data<int32_t>();
  const int32_t* cols = g.indices().data<int32_t>();
  dispatch_floating(out.dtype(), "gsddmm", [&]<class T>() {
    const T* pu = static_cast<const T*>(ptr_or_null(u));
    const T* pv = static_cast<const T*>(ptr_or_null(v));
    T* po = out.data<T>();
    if (op == Binary::kDot) {
      if (d.ix.same && mp::detail::row_dot_cuda(g, v, u, d.out_len(), d.red, out)) return;
      int lanes = 1;
      while (lanes < d.red && lanes < kWarp) lanes *= 2;
      const int64_t groups = nnz * d.out_len();
      dot_kernel<T><<<blocks_for(groups * lanes), kThreads, 0, stream()>>>(rows, cols, pu, pv, po, groups, d, lanes);
      LOOM_CUDA_CHECK_LAUNCH();
      return;
    }
    with_binary(op, [&]<class Fn>(Fn) {
      constexpr int V = 16 / sizeof(T);
      if (d.ix.same && d.full_len % V == 0 && aligned16(pu) && aligned16(pv) && aligned16(po)) {
        map_vec_kernel<Fn, T, V><<<blocks_for(nnz * d.full_len / V), kThreads, 0, stream()>>>(rows, cols, pu, pv, po,
                                                                                              nnz, d.full_len);
      } else {
        map_kernel<Fn, T><<<blocks_for(nnz * d.full_len), kThreads, 0, stream()>>>(rows, cols, pu, pv, po, nnz, d);
      }
      LOOM_CUDA_CHECK_LAUNCH();
    });
  });
}

void gsddmm_backward_cuda(const Csr& walk, bool side_u, Binary op, const Tensor& u, const Tensor& v,
                          const Tensor& dy, const SddmmDims& d, const Tensor& grad) {
  const int32_t* other = walk.indices().data<int32_t>();
  const int64_t* eids = side_u ? walk.edge_ids().data<int64_t>() : nullptr;
  dispatch_floating(dy.dtype(), "gsddmm backward", [&]<class T>() {
    const T* pu = static_cast<const T*>(ptr_or_null(u));
    const T* pv = static_cast<const T*>(ptr_or_null(v));
    with_binary(op, [&]<class Fn>(Fn) {
      if (side_u) {
        team::launch_segments(BackwardRows<Fn, true, T>{other, eids, pu, pv, dy.data<T>(), grad.data<T>(), d},
                              walk.indptr(), d.full_len);
      } else {
        team::launch_segments(BackwardRows<Fn, false, T>{other, eids, pu, pv, dy.data<T>(), grad.data<T>(), d},
                              walk.indptr(), d.full_len);
      }
    });
  });
}

}  // namespace loom::detail
