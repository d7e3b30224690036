// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HISTOGRAPH (Galron et al., ICLR 2026): a graph-classification readout over every layer's node states, not only the
// last: per-layer projections, a fixed sinusoidal layer encoding, attention over the layer axis with signed weights,
// one node-wise self-attention inside each graph, mean pooling and a classifier. Method note:
// shared/papers/histograph.md (its equations; the official code was not available to check them against).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "loom/core/nn.h"
#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::layers {

struct HistographReadoutOptions {
  HistographReadoutOptions(std::vector<int64_t> layer_widths, int64_t hidden, int64_t out_features)
      : layer_widths_(std::move(layer_widths)), hidden_(hidden), out_features_(out_features) {}
  // The width of each layer's node states, the input's first; their count is L (>= 1).
  LOOM_ARG(std::vector<int64_t>, layer_widths);
  LOOM_ARG(int64_t, hidden);        // D, the common width every layer is projected to
  LOOM_ARG(int64_t, out_features);  // class scores
  LOOM_ARG(int64_t, heads) = 4;     // of the node-wise self-attention; must divide hidden
  // The signed normalisation's guard: alpha = c / (sum c + eps sign(sum c)), so sum c = 0 stays finite.
  LOOM_ARG(double, eps) = 1e-6;
  LOOM_ARG(double, dropout) = 0.5;  // in the classifier MLP, while training
};

// Per graph b with nodes V_b and layer states X^(0..L-1) (rows of graph b are graph_ptr[b] .. graph_ptr[b+1]-1):
//   X~_{v,l} = X^(l)_v W_l + P_l                        P: sinusoidal, P_{l,2k} = sin(l / 10000^(2k/D)), cos odd
//   c_{b,l}  = mean_{v in V_b} <X~_{v,L-1} W_Q, X~_{v,l} W_K> / sqrt(D)      one weight vector per graph
//   alpha_b  = c_b / (sum_l c_{b,l} + eps sign(sum_l c_{b,l}))               signed: may be negative, sums to ~1
//   H_v      = sum_l alpha_{b,l} X~_{v,l}                                    values are X~ itself (no W_V)
//   Z_v      = LayerNorm(H_v + MHSA(H)_v), keys restricted to V_b            never across graphs of a batch
//   out_b    = classifier(mean_{v in V_b} Z_v)
// sign(0) is +1. An empty graph reads out as classifier(0). Children: proj.K (Linear per layer), query, key
// (Linear D -> D, no bias), attn_q, attn_k, attn_v, attn_out (Linear D -> D), norm (LayerNorm), classifier (MLP
// D -> D -> out). Buffer: encoding [L, D].
class HistographReadout : public nn::Module {
 public:
  explicit HistographReadout(const HistographReadoutOptions& options);
  // layers: L tensors [N, layer_widths[l]] with the same rows; graph_ptr int64 [B + 1] -> class scores [B, out].
  Tensor forward(const std::vector<Tensor>& layers, const Tensor& graph_ptr);
  // The layer weights alpha [B, L] of these inputs (differentiable; forward uses the same computation).
  Tensor layer_weights(const std::vector<Tensor>& layers, const Tensor& graph_ptr);
  // The per-graph layer scores c [B, L] that alpha normalises (alpha = c / (sum c + eps sign(sum c))).
  Tensor layer_scores(const std::vector<Tensor>& layers, const Tensor& graph_ptr);
  const HistographReadoutOptions& options() const { return options_; }
  Tensor encoding;

 private:
  struct LayerMix {
    Tensor states;  // X~ [N, L, D]
    Tensor scores;  // c [B, L]
    Tensor alpha;   // [B, L]
  };
  LayerMix mix_layers(const std::vector<Tensor>& layers, const Tensor& graph_ptr);
  Tensor self_attention(const Tensor& h, const Tensor& graph_ptr);

  HistographReadoutOptions options_;
  std::vector<std::shared_ptr<nn::Linear>> proj_;
  std::shared_ptr<nn::Linear> query_, key_, attn_q_, attn_k_, attn_v_, attn_out_;
  std::shared_ptr<nn::LayerNorm> norm_;
  std::shared_ptr<nn::MLP> classifier_;
};

// The block-diagonal attention pattern of a batch: row v holds every node u of v's own graph (itself included), in
// increasing order, and nothing else. graph_ptr int64 [B + 1] on the CPU; the Csr is on `device`.
Csr same_graph_pairs(const Tensor& graph_ptr, Device device = kCPU);

// The graph id (0 .. B - 1) of each of the graph_ptr[B] nodes, int64 [N] on `device`.
Tensor node_graph_ids(const Tensor& graph_ptr, Device device = kCPU);

}  // namespace loom::layers
