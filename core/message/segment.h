// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the segment family: reductions and softmax over consecutive segments of rows. x is seen as
// [n, width] and segment s covers rows [offsets[s], offsets[s + 1]) (int64 offsets on x's device). edge_softmax is
// segment_softmax with a Csr's indptr, so both share these kernels. Each segment is owned by one task (CPU) or one
// warp / one block for heavy segments (CUDA) and reduced in a fixed order: bitwise reproducible.
#pragma once
#include <cstdint>

#include "core/detail/macros.h"
#include "loom/core/message.h"
#include "loom/core/tensor.h"

namespace loom::detail {

using mp::Reduce;

// The first offending position of `offsets` ([S + 1], expected 0 = o[0] <= o[1] <= ... <= o[S] = n), or pos = -1.
struct BadOffset {
  int64_t pos = -1, value = 0;
};
BadOffset find_bad_offset_cpu(const Tensor& offsets, int64_t n);
BadOffset find_bad_offset_cuda(const Tensor& offsets, int64_t n);

// out [S, width]: sum / mean / max / min of each segment (0 for an empty one). For max/min, arg [S, width] int64
// gets the row of the winner (NaN wins; ties keep the first row) or -1 for an empty segment.
void segment_reduce_cpu(const Tensor& x, const Tensor& offsets, Reduce reduce, const Tensor& out, const Tensor& arg);
void segment_reduce_cuda(const Tensor& x, const Tensor& offsets, Reduce reduce, const Tensor& out, const Tensor& arg);
// sum / mean: dx[i] = dy[s] (divided by the segment's length for mean) for every row i of segment s.
// max / min: dx is zero-filled by the caller and gets dx[arg[s, c], c] = dy[s, c] (each slot written at most once).
void segment_reduce_backward_cpu(const Tensor& dy, const Tensor& offsets, Reduce reduce, const Tensor& arg,
                                 const Tensor& dx);
void segment_reduce_backward_cuda(const Tensor& dy, const Tensor& offsets, Reduce reduce, const Tensor& arg,
                                  const Tensor& dx);

// y = exp(x - max) / sum exp(x - max) per segment and column: a max pass, an exp-sum pass and a normalising pass.
void segment_softmax_cpu(const Tensor& x, const Tensor& offsets, const Tensor& y);
void segment_softmax_cuda(const Tensor& x, const Tensor& offsets, const Tensor& y);
// dx = y * (dy - sum_segment(y * dy)).
void segment_softmax_backward_cpu(const Tensor& y, const Tensor& dy, const Tensor& offsets, const Tensor& dx);
void segment_softmax_backward_cuda(const Tensor& y, const Tensor& dy, const Tensor& offsets, const Tensor& dx);

// Whether (a, i) beats (b, j) in an arg-max (kMax) or arg-min: the larger (smaller) value, NaN above all, then the
// lower row.
template <bool kMax, class T>
LOOM_HOST_DEVICE inline bool arg_wins(T a, int64_t i, T b, int64_t j) {
  const bool an = a != a, bn = b != b;
  if (an != bn) return an;
  if (!an && a != b) return kMax ? a > b : a < b;
  return i < j;
}

// Runs the checked forward and records the backward of a segment softmax; `name` prefixes messages. The callers
// (segment_softmax, edge_softmax) have validated x and the offsets.
Tensor segment_softmax_recorded(const char* name, const Tensor& x, const Tensor& offsets);

// Elements per row of x (the product of its trailing dimensions).
inline int64_t row_width(const Tensor& x) {
  int64_t w = 1;
  for (size_t k = 1; k < x.shape().size(); ++k) w *= x.shape()[k];
  return w;
}

}  // namespace loom::detail
