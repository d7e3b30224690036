// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MAGNN's intra-meta-path attention (loom/hetero/instance_attention.h) as GAT's engine path over the
// target-by-instance Csr: per-head halves of the logit (a_dst . h_v per target, a_src . h_P per instance) summed per
// entry by gsddmm, so no [num_instances, 2 dim] concatenation is built.
#include "loom/hetero/instance_attention.h"

#include "loom/core/error.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::hetero {

InstanceAttention::InstanceAttention(InstanceAttentionOptions options)
    : nn::Module("InstanceAttention"), options_(options) {
  const auto& o = options_;
  LOOM_CHECK(o.dim() > 0 && o.heads() > 0, ValueError, "InstanceAttention: dim and heads must be positive, got ",
             o.dim(), " and ", o.heads());
  LOOM_CHECK(o.negative_slope() >= 0, ValueError, "InstanceAttention: negative_slope must be >= 0, got ",
             o.negative_slope());
  LOOM_CHECK(o.attention_dropout() >= 0 && o.attention_dropout() < 1, ValueError,
             "InstanceAttention: attention_dropout must be in [0, 1), got ", o.attention_dropout());
  att_dst_ = register_parameter("att_dst", nn::init::glorot_uniform_(empty({o.heads(), o.dim()})));
  att_src_ = register_parameter("att_src", nn::init::glorot_uniform_(empty({o.heads(), o.dim()})));
}

Tensor InstanceAttention::forward(const Tensor& targets, const Tensor& instances, const Csr& of) const {
  const int64_t d = options_.dim(), heads = options_.heads();
  LOOM_CHECK(targets.dim() == 2 && targets.size(1) == d && targets.size(0) == of.num_rows(), ShapeError,
             "InstanceAttention: targets must be [", of.num_rows(), ", ", d, "] (one row per row of instances_of), "
             "got ", targets.shape_str());
  LOOM_CHECK(instances.dim() == 2 && instances.size(1) == d && instances.size(0) == of.num_cols(), ShapeError,
             "InstanceAttention: instances must be [", of.num_cols(), ", ", d,
             "] (one row per column of instances_of), got ", instances.shape_str());
  const Tensor logit_dst = matmul(targets, transpose(att_dst_, 0, 1));    // [num_targets, heads]
  const Tensor logit_src = matmul(instances, transpose(att_src_, 0, 1));  // [num_instances, heads]
  const Tensor logits = leaky_relu(mp::gsddmm(of, mp::u_add_v, logit_src, logit_dst), options_.negative_slope());
  const Tensor alpha =
      dropout(mp::edge_softmax(of, logits), options_.attention_dropout(), is_training());  // [nnz, heads]
  // MAGNN's heads share the instance vector, each with its own weights: one weighted sum per head over the same
  // [num_instances, d] rows, so the [num_instances, heads, d] copies (8x the instances' memory, the largest tensor
  // of a MAGNN forward) are never built.
  std::vector<Tensor> per_head;
  for (int64_t k = 0; k < heads; ++k) {
    const Tensor weights = reshape(heads == 1 ? alpha : slice(alpha, 1, k, k + 1), {alpha.size(0)});  // [nnz]
    per_head.push_back(mp::gspmm(of, mp::u_mul_e, mp::sum, instances, weights));
  }
  return heads == 1 ? per_head[0] : concat(per_head, 1);  // [num_targets, heads * d], head-major
}

}  // namespace loom::hetero
