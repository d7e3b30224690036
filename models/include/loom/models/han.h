// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HAN (Wang et al., WWW 2019): node-level attention per meta-path (one GATConv on each meta-path graph of the
// target type, self loops included) and semantic attention across meta-paths, then a linear classifier. A thin
// composition of GATConv, Linear and dense ops; method note ../shared/papers/han.md.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loom/core/nn.h"
#include "loom/graph/graph.h"
#include "loom/hetero/metapath.h"
#include "loom/layers/gat_conv.h"

namespace loom::models {

// Defaults are the paper's (han.md, "Hyper-parameters"): 8 heads x 8 units, q of dimension 128, dropout 0.6 on
// the features and on the attention coefficients.
struct HANOptions {
  HANOptions(int64_t in_features, int64_t out_features, int64_t num_metapaths)
      : in_features_(in_features), out_features_(out_features), num_metapaths_(num_metapaths) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, out_features);   // classes
  LOOM_ARG(int64_t, num_metapaths);  // P
  LOOM_ARG(int64_t, hidden) = 8;     // per head
  LOOM_ARG(int64_t, heads) = 8;
  LOOM_ARG(int64_t, semantic_dim) = 128;
  LOOM_ARG(double, dropout) = 0.6;            // on the input features of every node-level layer
  LOOM_ARG(double, attention_dropout) = 0.6;  // on the node-level attention coefficients
};

// Semantic-level attention over P meta-path embeddings z_p [N, D]:
//   w_p = (1/N) sum_i q^T tanh(W z_p[i] + b),  beta = softmax_p(w),  Z = sum_p beta_p z_p.
// Every node enters the mean, labelled or not (han.md, "Pitfalls"). Parameters project.weight [S, D],
// project.bias [S] and q [S] (S = semantic_dim).
class SemanticAttention : public nn::Module {
 public:
  SemanticAttention(int64_t in_features, int64_t semantic_dim);
  // z: P tensors [N, D] -> [N, D]. With `beta`, the weights [P] are written there (a tensor of the graph).
  Tensor forward(const std::vector<Tensor>& z, Tensor* beta = nullptr);
  Tensor q;

 private:
  std::shared_ptr<nn::Linear> project_;
};

// forward(graphs, x) -> logits [N, out_features] for the N target nodes. Parameters: convs.<p>.* (GATConv per
// meta-path, its own projection as in the paper and DGL's example), semantic.* and classifier.*.
class HAN : public nn::Module {
 public:
  explicit HAN(const HANOptions& options);
  // graphs: one per meta-path, over the N target nodes (metapath_graphs); x [N, in_features].
  Tensor forward(const std::vector<graph::Graph>& graphs, const Tensor& x);
  // beta of the last forward, detached, [P] on the CPU (undefined before the first).
  const Tensor& semantic_weights() const { return beta_; }
  const HANOptions& options() const { return options_; }

 private:
  HANOptions options_;
  std::vector<std::shared_ptr<layers::GATConv>> convs_;
  std::shared_ptr<SemanticAttention> semantic_;
  std::shared_ptr<nn::Linear> classifier_;
  Tensor beta_;
};

// The graph of each meta-path over its start type, for HAN: metapath_adjacency with every node's self loop
// (SelfLoops::kAdd; han.md "Pitfalls" and DGL's example; PyG's AddMetaPaths keeps the diagonal the product gives,
// which on APA is every author with a paper) and the path counts dropped (HAN attends over the neighbour set; the
// counts are not edge weights). Row i lists i's meta-path neighbours. `options` gives
// the budget and top-k; its self_loops is overridden. ValueError naming the meta-path when it does not start and
// end at `target_type`.
std::vector<graph::Graph> metapath_graphs(const hetero::HeteroGraph& g, const std::vector<hetero::MetaPath>& paths,
                                          const std::string& target_type, hetero::MetaPathOptions options = {},
                                          std::vector<hetero::MetaPathStats>* stats = nullptr);

}  // namespace loom::models
