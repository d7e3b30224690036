// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to gspmm: the feature layout (broadcast of u against e) and the CPU/CUDA kernel entry points of the
// forward pass and of the pieces of the backward that are not themselves a gspmm.
#pragma once
#include <cstdint>

#include "core/detail/macros.h"
#include "core/detail/activation.h"
#include "core/message/gspmm_act.h"
#include "loom/core/message.h"
#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::mp::detail {

// One output row [out_len] seen as [n0, n1, n2] (dimensions of size 1 dropped, neighbours merged where both
// operands are contiguous across them). Element (i0, i1, c) reads u at i0*us0 + i1*us1 + c*us2 of its row and e at
// i0*es0 + i1*es1 + c*es2 of its entry; a stride is 0 where that operand is broadcast. The inner strides are 0 or 1
// (1 when n2 == 1), so the inner loop is contiguous or a broadcast scalar. Built once per call on the host.
struct Bcast {
  int64_t n[3] = {1, 1, 1};
  int64_t us[3] = {0, 0, 1};
  int64_t es[3] = {0, 0, 1};
  int64_t out_len = 1, u_len = 0, e_len = 0;  // elements per row of out, u and e (0: operand not used)

  LOOM_HOST_DEVICE void offsets(int64_t f, int64_t& uo, int64_t& eo) const {
    const int64_t c = f % n[2], t = f / n[2];
    const int64_t i1 = t % n[1], i0 = t / n[1];
    uo = i0 * us[0] + i1 * us[1] + c * us[2];
    eo = i0 * es[0] + i1 * es[1] + c * es[2];
  }
};

// Broadcasts u's trailing shape (after dim 0) against e's: the shorter one is padded with 1s on the RIGHT (so
// e [nnz, H] against u [N, H, C] scales each head), then sizes must match or be 1. `out_trailing` gets the
// trailing shape of the output. copy_u ignores e and copy_e ignores u.
Bcast make_bcast(Msg msg, const Tensor& u, const Tensor& e, Shape& out_trailing);

// propagate's update as the kernels see it: out[v, f] = act(reduced[v, f] + root[v * out_len + f] + bias[f]) at the
// store of each output element f of row v. root points at rows x out_len values, bias at out_len values, both of the
// output's dtype and contiguous, or null.
struct Epilogue {
  const void* root = nullptr;
  const void* bias = nullptr;
  Act act = Act::kIdentity;
  double slope = 0.2;
  LOOM_HOST_DEVICE bool active() const { return root != nullptr || bias != nullptr || act != Act::kIdentity; }
};

// root_row: row v's root values (root + v * out_len) or null. The root is added before the bias, as the unfused
// add(add(reduced, root), bias) rounds.
template <class T>
LOOM_HOST_DEVICE inline T apply_epilogue(T x, int64_t f, const T* root_row, const T* bias, Act act, T slope) {
  if (root_row != nullptr) x += root_row[f];
  if (bias != nullptr) x += bias[f];
  return loom::detail::activation_forward(act, x, slope);
}

// dz = dy * act'(z) read off y (all of one shape; the table's backward_y): the first step of propagate's backward.
void act_backward_cpu(Act act, double slope, const Tensor& y, const Tensor& dy, const Tensor& dz);
void act_backward_cuda(Act act, double slope, const Tensor& y, const Tensor& dy, const Tensor& dz);

// The raw arrays of one Csr, on its device.
struct CsrView {
  const int64_t* indptr = nullptr;
  const int32_t* indices = nullptr;
  int64_t rows = 0, cols = 0, nnz = 0;
};
CsrView view_of(const Csr& g);

// out [rows, out_len]; arg int64 [rows, out_len] for max/min (the entry that won; -1 on empty rows), else
// undefined. Mean divides each row by its entry count. Rows without entries give 0.
// The epilogue, when active, is applied to every stored row (empty rows included).
void gspmm_cpu(const Csr& g, Msg msg, Reduce reduce, const Tensor& u, const Tensor& e, const Bcast& b,
               const Epilogue& ep, const Tensor& out, const Tensor& arg);
void gspmm_cuda(const Csr& g, Msg msg, Reduce reduce, const Tensor& u, const Tensor& e, const Bcast& b,
                const Epilogue& ep, const Tensor& out, const Tensor& arg);

// de [nnz, e_len] = for each entry k (row v, column j), the sum over the output elements f of row v that read
// e[k, .] of dy[v, f] * d msg / de (u[j, .], e[k, .]); with `arg` defined (max/min) only where arg[v, f] == k.
// One task/warp writes each entry's values: no atomics. dy is already scaled by 1/degree for mean.
void edge_grad_cpu(const Csr& g, Msg msg, const Tensor& u, const Tensor& e, const Tensor& dy, const Tensor& arg,
                   const Bcast& b, const Tensor& de);
void edge_grad_cuda(const Csr& g, Msg msg, const Tensor& u, const Tensor& e, const Tensor& dy, const Tensor& arg,
                    const Bcast& b, const Tensor& de);

// max/min: du [num_cols, out_len] (before summing u's broadcast dims) as one row-parallel pass over gt =
// g.transpose(): du[j, f] = sum over the entries k' of row j of gt, k = gt.edge_ids()[k'], v = gt.indices()[k'],
// with arg[v, f] == k, of dy[v, f] * d msg / du (u[j, .], e[k, .]).
void arg_u_grad_cpu(const Csr& gt, Msg msg, const Tensor& u, const Tensor& e, const Tensor& dy, const Tensor& arg,
                    const Bcast& b, const Tensor& du);
void arg_u_grad_cuda(const Csr& gt, Msg msg, const Tensor& u, const Tensor& e, const Tensor& dy, const Tensor& arg,
                     const Bcast& b, const Tensor& du);

// out[v, :] = dy[v, :] / max(1, entries of row v): the gradient of a mean before it meets the sum's backward.
void scale_by_inv_degree_cpu(const Csr& g, const Tensor& dy, const Tensor& out);
void scale_by_inv_degree_cuda(const Csr& g, const Tensor& dy, const Tensor& out);
// dy [num_rows, ...] / max(row degree, 1) on dy's device: the first step of every mean-reduction backward.
Tensor scale_by_inv_degree(const Csr& g, const Tensor& dy);

}  // namespace loom::mp::detail
