// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The message-passing engine: generalized SpMM and SDDMM over a Csr (rows = destinations, columns = sources),
// edge softmax and segment reductions, each with autograd, on CPU and CUDA.
//
//   gspmm:  out[v] = reduce over entries k of row v of  msg(u[col(k)], e[k])      (node outputs, no E x F buffer)
//   gsddmm: out[k] = op(u[col(k)], v[row(k)])                                      (edge outputs)
//
// Shapes: node features u are [N, F] or [N, H, C]; edge values e are [nnz], [nnz, H], [nnz, H, 1] or [nnz, H, C]
// and broadcast against u's trailing dimensions (e [nnz, H] with u [N, H, C] scales each head). The gradient of
// a gspmm is a gspmm on the transpose plus a gsddmm, so one set of kernels serves both passes.
#pragma once
#include <cstdint>
#include <string>

#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::mp {

enum class Msg : uint8_t { kCopyU, kCopyE, kUMulE, kUAddE, kUSubE, kUDivE };
enum class Reduce : uint8_t { kSum, kMean, kMax, kMin };
enum class Binary : uint8_t { kDot, kAdd, kSub, kMul, kDiv, kCopyU, kCopyV };

// DGL-style names: mp::gspmm(g, mp::u_mul_e, mp::sum, x, w).
inline constexpr Msg copy_u = Msg::kCopyU, copy_e = Msg::kCopyE, u_mul_e = Msg::kUMulE, u_add_e = Msg::kUAddE,
                     u_sub_e = Msg::kUSubE, u_div_e = Msg::kUDivE;
inline constexpr Reduce sum = Reduce::kSum, mean = Reduce::kMean, max = Reduce::kMax, min = Reduce::kMin;
inline constexpr Binary u_dot_v = Binary::kDot, u_add_v = Binary::kAdd, u_sub_v = Binary::kSub,
                        u_mul_v = Binary::kMul, u_div_v = Binary::kDiv, copy_u_e = Binary::kCopyU,
                        copy_v_e = Binary::kCopyV;

// out [num_rows, trailing...]. Rows without entries give 0 for every reduction. max/min keep the arg entry for
// the backward (ties: the first entry of the row). Sums are deterministic: each output row is reduced in entry
// order by one thread/task, with no atomics. Gradients: u via gspmm on g.transpose(), e via gsddmm.
Tensor gspmm(const Csr& g, Msg msg, Reduce reduce, const Tensor& u, const Tensor& e = Tensor());

// ---- propagate: message, reduction and update in one fused pass (the API layers are written in)
// The activation of an update (also the per-edge activation of gspmm_act below; kLeakyRelu takes negative_slope).
enum class Act : uint8_t { kIdentity, kRelu, kLeakyRelu, kSigmoid, kTanh };
// The update applied to each reduced row inside the reduction kernel, before the row is stored (no extra pass
// over the output, no extra buffer): out[v] = act(reduced[v] + root[v] + bias).
//   bias: the output's trailing shape ([F], or [H, C] for multi-head features), or undefined.
//   root: a per-row term shaped like the output ([num_rows, F] or [num_rows, H, C]), or undefined: GraphSAGE's
//         lin_r(x) (x W_r^T), GIN's (1 + eps) x, a residual. It saves the [num_rows, F] sum of an unfused add.
// Both have the features' dtype and device. The root is added before the bias (as add(add(reduced, root), bias)).
// kLeakyRelu needs negative_slope >= 0 (the backward reads the slope off the output's sign). A row without entries
// gets act(root[v] + bias).
struct Update {
  Tensor bias = Tensor();  // (explicit defaults: designated initializers may leave any member out)
  Act act = Act::kIdentity;
  double negative_slope = 0.2;
  Tensor root = Tensor();  // last, so that Update{bias, act, slope} keeps its meaning
};
struct Propagation {
  Msg message = Msg::kCopyU;
  Reduce reduce = Reduce::kSum;
  Update update;
};
// out[v] = act(reduce over the entries k of row v of msg(u[col(k)], e[k]) + root[v] + bias), as one kernel on CPU
// and CUDA.
// gspmm(g, msg, reduce, u, e) is propagate with no update. A GCN layer, for example, is
//   mp::propagate(g, {mp::u_mul_e, mp::sum, {bias, mp::Act::kRelu}}, x_w, norm)
// Gradients: to u and e as gspmm's (on dpre = dy act'(out)), to the bias (dpre summed over rows) and to the root
// (dpre itself). act' is read off the stored output, so the backward keeps nothing beyond it. A SAGE layer with its
// root term fused is
//   mp::propagate(g, {mp::copy_u, mp::mean, {.bias = b, .root = matmul(x, w_r_t)}}, matmul(x, w_l_t))
// For messages the fused kinds cannot express, take the generic path below (gather_src / any ops / scatter).
Tensor propagate(const Csr& g, const Propagation& p, const Tensor& u, const Tensor& e = Tensor());

