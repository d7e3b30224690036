// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::propagate (and gspmm, which is propagate without an update): argument checks, the broadcast layout, dispatch
// to the CPU/CUDA kernels and the backward (GUIDE 3.2): du is a gspmm on the cached transpose (sum/mean) or one
// row-parallel pass over it with the stored arg entries (max/min); de is one pass over the entries. Nothing in
// either direction builds an [nnz, F] buffer. propagate's update is fused into the forward's store; its backward
// is one elementwise pass (act'), a column sum (bias) and, for the root term, that pass's output itself.
#include "core/message/gspmm.h"

#include <algorithm>
#include <vector>

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "core/message/binary_ops.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom::mp {
namespace detail {

namespace {

Shape trailing(const Tensor& t) { return Shape(t.shape().begin() + 1, t.shape().end()); }

int64_t numel_of(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

}  // namespace

Bcast make_bcast(Msg msg, const Tensor& u, const Tensor& e, Shape& out_trailing) {
  const bool use_u = msg != Msg::kCopyE, use_e = msg != Msg::kCopyU;
  Shape lt = use_u ? trailing(u) : Shape{};
  Shape rt = use_e ? trailing(e) : Shape{};
  const size_t r = std::max(lt.size(), rt.size());
  Shape lp = lt, rp = rt;
  lp.resize(r, 1);  // pad on the right: e [nnz, H] against u [N, H, C] is e [nnz, H, 1]
  rp.resize(r, 1);
  Shape ot(r);
  for (size_t d = 0; d < r; ++d) {
    LOOM_CHECK(lp[d] == rp[d] || lp[d] == 1 || rp[d] == 1, ShapeError, "gspmm: 'u' ", u.shape_str(), " and 'e' ",
               e.shape_str(), " do not broadcast (trailing dimension ", d + 1, ": ", lp[d], " vs ", rp[d],
               "; e's trailing dimensions align with u's from the left, e.g. e [nnz, H] with u [N, H, C])");
    ot[d] = lp[d] == 1 ? rp[d] : lp[d];
  }
  out_trailing = ot;

  // Strides over the padded shapes (0 where an operand has size 1), then drop size-1 output dimensions.
  std::vector<int64_t> n, us, es;
  int64_t su = 1, se = 1;
  std::vector<int64_t> ust(r), est(r);
  for (size_t i = r; i-- > 0;) {
    ust[i] = lp[i] == 1 ? 0 : su;
    est[i] = rp[i] == 1 ? 0 : se;
    su *= lp[i];
    se *= rp[i];
  }
  for (size_t d = 0; d < r; ++d) {
    if (ot[d] == 1) continue;
    n.push_back(ot[d]);
    us.push_back(use_u ? ust[d] : 0);
    es.push_back(use_e ? est[d] : 0);
  }
  // Merge neighbours that both operands traverse as one run (or both broadcast).
  for (size_t i = 0; i + 1 < n.size();) {
    if (us[i] == us[i + 1] * n[i + 1] && es[i] == es[i + 1] * n[i + 1]) {
      n[i] *= n[i + 1];
      us[i] = us[i + 1];
      es[i] = es[i + 1];
      n.erase(n.begin() + static_cast<long>(i) + 1);
      us.erase(us.begin() + static_cast<long>(i) + 1);
      es.erase(es.begin() + static_cast<long>(i) + 1);
    } else {
      ++i;
    }
  }
  LOOM_CHECK(n.size() <= 3, ShapeError, "gspmm: broadcasting 'u' ", u.shape_str(), " against 'e' ", e.shape_str(),
             " needs more than 3 feature dimensions");
  Bcast b;
  const size_t pad = 3 - n.size();
  for (size_t i = 0; i < n.size(); ++i) {
    b.n[pad + i] = n[i];
    b.us[pad + i] = us[i];
    b.es[pad + i] = es[i];
  }
  if (b.n[2] == 1) b.us[2] = b.es[2] = 1;  // c is always 0: any stride works; 1 keeps the contiguous kernels
  b.out_len = numel_of(ot);
  b.u_len = use_u ? numel_of(lt) : 0;
  b.e_len = use_e ? numel_of(rt) : 0;
  return b;
}

CsrView view_of(const Csr& g) {
  CsrView v;
  v.indptr = g.indptr().data<int64_t>();
  v.indices = g.indices().data<int32_t>();
  v.rows = g.num_rows();
  v.cols = g.num_cols();
  v.nnz = g.nnz();
  return v;
}

Tensor scale_by_inv_degree(const Csr& g, const Tensor& dy) {
  Tensor out = empty_like(dy);
  if (dy.numel() == 0) return out;
  if (dy.is_cuda()) {
    LOOM_CUDA_ONLY("mean backward", scale_by_inv_degree_cuda(g, dy, out));
  } else {
    scale_by_inv_degree_cpu(g, dy, out);
  }
  return out;
}

}  // namespace detail

namespace {

constexpr const char* kOp = "gspmm";

bool uses_u(Msg m) { return m != Msg::kCopyE; }
Tensor detached(const Tensor& t) { return t.defined() ? t.detach() : Tensor(); }
bool uses_e(Msg m) { return m != Msg::kCopyU; }

void check_args(const Csr& g, Msg msg, const Tensor& u, const Tensor& e) {
  LOOM_CHECK(g.defined(), ValueError, "gspmm: 'g' is an undefined Csr");
  const Tensor* first = nullptr;
  if (uses_u(msg)) {
    loom::detail::check_floating(kOp, "u", u);
    LOOM_CHECK(u.dim() >= 1, ShapeError, "gspmm: 'u' must have rank >= 1 ([N, F] or [N, H, C]), got a scalar");
    LOOM_CHECK(u.device() == g.device(), DeviceError, "gspmm: 'u' is on ", u.device().str(), " but the graph is on ",
               g.device().str(), " (move one with .to(device))");
    LOOM_CHECK(u.size(0) == g.num_cols(), ShapeError, "gspmm: 'u' has ", u.size(0), " rows (shape ", u.shape_str(),
               ") but the graph has num_cols = ", g.num_cols(), " source nodes");
    first = &u;
  }
  if (uses_e(msg)) {
    loom::detail::check_floating(kOp, "e", e);
    LOOM_CHECK(e.dim() >= 1, ShapeError,
               "gspmm: 'e' must have rank >= 1 ([nnz], [nnz, H] or [nnz, H, C]), got a scalar");
    LOOM_CHECK(e.device() == g.device(), DeviceError, "gspmm: 'e' is on ", e.device().str(), " but the graph is on ",
               g.device().str(), " (move one with .to(device))");
    LOOM_CHECK(e.size(0) == g.nnz(), ShapeError, "gspmm: 'e' has ", e.size(0), " rows (shape ", e.shape_str(),
               ") but the graph has nnz = ", g.nnz(), " entries");
    if (first) loom::detail::check_same_dtype(kOp, "u", u, "e", e);
  }
}

// Sums `full` [R, out trailing...] over the dimensions where the operand, shaped [R, trailing...], is broadcast.
Tensor reduce_to_operand(const Tensor& full, const Shape& operand) {
  if (full.shape() == operand) return full;
  Shape padded(operand.begin() + 1, operand.end());
  padded.resize(static_cast<size_t>(full.dim() - 1), 1);
  Tensor t = full;
  for (size_t d = 0; d < padded.size(); ++d) {
    const int64_t dim = static_cast<int64_t>(d) + 1;
    if (padded[d] == 1 && t.size(dim) != 1) t = loom::sum(t, dim, /*keepdim=*/true);
  }
  return t.reshape(operand);
}

// Computes out (and arg for max/min) without recording.
Tensor forward(const Csr& g, Msg msg, Reduce reduce, const Tensor& u, const Tensor& e, const detail::Bcast& b,
               const detail::Epilogue& ep, const Shape& ot, Tensor& arg) {
  const Tensor& ref = uses_u(msg) ? u : e;
  Shape shape{g.num_rows()};
  shape.insert(shape.end(), ot.begin(), ot.end());
  const bool has_arg = reduce == Reduce::kMax || reduce == Reduce::kMin;
  if (g.num_rows() == 0 || b.out_len == 0) {
    if (has_arg) arg = full(shape, -1.0, kInt64, g.device());
    return zeros(shape, ref.dtype(), g.device());  // no element to update
  }
  Tensor out = empty(shape, ref.dtype(), g.device());
  if (has_arg) arg = empty(shape, kInt64, g.device());
  if (g.device().is_cuda()) {
    LOOM_CUDA_ONLY(kOp, detail::gspmm_cuda(g, msg, reduce, u, e, b, ep, out, arg));
  } else {
    detail::gspmm_cpu(g, msg, reduce, u, e, b, ep, out, arg);
  }
  return out;
}

// The message whose gspmm over the transpose gives du for a sum: the table's LhsGradMsg (dy, dy * e or dy / e
// for the ops today); an op without one throws NotImplementedError naming the op and the reduction.
Msg u_grad_msg(Msg msg, Reduce reduce) {
  return detail::with_msg(msg, [&]<class F>(F) {
    return detail::lhs_grad_msg<F>(detail::msg_name(msg), detail::reduce_name(reduce));
  });
}

// Which operands the backward reads, from the table: the lhs (u) gradient reads e for sum/mean only when its
// derivative does (then e is the gradient message's rhs), and u only through the max/min pass; the rhs (e)
// gradient reads u where d_rhs does (e_for_de is informational: e_grad needs e's shape anyway).
struct Reads {
  bool u_for_du, e_for_du, u_for_de, e_for_de;
};
Reads backward_reads(Msg msg, bool has_arg) {
  return detail::with_msg(msg, [&]<class F>(F) {
    return Reads{has_arg && F::d_lhs_reads_lhs, F::d_lhs_reads_rhs, F::d_rhs_reads_lhs, F::d_rhs_reads_rhs};
  });
}

// u itself is needed (defined) only for max/min; u_shape always.
Tensor u_grad(const Csr& g, Msg msg, Reduce reduce, const Shape& u_shape, const Tensor& u, const Tensor& e,
              const Tensor& gy, const Tensor& arg, const detail::Bcast& b) {
  const Csr& gt = g.transpose();
  Tensor full_grad;
  if (reduce == Reduce::kSum || reduce == Reduce::kMean) {
    const Msg dm = u_grad_msg(msg, reduce);
    const bool dm_reads_e = detail::with_msg(dm, []<class F>(F) { return F::use_rhs; });
    const Tensor et = dm_reads_e ? index_select(e, gt.edge_ids()) : Tensor();
    full_grad = gspmm(gt, dm, Reduce::kSum, gy, et);
  } else {
    Shape shape{g.num_cols()};
    shape.insert(shape.end(), gy.shape().begin() + 1, gy.shape().end());
    full_grad = zeros(shape, gy.dtype(), gy.device());
    if (full_grad.numel() > 0 && gt.nnz() > 0) {
      if (gy.is_cuda()) {
        LOOM_CUDA_ONLY(kOp, detail::arg_u_grad_cuda(gt, msg, u, e, gy, arg, b, full_grad));
      } else {
        detail::arg_u_grad_cpu(gt, msg, u, e, gy, arg, b, full_grad);
      }
    }
  }
  return reduce_to_operand(full_grad, u_shape);
}

Tensor e_grad(const Csr& g, Msg msg, const Tensor& u, const Tensor& e, const Tensor& gy, const Tensor& arg,
              const detail::Bcast& b) {
  Tensor de = zeros(e.shape(), e.dtype(), e.device());
  if (de.numel() == 0 || b.out_len == 0) return de;
  if (e.is_cuda()) {
    LOOM_CUDA_ONLY(kOp, detail::edge_grad_cuda(g, msg, u, e, gy, arg, b, de));
  } else {
    detail::edge_grad_cpu(g, msg, u, e, gy, arg, b, de);
  }
  return de;
}

// ref: the features the output's dtype and device come from, named ref_name ("u", or "e" for copy_e).
void check_update(const Csr& g, const Update& up, const Tensor& ref, const char* ref_name, const Shape& ot) {
  LOOM_CHECK(static_cast<int>(up.act) <= static_cast<int>(Act::kTanh), ValueError, "propagate: unknown 'act' value ",
             static_cast<int>(up.act));
  LOOM_CHECK(up.act != Act::kLeakyRelu || up.negative_slope >= 0, ValueError,
             "propagate: the leaky ReLU update needs negative_slope >= 0 (its backward reads the slope off the "
             "output's sign), got ", up.negative_slope);
  if (up.bias.defined()) {
    const Tensor& b = up.bias;
    loom::detail::check_floating("propagate", "bias", b);
    loom::detail::check_same_dtype("propagate", ref_name, ref, "bias", b);
    LOOM_CHECK(b.device() == ref.device(), DeviceError, "propagate: 'bias' is on ", b.device().str(),
               " but the features are on ", ref.device().str());
    LOOM_CHECK(b.shape() == ot, ShapeError, "propagate: 'bias' must have the output's trailing shape ",
               loom::shape_str(ot), ", got ", b.shape_str());
  }
  if (up.root.defined()) {
    const Tensor& r = up.root;
    Shape want{g.num_rows()};
    want.insert(want.end(), ot.begin(), ot.end());
    loom::detail::check_floating("propagate", "root", r);
    loom::detail::check_same_dtype("propagate", ref_name, ref, "root", r);
    LOOM_CHECK(r.device() == ref.device(), DeviceError, "propagate: 'root' is on ", r.device().str(),
               " but the features are on ", ref.device().str());
    LOOM_CHECK(r.shape() == want, ShapeError, "propagate: 'root' must have the output's shape ",
               loom::shape_str(want), " ([num_rows, trailing...]), got ", r.shape_str());
  }
}

}  // namespace

Tensor propagate(const Csr& g, const Propagation& p, const Tensor& u, const Tensor& e) {
  const Msg msg = p.message;
  const Reduce reduce = p.reduce;
  check_args(g, msg, u, e);
  const Tensor uu = uses_u(msg) ? u : Tensor();  // copy_u ignores e, copy_e ignores u
  const Tensor ee = uses_e(msg) ? e : Tensor();
  Shape ot;
  const detail::Bcast b = detail::make_bcast(msg, uu, ee, ot);
  const Update& up = p.update;
  check_update(g, up, uu.defined() ? uu : ee, uu.defined() ? "u" : "e", ot);
  const Tensor& bias = up.bias;  // tensors are contiguous
  const Tensor& root = up.root;
  detail::Epilogue ep;
  ep.root = root.defined() ? root.raw_data() : nullptr;
  ep.bias = bias.defined() ? bias.raw_data() : nullptr;
  ep.act = up.act;
  ep.slope = up.negative_slope;
  Tensor arg;
  Tensor out = forward(g, msg, reduce, uu, ee, b, ep, ot, arg);
  const bool gu = uu.defined() && uu.requires_grad(), ge = ee.defined() && ee.requires_grad();
  const bool gb = bias.defined() && bias.requires_grad(), gr = root.defined() && root.requires_grad();
  // Keep only what the backward reads (the table's d_*_reads_* flags), so that an input nobody else holds is freed
  // after the forward; the output is kept for a non-identity activation's derivative.
  const bool has_arg = reduce == Reduce::kMax || reduce == Reduce::kMin;
  if (gu && !has_arg) u_grad_msg(msg, reduce);  // an op without a sum/mean lhs gradient fails here, not in backward
  const Reads rd = backward_reads(msg, has_arg);
  const bool keep_u = (ge && rd.u_for_de) || (gu && rd.u_for_du);
  const bool keep_e = ge || (gu && rd.e_for_du);  // de's shape and dtype come from e
  const Act act = up.act;
  const double slope = up.negative_slope;
  const Tensor y = act != Act::kIdentity ? out.detach() : Tensor();
  autograd::record(
      "propagate", {uu, ee, bias, root}, out,
      [g, msg, reduce, u_shape = uu.defined() ? uu.shape() : Shape{}, u = keep_u ? detached(uu) : Tensor(),
       e = keep_e ? detached(ee) : Tensor(), arg, b, gu, ge, gb, gr, act, slope, y](const Tensor& dy) {
        Tensor dz = dy;
        if (act != Act::kIdentity) {
          dz = empty_like(dy);
          if (dy.is_cuda()) {
            LOOM_CUDA_ONLY(kOp, detail::act_backward_cuda(act, slope, y, dy, dz));
          } else {
            detail::act_backward_cpu(act, slope, y, dy, dz);
          }
        }
        const Tensor db = gb ? loom::sum(dz, 0) : Tensor();
        const Tensor gy = reduce == Reduce::kMean && (gu || ge) ? detail::scale_by_inv_degree(g, dz) : dz;
        return std::vector<Tensor>{gu ? u_grad(g, msg, reduce, u_shape, u, e, gy, arg, b) : Tensor(),
                                   ge ? e_grad(g, msg, u, e, gy, arg, b) : Tensor(), db, gr ? dz : Tensor()};
      });
  return out;
}

Tensor gspmm(const Csr& g, Msg msg, Reduce reduce, const Tensor& u, const Tensor& e) {
  return propagate(g, Propagation{msg, reduce, Update{}}, u, e);
}

}  // namespace loom::mp
