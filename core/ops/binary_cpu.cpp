// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of the binary family: one broadcast map per op, parallel over output elements.
#include "core/detail/dispatch.h"
#include "core/ops/binary.h"

namespace loom::detail {

void binary_cpu(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out, const BroadcastIndexer& ix) {
  dispatch_floating(a.dtype(), "binary", [&]<class T>() {
    with_binary_functor(op, [&](auto f) { binary_map_cpu(a.data<T>(), b.data<T>(), out.data<T>(), out.numel(), ix, f); });
  });
}

}  // namespace loom::detail
