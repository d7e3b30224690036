// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// SoftHGNN: learned soft hyperedges over a set of tokens, as batched dense GEMMs (the incidence is N x M_total per
// sample and small), with the sparse-selection variant's top-k mask and load-balancing term.
#include "loom/layers/soft_hgnn.h"

#include <cmath>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::layers {

namespace {

// A [rows, in] weight and [rows] bias initialised as nn::Linear (PyTorch): U(-1/sqrt(in), 1/sqrt(in)) for both.
void linear_init(Tensor& weight, Tensor& bias) {
  nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  const double bound = 1.0 / std::sqrt(static_cast<double>(weight.size(1)));
  nn::init::uniform_(bias, -bound, bound);
}

// x W^T + b for x [B, R, in] (or [B, in]) and W [out, in].
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  return add(matmul(x, transpose(weight, 0, 1)), bias);
}

// The selection mask [B, M] (dtype, on the device, no autograd) with ones at each sample's `k` ids in `indices`
// [B, k], built on the device: a one at flat position b M + id for each (b, id) (ids within a row are distinct).
Tensor selection_mask(const Tensor& indices, int64_t m, DType dtype, Device device) {
  NoGradGuard no_grad;
  const int64_t b = indices.size(0), k = indices.size(1);
  const Tensor row_start = mul_scalar(arange(b, kFloat64, device), static_cast<double>(m)).view({b, 1});
  const Tensor at = add(indices.to(kFloat64), row_start).to(kInt64).view({b * k});  // exact below 2^53
  return index_add(zeros({b * m}, dtype, device), at, ones({b * k}, dtype, device)).view({b, m});
}

// mean_m (f_m - target)^2 for f [M].
Tensor balance_term(const Tensor& f, double target) { return mean(pow(add_scalar(f, -target), 2.0)); }

}  // namespace

SoftHGNN::SoftHGNN(const SoftHGNNOptions& o) : TokenLayer("SoftHGNN"), options_(o) {
  const char* layer = "SoftHGNN";
  LOOM_CHECK(o.dim() > 0, ValueError, layer, ": dim must be positive, got ", o.dim());
  LOOM_CHECK(o.num_hyperedges() > 0, ValueError, layer, ": num_hyperedges must be positive, got ",
             o.num_hyperedges());
  LOOM_CHECK(o.num_fixed() >= 0, ValueError, layer, ": num_fixed must be >= 0, got ", o.num_fixed());
  LOOM_CHECK(o.top_k() >= 0 && o.top_k() <= o.num_hyperedges(), ValueError, layer,
             ": top_k must be in [0, num_hyperedges = ", o.num_hyperedges(), "] (0 keeps all), got ", o.top_k());
  LOOM_CHECK(o.heads() > 0 && o.dim() % o.heads() == 0, ValueError, layer, ": heads must be positive and divide dim ",
             o.dim(), ", got ", o.heads());
  LOOM_CHECK(o.dropout() >= 0.0 && o.dropout() <= 1.0, ValueError, layer, ": dropout must be in [0, 1], got ",
             o.dropout());
  const int64_t D = o.dim(), M = o.num_hyperedges() + o.num_fixed();
  prototypes = register_parameter("prototypes", nn::init::xavier_uniform_(empty({M, D})));
  auto linear_pair = [&](const std::string& name, int64_t out, int64_t in, Tensor& weight, Tensor& bias) {
    weight = empty({out, in});
    bias = empty({out});
    linear_init(weight, bias);
    weight = register_parameter(name + "_weight", weight);
    bias = register_parameter(name + "_bias", bias);
  };
  if (o.context()) linear_pair("context", M * D, 2 * D, context_weight, context_bias);
  linear_pair("proj", D, D, proj_weight, proj_bias);
  linear_pair("edge", D, D, edge_weight, edge_bias);
  linear_pair("vertex", D, D, vertex_weight, vertex_bias);
}

Tensor SoftHGNN::forward(const Tensor& x) { return forward_with_details(x).x; }

