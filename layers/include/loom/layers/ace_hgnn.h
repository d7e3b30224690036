// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// ACE-HGNN: the attention-based context-enhancement hypergraph module of ACE-LoRA (Aydin et al., arXiv 2603.17079)
// as a reusable layer. Per sample it builds a sparse hypergraph over the tokens (token i and its top-k most related
// tokens form hyperedge i), then passes messages token -> hyperedge -> token through two small adapters, so the
// global token (token 0) absorbs fine-grained local cues. Method notes: papers/ace-hgnn.md.
#pragma once
#include <cstdint>

#include "loom/core/nn.h"
#include "loom/core/sparse.h"

namespace loom::layers {

struct AceHgnnOptions {
  explicit AceHgnnOptions(int64_t dim) : dim_(dim) {}
  LOOM_ARG(int64_t, dim);                // D
  LOOM_ARG(int64_t, top_k) = 5;          // k picks per hyperedge; 1 <= k <= N - 2
  LOOM_ARG(int64_t, bottleneck) = 128;   // r of both adapters (D -> r -> D)
  LOOM_ARG(double, negative_slope) = 0.2;
  LOOM_ARG(bool, residual) = false;      // the released code has none (out replaces x); true adds x
};

// Per sample, tokens X [N, D], token 0 global:
//   S[i, j] (i, j >= 1) = cos(X_i, X_j);  S[0, j] = global_logits[j] when given, else cos(X_0, X_j)
//   S[i, i] = -inf; S[i, 0] = -inf for i >= 1 (local tokens never pick the global token by similarity)
//   A[i, :] = softmax over the k largest entries of S[i, :] (others 0)            (topk, then a softmax over k)
//   then, in this order: A[i, i] = 1; A[i, 0] = A[0, i] for i >= 1              (rows no longer sum to 1)
//   E   = A X                          (hyperedge i = {i} + its picks, weighted; gspmm over a Csr of A)
//   E'  = W_up2 LeakyReLU(W_dn2 E + b) + b'                                       (edge adapter)
//   V   = A^T E'                       (gspmm over the cached transpose)
//   out = W_up1 LeakyReLU(W_dn1 V + b) + b'  (+ X with residual)                  (node adapter)
// A is one block-diagonal Csr over the B N tokens with k + 1 entries per row plus k links to token 0 per sample,
// built on the device from topk's indices; gradients flow into the weights of A (through topk's values and the
// softmax) and into X. Adapters: Kaiming-normal weights, zero biases.
class AceHgnn : public nn::Module {
 public:
  explicit AceHgnn(const AceHgnnOptions& options);
  // x [B, N, D] or [N, D] (N >= k + 2); global_logits, optional, [B, N] or [N] (entry 0 ignored): the encoder's
  // pre-softmax attention logits from the global token, used for row 0 of S.
  Tensor forward(const Tensor& x, const Tensor& global_logits = Tensor());
  // The weighted hyperedges A that forward builds for these inputs, without running the adapters: a Csr
  // [B N, B N] whose row b N + i is hyperedge i of sample b (columns are token ids b N + j), values its weights.
  Csr hyperedges(const Tensor& x, const Tensor& global_logits = Tensor()) const;
  const AceHgnnOptions& options() const { return options_; }

  Tensor edge_down_weight, edge_down_bias, edge_up_weight, edge_up_bias;  // [r, D], [r], [D, r], [D]
  Tensor node_down_weight, node_down_bias, node_up_weight, node_up_bias;

 private:
  AceHgnnOptions options_;
};

}  // namespace loom::layers
