// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Row-centric dot products over a Csr (declared in gspmm_cuda.cuh): out[k, h] = sum_c held[row k, h, c] *
// gathered[col k, h, c]. gsddmm's u_dot_v and the edge gradient of gspmm(u_mul_e, sum) are this one computation.
// A group of G lanes per row keeps held[row] in registers (one vector per lane) and, for each entry of the row,
// gathers gathered[col] with coalesced 16-byte loads (B in flight per lane), multiplies, and sums each head over its
// lanes with a fixed butterfly. Rows longer than the schedule's chunk are split into chunks (a second launch), so a
// hub never serializes one group. Each out value is written once: no atomics, bitwise reproducible.
#include <algorithm>

#include "core/detail/dispatch.h"
#include "core/message/gspmm_cuda.cuh"

namespace loom::mp::detail {
namespace {

using loom::detail::dispatch_floating;

// Lane layout of a row: a head's C channels are P vectors of V values, spread over PL lanes (the power of two
// >= P; lanes past P hold zeros). A group of G lanes covers HP = G / PL heads per pass, passes cover all heads.
struct DotParams {
  const int64_t* indptr = nullptr;
  const int32_t* indices = nullptr;
  int64_t count = 0;  // rows (row mode) or items (chunk mode)
  int64_t chunk = 0;
  const int64_t* item_rc = nullptr;  // chunk mode when set
  const int64_t* heavy_rows = nullptr;
  int64_t H = 1, C = 1;  // heads, channels per head
  int P = 1, PL = 1, HP = 1;
};

constexpr int kDotThreads = 64;  // small blocks: row lengths vary a lot (as spmm_fast_kernel)

template <class T, int G, int V>
__global__ void __launch_bounds__(kDotThreads, 12) row_dot_kernel(DotParams p, const T* __restrict__ held,
                                                               const T* __restrict__ gathered, T* __restrict__ out) {
  constexpr int B = G < 8 ? G : 8;  // gathers in flight per lane
  const int64_t gid = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) / G;
  const int lane = threadIdx.x % G;
  if (gid >= p.count) return;  // whole groups leave together; shuffles below use the group's own mask
  const unsigned mask = G == 32 ? 0xffffffffu : ((1u << G) - 1u) << ((threadIdx.x % kWarp) / G * G);
  int64_t row, begin, end;
  if (p.item_rc == nullptr) {
    row = gid;
    begin = p.indptr[row];
    end = p.indptr[row + 1];
    if (end - begin > p.chunk) return;  // a heavy row: chunk mode does it
  } else {
    row = p.heavy_rows[p.item_rc[2 * gid]];
    begin = p.indptr[row] + p.item_rc[2 * gid + 1] * p.chunk;
    end = ::min(p.indptr[row + 1], begin + p.chunk);
  }
  if (begin >= end) return;
  const int64_t L = p.H * p.C;
  const int32_t* __restrict__ idx = p.indices;
  const int slot = lane / p.PL, part = lane % p.PL;  // head slot of the pass, vector within the head
  for (int64_t h0 = 0; h0 < p.H; h0 += p.HP) {
    const int64_t h = h0 + slot;
    const bool act = h < p.H && part < p.P;
    const int64_t f = h * p.C + int64_t(part) * V;
    const Vec<T, V> hv = act ? ldg_vec<T, V>(held + row * L + f) : zero_vec<T, V>();
    for (int64_t k0 = begin; k0 < end; k0 += G) {
      const int n = end - k0 < G ? static_cast<int>(end - k0) : G;
      const int my_col = lane < n ? __ldg(idx + k0 + lane) : 0;
      for (int i0 = 0; i0 < n; i0 += B) {
        Vec<T, V> w[B];
#pragma unroll
        for (int i = 0; i < B; ++i) {
          const int col = __shfl_sync(mask, my_col, i0 + i, G);
          w[i] = act && i0 + i < n ? ldg_vec<T, V>(gathered + int64_t(col) * L + f) : zero_vec<T, V>();
        }
        T s[B];
#pragma unroll
        for (int i = 0; i < B; ++i) {
          s[i] = hv.x[0] * w[i].x[0];
#pragma unroll
          for (int j = 1; j < V; ++j) s[i] += hv.x[j] * w[i].x[j];
        }
        for (int o = 1; o < p.PL; o <<= 1) {
#pragma unroll
          for (int i = 0; i < B; ++i) s[i] += __shfl_xor_sync(mask, s[i], o, G);
        }
        if (part == 0 && h < p.H) {
#pragma unroll
          for (int i = 0; i < B; ++i) {
            if (i0 + i < n) out[(k0 + i0 + i) * p.H + h] = s[i];
          }
        }
      }
    }
  }
}

template <class T, int V>
void launch_row_dot(const DotParams& p, int G, const T* held, const T* gathered, T* out) {
  const int64_t per_block = kDotThreads / G;
  const auto blocks = static_cast<unsigned>((p.count + per_block - 1) / per_block);
  switch (G) {
    case 4: row_dot_kernel<T, 4, V><<<blocks, kDotThreads, 0, stream()>>>(p, held, gathered, out); break;
    case 8: row_dot_kernel<T, 8, V><<<blocks, kDotThreads, 0, stream()>>>(p, held, gathered, out); break;
    case 16: row_dot_kernel<T, 16, V><<<blocks, kDotThreads, 0, stream()>>>(p, held, gathered, out); break;
    default: row_dot_kernel<T, 32, V><<<blocks, kDotThreads, 0, stream()>>>(p, held, gathered, out); break;
  }
  LOOM_CUDA_CHECK_LAUNCH();
}

}  // namespace

bool row_dot_cuda(const Csr& g, const Tensor& held, const Tensor& gathered, int64_t heads, int64_t C,
                  const Tensor& out) {
  if (heads < 1 || C < 1) return false;
  bool done = false;
  dispatch_floating(out.dtype(), "gsddmm(u_dot_v)", [&]<class T>() {
    constexpr int kVec = 16 / sizeof(T);
    const T* hp = held.data<T>();
    const T* gp = gathered.data<T>();
    T* op = out.data<T>();
    const bool vec = C % kVec == 0 && aligned16(hp) && aligned16(gp);
    const int V = vec ? kVec : 1;
    if (C / V > kWarp) return;  // a head wider than a warp of vectors: not covered
    DotParams p;
    p.indptr = g.indptr().data<int64_t>();
    p.indices = g.indices().data<int32_t>();
    p.H = heads;
    p.C = C;
    p.P = static_cast<int>(C / V);
    p.PL = pow2_at_least(p.P);
    const int G = std::max(4, pow2_at_least(heads * p.PL));
    p.HP = G / p.PL;
    done = true;
    if (g.nnz() == 0 || g.num_rows() == 0) return;
    const Schedule sch = schedule_for(g);
    p.chunk = sch.chunk;
    auto launch = [&](const DotParams& q) {
      if (vec) {
        launch_row_dot<T, kVec>(q, G, hp, gp, op);
      } else {
        launch_row_dot<T, 1>(q, G, hp, gp, op);
      }
    };
    p.count = g.num_rows();
    launch(p);
    if (sch.heavy == 0) return;
    DotParams q = p;
    q.count = sch.items;
    q.item_rc = sch.item_rc.data<int64_t>();
    q.heavy_rows = sch.heavy_rows.data<int64_t>();
    launch(q);
  });
  return done;
}

}  // namespace loom::mp::detail
