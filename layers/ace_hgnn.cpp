// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// AceHgnn: the affinity S by one bmm of L2-normalised tokens, masking, topk + softmax over the k picks, a
// block-diagonal Csr of A built on the device from topk's indices, then E = A X and V = A^T E' as two gspmm calls
// (the transpose is the Csr's cached CSC, so both are deterministic) around two small dense adapters.
#include "loom/layers/ace_hgnn.h"

#include <cmath>
#include <limits>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::layers {

namespace {

constexpr const char* kLayer = "AceHgnn";

// Inputs in the batched form: x [B, N, D], logits [B, N] or undefined.
struct Inputs {
  Tensor x, logits;
};

Inputs check_inputs(const char* fn, const AceHgnnOptions& o, const Tensor& x, const Tensor& logits,
                    const Tensor& param) {
  const int64_t D = o.dim(), k = o.top_k();
  LOOM_CHECK(x.defined(), ValueError, fn, ": 'x' is an undefined tensor");
  LOOM_CHECK(is_floating(x.dtype()), DTypeError, fn, ": 'x' must be float32 or float64, got ", dtype_name(x.dtype()),
             " ", x.shape_str());
  LOOM_CHECK((x.dim() == 2 || x.dim() == 3) && x.size(-1) == D, ShapeError, fn, ": 'x' must be [B, N, ", D,
             "] or [N, ", D, "] (dim = ", D, "), got ", x.shape_str());
  LOOM_CHECK(x.device() == param.device(), DeviceError, fn, ": 'x' is on ", x.device().str(),
             " but the layer's parameters are on ", param.device().str(), " (move the layer with .to(device))");
  LOOM_CHECK(x.dtype() == param.dtype(), DTypeError, fn, ": 'x' is ", dtype_name(x.dtype()),
             " but the layer's parameters are ", dtype_name(param.dtype()), " (convert one with .to(dtype))");
  const bool batched = x.dim() == 3;
  const int64_t B = batched ? x.size(0) : 1, N = x.size(-2);
  LOOM_CHECK(B >= 1, ShapeError, fn, ": 'x' holds no samples (B = 0), got ", x.shape_str());
  // Row 0 has N - 1 candidates, the local rows N - 2 (the diagonal and column 0 are masked): every row needs k.
  LOOM_CHECK(N >= k + 2, ShapeError, fn, ": 'x' has N = ", N, " tokens, too few for top_k = ", k,
             " (each local token picks k tokens other than itself and the global token: need N >= k + 2 = ", k + 2,
             ")");
  LOOM_CHECK(B * N <= std::numeric_limits<int32_t>::max(), ShapeError, fn, ": B N = ", B * N,
             " tokens exceed the Csr's int32 column ids");
  Inputs in{batched ? x : x.view({1, N, D}), Tensor()};
  if (logits.defined()) {
    const Shape want = batched ? Shape{B, N} : Shape{N};
    LOOM_CHECK(logits.shape() == want, ShapeError, fn, ": 'global_logits' must be ", shape_str(want),
               " (one logit per token of ", batched ? "each sample" : "the sample", "), got ", logits.shape_str());
    LOOM_CHECK(logits.dtype() == x.dtype(), DTypeError, fn, ": 'global_logits' is ", dtype_name(logits.dtype()),
               " but 'x' is ", dtype_name(x.dtype()));
    LOOM_CHECK(logits.device() == x.device(), DeviceError, fn, ": 'global_logits' is on ", logits.device().str(),
               " but 'x' is on ", x.device().str());
    in.logits = logits.view({B, N});
    // A non-finite logit could tie with the -inf mask (or poison the softmax); entry 0 is ignored, so not checked.
    LOOM_CHECK(!has_nonfinite(slice(in.logits.detach(), 1, 1, N)), ValueError, fn,
               ": 'global_logits' must be finite in entries 1..N-1 (pre-softmax logits, before any padding mask)");
  }
  return in;
}

// S [B, N, N] with the masked entries at -inf: cosines of the tokens, row 0 replaced by the logits when given.
Tensor affinity(const Tensor& x, const Tensor& logits) {
  const int64_t B = x.size(0), N = x.size(1);
  const double inf = std::numeric_limits<double>::infinity();
  // x / |x|, with 1e-24 under the root so a zero token has cosine 0 with everything instead of NaN.
  const Tensor xn = div(x, sqrt(add_scalar(sum(mul(x, x), -1, /*keepdim=*/true), 1e-24)));
  Tensor s = bmm(xn, transpose(xn, 1, 2));
  if (logits.defined()) s = concat({logits.view({B, 1, N}), slice(s, 1, 1, N)}, 1);
  // Column 0 is masked in every row (row 0's diagonal; local rows never pick the global token), so it is replaced
  // rather than added to: whatever global_logits[0] holds never reaches topk. The diagonal of columns 1.. is -inf
  // by addition (its gradient is discarded by topk, which never picks it).
  // The mask is built on x's device: -inf at (i, i - 1), flat position i N - 1, for i = 1 .. N-1.
  Tensor mask;
  {
    NoGradGuard no_grad;
    const Tensor at = add_scalar(mul_scalar(add_scalar(arange(N - 1, kFloat64, x.device()), 1.0),
                                            static_cast<double>(N)), -1.0).to(kInt64);  // exact below 2^53
    mask = index_add(zeros({N * (N - 1)}, x.dtype(), x.device()), at, full({N - 1}, -inf, x.dtype(), x.device()))
               .view({N, N - 1});
  }
  return concat({full({B, N, 1}, -inf, x.dtype(), x.device()), add(slice(s, 2, 1, N), mask)}, 2);
}

// The pattern of A (Csr over B N tokens, no values) and its values in that Csr's order (differentiable).
struct Hyperedges {
  Csr pattern;
  Tensor values;
};

Hyperedges build(const Inputs& in, int64_t k) {
  const Tensor& x = in.x;
  const int64_t B = x.size(0), N = x.size(1), BN = B * N;
  const Device dev = x.device();
  const TopK picks = topk(affinity(x, in.logits), k);  // values, indices [B, N, k]; never a masked entry (N >= k+2)
  const Tensor w = softmax(picks.values, -1);
  // Token ids are computed in float64 on the device (exact below 2^53) and cast once to the Csr's int32.
  const Tensor offset = mul_scalar(arange(B, kFloat64, dev), static_cast<double>(N)).view({B, 1, 1});
  const Tensor no_k = zeros({1, 1, k}, kFloat64, dev);
  const Tensor pick_cols = add(picks.indices.to(kFloat64), offset);                  // b N + j
  const Tensor pick_rows = add(arange(BN, kFloat64, dev).view({B, N, 1}), no_k);    // b N + i, k times
  const Tensor self = arange(BN, kFloat64, dev);
  const Tensor link_rows = slice(pick_cols, 1, 0, 1);  // [B, 1, k]: the tokens the global token picked ...
  const Tensor link_cols = add(offset, no_k);          // ... join its hyperedge: entry (b N + j, b N)
  // COO order: the picks, the self entries (weight 1, constant), the links (row 0's pick weights: A[i,0] = A[0,i]).
  // No pair repeats: picks avoid the diagonal and column 0, links sit in column 0 of local rows.
  const Tensor rows = concat({pick_rows.flatten(), self, link_rows.flatten()}, 0).to(kInt32);
  const Tensor cols = concat({pick_cols.flatten(), self, link_cols.flatten()}, 0).to(kInt32);
  const Tensor coo_values =
      concat({w.flatten(), ones({BN}, x.dtype(), dev), slice(w, 1, 0, 1).flatten()}, 0);
  Hyperedges h;
  h.pattern = Csr::from_coo(rows, cols, BN, BN);
  h.values = index_select(coo_values, h.pattern.edge_ids());
  return h;
}

Tensor adapter(const Tensor& x, const Tensor& down_w, const Tensor& down_b, const Tensor& up_w, const Tensor& up_b,
               double slope) {
  const Tensor h = leaky_relu(add(matmul(x, transpose(down_w, 0, 1)), down_b), slope);
  return add(matmul(h, transpose(up_w, 0, 1)), up_b);
}

}  // namespace

