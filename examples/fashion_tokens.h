// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The token model of examples/fashion_tokens.cpp: 4 x 4 patches of a Fashion-MNIST image as 49 tokens, a linear
// patch embedding with a learned position embedding, a pre-norm per-token MLP block, then optionally one mixing
// block (SoftHGNN, or ACE-HGNN with a prepended learnable global token), pooling and a linear classifier.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

#include "loom/core/nn.h"
#include "loom/core/ops.h"
#include "loom/layers/ace_hgnn.h"
#include "loom/layers/soft_hgnn.h"

namespace loom::examples {

struct TokenModelConfig {
  std::string block = "none";  // none | softhgnn | ace
  int64_t tokens = 49, patch_dim = 16, classes = 10;
  int64_t dim = 64;          // D, the token width
  int64_t mlp_hidden = 128;  // hidden width of the per-token MLP (widened for `none` to match a block's budget)
  int64_t hyperedges = 8, heads = 4;
  double block_dropout = 0.1;  // SoftHGNN's dropout on its similarity logits
  int64_t ace_top_k = 5, ace_bottleneck = 128;
};

class TokenClassifier : public nn::Module {
 public:
  explicit TokenClassifier(const TokenModelConfig& c) : Module("TokenClassifier"), config_(c) {
    LOOM_CHECK(c.block == "none" || c.block == "softhgnn" || c.block == "ace", ValueError,
               "TokenClassifier: block must be none, softhgnn or ace, found '", c.block, "'");
    embed_ = register_module("embed", std::make_shared<nn::Linear>(c.patch_dim, c.dim));
    position = register_parameter("position", nn::init::normal_(empty({c.tokens, c.dim}), 0.0, 0.02));
    norm_mlp_ = register_module("norm_mlp", std::make_shared<nn::LayerNorm>(nn::LayerNormOptions(c.dim)));
    mlp_ = register_module(
        "mlp", std::make_shared<nn::MLP>(nn::MLPOptions(c.dim, {c.mlp_hidden}, c.dim).activation(Activation::kGelu)));
    if (c.block != "none") {
      norm_mix_ = register_module("norm_mix", std::make_shared<nn::LayerNorm>(nn::LayerNormOptions(c.dim)));
    }
    if (c.block == "softhgnn") {
      soft_ = register_module("soft_hgnn", std::make_shared<layers::SoftHGNN>(layers::SoftHGNNOptions(c.dim)
                                                                                  .num_hyperedges(c.hyperedges)
                                                                                  .heads(c.heads)
                                                                                  .dropout(c.block_dropout)));
    } else if (c.block == "ace") {
      // The global token is the classifier's read-out (as the CLS token of ACE-LoRA's encoder); the layer's
      // residual keeps each token's own features next to what its hyperedges bring.
      global = register_parameter("global", nn::init::normal_(empty({1, c.dim}), 0.0, 0.02));
      ace_ = register_module("ace_hgnn", std::make_shared<layers::AceHgnn>(layers::AceHgnnOptions(c.dim)
                                                                              .top_k(c.ace_top_k)
                                                                              .bottleneck(c.ace_bottleneck)
                                                                              .residual(true)));
    }
    norm_out_ = register_module("norm_out", std::make_shared<nn::LayerNorm>(nn::LayerNormOptions(c.dim)));
    head_ = register_module("head", std::make_shared<nn::Linear>(c.dim, c.classes));
  }

  // tokens [B, 49, 16] -> logits [B, classes].
  Tensor forward(const Tensor& tokens) {
    Tensor x = encode(tokens);
    Tensor pooled;
    if (soft_) {
      x = soft_->forward(norm_mix_->forward(x));
      pooled = mean(x, 1);
    } else if (ace_) {
      const int64_t b = x.size(0);
      const Tensor g = add(zeros({b, 1, config_.dim}, x.dtype(), x.device()), global);  // [B, 1, D]
      x = ace_->forward(norm_mix_->forward(concat({g, x}, 1)));
      pooled = reshape(slice(x, 1, 0, 1), {b, config_.dim});
    } else {
      pooled = mean(x, 1);
    }
    return head_->forward(norm_out_->forward(pooled));
  }

  // The SoftHGNN block's participation matrix etc. for these tokens (softhgnn models only).
  layers::SoftHGNNOutput soft_details(const Tensor& tokens) {
    LOOM_CHECK(soft_ != nullptr, ValueError, "TokenClassifier::soft_details: the model has no SoftHGNN block");
    return soft_->forward_with_details(norm_mix_->forward(encode(tokens)));
  }

  const TokenModelConfig& config() const { return config_; }
  Tensor position, global;

 private:
  // Embedding and the per-token MLP block (pre-norm, residual): [B, 49, 16] -> [B, 49, D].
  Tensor encode(const Tensor& tokens) {
    Tensor x = add(embed_->forward(tokens), position);
    return add(x, mlp_->forward(norm_mlp_->forward(x)));
  }

  TokenModelConfig config_;
  std::shared_ptr<nn::Linear> embed_, head_;
  std::shared_ptr<nn::LayerNorm> norm_mlp_, norm_mix_, norm_out_;
  std::shared_ptr<nn::MLP> mlp_;
  std::shared_ptr<layers::SoftHGNN> soft_;
  std::shared_ptr<layers::AceHgnn> ace_;
};

inline int64_t count_parameters(const TokenModelConfig& c) { return TokenClassifier(c).num_parameters(); }

// The `none` model's MLP width whose parameter count is closest to the `match` block model's (the count is linear
// in the width: 2 D + 1 per hidden unit).
inline int64_t matched_mlp_hidden(TokenModelConfig c, const std::string& match) {
  TokenModelConfig target = c;
  target.block = match;
  const int64_t want = count_parameters(target);
  c.block = "none";
  const int64_t at = count_parameters(c);
  const int64_t per_unit = 2 * c.dim + 1;
  return std::max<int64_t>(1, c.mlp_hidden + static_cast<int64_t>(std::llround(
                                                 static_cast<double>(want - at) / static_cast<double>(per_unit))));
}

}  // namespace loom::examples