// out [nnz, trailing...]; kDot reduces the last dimension ([N, H, C] x [M, H, C] -> [nnz, H]; [N, F] -> [nnz]).
Tensor gsddmm(const Csr& g, Binary op, const Tensor& u, const Tensor& v);

// Softmax of edge scores e ([nnz] or [nnz, H]) over the entries of each row, numerically stable.
// dx = y * (dy - sum_row(y * dy)).
Tensor edge_softmax(const Csr& g, const Tensor& e);

// Reductions over consecutive segments: x [n, ...], offsets int64 [S + 1] non-decreasing from 0 to n;
// out [S, ...]. Empty segments give 0.
Tensor segment_reduce(const Tensor& x, const Tensor& offsets, Reduce reduce);
Tensor segment_softmax(const Tensor& x, const Tensor& offsets);

// The generic path for user-defined messages: gather to an edge tensor, apply any ops, reduce back. Flexible but
// memory-hungry (an [nnz, F] buffer per gather); the fused gspmm/gsddmm never build one.
Tensor gather_src(const Csr& g, const Tensor& u);  // [nnz, ...] = u[col(k)]
Tensor gather_dst(const Csr& g, const Tensor& v);  // [nnz, ...] = v[row(k)]
Tensor scatter(const Csr& g, const Tensor& e, Reduce reduce);  // [num_rows, ...]: gspmm(copy_e)

// ---- fused per-edge nonlinear messages (SINC-GCN, GATv2): the [nnz, F] messages are never stored; the backward
// recomputes them edge by edge.

// The per-edge activation of the fused kernels below is an Act (see propagate).

// "Add, activate, reduce" (SINC-GCN's message): out[r] = reduce over entries k of row r of
//     w[k] * act(u[col(k)] + v[r])
// u [num_cols, F], v [num_rows, F], optional w [nnz] (per-entry scalar, e.g. the "sym" degree weights) ->
// out [num_rows, F]. Reduce: sum, mean or max (max keeps the arg entry; ties: the first entry of the row).
// Rows without entries give 0. Gradients to u (through the transpose), v and w. Deterministic (no atomics).
Tensor gspmm_act(const Csr& g, Act act, Reduce reduce, const Tensor& u, const Tensor& v, const Tensor& w = Tensor(),
                 double negative_slope = 0.2);

// GATv2's attention logits: out[k, h] = sum_c att[h, c] * leaky_relu(u[col(k), h, c] + v[row(k), h, c], slope)
// u [num_cols, H, C], v [num_rows, H, C], att [H, C] -> [nnz, H]. Forward and backward use O(nnz H + N H C)
// memory: never an [nnz, H, C] tensor. Gradients to u, v and att; deterministic.
Tensor gatv2_logits(const Csr& g, const Tensor& u, const Tensor& v, const Tensor& att, double negative_slope = 0.2);

// ---- the CUDA SpMM back end, chosen by an explicit call
// Which kernel CUDA gspmm and propagate run for the sums cuSPARSE can compute (copy_u, or u_mul_e with one value
// per entry, reduced by sum, with no fused update, fewer than 2^31 entries):
//   kLoom      Loom's own kernel, the default. Bitwise reproducible, and the faster of the two on an H100 (scale-20
//              R-MAT, F = 128: 1.425 ms forward against cuSPARSE's 1.669 ms; bench/results/
//              2026-11-24-h100-spmm-occupancy.md).
//   kCusparse  cuSPARSE SpMM (CSR_ALG2). Its sums differed bitwise from run to run on an H100, so it is opt-in.
// Every other call, and every CPU call, runs Loom's kernels whatever is set. The setting is process-wide; its
// initial value comes from the environment variable LOOM_SPMM_IMPL (loom or cusparse), read once on first use: any
// other value is a ValueError naming the valid ones.
enum class SpmmBackend : uint8_t { kLoom, kCusparse };
void set_spmm_backend(SpmmBackend backend);
SpmmBackend spmm_backend();
const char* spmm_backend_name(SpmmBackend backend);  // "loom", "cusparse"
// The backend called `name` ("loom" or "cusparse"); anything else is a ValueError that lists both.
SpmmBackend spmm_backend_from_name(const std::string& name);

// Selects a backend for a scope and puts the previous one back when it ends (tests, benchmarks). Process-wide like
// set_spmm_backend: scopes on several threads at once are a race.
class SpmmBackendScope {
 public:
  explicit SpmmBackendScope(SpmmBackend backend) : previous_(spmm_backend()) { set_spmm_backend(backend); }
  ~SpmmBackendScope() { set_spmm_backend(previous_); }
  SpmmBackendScope(const SpmmBackendScope&) = delete;
  SpmmBackendScope& operator=(const SpmmBackendScope&) = delete;

 private:
  SpmmBackend previous_;
};

}  // namespace loom::mp
