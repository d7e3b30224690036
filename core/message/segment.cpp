// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::segment_reduce and mp::segment_softmax: checks (offsets validated against x's rows on either device),
// dispatch to the fused segment kernels, and their backward kernels.
#include "core/message/segment.h"

#include <string>

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace detail {

Tensor segment_softmax_recorded(const char* name, const Tensor& x, const Tensor& offsets) {
  Tensor y = empty_like(x);
  if (y.numel() > 0) {
    if (x.is_cuda()) {
      LOOM_CUDA_ONLY(name, segment_softmax_cuda(x, offsets, y));
    } else {
      segment_softmax_cpu(x, offsets, y);
    }
  }
  // The backward needs y only: one fused pass per segment.
  autograd::record(name, {x}, y, [name, y = y.detach(), offsets](const Tensor& dy) {
    check_same_shape(name, "grad", dy, "output", y);
    Tensor dx = empty_like(y);
    if (dx.numel() > 0) {
      if (y.is_cuda()) {
        LOOM_CUDA_ONLY(name, segment_softmax_backward_cuda(y, dy, offsets, dx));
      } else {
        segment_softmax_backward_cpu(y, dy, offsets, dx);
      }
    }
    return std::vector<Tensor>{dx};
  });
  return y;
}

}  // namespace detail

namespace mp {

namespace {

const char* reduce_op_name(Reduce r) {
  switch (r) {
    case Reduce::kSum: return "segment_reduce(sum)";
    case Reduce::kMean: return "segment_reduce(mean)";
    case Reduce::kMax: return "segment_reduce(max)";
    case Reduce::kMin: break;
  }
  return "segment_reduce(min)";
}

void check_segments(const char* name, const Tensor& x, const Tensor& offsets) {
  detail::check_floating(name, "x", x);
  LOOM_CHECK(x.dim() >= 1, ShapeError, name, ": 'x' must have rank >= 1 (rows along dimension 0), got a rank-0 tensor");
  detail::check_defined(name, "offsets", offsets);
  LOOM_CHECK(offsets.dtype() == kInt64, DTypeError, name, ": 'offsets' must be int64, got ",
             dtype_name(offsets.dtype()));
  detail::check_same_device(name, "x", x, "offsets", offsets);
  LOOM_CHECK(offsets.dim() == 1 && offsets.numel() >= 1, ShapeError, name,
             ": 'offsets' must have shape [S + 1] (S >= 0 segments), got ", offsets.shape_str());
  const int64_t n = x.shape()[0];
  detail::BadOffset bad;
  if (offsets.is_cuda()) {
    LOOM_CUDA_ONLY(name, bad = detail::find_bad_offset_cuda(offsets, n));
  } else {
    bad = detail::find_bad_offset_cpu(offsets, n);
  }
  const int64_t last = offsets.numel() - 1;
  LOOM_CHECK(bad.pos < 0, ValueError, name, ": 'offsets' must rise from 0 to ", n, " (the rows of 'x') without ",
             "decreasing, but offsets[", bad.pos, "] = ", bad.value,
             bad.pos == 0 ? " (expected 0)"
                          : (bad.pos == last && bad.value != n ? " (expected the last offset to be the row count)"
                                                               : " is below the offset before it"));
}

}  // namespace

Tensor segment_reduce(const Tensor& x, const Tensor& offsets, Reduce reduce) {
  const char* name = reduce_op_name(reduce);
  check_segments(name, x, offsets);
  Shape out_shape = x.shape();
  out_shape[0] = offsets.numel() - 1;
  Tensor out = empty(out_shape, x.dtype(), x.device());
  const bool arg_based = reduce == Reduce::kMax || reduce == Reduce::kMin;
  Tensor arg = arg_based ? empty(out_shape, kInt64, x.device()) : Tensor();
  if (out.numel() > 0) {
    if (x.is_cuda()) {
      LOOM_CUDA_ONLY(name, detail::segment_reduce_cuda(x, offsets, reduce, out, arg));
    } else {
      detail::segment_reduce_cpu(x, offsets, reduce, out, arg);
    }
  }
  autograd::record(name, {x}, out, [name, reduce, arg, offsets, out_shape, xs = x.shape()](const Tensor& dy) {
    LOOM_CHECK(dy.shape() == out_shape, ShapeError, name, " backward: gradient has shape ", dy.shape_str(),
               ", expected ", shape_str(out_shape));
    const bool by_arg = reduce == Reduce::kMax || reduce == Reduce::kMin;
    Tensor dx = by_arg ? zeros(xs, dy.dtype(), dy.device()) : empty(xs, dy.dtype(), dy.device());
    if (dx.numel() > 0 && dy.numel() > 0) {
      if (dy.is_cuda()) {
        LOOM_CUDA_ONLY(name, detail::segment_reduce_backward_cuda(dy, offsets, reduce, arg, dx));
      } else {
        detail::segment_reduce_backward_cpu(dy, offsets, reduce, arg, dx);
      }
    }
    return std::vector<Tensor>{dx};
  });
  return out;
}

Tensor segment_softmax(const Tensor& x, const Tensor& offsets) {
  check_segments("segment_softmax", x, offsets);
  return detail::segment_softmax_recorded("segment_softmax", x, offsets);
}

}  // namespace mp

}  // namespace loom
