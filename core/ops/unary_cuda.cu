// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of the unary family: the same functors as the CPU, in grid-stride maps (forward: unary map;
// backward: a same-shape binary map over (saved, dy)).
#include "core/detail/dispatch.h"
#include "core/detail/elementwise.cuh"
#include "core/ops/unary.h"

namespace loom::detail {

void unary_cuda(UnaryOp op, const UnaryParams& p, const Tensor& x, const Tensor& y) {
  dispatch_floating(x.dtype(), "unary", [&]<class T>() {
    with_unary_functor(op, p, [&](auto f) { unary_map_cuda(x.data<T>(), y.data<T>(), x.numel(), f); });
  });
}

void unary_grad_cuda(UnaryOp op, const UnaryParams& p, const Tensor& s, const Tensor& dy, const Tensor& dx) {
  const BroadcastIndexer ix = make_broadcast_indexer(s.shape(), dy.shape(), dx.shape());
  dispatch_floating(s.dtype(), "unary backward", [&]<class T>() {
    with_unary_grad_functor(op, p, [&](auto f) {
      binary_map_cuda(s.data<T>(), dy.data<T>(), dx.data<T>(), dx.numel(), ix, f);
    });
  });
}

}  // namespace loom::detail
