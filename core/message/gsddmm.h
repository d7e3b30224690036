// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to gsddmm: the feature layout of out[k] = op(u[col k], v[row k]) with broadcasting, the gradient term
// from the op table shared by the CPU and CUDA kernels, and the kernels of the forward and of the fused, row-parallel backward.
#pragma once
#include <cstdint>

#include "core/detail/elementwise.h"
#include "core/detail/macros.h"
#include "core/message/binary_ops.h"
#include "loom/core/message.h"
#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::detail {

using mp::Binary;

// Feature dimensions of u and v are aligned from the first one, a missing trailing dimension counting as 1
// (u [N, H, C] with v [M, H] pairs each head with v's value), then broadcast. "full" is that broadcast shape;
// kDot reduces its last dimension (red elements), so out has full_len / red features per entry.
struct SddmmDims {
  BroadcastIndexer ix;     // full index -> (u offset, v offset) within one row of u / v
  int64_t u_len = 1;       // elements per row of u (0 when u is not read)
  int64_t v_len = 1;       // elements per row of v (0 when v is not read)
  int64_t full_len = 1;    // elements of the broadcast feature shape
  int64_t red = 1;         // reduced elements per output feature (kDot), else 1
  int64_t out_len() const { return full_len / red; }
};

// The ops and their derivatives are the engine's table (binary_ops.h: lhs = u, rhs = v).
using mp::detail::with_binary;

// The gradient term of one entry for the u side (kSideU: dy * d op / d u) or the v side (dy * d op / d v).
template <class Fn, bool kSideU, class T>
LOOM_HOST_DEVICE inline T grad_side(T dy, T a, T b) {
  if constexpr (kSideU) {
    return Fn::grad_lhs(dy, a, b);
  } else {
    return Fn::grad_rhs(dy, a, b);
  }
}

// out [nnz, out_len]: every entry of g written once (rows of g in parallel on CPU; entries on CUDA).
// u or v may be undefined when the op does not read it.
void gsddmm_cpu(const Csr& g, Binary op, const Tensor& u, const Tensor& v, const SddmmDims& d, const Tensor& out);
void gsddmm_cuda(const Csr& g, Binary op, const Tensor& u, const Tensor& v, const SddmmDims& d, const Tensor& out);

// The gradient of one side in the full feature shape, grad [rows of walk, full_len], with no atomics: each row of
// `walk` sums its entries in order. For the v side walk is g (entry k is its own edge); for the u side walk is
// g.transpose(), whose edge_ids() give the edge of g and whose indices are g's rows.
void gsddmm_backward_cpu(const Csr& walk, bool side_u, Binary op, const Tensor& u, const Tensor& v, const Tensor& dy,
                         const SddmmDims& d, const Tensor& grad);
void gsddmm_backward_cuda(const Csr& walk, bool side_u, Binary op, const Tensor& u, const Tensor& v,
                          const Tensor& dy, const SddmmDims& d, const Tensor& grad);

}  // namespace loom::detail
