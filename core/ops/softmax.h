// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the softmax family: fused forward and backward kernels of softmax and log_softmax along one
// dimension, seen as [outer, axis, inner] (the layout of core/ops/reduce.h).
#pragma once
#include "core/ops/reduce.h"
#include "loom/core/tensor.h"

namespace loom::detail {

// y = softmax(x) (log_ = false) or log_softmax(x) (log_ = true) along the axis; max subtracted for stability.
void softmax_forward_cpu(const Tensor& x, const ReduceDims& d, bool log_, const Tensor& y);
void softmax_forward_cuda(const Tensor& x, const ReduceDims& d, bool log_, const Tensor& y);
// softmax: dx = y * (dy - sum(dy * y)); log_softmax: dx = dy - exp(y) * sum(dy). y is the forward output.
void softmax_backward_cpu(const Tensor& y, const Tensor& dy, const ReduceDims& d, bool log_, const Tensor& dx);
void softmax_backward_cuda(const Tensor& y, const Tensor& dy, const ReduceDims& d, bool log_, const Tensor& dx);

}  // namespace loom::detail
