// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of gspmm's backward that are not themselves a gspmm: the edge gradient de (the row-centric dot of
// gsddmm_dot_cuda.cu for u_mul_e with one value per entry or per head; a warp or a thread per entry value
// otherwise), du for max/min over the transpose with the stored arg entries, and the 1/degree scaling of mean.
// Every output value is written by one thread or lane group: no atomics, bitwise reproducible.
#include <algorithm>
#include <type_traits>

#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/message/binary_ops.h"
#include "core/message/gspmm.h"
#include "core/message/gspmm_cuda.cuh"

namespace loom::mp::detail {
namespace {

using loom::detail::dispatch_floating;

// ------------------------------------------------------------------ backward kernels
// Output element coordinates of (fe, r): fe runs over the dimensions e keeps (bit d of emask), r over those e
// broadcasts. Gives u's offset and the flat output index.
__device__ inline void split_fe(int64_t fe, int64_t r, const Bcast& b, int emask, int64_t& uo, int64_t& f) {
  int64_t i[3];
#pragma unroll
  for (int d = 2; d >= 0; --d) {
    if ((emask >> d) & 1) {
      i[d] = fe % b.n[d];
      fe /= b.n[d];
    } else {
      i[d] = r % b.n[d];
      r /= b.n[d];
    }
  }
  uo = i[0] * b.us[0] + i[1] * b.us[1] + i[2] * b.us[2];
  f = (i[0] * b.n[1] + i[1]) * b.n[2] + i[2];
}

struct EdgeParams {
  const int32_t* indices;
  const int32_t* rows;  // row of each entry
  int64_t nnz;
  Bcast b;
  int emask;
  int64_t reps;  // output elements per e element (out_len / e_len)
};

// The contribution of output element (f, u offset uo) of entry k to de[k, fe].
template <class T, class F>
__device__ inline T edge_term(const EdgeParams& p, const T* u, T ek, const T* dyv, const int64_t* av, int64_t k,
                              int64_t j, int64_t uo, int64_t f) {
  if (av != nullptr && av[f] != k) return T(0);
  const T uv = F::d_rhs_reads_lhs ? u[j * p.b.u_len + uo] : T(0);
  return F::grad_rhs(dyv[f], uv, ek);
}

// Many output elements per e element (e broadcast, e.g. one weight per entry): a warp per (entry, e element),
// lanes across the repeats, a butterfly sum.
template <class T, class F>
__global__ void edge_grad_warp_kernel(EdgeParams p, const T* __restrict__ u, const T* __restrict__ e,
                                      const T* __restrict__ dy, const int64_t* __restrict__ arg, T* __restrict__ de) {
  const int64_t w = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (w >= p.nnz * p.b.e_len) return;  // uniform per warp
  const int64_t k = w / p.b.e_len, fe = w % p.b.e_len;
  const int64_t v = p.rows[k], j = p.indices[k];
  const T ek = e[k * p.b.e_len + fe];
  const T* dyv = dy + v * p.b.out_len;
  const int64_t* av = arg ? arg + v * p.b.out_len : nullptr;
  T acc(0);
  for (int64_t r = lane; r < p.reps; r += kWarp) {
    int64_t uo, f;
    split_fe(fe, r, p.b, p.emask, uo, f);
    acc += edge_term<T, F>(p, u, ek, dyv, av, k, j, uo, f);
  }
  acc = loom::detail::warp_sum(acc);
  if (lane == 0) de[k * p.b.e_len + fe] = acc;
}

// Few repeats (e as wide as the output): a thread per (entry, e element), repeats in order.
template <class T, class F>
__global__ void edge_grad_thread_kernel(EdgeParams p, const T* __restrict__ u, const T* __restrict__ e,
                                        const T* __restrict__ dy, const int64_t* __restrict__ arg,
                                        T* __restrict__ de) {
  const int64_t n = p.nnz * p.b.e_len;
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t k = t / p.b.e_len, fe = t % p.b.e_len;
    const int64_t v = p.rows[k], j = p.indices[k];
    const T ek = e[t];
    const T* dyv = dy + v * p.b.out_len;
    const int64_t* av = arg ? arg + v * p.b.out_len : nullptr;
    T acc(0);
    for (int64_t r = 0; r < p.reps; ++r) {
      int64_t uo, f;
      split_fe(fe, r, p.b, p.emask, uo, f);
      acc += edge_term<T, F>(p, u, ek, dyv, av, k, j, uo, f);
    }
    de[t] = acc;
  }
}

// max/min du over the transpose: a warp per source row j, lanes across the features (4 per lane per tile); each
// lane owns its du[j, f], so there is no atomic and the entry order is fixed.
template <class T, class F>
__global__ void arg_u_grad_kernel(CsrView gt, const int64_t* __restrict__ eid, Bcast b, const T* __restrict__ u,
                                  const T* __restrict__ e, const T* __restrict__ dy, const int64_t* __restrict__ arg,
                                  T* __restrict__ du) {
  constexpr int kPer = 4;
  const int64_t j = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (j >= gt.rows) return;
  const int64_t L = b.out_len;
  const int64_t k0 = gt.indptr[j], k1 = gt.indptr[j + 1];
  for (int64_t tile = 0; tile < L; tile += kWarp * kPer) {
    T acc[kPer];
    int64_t uo[kPer], eo[kPer];
#pragma unroll
    for (int q = 0; q < kPer; ++q) {
      acc[q] = T(0);
      uo[q] = eo[q] = 0;
      const int64_t f = tile + q * kWarp + lane;
      if (f < L) b.offsets(f, uo[q], eo[q]);
    }
    for (int64_t kt = k0; kt < k1; ++kt) {
      const int64_t k = eid[kt], v = gt.indices[kt];
#pragma unroll
      for (int q = 0; q < kPer; ++q) {
        const int64_t f = tile + q * kWarp + lane;
        if (f >= L || arg[v * L + f] != k) continue;
        const T ev = F::d_lhs_reads_rhs ? e[k * b.e_len + eo[q]] : T(0);
        const T uv = F::d_lhs_reads_lhs ? u[j * b.u_len + uo[q]] : T(0);
        acc[q] += F::grad_lhs(dy[v * L + f], uv, ev);
      }
    }
#pragma unroll
    for (int q = 0; q < kPer; ++q) {
      const int64_t f = tile + q * kWarp + lane;
      if (f < L) du[j * L + f] = acc[q];
    }
  }
}

// y[v, :] = x[v, :] / max(deg v, 1). A block per group of rows: the degree is read once per row, not per element,
// and the feature loop needs no 64-bit division (this pass ran at a third of the bandwidth the other way).
template <class T>
__global__ void scale_kernel(const int64_t* __restrict__ indptr, const T* __restrict__ x, T* __restrict__ y,
                             int64_t rows, int64_t L) {
  for (int64_t v = blockIdx.x * int64_t(blockDim.y) + threadIdx.y; v < rows; v += int64_t(gridDim.x) * blockDim.y) {
    const int64_t deg = indptr[v + 1] - indptr[v];
    const T inv = T(1) / T(deg > 1 ? deg : 1);
    const T* xr = x + v * L;
    T* yr = y + v * L;
    for (int64_t c = threadIdx.x; c < L; c += blockDim.x) yr[c] = xr[c] * inv;
  }
}

}  // namespace

