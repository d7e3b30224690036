// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::gsddmm: out[k] = op(u[col k], v[row k]) over the entries of a Csr. Checks (row counts against the graph,
// feature broadcasting, dtype and device), dispatch to the kernels, and a backward that walks the rows of g (for v)
// and of its cached transpose (for u) with fused kernels: no atomics, no [nnz, F] buffer beyond dy itself.
#include "core/message/gsddmm.h"

#include <algorithm>
#include <string>

#include "core/detail/check.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom::mp {

namespace {

std::string op_name(Binary op) {
  switch (op) {
    case Binary::kDot: return "gsddmm(u_dot_v)";
    case Binary::kAdd: return "gsddmm(u_add_v)";
    case Binary::kSub: return "gsddmm(u_sub_v)";
    case Binary::kMul: return "gsddmm(u_mul_v)";
    case Binary::kDiv: return "gsddmm(u_div_v)";
    case Binary::kCopyU: return "gsddmm(copy_u)";
    case Binary::kCopyV: break;
  }
  return "gsddmm(copy_v)";
}

Shape features(const Tensor& t) { return Shape(t.shape().begin() + 1, t.shape().end()); }

Shape padded(Shape s, size_t rank) {
  s.resize(rank, 1);
  return s;
}

// Checks one node operand against the graph side it is indexed by.
void check_operand(const std::string& name, const char* arg, const Tensor& t, const Csr& g, int64_t rows,
                   const char* side) {
  loom::detail::check_floating(name.c_str(), arg, t);
  LOOM_CHECK(t.dim() >= 1, ShapeError, name, ": '", arg, "' must have a row per node ([", side, ", ...]), got a ",
             "rank-0 tensor");
  LOOM_CHECK(t.device() == g.device(), DeviceError, name, ": '", arg, "' is on ", t.device().str(),
             " but the graph is on ", g.device().str(), " (move one with .to(device))");
  LOOM_CHECK(t.shape()[0] == rows, ShapeError, name, ": '", arg, "' has ", t.shape()[0], " rows but the graph has ",
             rows, " ", side, " (", g.str(), ")");
}

}  // namespace

Tensor gsddmm(const Csr& g, Binary op, const Tensor& u, const Tensor& v) {
  const std::string name = op_name(op);
  LOOM_CHECK(g.defined(), ValueError, name, ": the graph is an undefined Csr");
  const bool reads_u = op != Binary::kCopyV, reads_v = op != Binary::kCopyU;
  if (reads_u) check_operand(name, "u", u, g, g.num_cols(), "columns (source nodes)");
  if (reads_v) check_operand(name, "v", v, g, g.num_rows(), "rows (destination nodes)");
  if (reads_u && reads_v) loom::detail::check_same_dtype(name.c_str(), "u", u, "v", v);
  const Tensor& any = reads_u ? u : v;

  // Feature shapes aligned from the front, broadcast, then (kDot) the last dimension reduced.
  Shape su = reads_u ? features(u) : Shape(), sv = reads_v ? features(v) : su;
  if (!reads_u) su = sv;
  const size_t rank = std::max({su.size(), sv.size(), size_t(op == Binary::kDot ? 1 : 0)});
  su = padded(su, rank);
  sv = padded(sv, rank);
  Shape full(rank);
  for (size_t d = 0; d < rank; ++d) {
    LOOM_CHECK(su[d] == sv[d] || su[d] == 1 || sv[d] == 1, ShapeError, name, ": 'u' ", u.shape_str(), " and 'v' ",
               v.shape_str(), " do not broadcast: feature dimension ", d, " is ", su[d], " vs ", sv[d],
               " (feature dimensions align from the first; a missing trailing one counts as 1)");
    full[d] = su[d] == 1 ? sv[d] : su[d];
  }
  loom::detail::SddmmDims dims;
  dims.ix = loom::detail::make_broadcast_indexer(su, sv, full);
  dims.u_len = reads_u ? shape_numel(su) : 0;
  dims.v_len = reads_v ? shape_numel(sv) : 0;
  dims.full_len = shape_numel(full);
  dims.red = op == Binary::kDot ? full.back() : 1;
  Shape out_shape{g.nnz()};
  out_shape.insert(out_shape.end(), full.begin(), full.end() - (op == Binary::kDot ? 1 : 0));

  Tensor out = empty(out_shape, any.dtype(), any.device());
  if (out.numel() > 0) {
    if (out.is_cuda()) {
      LOOM_CUDA_ONLY(name, loom::detail::gsddmm_cuda(g, op, u, v, dims, out));
    } else {
      loom::detail::gsddmm_cpu(g, op, u, v, dims, out);
    }
  }

  std::vector<Tensor> inputs;
  if (reads_u) inputs.push_back(u);
  if (reads_v) inputs.push_back(v);
  const bool gu = reads_u && u.requires_grad(), gv = reads_v && v.requires_grad();
  // Keep only the operands the derivatives read (the table's d_*_reads_* flags).
  bool keep_u = false, keep_v = false;
  loom::detail::with_binary(op, [&]<class Fn>(Fn) {
    keep_u = (gu && Fn::d_lhs_reads_lhs) || (gv && Fn::d_rhs_reads_lhs);
    keep_v = (gu && Fn::d_lhs_reads_rhs) || (gv && Fn::d_rhs_reads_rhs);
  });
  autograd::record(
      name.c_str(), inputs, out,
      [g, op, name, dims, gu, gv, reads_u, reads_v, su, sv, out_shape, u = keep_u && reads_u ? u.detach() : Tensor(),
       v = keep_v && reads_v ? v.detach() : Tensor(), u_shape = reads_u ? u.shape() : Shape(),
       v_shape = reads_v ? v.shape() : Shape()](const Tensor& dy) {
        LOOM_CHECK(dy.shape() == out_shape, ShapeError, name, " backward: gradient has shape ", dy.shape_str(),
                   ", expected ", shape_str(out_shape));
        // One side's gradient: the fused walk in the full feature shape, then summed over u's (v's) broadcast
        // dimensions, which only happens when that side was stretched.
        auto side = [&](bool side_u) {
          const Csr& walk = side_u ? g.transpose() : g;
          const Shape& s = side_u ? su : sv;
          Tensor grad = empty({walk.num_rows(), dims.full_len}, dy.dtype(), dy.device());
          if (grad.numel() > 0) {
            if (dy.is_cuda()) {
              LOOM_CUDA_ONLY(name, loom::detail::gsddmm_backward_cuda(walk, side_u, op, u, v, dy, dims, grad));
            } else {
              loom::detail::gsddmm_backward_cpu(walk, side_u, op, u, v, dy, dims, grad);
            }
          }
          if (shape_numel(s) != dims.full_len) {
            Shape full_rows{walk.num_rows()}, own_rows{walk.num_rows()};
            for (int d = 0; d < dims.ix.rank; ++d) full_rows.push_back(dims.ix.out_shape[d]);
            own_rows.insert(own_rows.end(), s.begin(), s.end());
            grad = sum_to(grad.view(full_rows), own_rows);
          }
          return grad.view(side_u ? u_shape : v_shape);
        };
        std::vector<Tensor> grads;
        if (reads_u) grads.push_back(gu ? side(true) : Tensor());
        if (reads_v) grads.push_back(gv ? side(false) : Tensor());
        return grads;
      });
  return out;
}

}  // namespace loom::mp
