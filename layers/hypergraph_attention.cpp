// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HypergraphAttentionConv: a dense projection, hyperedge features as the mean of their members (one gspmm), scores
// by GEMM, logits by gsddmm over the vertex -> hyperedge Csr, edge_softmax, dropout on [nnz, H] and one weighted
// gspmm: nothing of size [nnz, H, C] is ever built, forward or backward.
#include "loom/layers/hypergraph_attention.h"

#include <cmath>
#include <vector>

#include "layers/layer_checks.h"
#include "loom/core/error.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::layers {

HypergraphAttentionConv::HypergraphAttentionConv(const HypergraphAttentionConvOptions& o)
    : HypergraphLayer("HypergraphAttentionConv"), options_(o) {
  const char* layer = "HypergraphAttentionConv";
  LOOM_CHECK(o.in_features() > 0 && o.out_features() > 0, ValueError, layer,
             ": in_features and out_features must be positive, got ", o.in_features(), " and ", o.out_features());
  LOOM_CHECK(o.heads() > 0, ValueError, layer, ": heads must be positive, got ", o.heads());
  LOOM_CHECK(o.dropout() >= 0.0 && o.dropout() <= 1.0, ValueError, layer, ": dropout must be in [0, 1], got ",
             o.dropout());
  LOOM_CHECK(std::isfinite(o.negative_slope()), ValueError, layer, ": negative_slope must be finite, got ",
             o.negative_slope());
  const int64_t H = o.heads(), C = o.out_features();
  weight = register_parameter("weight", nn::init::xavier_uniform_(empty({H * C, o.in_features()})));
  att_v = register_parameter("att_v", nn::init::xavier_uniform_(empty({H, C})));
  att_e = register_parameter("att_e", nn::init::xavier_uniform_(empty({H, C})));
  if (o.bias()) bias = register_parameter("bias", zeros({o.concat() ? H * C : C}));
}

Tensor HypergraphAttentionConv::forward(const hypergraph::Hypergraph& hg, const Tensor& x) {
  const HypergraphAttentionConvOptions& o = options_;
  detail::check_rows_input("HypergraphAttentionConv", "hypergraph", hg.defined(), hg.defined() ? hg.num_vertices() : 0,
                           "vertices", hg.defined() ? hg.device() : x.device(), x, o.in_features(), weight);
  const int64_t n = x.size(0), m = hg.num_hyperedges(), H = o.heads(), C = o.out_features();
  const Tensor hf = matmul(x, transpose(weight, 0, 1));  // [N, H C]
  const Tensor h = hf.view({n, H, C});
  // Hyperedge features: the mean of the members' projections (empty hyperedges never exist in a Hypergraph).
  const Tensor f = hypergraph::v2e(hg, h, mp::mean);  // [M, H, C]
  // Scores s[., k] = <att[k], feature[., k, :]> as one GEMM with a block-diagonal [H C, H] matrix per side (as
  // GATConv): one read of each feature matrix, no broadcast product of the feature size.
  const Tensor mask = score_mask_.get(H, C, x.dtype(), x.device());
  const Tensor s_v = matmul(hf, mul(att_v.view({H * C, 1}), mask));                    // [N, H]
  const Tensor s_e = matmul(f.view({m, H * C}), mul(att_e.view({H * C, 1}), mask));    // [M, H]
  // vertex_memberships: rows = vertices (gsddmm's v), columns = hyperedges (u); the softmax runs over each row.
  const Csr& vm = hg.vertex_memberships();
  const Tensor logits = leaky_relu(mp::gsddmm(vm, mp::u_add_v, s_e, s_v), o.negative_slope());  // [nnz, H]
  const Tensor alpha = dropout(mp::edge_softmax(vm, logits), o.dropout(), is_training());
  Tensor out = mp::gspmm(vm, mp::u_mul_e, mp::sum, f, alpha);  // [N, H, C]
  out = o.concat() ? out.view({n, H * C}) : mean(out, 1);
  return bias.defined() ? add(out, bias) : out;
}

}  // namespace loom::layers
