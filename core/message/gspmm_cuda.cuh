// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA-only, private to the message engine's .cu files: 16-byte vector loads and stores, layout predicates of a
// Bcast, the heavy-row schedule (cached in each Csr) and the row-centric dot kernel shared by gsddmm's u_dot_v and
// gspmm's edge gradient (gsddmm_dot_cuda.cu).
#pragma once
#include <cstdint>
#include <type_traits>

#include "core/detail/cuda_utils.cuh"
#include "core/message/gspmm.h"
#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::mp::detail {

using loom::detail::kThreads;
using loom::detail::kWarp;
using loom::detail::stream;

// ------------------------------------------------------------------ vectors
template <class T, int V>
struct alignas(sizeof(T) * V) Vec {
  T x[V];
};

template <class T, int V>
__device__ inline Vec<T, V> zero_vec() {
  Vec<T, V> w;
#pragma unroll
  for (int j = 0; j < V; ++j) w.x[j] = T(0);
  return w;
}

// A read-only 16-byte (or scalar) load through the non-coherent cache.
template <class T, int V>
__device__ inline Vec<T, V> ldg_vec(const T* p) {
  if constexpr (std::is_same_v<T, float> && V == 4) {
    const float4 w = __ldg(reinterpret_cast<const float4*>(p));
    return Vec<T, V>{{w.x, w.y, w.z, w.w}};
  } else if constexpr (std::is_same_v<T, double> && V == 2) {
    const double2 w = __ldg(reinterpret_cast<const double2*>(p));
    return Vec<T, V>{{w.x, w.y}};
  } else if constexpr (V == 1) {
    return Vec<T, V>{{__ldg(p)}};
  } else {
    return *reinterpret_cast<const Vec<T, V>*>(p);
  }
}

// A streamed store (evict-first): keeps L2 for the gathered rows.
template <class T, int V>
__device__ inline void st_vec(T* p, const Vec<T, V>& w) {
  if constexpr (std::is_same_v<T, float> && V == 4) {
    __stcs(reinterpret_cast<float4*>(p), make_float4(w.x[0], w.x[1], w.x[2], w.x[3]));
  } else if constexpr (std::is_same_v<T, double> && V == 2) {
    __stcs(reinterpret_cast<double2*>(p), make_double2(w.x[0], w.x[1]));
  } else {
    *reinterpret_cast<Vec<T, V>*>(p) = w;
  }
}

inline bool aligned16(const void* p) { return p == nullptr || reinterpret_cast<uintptr_t>(p) % 16 == 0; }

// The smallest power of two >= n, at most 32.
inline int pow2_at_least(int64_t n) {
  int g = 1;
  while (g < n && g < kWarp) g <<= 1;
  return g;
}

// ------------------------------------------------------------------ layouts of a Bcast
// Whether u's element for output element f is u[row * out_len + f] (u laid out like the output).
inline bool u_like_out(const Bcast& b) {
  if (b.u_len != b.out_len) return false;
  return (b.n[2] == 1 || b.us[2] == 1) && (b.n[1] == 1 || b.us[1] == b.n[2]) &&
         (b.n[0] == 1 || b.us[0] == b.n[1] * b.n[2]);
}

// Whether e holds one value per (entry, head) broadcast over the C = n[2] channels of the head: e [nnz, H] (or
// [nnz, H, 1]) against an output row [H, C]. Element f then reads e[k * e_len + f / C].
inline bool e_per_head(const Bcast& b) {
  return b.e_len > 1 && b.n[0] == 1 && b.n[1] == b.e_len && b.es[1] == 1 && b.es[2] == 0 && b.n[2] > 1;
}

// ------------------------------------------------------------------ heavy-row schedule (gspmm_forward_cuda.cu)
// Rows longer than `chunk` entries are "heavy": they are split into fixed chunks (items), so that no row
// serializes one lane group. Built once per Csr pattern from a host copy of indptr and cached in the Csr
// (core/sparse/csr_cache.h), so it dies with it.
struct Schedule {
  int64_t chunk = 0;
  int64_t items = 0, heavy = 0;
  Tensor item_rc;     // int64 [items, 2]: (heavy row h, chunk c); the items of one row are consecutive
  Tensor heavy_rows;  // int64 [heavy]
  Tensor heavy_off;   // int64 [heavy + 1]: items of heavy row h are [heavy_off[h], heavy_off[h + 1])
  int64_t light = 0;
  Tensor light_order;  // fast kernel's schedule only: int64 [light], the other rows, longest first (ties: lower row)
};
Schedule schedule_for(const Csr& g);

// ------------------------------------------------------------------ row-centric dots (gsddmm_dot_cuda.cu)
// out[k, h] = sum_c held[row k, h * C + c] * gathered[col k, h * C + c] over the entries k of g, with held
// [rows, heads * C], gathered [cols, heads * C] and out [nnz, heads] of one floating dtype. gsddmm's u_dot_v is
// (held v, gathered u); the edge gradient of gspmm(u_mul_e, sum) is (held dy, gathered u). Deterministic: each out
// value is written once, channels summed in a fixed order. Returns false, launching nothing, for the shapes it does
// not cover (C wider than 32 vectors); the caller then runs its general kernel.
bool row_dot_cuda(const Csr& g, const Tensor& held, const Tensor& gathered, int64_t heads, int64_t C,
                  const Tensor& out);

}  // namespace loom::mp::detail
