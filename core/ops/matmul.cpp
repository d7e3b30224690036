// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// matmul and bmm: shape checks, dispatch of the general product (matmul.h) and the gradients da = dy b^T,
// db = a^T dy, computed as products with transpose flags (no transposed copies).
#include "core/ops/matmul.h"

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace {

// Allocates `out_shape` and runs the product on a's device. k == 0 is an empty sum: zeros.
Tensor gemm(const detail::GemmArgs& g, const Tensor& a, const Tensor& b, const Shape& out_shape) {
  if (g.k == 0) return zeros(out_shape, a.dtype(), a.device());
  Tensor c = empty(out_shape, a.dtype(), a.device());
  if (c.numel() == 0) return c;
  if (a.is_cuda()) {
    LOOM_CUDA_ONLY("matmul", detail::gemm_cuda(g, a, b, c));
  } else {
    detail::gemm_cpu(g, a, b, c);
  }
  return c;
}

enum class Kind { kPlain, kBatched, kSharedRight };

Tensor matmul_impl(const char* op, const Tensor& a, const Tensor& b, bool batched_only) {
  detail::check_floating(op, "a", a);
  detail::check_floating(op, "b", b);
  detail::check_same_device(op, "a", a, "b", b);
  detail::check_same_dtype(op, "a", a, "b", b);
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  Kind kind;
  if (!batched_only && a.dim() == 2 && b.dim() == 2) {
    kind = Kind::kPlain;
  } else if (a.dim() == 3 && b.dim() == 3) {
    kind = Kind::kBatched;
  } else if (!batched_only && a.dim() == 3 && b.dim() == 2) {
    kind = Kind::kSharedRight;
  } else {
    throw ShapeError(detail::str_cat(op, ": ", shape_str(sa), " x ", shape_str(sb), ": expected ",
                                     batched_only ? "[B, M, K] x [B, K, N]"
                                                  : "[M, K] x [K, N], [B, M, K] x [B, K, N] or [B, M, K] x [K, N]"));
  }
  const int64_t k = sa.back();
  const int64_t kb = sb[sb.size() - 2];
  LOOM_CHECK(k == kb, ShapeError, op, ": ", shape_str(sa), " x ", shape_str(sb), ": inner dimensions ", k, " and ",
             kb, " differ");
  if (kind == Kind::kBatched) {
    LOOM_CHECK(sa[0] == sb[0], ShapeError, op, ": ", shape_str(sa), " x ", shape_str(sb), ": batch sizes ", sa[0],
               " and ", sb[0], " differ");
  }
  const int64_t n = sb.back();
  // A shared right operand is one [B*M, K] x [K, N] product.
  const int64_t batch = kind == Kind::kBatched ? sa[0] : 1;
  const int64_t m = kind == Kind::kPlain ? sa[0] : (kind == Kind::kBatched ? sa[1] : sa[0] * sa[1]);
  const Shape out_shape = kind == Kind::kPlain ? Shape{m, n} : Shape{sa[0], sa[sa.size() - 2], n};

  detail::GemmArgs fwd;
  fwd.batch = batch;
  fwd.m = m; fwd.n = n; fwd.k = k;
  fwd.stride_a = m * k; fwd.stride_b = k * n; fwd.stride_c = m * n;
  Tensor out = gemm(fwd, a.detach(), b.detach(), out_shape);

  const bool ga = a.requires_grad(), gb = b.requires_grad();
  autograd::record(op, {a, b}, out, [a = a.detach(), b = b.detach(), fwd, ga, gb](const Tensor& dy) {
    Tensor da, db;
    if (ga) {  // da [m, k] = dy [m, n] * b^T (b stored [k, n]), per batch entry; b shared: stride 0
      detail::GemmArgs g;
      g.trans_b = true;
      g.batch = fwd.batch;
      g.m = fwd.m; g.n = fwd.k; g.k = fwd.n;
      g.stride_a = fwd.m * fwd.n; g.stride_b = fwd.k * fwd.n; g.stride_c = fwd.m * fwd.k;
      da = gemm(g, dy, b, a.shape());
    }
    if (gb) {  // db [k, n] = a^T (a stored [m, k]) * dy [m, n]; for a shared b, m runs over B*M rows: the batch sum
      detail::GemmArgs g;
      g.trans_a = true;
      g.batch = fwd.batch;
      g.m = fwd.k; g.n = fwd.n; g.k = fwd.m;
      g.stride_a = fwd.m * fwd.k; g.stride_b = fwd.m * fwd.n; g.stride_c = fwd.k * fwd.n;
      db = gemm(g, a, dy, b.shape());
    }
    return std::vector<Tensor>{da, db};
  });
  return out;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) { return matmul_impl("matmul", a, b, /*batched_only=*/false); }
Tensor bmm(const Tensor& a, const Tensor& b) { return matmul_impl("bmm", a, b, /*batched_only=*/true); }

}  // namespace loom
