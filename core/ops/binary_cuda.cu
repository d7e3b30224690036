// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of the binary family: the same functors as the CPU, in a grid-stride broadcast map.
#include "core/detail/dispatch.h"
#include "core/detail/elementwise.cuh"
#include "core/ops/binary.h"

namespace loom::detail {

void binary_cuda(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out, const BroadcastIndexer& ix) {
  dispatch_floating(a.dtype(), "binary", [&]<class T>() {
    with_binary_functor(op, [&](auto f) { binary_map_cuda(a.data<T>(), b.data<T>(), out.data<T>(), out.numel(), ix, f); });
  });
}

}  // namespace loom::detail
