// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the shape family: the two strided copies behind concat/slice (a block of slices along one axis) and
// transpose (a permuted copy). Both move raw elements, so they serve every dtype by element size.
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"

namespace loom::detail {

// dst[o, dst_off + a, i] = src[o, src_off + a, i] for a in [0, len), with src seen as [outer, src_axis, inner] and
// dst as [outer, dst_axis, inner].
struct AxisCopy {
  int64_t outer = 1, inner = 1, src_axis = 0, dst_axis = 0, src_off = 0, dst_off = 0, len = 0;
};
void axis_copy_cpu(const Tensor& src, const Tensor& dst, const AxisCopy& c);
void axis_copy_cuda(const Tensor& src, const Tensor& dst, const AxisCopy& c);

// dst (contiguous, shape out_shape) gets dst[c0, .., cr] = src[sum_k c_k * in_stride[k]].
struct PermuteCopy {
  int rank = 0;
  int64_t out_shape[kMaxRank] = {};
  int64_t in_stride[kMaxRank] = {};
};
void permute_copy_cpu(const Tensor& src, const Tensor& dst, const PermuteCopy& p);
void permute_copy_cuda(const Tensor& src, const Tensor& dst, const PermuteCopy& p);

}  // namespace loom::detail
