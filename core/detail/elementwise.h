// Elementwise maps shared by CPU and CUDA: the broadcast indexer and the CPU loops. The matching CUDA kernels are
// in elementwise.cuh; both call the same LOOM_HOST_DEVICE functors, so an op's arithmetic is written once.
#pragma once
#include <cstdint>

#include "core/detail/macros.h"
#include "core/detail/parallel.h"
#include "loom/core/tensor.h"

namespace loom::detail {

// Maps a flat output index to flat offsets into two broadcast operands (rank <= kMaxRank, right-aligned).
struct BroadcastIndexer {
  int rank = 0;
  int64_t out_shape[kMaxRank] = {};
  int64_t a_stride[kMaxRank] = {};  // 0 on stretched dimensions
  int64_t b_stride[kMaxRank] = {};
  bool same = false;                // a, b and out all have the same shape: offsets are the index itself

  LOOM_HOST_DEVICE void offsets(int64_t i, int64_t& ao, int64_t& bo) const {
    if (same) { ao = bo = i; return; }
    ao = 0; bo = 0;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t c = i % out_shape[d];
      i /= out_shape[d];
      ao += c * a_stride[d];
      bo += c * b_stride[d];
    }
  }
};

// Builds the indexer for a and b broadcast to `out` (which broadcast_shapes computed).
inline BroadcastIndexer make_broadcast_indexer(const Shape& a, const Shape& b, const Shape& out) {
  BroadcastIndexer ix;
  ix.rank = static_cast<int>(out.size());
  ix.same = (a == out && b == out);
  auto fill = [&](const Shape& s, int64_t* stride) {
    int64_t st = 1;
    for (int d = ix.rank - 1; d >= 0; --d) {
      const int sd = d - (ix.rank - static_cast<int>(s.size()));
      const int64_t size = sd >= 0 ? s[static_cast<size_t>(sd)] : 1;
      stride[d] = size == 1 ? 0 : st;
      st *= size;
    }
  };
  for (int d = 0; d < ix.rank; ++d) ix.out_shape[d] = out[static_cast<size_t>(d)];
  fill(a, ix.a_stride);
  fill(b, ix.b_stride);
  return ix;
}

constexpr int64_t kElementwiseGrain = 1 << 14;

template <class T, class U, class F>
void unary_map_cpu(const T* x, U* y, int64_t n, F f) {
  parallel_for(n, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = f(x[i]);
  });
}

template <class T, class U, class F>
void binary_map_cpu(const T* a, const T* b, U* out, int64_t n, const BroadcastIndexer& ix, F f) {
  parallel_for(n, kElementwiseGrain, [&](int64_t s, int64_t e) {
    if (ix.same) {
      for (int64_t i = s; i < e; ++i) out[i] = f(a[i], b[i]);
    } else {
      for (int64_t i = s; i < e; ++i) {
        int64_t ao, bo;
        ix.offsets(i, ao, bo);
        out[i] = f(a[ao], b[bo]);
      }
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