void edge_grad_cuda(const Csr& g, Msg msg, const Tensor& u, const Tensor& e, const Tensor& dy, const Tensor& arg,
                    const Bcast& b, const Tensor& de) {
  // grad_rhs(dy, u, e) = dy * u (u_mul_e; RhsGradMsg is Mul) summed, e one value per entry or per head:
  // de[k, h] = dy[row k, h, :] . u[col k, h, :], the row-centric dot (dy[row] held in registers, u rows gathered once per entry).
  const bool dot_form = with_msg(msg, []<class F>(F) { return std::is_same_v<typename F::RhsGradMsg, Mul>; });
  if (dot_form && !arg.defined() && u_like_out(b) && (b.e_len == 1 || e_per_head(b)) &&
      row_dot_cuda(g, dy, u, b.e_len, b.out_len / b.e_len, de)) {
    return;
  }
  EdgeParams p;
  p.indices = g.indices().data<int32_t>();
  p.rows = g.row_index().data<int32_t>();
  p.nnz = g.nnz();
  p.b = b;
  p.emask = 0;
  for (int d = 0; d < 3; ++d) {
    if (b.es[d] != 0 && b.n[d] > 1) p.emask |= 1 << d;
  }
  p.reps = b.out_len / b.e_len;
  const int64_t* ap = arg.defined() ? arg.data<int64_t>() : nullptr;
  dispatch_floating(de.dtype(), "gspmm backward", [&]<class T>() {
    const T* up = u.defined() ? u.data<T>() : nullptr;
    with_msg(msg, [&]<class F>(F) {
      if constexpr (F::use_rhs) {
        if (p.reps >= 16) {
          const int64_t warps = p.nnz * b.e_len;
          const int64_t blocks = (warps + kThreads / kWarp - 1) / (kThreads / kWarp);
          edge_grad_warp_kernel<T, F><<<static_cast<unsigned>(blocks), kThreads, 0, stream()>>>(
              p, up, e.data<T>(), dy.data<T>(), ap, de.data<T>());
        } else {
          edge_grad_thread_kernel<T, F><<<loom::detail::blocks_for(p.nnz * b.e_len), kThreads, 0, stream()>>>(
              p, up, e.data<T>(), dy.data<T>(), ap, de.data<T>());
        }
        LOOM_CUDA_CHECK_LAUNCH();
      }
    });
  });
}

