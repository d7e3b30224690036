// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Elementwise maps shared by CPU and CUDA: the broadcast indexer and the CPU loops. The matching CUDA kernels are
// in elementwise.cuh; both call the same LOOM_HOST_DEVICE functors, so an op's arithmetic is written once.
#pragma once
#include <algorithm>
#include <cstdint>

#include "core/detail/macros.h"
#include "core/detail/parallel.h"
#include "loom/core/tensor.h"

namespace loom::detail {

// How two broadcast operands map a flat output index i, picked once on the host so that the common layouts skip
// the per-dimension div/mod of the general walk (which dominated [N, F] + [F] on the GPU).
enum class BroadcastPattern : int8_t {
  kGeneral,  // per-dimension div/mod (offsets())
  kSame,     // both operands hold out's elements in out's order: offsets are i itself
  kModulo,   // one operand is full (offset i), the other repeats with `period`: offset i % period ([F] vs [N, F])
  kDivide,   // one operand is full, the other holds one value per `period` run: offset i / period ([N, 1] vs [N, F])
};

// Maps a flat output index to flat offsets into two broadcast operands (rank <= kMaxRank, right-aligned).
struct BroadcastIndexer {
  int rank = 0;
  int64_t out_shape[kMaxRank] = {};
  int64_t a_stride[kMaxRank] = {};  // 0 on stretched dimensions
  int64_t b_stride[kMaxRank] = {};
  bool same = false;                // both operands are full: offsets are the index itself
  BroadcastPattern pattern = BroadcastPattern::kGeneral;
  bool a_full = true;               // kModulo / kDivide: a is the full operand and b the repeated one (else reversed)
  int64_t period = 1;               // kModulo / kDivide: the period (a scalar operand takes kDivide, period >= n)

  // The general walk in index type I (uint32_t when n < 2^31, so offsets and products fit).
  template <class I>
  LOOM_HOST_DEVICE void offsets_as(I i, I& ao, I& bo) const {
    ao = 0; bo = 0;
    for (int d = rank - 1; d >= 0; --d) {
      const I s = static_cast<I>(out_shape[d]);
      const I c = i % s;
      i /= s;
      ao += c * static_cast<I>(a_stride[d]);
      bo += c * static_cast<I>(b_stride[d]);
    }
  }
  LOOM_HOST_DEVICE void offsets(int64_t i, int64_t& ao, int64_t& bo) const {
    if (same) { ao = bo = i; return; }
    offsets_as<int64_t>(i, ao, bo);
  }
};

// Builds the indexer for a and b broadcast to `out` (which broadcast_shapes computed).
inline BroadcastIndexer make_broadcast_indexer(const Shape& a, const Shape& b, const Shape& out) {
  BroadcastIndexer ix;
  ix.rank = static_cast<int>(out.size());
  auto fill = [&](const Shape& s, int64_t* stride) {
    int64_t st = 1;
    for (int d = ix.rank - 1; d >= 0; --d) {
      const int sd = d - (ix.rank - static_cast<int>(s.size()));
      const int64_t size = sd >= 0 ? s[static_cast<size_t>(sd)] : 1;
      stride[d] = size == 1 ? 0 : st;
      st *= size;
    }
  };
  int64_t n = 1;
  for (int d = 0; d < ix.rank; ++d) {
    ix.out_shape[d] = out[static_cast<size_t>(d)];
    n *= ix.out_shape[d];
  }
  fill(a, ix.a_stride);
  fill(b, ix.b_stride);

  // Classify an operand over out's dimensions of size > 1: each is stretched (stride 0) or kept.
  struct Kind {
    bool full = true;       // nothing stretched
    bool modulo = true;     // stretched dimensions all left of kept ones
    bool divide = true;     // stretched dimensions all right of kept ones
    int64_t kept_tail = 1;  // product of the kept dimensions right of every stretched one (the modulo period)
    int64_t from_first_stretched = 1;  // product of out's sizes from the first stretched dimension on (divide)
  };
  auto classify = [&](const int64_t* stride) {
    Kind k;
    bool seen_stretched = false, seen_kept = false;
    for (int d = 0; d < ix.rank; ++d) {
      const int64_t s = ix.out_shape[d];
      if (s == 1) continue;
      const bool stretched = stride[d] == 0;
      if (stretched) {
        k.full = false;
        if (seen_kept) k.modulo = false;  // kept then stretched: not a repeat of a suffix
        seen_stretched = true;
      } else {
        if (seen_stretched) k.divide = false;  // stretched then kept: not one value per trailing run
        seen_kept = true;
      }
      if (seen_stretched) k.from_first_stretched *= s;
      if (!stretched) k.kept_tail *= s;
    }
    return k;
  };
  const Kind ka = classify(ix.a_stride), kb = classify(ix.b_stride);
  if (ka.full && kb.full) {
    ix.same = true;
    ix.pattern = BroadcastPattern::kSame;
  } else if (ka.full || kb.full) {
    const Kind& k = ka.full ? kb : ka;
    ix.a_full = ka.full;
    if (!k.modulo && !k.divide) {
      ix.pattern = BroadcastPattern::kGeneral;
    } else if (k.divide && (!k.modulo || k.kept_tail == 1)) {
      // One value per run (a scalar too): the period only has to be >= the run; rounding a scalar's up to a
      // multiple of 16 lets the vector kernels take it.
      ix.pattern = BroadcastPattern::kDivide;
      ix.period = k.kept_tail == 1 ? ((std::max<int64_t>(n, 1) + 15) / 16) * 16 : k.from_first_stretched;
    } else {
      ix.pattern = BroadcastPattern::kModulo;
      ix.period = k.kept_tail;
    }
  }
  return ix;
}

constexpr int64_t kElementwiseGrain = 1 << 14;

template <class T, class U, class F>
void unary_map_cpu(const T* x, U* y, int64_t n, F f) {
  parallel_for(n, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = f(x[i]);
  });
}

