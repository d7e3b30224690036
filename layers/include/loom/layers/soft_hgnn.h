// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// SoftHGNN (Lei et al., arXiv 2505.15325): a hypergraph layer whose hyperedges are learned, not given. M learnable
// prototypes (shifted per sample by a context offset) define M soft hyperedges; every token joins every hyperedge
// with a continuous weight, and messages go token -> hyperedge -> token. The sparse-selection variant (SeS) keeps
// only the top-k dynamic hyperedges per sample, with a load-balancing term. Method notes: papers/softhgnn.md.
#pragma once
#include <cstdint>

#include "loom/core/nn.h"
#include "loom/layers/layer.h"

namespace loom::layers {

// How the load-balancing term of SeS is computed (both give L = mean_m (f_m - k / M_dyn)^2 over dynamic hyperedges):
//   kSelection (the released code): f_m = fraction of the batch's samples whose top-k selects hyperedge m. The
//     selection is a hard mask, so this term has no gradient: it is a diagnostic, and training ignores it.
//   kSoftMass (differentiable, ours): f_m = k x (mean over samples of hyperedge m's share of the softmax mass of the
//     dynamic hyperedges' scores), which equals the selection rate in expectation when scores are peaked.
enum class LoadBalance : uint8_t { kSelection, kSoftMass };

struct SoftHGNNOptions {
  explicit SoftHGNNOptions(int64_t dim) : dim_(dim) {}
  LOOM_ARG(int64_t, dim);                  // D: token width in and out
  LOOM_ARG(int64_t, num_hyperedges) = 16;  // M (basic), or M_dyn, the dynamic prototypes (SeS)
  LOOM_ARG(int64_t, num_fixed) = 0;        // M_fix: always-kept hyperedges (SeS only)
  LOOM_ARG(int64_t, top_k) = 0;            // SeS: dynamic hyperedges kept per sample; 0 = keep all (basic layer)
  LOOM_ARG(int64_t, heads) = 8;            // h: similarity heads, averaged into one participation matrix; D % h == 0
  LOOM_ARG(double, dropout) = 0.1;         // on the similarity logits, while training (before top-k and softmax)
  LOOM_ARG(bool, context) = true;          // per-sample prototype offsets from [mean; max] of the tokens
  LOOM_ARG(LoadBalance, load_balance) = LoadBalance::kSelection;
};

struct SoftHGNNOutput {
  Tensor x;              // [B, N, D] (or [N, D]): x + Y
  Tensor participation;  // A [B, N, M_total] (or [N, M_total]): softmax over tokens, dropped hyperedges zeroed
  Tensor selected;       // int64 [B, M_total] ([1, M_total] for x [N, D]): 1 where the hyperedge was kept (all ones
                         // for the basic layer); equal scores are kept lower hyperedge id first (topk's order)
  Tensor load_balance;   // rank-0 load-balancing term (SeS), 0 for the basic layer
};

// Per sample b with tokens X [N, D] (the released module's formula, see the notes):
//   c      = [mean_n X ; max_n X]                               ([2D]; only with context)
//   P      = P0 + reshape(W_c c + b_c, [M_total, D])           (P0 Xavier-uniform; without context P = P0)
//   Z      = X W_p^T + b_p, split into h heads of width d = D / h (and P likewise)
//   L      = mean over heads of Z_h P_h^T / sqrt(d)            ([N, M_total]), then dropout while training
//   SeS:   score_m = sum_n L[n, m]; keep the M_fix fixed hyperedges and the top_k dynamic ones by score
//   A      = softmax of L over the N tokens (each column sums to 1), dropped columns zeroed (no renormalisation)
//   E      = GELU((A^T X) W_e^T + b_e)                          ([M_total, D]; uses the unprojected X)
//   Y      = GELU((A E) W_v^T + b_v)                            ([N, D])
//   out    = X + Y
// M_total = num_hyperedges + num_fixed; fixed hyperedges are the last num_fixed columns. Everything is batched
// dense GEMMs (the incidence is dense and small: N x M_total per sample), never a per-sample loop.
// "On graph nodes": x [N, D] is one sample whose tokens are the nodes.
class SoftHGNN : public TokenLayer {
 public:
  explicit SoftHGNN(const SoftHGNNOptions& options);
  // x [B, N, D] or [N, D], floating, on the parameters' device. ShapeError names a wrong D or rank.
  Tensor forward(const Tensor& x) override;
  // The same, with the participation matrix, the selection and the load-balancing term (add
  // weight * load_balance to the loss when it has a gradient, i.e. with LoadBalance::kSoftMass).
  SoftHGNNOutput forward_with_details(const Tensor& x);
  const SoftHGNNOptions& options() const { return options_; }

  // prototypes [M_total, D]; context_weight [M_total D, 2D], context_bias [M_total D] (only with context);
  // proj_weight/bias [D, D]/[D]; edge_weight/bias and vertex_weight/bias [D, D]/[D].
  Tensor prototypes, context_weight, context_bias, proj_weight, proj_bias, edge_weight, edge_bias, vertex_weight,
      vertex_bias;

 private:
  SoftHGNNOptions options_;
};

}  // namespace loom::layers