void arg_u_grad_cuda(const Csr& gt, Msg msg, const Tensor& u, const Tensor& e, const Tensor& dy, const Tensor& arg,
                     const Bcast& b, const Tensor& du) {
  const CsrView v = view_of(gt);
  const int64_t* eid = gt.edge_ids().data<int64_t>();
  dispatch_floating(du.dtype(), "gspmm backward", [&]<class T>() {
    const T* ep = e.defined() ? e.data<T>() : nullptr;
    const T* up = u.defined() ? u.data<T>() : nullptr;
    with_msg(msg, [&]<class F>(F) {
      if constexpr (F::use_lhs) {
        const int64_t blocks = (v.rows + kThreads / kWarp - 1) / (kThreads / kWarp);
        arg_u_grad_kernel<T, F><<<static_cast<unsigned>(blocks), kThreads, 0, stream()>>>(
            v, eid, b, up, ep, dy.data<T>(), arg.data<int64_t>(), du.data<T>());
        LOOM_CUDA_CHECK_LAUNCH();
      }
    });
  });
}

void scale_by_inv_degree_cuda(const Csr& g, const Tensor& dy, const Tensor& out) {
  const int64_t L = dy.numel() / std::max<int64_t>(1, g.num_rows());
  dispatch_floating(dy.dtype(), "gspmm backward", [&]<class T>() {
    // blockDim.x lanes across a row's features (a warp, fewer for narrow rows), blockDim.y rows per block.
    const unsigned lanes = L >= 32 ? 32u : L >= 8 ? 8u : 1u, rows_per_block = kThreads / lanes;
    const int64_t rows = g.num_rows();
    const int64_t blocks = std::min<int64_t>((rows + rows_per_block - 1) / rows_per_block, 65535LL * 8);
    if (rows == 0) return;
    scale_kernel<T><<<static_cast<unsigned>(std::max<int64_t>(blocks, 1)), dim3(lanes, rows_per_block), 0, stream()>>>(
        g.indptr().data<int64_t>(), dy.data<T>(), out.data<T>(), rows, L);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

namespace {

template <class T>
__global__ void act_backward_kernel(Act act, T slope, const T* __restrict__ y, const T* __restrict__ dy,
                                    T* __restrict__ dz, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    dz[i] = dy[i] * loom::detail::activation_backward_y(act, y[i], slope);
  }
}

}  // namespace

void act_backward_cuda(Act act, double slope, const Tensor& y, const Tensor& dy, const Tensor& dz) {
  const int64_t n = y.numel();
  if (n == 0) return;
  dispatch_floating(y.dtype(), "propagate backward", [&]<class T>() {
    act_backward_kernel<T><<<loom::detail::blocks_for(n), kThreads, 0, stream()>>>(
        act, static_cast<T>(slope), y.data<T>(), dy.data<T>(), dz.data<T>(), n);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace loom::mp::detail
