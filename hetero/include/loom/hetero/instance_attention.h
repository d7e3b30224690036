// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MAGNN's intra-meta-path attention: each target attends over its own meta-path instances (their encoder vectors,
// loom/hetero/instance_encoder.h) with K heads,
//   e_k = LeakyReLU(a_dst[k] . h_v + a_src[k] . h_P),  alpha = softmax over v's instances,  out_v[k] = sum alpha h_P
// heads concatenated ([num_targets, K * dim]; MAGNN repeats one instance vector per head, each head with its own
// attention vectors). It runs on the engine with the instances as the columns of MetaPathInstances::target_csr():
// one gsddmm for the logits, edge_softmax per target, one gspmm for the weighted sums, so the per-instance
// messages are never stored beyond the [num_instances, K, dim] heads. A target without instances gets zeros.
#pragma once
#include "loom/core/nn.h"
#include "loom/core/options.h"
#include "loom/core/sparse.h"

namespace loom::hetero {

struct InstanceAttentionOptions {
  explicit InstanceAttentionOptions(int64_t dim) : dim_(dim) {}
  LOOM_ARG(int64_t, dim);
  LOOM_ARG(int64_t, heads) = 8;
  LOOM_ARG(double, negative_slope) = 0.2;
  LOOM_ARG(double, attention_dropout) = 0.0;  // on the attention weights, in training mode
};

class InstanceAttention : public nn::Module {
 public:
  // Parameters att_dst and att_src, float32 [heads, dim] (Glorot). ValueError for a non-positive dim or heads, a
  // negative slope, or a dropout outside [0, 1).
  explicit InstanceAttention(InstanceAttentionOptions options);
  // targets [num_targets, dim], instances [num_instances, dim], instances_of a Csr [num_targets, num_instances]
  // (target_csr()). Returns [num_targets, heads * dim]. ShapeError naming the argument for a mismatch.
  Tensor forward(const Tensor& targets, const Tensor& instances, const Csr& instances_of) const;
  const InstanceAttentionOptions& options() const { return options_; }

 private:
  InstanceAttentionOptions options_;
  Tensor att_dst_, att_src_;
};

}  // namespace loom::hetero
