// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the binary family: the functors (shared by CPU and CUDA) and the kernel entry points.
#pragma once
#include "core/detail/elementwise.h"
#include "loom/core/tensor.h"

namespace loom::detail {

enum class BinaryOp { kAdd, kSub, kMul, kDiv };

struct AddF { template <class T> LOOM_HOST_DEVICE T operator()(T a, T b) const { return a + b; } };
struct SubF { template <class T> LOOM_HOST_DEVICE T operator()(T a, T b) const { return a - b; } };
struct MulF { template <class T> LOOM_HOST_DEVICE T operator()(T a, T b) const { return a * b; } };
struct DivF { template <class T> LOOM_HOST_DEVICE T operator()(T a, T b) const { return a / b; } };

template <class F>
decltype(auto) with_binary_functor(BinaryOp op, F&& f) {
  switch (op) {
    case BinaryOp::kAdd: return f(AddF{});
    case BinaryOp::kSub: return f(SubF{});
    case BinaryOp::kMul: return f(MulF{});
    case BinaryOp::kDiv: return f(DivF{});
  }
  return f(AddF{});
}

// out = a op b with a, b broadcast to out.shape() by `ix`. All three share dtype and device.
void binary_cpu(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out, const BroadcastIndexer& ix);
void binary_cuda(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out, const BroadcastIndexer& ix);

}  // namespace loom::detail