SoftHGNNOutput SoftHGNN::forward_with_details(const Tensor& input) {
  const SoftHGNNOptions& o = options_;
  const int64_t D = o.dim(), M_dyn = o.num_hyperedges(), M = M_dyn + o.num_fixed(), k = o.top_k();
  const char* op = "SoftHGNN.forward";
  LOOM_CHECK(input.defined(), ValueError, op, ": 'x' is an undefined tensor");
  LOOM_CHECK(is_floating(input.dtype()), DTypeError, op, ": 'x' must be float32 or float64, got ",
             dtype_name(input.dtype()), " ", input.shape_str());
  LOOM_CHECK((input.dim() == 2 || input.dim() == 3) && input.size(-1) == D, ShapeError, op,
             ": 'x' must be [B, N, ", D, "] or [N, ", D, "] (dim = ", D, "), got ", input.shape_str());
  LOOM_CHECK(input.numel() > 0, ShapeError, op, ": 'x' must hold at least one token per sample, got ",
             input.shape_str());
  LOOM_CHECK(input.device() == prototypes.device(), DeviceError, op, ": 'x' is on ", input.device().str(),
             " but the layer's parameters are on ", prototypes.device().str(), " (move the layer with .to(device))");
  LOOM_CHECK(input.dtype() == prototypes.dtype(), DTypeError, op, ": 'x' is ", dtype_name(input.dtype()),
             " but the layer's parameters are ", dtype_name(prototypes.dtype()), " (convert one with .to(dtype))");
  const bool batched = input.dim() == 3;
  const Tensor x = batched ? input : input.view({1, input.size(0), D});
  const int64_t B = x.size(0), N = x.size(1);

  // Logits L = mean_h Z_h P_h^T / sqrt(d). The head blocks partition the feature axis, so the sum over heads of
  // Z_h P_h^T is the full product Z P^T: L = Z P^T / (h sqrt(d)), one GEMM with no head split.
  const Tensor z = linear(x, proj_weight, proj_bias);  // [B, N, D]
  Tensor logits;
  if (o.context()) {
    const Tensor c = concat({mean(x, 1), max(x, 1)}, 1);                          // [B, 2D]
    const Tensor offsets = linear(c, context_weight, context_bias).view({B, M, D});  // [B, M, D]
    logits = bmm(z, transpose(add(offsets, prototypes), 1, 2));                    // [B, N, M]
  } else {
    logits = matmul(z, transpose(prototypes, 0, 1));  // [B, N, M]
  }
  const double d = static_cast<double>(D / o.heads());
  logits = dropout(mul_scalar(logits, 1.0 / (static_cast<double>(o.heads()) * std::sqrt(d))), o.dropout(),
                   is_training());
  Tensor a = softmax(logits, 1);  // each hyperedge's column sums to 1 over the N tokens

  SoftHGNNOutput out;
  if (k > 0) {
    // SeS: score_m = sum_n L[n, m] (after dropout, before softmax) over the dynamic hyperedges (the first M_dyn
    // columns). The kept set comes from topk, whose ties go to the lower hyperedge id; it carries no gradient.
    const Tensor score = slice(sum(logits, 1), 1, 0, M_dyn);  // [B, M_dyn]
    Tensor mask_dyn;
    {
      NoGradGuard no_grad;
      mask_dyn = selection_mask(topk(score.detach(), k).indices, M_dyn, x.dtype(), x.device());
    }
    const Tensor mask = o.num_fixed() > 0
                            ? concat({mask_dyn, ones({B, o.num_fixed()}, x.dtype(), x.device())}, 1)
                            : mask_dyn;  // [B, M], constant
    a = mul(a, mask.view({B, 1, M}));  // dropped columns zeroed, no renormalisation
    out.selected = mask.to(kInt64);
    const double target = static_cast<double>(k) / static_cast<double>(M_dyn);
    if (o.load_balance() == LoadBalance::kSelection) {
      out.load_balance = balance_term(mean(mask_dyn, 0), target);  // f_m: selection rate over the batch
    } else {
      // f_m = k x (batch mean of m's softmax share among the dynamic scores): differentiable, and sum_m f_m = k
      // as for the selection rates.
      out.load_balance = balance_term(mul_scalar(mean(softmax(score, 1), 0), static_cast<double>(k)), target);
    }
  } else {
    out.selected = ones({B, M}, kInt64, x.device());
    out.load_balance = scalar_tensor(0.0, x.dtype(), x.device());
  }

  const Tensor e = gelu(linear(bmm(transpose(a, 1, 2), x), edge_weight, edge_bias));  // [B, M, D]: unprojected x
  const Tensor y = gelu(linear(bmm(a, e), vertex_weight, vertex_bias));              // [B, N, D]
  out.x = add(x, y);
  out.participation = a;
  if (!batched) {
    out.x = out.x.view({N, D});
    out.participation = a.view({N, M});
  }
  return out;
}

}  // namespace loom::layers
