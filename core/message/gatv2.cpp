// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::gatv2_logits: GATv2's attention logits fused over the entries of a Csr. Checks, dispatch, and a backward
// that recomputes each entry's [H, C] pre-activation instead of storing it: dv and the per-row att partials in one
// pass over g, du in one pass over its cached transpose, datt as a sum of the [num_rows, H, C] partials. Memory
// O(nnz H + N H C) both ways, no atomics.
#include "core/message/gatv2.h"

#include <cmath>

#include "core/detail/check.h"
#include "loom/core/autograd.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::mp {

namespace {

constexpr const char* kName = "gatv2_logits";

// A node operand [rows, H, C] indexed by one side of the graph.
void check_node(const char* arg, const Tensor& t, const Csr& g, bool sources) {
  const int64_t rows = sources ? g.num_cols() : g.num_rows();
  const char* dim = sources ? "num_cols" : "num_rows";
  const char* side = sources ? "columns (source nodes)" : "rows (destination nodes)";
  detail::check_floating(kName, arg, t);
  LOOM_CHECK(t.device() == g.device(), DeviceError, kName, ": '", arg, "' is on ", t.device().str(),
             " but the graph is on ", g.device().str(), " (move one with .to(device))");
  LOOM_CHECK(t.dim() == 3, ShapeError, kName, ": '", arg, "' must be [", dim, ", H, C] (a row per ",
             sources ? "source" : "destination", " node), got shape ", t.shape_str());
  LOOM_CHECK(t.size(0) == rows, ShapeError, kName, ": '", arg, "' has ", t.size(0), " rows but the graph has ", rows,
             " ", side, " (", g.str(), ")");
}

}  // namespace

Tensor gatv2_logits(const Csr& g, const Tensor& u, const Tensor& v, const Tensor& att, double negative_slope) {
  LOOM_CHECK(g.defined(), ValueError, kName, ": the graph is an undefined Csr");
  check_node("u", u, g, true);
  check_node("v", v, g, false);
  detail::check_floating(kName, "att", att);
  LOOM_CHECK(att.device() == g.device(), DeviceError, kName, ": 'att' is on ", att.device().str(),
             " but the graph is on ", g.device().str(), " (move one with .to(device))");
  detail::check_same_dtype(kName, "u", u, "v", v);
  detail::check_same_dtype(kName, "u", u, "att", att);
  LOOM_CHECK(v.size(1) == u.size(1) && v.size(2) == u.size(2), ShapeError, kName, ": 'u' ", u.shape_str(), " and 'v' ",
             v.shape_str(), " must have the same heads and channels [*, H, C]");
  LOOM_CHECK(att.dim() == 2 && att.size(0) == u.size(1) && att.size(1) == u.size(2), ShapeError, kName,
             ": 'att' must be [H, C] = [", u.size(1), ", ", u.size(2), "] to match 'u' ", u.shape_str(), ", got ",
             att.shape_str());
  LOOM_CHECK(std::isfinite(negative_slope), ValueError, kName, ": negative_slope must be finite, got ",
             negative_slope);

  detail::Gatv2Dims dims;
  dims.heads = u.size(1);
  dims.channels = u.size(2);
  dims.slope = negative_slope;
  Tensor out = empty({g.nnz(), dims.heads}, u.dtype(), u.device());
  if (out.numel() > 0) {
    if (out.is_cuda()) {
      LOOM_CUDA_ONLY(kName, detail::gatv2_cuda(g, u, v, att, dims, out));
    } else {
      detail::gatv2_cpu(g, u, v, att, dims, out);
    }
  }

  const bool gu = u.requires_grad(), gv = v.requires_grad(), ga = att.requires_grad();
  autograd::record(kName, {u, v, att}, out,
                   [g, dims, gu, gv, ga, u = u.detach(), v = v.detach(), att = att.detach()](const Tensor& dy) {
                     LOOM_CHECK(dy.shape() == Shape({g.nnz(), dims.heads}), ShapeError, kName,
                                " backward: gradient has shape ", dy.shape_str(), ", expected [", g.nnz(), ", ",
                                dims.heads, "]");
                     const int64_t w = dims.width();
                     auto run = [&](const Csr& walk, bool side_u, const Tensor& grad, const Tensor& part) {
                       if (walk.num_rows() == 0 || w == 0) return;
                       if (dy.is_cuda()) {
                         LOOM_CUDA_ONLY(kName, detail::gatv2_backward_cuda(walk, side_u, u, v, att, dy, dims, grad,
                                                                           part));
                       } else {
                         detail::gatv2_backward_cpu(walk, side_u, u, v, att, dy, dims, grad, part);
                       }
                     };
                     Tensor du, dv, datt;
                     if (gv || ga) {
                       if (gv) dv = empty({g.num_rows(), w}, dy.dtype(), dy.device());
                       // Row partials of datt, summed below with the deterministic reduction.
                       Tensor part = ga ? empty({g.num_rows(), w}, dy.dtype(), dy.device()) : Tensor();
                       run(g, false, dv, part);
                       if (ga) {
                         datt = g.num_rows() > 0 ? loom::sum(part, 0) : zeros({w}, dy.dtype(), dy.device());
                         datt = datt.view(att.shape());
                       }
                       if (gv) dv = dv.view(v.shape());
                     }
                     if (gu) {
                       const Csr& gt = g.transpose();
                       du = empty({gt.num_rows(), w}, dy.dtype(), dy.device());
                       run(gt, true, du, Tensor());
                       du = du.view(u.shape());
                     }
                     return std::vector<Tensor>{du, dv, datt};
                   });
  return out;
}

}  // namespace loom::mp