namespace ew {
// out[i] = f(full[i], rep[j]) (or f(rep[j], full[i]) when the repeated operand is a) for one run of `len`
// elements: a plain loop the compiler vectorises.
template <bool AFull, class T, class U, class F>
inline void run_modulo(const T* full, const T* rep, U* out, int64_t len, F& f) {
  for (int64_t k = 0; k < len; ++k) {
    if constexpr (AFull) out[k] = f(full[k], rep[k]);
    else out[k] = f(rep[k], full[k]);
  }
}
template <bool AFull, class T, class U, class F>
inline void run_divide(const T* full, T r, U* out, int64_t len, F& f) {
  for (int64_t k = 0; k < len; ++k) {
    if constexpr (AFull) out[k] = f(full[k], r);
    else out[k] = f(r, full[k]);
  }
}

// [s, e) of a kModulo / kDivide map: whole runs of the period, one div/mod per chunk, none per element.
template <bool AFull, class T, class U, class F>
void binary_runs_cpu(const T* full, const T* rep, U* out, int64_t s, int64_t e, const BroadcastIndexer& ix, F& f) {
  const int64_t p = ix.period;
  if (ix.pattern == BroadcastPattern::kModulo) {
    for (int64_t i = s, j = s % p; i < e; j = 0) {
      const int64_t len = std::min(p - j, e - i);
      run_modulo<AFull>(full + i, rep + j, out + i, len, f);
      i += len;
    }
  } else {
    for (int64_t i = s, q = s / p, r = s % p; i < e; ++q, r = 0) {
      const int64_t len = std::min(p - r, e - i);
      run_divide<AFull>(full + i, rep[q], out + i, len, f);
      i += len;
    }
  }
}
}  // namespace ew

template <class T, class U, class F>
void binary_map_cpu(const T* a, const T* b, U* out, int64_t n, const BroadcastIndexer& ix, F f) {
  parallel_for(n, kElementwiseGrain, [&](int64_t s, int64_t e) {
    switch (ix.pattern) {
      case BroadcastPattern::kSame:
        for (int64_t i = s; i < e; ++i) out[i] = f(a[i], b[i]);
        return;
      case BroadcastPattern::kModulo:
      case BroadcastPattern::kDivide:
        if (ix.a_full) ew::binary_runs_cpu<true>(a, b, out, s, e, ix, f);
        else ew::binary_runs_cpu<false>(b, a, out, s, e, ix, f);
        return;
      case BroadcastPattern::kGeneral:
        break;
    }
    for (int64_t i = s; i < e; ++i) {
      int64_t ao, bo;
      ix.offsets(i, ao, bo);
      out[i] = f(a[ao], b[bo]);
    }
  });
}

// Three same-shape operands (e.g. x, y, dy for a backward): out[i] = f(a[i], b[i], c[i]).
template <class T, class F>
void ternary_map_cpu(const T* a, const T* b, const T* c, T* out, int64_t n, F f) {
  parallel_for(n, kElementwiseGrain, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) out[i] = f(a[i], b[i], c[i]);
  });
}

}  // namespace loom::detail
