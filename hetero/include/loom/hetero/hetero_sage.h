// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HeteroSAGE ("rsage"): relation-grouped GraphSAGE for node classification on a typed graph. Every node type is first
// encoded to `hidden` (a Linear of its dense or sparse features, or a learned embedding for a type without them),
// then `num_layers` HeteroConv layers of BipartiteSAGEConv over every relation (the fused path), ReLU and dropout
// between them; the last layer keeps only the relations into the target type and returns its logits.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loom/core/choices.h"
#include "loom/core/nn.h"
#include "loom/core/options.h"
#include "loom/hetero/conv.h"
#include "loom/hetero/hetero_graph.h"

namespace loom::hetero {

struct HeteroSAGEOptions {
  HeteroSAGEOptions(std::string target, int64_t hidden, int64_t out_features)
      : target_(std::move(target)), hidden_(hidden), out_features_(out_features) {}
  LOOM_ARG(std::string, target);     // the node type to classify
  LOOM_ARG(int64_t, hidden);
  LOOM_ARG(int64_t, out_features);   // classes
  LOOM_ARG(int64_t, num_layers) = 2;
  LOOM_ARG(double, dropout) = 0.5;   // on the encoded inputs and between layers, while training
  LOOM_ARG(Aggregation, aggr) = Aggregation::kMean;
  LOOM_ARG(CrossReduce, cross) = CrossReduce::kSum;
};

// Encodes one node type to [n, hidden]: x W + b for dense or sparse features (a sparse x stays sparse: one g-SpMM),
// or a learned [n, hidden] embedding ("embedding") when the type has no features.
class TypeEncoder : public nn::Module {
 public:
  TypeEncoder(const HeteroGraph& g, const std::string& type, int64_t hidden);
  Tensor forward(const HeteroGraph& g);
  Tensor weight, bias, embedding;

 private:
  std::string type_;
};

class HeteroSAGE : public nn::Module {
 public:
  // Reads the node types, their feature widths and the relations from g (ValueError for a target type g lacks or one
  // no relation points into).
  HeteroSAGE(const HeteroGraph& g, const HeteroSAGEOptions& options);
  // Logits of the target type [num_nodes(target), out_features]. g must have the node types and feature widths of
  // the graph the model was built for.
  Tensor forward(const HeteroGraph& g);
  const HeteroSAGEOptions& options() const { return options_; }

 private:
  HeteroSAGEOptions options_;
  std::vector<std::pair<std::string, std::shared_ptr<TypeEncoder>>> encoders_;
  std::vector<std::shared_ptr<HeteroConv>> convs_;
};

}  // namespace loom::hetero
