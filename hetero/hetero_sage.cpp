// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HeteroSAGE: per-type input encoders, a stack of HeteroConv(BipartiteSAGEConv) layers, logits of the target type.
#include "loom/hetero/hetero_sage.h"

#include <cmath>

#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "loom/hetero/relation_layers.h"

namespace loom::hetero {

TypeEncoder::TypeEncoder(const HeteroGraph& g, const std::string& type, int64_t hidden)
    : nn::Module("TypeEncoder"), type_(type) {
  const Tensor& dense = g.features(type);
  const Csr& sparse = g.sparse_features(type);
  const int64_t f = dense.defined() ? dense.size(1) : sparse.defined() ? sparse.num_cols() : 0;
  if (f == 0) {
    // No features: a free embedding per node, N(0, 1) / sqrt(hidden) so its rows start at the scale of x W.
    embedding = register_parameter("embedding", nn::init::normal_(empty({g.num_nodes(type), hidden}), 0.0,
                                                                  1.0 / std::sqrt(static_cast<double>(hidden))));
    return;
  }
  const double bound = 1.0 / std::sqrt(static_cast<double>(f));
  weight = register_parameter("weight", nn::init::uniform_(empty({f, hidden}), -bound, bound));
  bias = register_parameter("bias", nn::init::uniform_(empty({hidden}), -bound, bound));
}

Tensor TypeEncoder::forward(const HeteroGraph& g) {
  if (embedding.defined()) return embedding;
  const Tensor& dense = g.features(type_);
  if (dense.defined()) return add(matmul(dense.to(weight.dtype()), weight), bias);
  // Sparse x W: row i sums x[i, c] W[c] over its non-zeros c, a g-SpMM with the feature columns as "sources".
  const Csr& x = g.sparse_features(type_);
  const Tensor values = x.values().to(weight.dtype());
  return mp::propagate(x, {mp::u_mul_e, mp::sum, mp::Update{.bias = bias}}, weight, values);
}

HeteroSAGE::HeteroSAGE(const HeteroGraph& g, const HeteroSAGEOptions& o) : nn::Module("HeteroSAGE"), options_(o) {
  LOOM_CHECK(g.has_node_type(o.target()), ValueError, "HeteroSAGE: the graph has no node type '", o.target(), "'");
  LOOM_CHECK(o.hidden() > 0 && o.out_features() > 0 && o.num_layers() >= 1, ValueError,
             "HeteroSAGE: hidden, out_features and num_layers must be positive, got ", o.hidden(), ", ",
             o.out_features(), " and ", o.num_layers());
  bool into_target = false;
  for (const EdgeType& et : g.relations()) into_target = into_target || et.dst == o.target();
  LOOM_CHECK(into_target, ValueError, "HeteroSAGE: no relation points into the target type '", o.target(), "'");
  auto enc = register_module("encoders", std::make_shared<nn::Module>("ModuleDict"));
  for (const std::string& t : g.node_types()) {
    encoders_.emplace_back(t, enc->register_module(t, std::make_shared<TypeEncoder>(g, t, o.hidden())));
  }
  auto layers = register_module("convs", std::make_shared<nn::ModuleList>());
  for (int64_t l = 0; l < o.num_layers(); ++l) {
    const bool last = l + 1 == o.num_layers();
    std::vector<std::pair<EdgeType, std::shared_ptr<nn::Module>>> convs;
    for (const EdgeType& et : g.relations()) {
      if (last && et.dst != o.target()) continue;  // only the target's logits are read
      convs.emplace_back(et, std::make_shared<BipartiteSAGEConv>(
                                 BipartiteSAGEConvOptions(o.hidden(), o.hidden(), last ? o.out_features() : o.hidden())
                                     .aggr(o.aggr())));
    }
    convs_.push_back(std::make_shared<HeteroConv>(convs, HeteroConvOptions().aggr(o.cross())));
    layers->push_back(convs_.back());
  }
}

Tensor HeteroSAGE::forward(const HeteroGraph& g) {
  const double p = options_.dropout();
  TypeTensors h;
  for (const auto& [t, enc] : encoders_) h[t] = dropout(relu(enc->forward(g)), p, is_training());
  for (size_t l = 0; l < convs_.size(); ++l) {
    TypeTensors next = convs_[l]->forward(g, h);
    if (l + 1 == convs_.size()) return next.at(options_.target());
    // A type no relation reaches keeps its representation.
    for (auto& [t, v] : next) h[t] = dropout(relu(v), p, is_training());
  }
  return h.at(options_.target());  // unreachable: num_layers >= 1
}

}  // namespace loom::hetero