AceHgnn::AceHgnn(const AceHgnnOptions& o) : nn::Module(kLayer), options_(o) {
  LOOM_CHECK(o.dim() > 0, ValueError, kLayer, ": dim must be positive, got ", o.dim());
  LOOM_CHECK(o.top_k() >= 1, ValueError, kLayer, ": top_k must be >= 1, got ", o.top_k());
  LOOM_CHECK(o.bottleneck() > 0, ValueError, kLayer, ": bottleneck must be positive, got ", o.bottleneck());
  LOOM_CHECK(std::isfinite(o.negative_slope()), ValueError, kLayer, ": negative_slope must be finite, got ",
             o.negative_slope());
  const int64_t D = o.dim(), r = o.bottleneck();
  // Kaiming-normal (fan in, gain sqrt(2)) as the released code's adapters; zero biases.
  edge_down_weight = register_parameter("edge_down_weight", nn::init::kaiming_normal_(empty({r, D})));
  edge_down_bias = register_parameter("edge_down_bias", zeros({r}));
  edge_up_weight = register_parameter("edge_up_weight", nn::init::kaiming_normal_(empty({D, r})));
  edge_up_bias = register_parameter("edge_up_bias", zeros({D}));
  node_down_weight = register_parameter("node_down_weight", nn::init::kaiming_normal_(empty({r, D})));
  node_down_bias = register_parameter("node_down_bias", zeros({r}));
  node_up_weight = register_parameter("node_up_weight", nn::init::kaiming_normal_(empty({D, r})));
  node_up_bias = register_parameter("node_up_bias", zeros({D}));
}

Csr AceHgnn::hyperedges(const Tensor& x, const Tensor& global_logits) const {
  const Inputs in = check_inputs("AceHgnn.hyperedges", options_, x, global_logits, edge_down_weight);
  const Hyperedges h = build(in, options_.top_k());
  return h.pattern.with_values(h.values);
}

Tensor AceHgnn::forward(const Tensor& x, const Tensor& global_logits) {
  const AceHgnnOptions& o = options_;
  const Inputs in = check_inputs("AceHgnn.forward", o, x, global_logits, edge_down_weight);
  const int64_t BN = in.x.size(0) * in.x.size(1), D = o.dim();
  const Hyperedges a = build(in, o.top_k());
  const Tensor tokens = in.x.view({BN, D});
  // gspmm reads the weights from its argument, never from the Csr: the pattern-only Csr keeps its transpose free
  // of a values copy, and the transposed weights are one index_select (gradients reach A's weights both ways).
  const Tensor e = mp::gspmm(a.pattern, mp::u_mul_e, mp::sum, tokens, a.values);  // E = A X
  const Tensor e2 = adapter(e, edge_down_weight, edge_down_bias, edge_up_weight, edge_up_bias, o.negative_slope());
  const Csr& at = a.pattern.transpose();
  const Tensor v = mp::gspmm(at, mp::u_mul_e, mp::sum, e2, index_select(a.values, at.edge_ids()));  // V = A^T E'
  Tensor out = adapter(v, node_down_weight, node_down_bias, node_up_weight, node_up_bias, o.negative_slope());
  if (o.residual()) out = add(out, tokens);
  return out.view(x.shape());
}

}  // namespace loom::layers
