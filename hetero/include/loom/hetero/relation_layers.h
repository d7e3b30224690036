// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Layers for one relation of a typed graph: messages flow from the rows of the source type to those of the
// destination type (a bipartite Csr when the types differ). BipartiteSAGEConv is PyG's SAGEConv((in_src, in_dst),
// out) and, with aggr = sum, its GraphConv((in_src, in_dst), out); HeteroConv fuses all of them into one g-SpMM.
#pragma once
#include <cstdint>
#include <memory>

#include "loom/core/choices.h"
#include "loom/core/nn.h"
#include "loom/core/sparse.h"

namespace loom::hetero {

// forward(rel, x_src, x_dst): rel [n_dst, n_src] (row v lists v's sources), x_src [n_src, in_src],
// x_dst [n_dst, in_dst] -> [n_dst, out].
class RelationLayer : public nn::Module {
 public:
  using nn::Module::Module;
  virtual Tensor forward(const Csr& rel, const Tensor& x_src, const Tensor& x_dst) = 0;
};

struct BipartiteSAGEConvOptions {
  BipartiteSAGEConvOptions(int64_t in_src, int64_t in_dst, int64_t out_features)
      : in_src_(in_src), in_dst_(in_dst), out_features_(out_features) {}
  LOOM_ARG(int64_t, in_src);
  LOOM_ARG(int64_t, in_dst);
  LOOM_ARG(int64_t, out_features);
  LOOM_ARG(Aggregation, aggr) = Aggregation::kMean;  // mean | sum (GraphConv) | max
  LOOM_ARG(bool, root_weight) = true;                // add W_r x_dst[v]
  LOOM_ARG(bool, bias) = true;                       // lin_l's bias, as PyG
};

// out[v] = W_l aggr_{u -> v} x_src[u] + b + W_r x_dst[v]. Children as PyG's SAGEConv: lin_l (in_src -> out, with the
// bias) and, with root_weight, lin_r (in_dst -> out, no bias), so its state dict loads PyG's weights.
class BipartiteSAGEConv : public RelationLayer {
 public:
  explicit BipartiteSAGEConv(const BipartiteSAGEConvOptions& options);
  Tensor forward(const Csr& rel, const Tensor& x_src, const Tensor& x_dst) override;
  const BipartiteSAGEConvOptions& options() const { return options_; }
  std::shared_ptr<nn::Linear> lin_l, lin_r;

 private:
  BipartiteSAGEConvOptions options_;
};

}  // namespace loom::hetero
