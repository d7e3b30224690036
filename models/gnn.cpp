// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// NodeClassifier: the layer stack shared by every registered model. Which layer each slot holds comes from the
// model's ModelSpec; this file knows no model by name.
#include "loom/models/gnn.h"

#include "loom/models/gas_task.h"

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/models/registry.h"

namespace loom::models {

NodeClassifier::NodeClassifier(const GnnOptions& o) : nn::Module("NodeClassifier"), options_(o) {
  const ModelSpec& spec = find_model(o.model());
  LOOM_CHECK(o.num_layers() >= 1, ValueError, "NodeClassifier: num_layers must be >= 1, got ", o.num_layers());
  LOOM_CHECK(o.in_features() > 0 && o.hidden() > 0 && o.out_features() > 0, ValueError,
             "NodeClassifier: in_features, hidden and out_features must be positive, got ", o.in_features(), ", ",
             o.hidden(), ", ", o.out_features());
  LOOM_CHECK(!spec.attention() || (o.heads() > 0 && o.out_heads() > 0), ValueError,
             "NodeClassifier: heads and out_heads must be positive, got ", o.heads(), " and ", o.out_heads());
  if (o.aggr()) {
    LOOM_CHECK(!spec.aggregations.empty(), ValueError, "NodeClassifier: model '", o.model(),
               "' takes no aggregation choice (aggr is for ", [] {
                 std::vector<std::string> with;
                 for (const ModelSpec& s : model_registry())
                   if (!s.aggregations.empty()) with.push_back(s.name);
                 return loom::detail::join_names(with);
               }(), ")");
    check_choice("NodeClassifier: model '" + o.model() + "'", *o.aggr(), spec.aggregations);
  }
  const bool jk = o.jk() != JumpingKnowledge::kNone;
  const std::shared_ptr<layers::TokenLayer> block = spec.make_block ? spec.make_block(o) : nullptr;
  LOOM_CHECK(!block || o.num_layers() >= 2 || jk, ValueError, "NodeClassifier: model '", o.model(), "' places its ",
             block ? block->name() : "", " block after a hidden layer, so it needs num_layers >= 2 (or jk), got "
             "num_layers ", o.num_layers());
  const int64_t hidden_width = o.hidden() * (spec.attention() ? o.heads() : 1);

  // Children "convs" (and "norms"): parameters read convs.0.weight, norms.0.running_mean, ... .
  auto convs = register_module("convs", std::make_shared<nn::ModuleList>());
  std::shared_ptr<nn::ModuleList> norms;
  int64_t width = o.in_features();
  for (int i = 0; i < o.num_layers(); ++i) {
    const bool last = i + 1 == o.num_layers() && !jk;
    const LayerSlot slot{width, last ? o.out_features() : o.hidden(), last};
    std::shared_ptr<nn::Module> layer = spec.make_layer(o, slot);
    convs->push_back(layer);
    LayerRef ref{dynamic_cast<layers::GraphLayer*>(layer.get()), dynamic_cast<layers::HypergraphLayer*>(layer.get()),
                 dynamic_cast<nn::Linear*>(layer.get())};
    LOOM_ASSERT(ref.graph || ref.hypergraph || ref.linear, "model '", o.model(), "' built a layer of no known kind");
    layers_.push_back(ref);
    width = last ? slot.out : hidden_width;
    if (!last && o.norm() != NormLayer::kNone) {
      if (!norms) norms = register_module("norms", std::make_shared<nn::ModuleList>());
      std::shared_ptr<nn::Module> n;
      if (o.norm() == NormLayer::kBatch) n = std::make_shared<nn::BatchNorm1d>(nn::BatchNorm1dOptions(width));
      else n = std::make_shared<nn::LayerNorm>(nn::LayerNormOptions(width));
      norms->push_back(n);
      norms_.push_back(n);
    }
  }
  if (block) {
    // The block runs after the last hidden layer (the one before the output layer, or the last one with jk).
    block_ = register_module("soft", block);
    block_after_ = static_cast<size_t>(jk ? o.num_layers() - 1 : o.num_layers() - 2);
  }
  if (jk) {
    const int64_t in = o.jk() == JumpingKnowledge::kCat ? width * o.num_layers() : width;
    readout_ = register_module("readout", std::make_shared<nn::Linear>(in, o.out_features()));
  }
}

Tensor NodeClassifier::forward(const graph::Graph& g, const Tensor& x) { return forward(Structure{&g, nullptr}, x); }

Tensor NodeClassifier::forward(const hypergraph::Hypergraph& h, const Tensor& x) {
  return forward(Structure{nullptr, &h}, x);
}

Tensor NodeClassifier::run_layer(const LayerRef& layer, const Structure& s, const Tensor& x) const {
  if (layer.linear) return layer.linear->forward(x);
  if (layer.graph) {
    LOOM_CHECK(s.graph != nullptr, ValueError, "NodeClassifier: model '", options_.model(),
               "' runs on a Graph, not a Hypergraph");
    return layer.graph->forward(*s.graph, x);
  }
  LOOM_CHECK(s.hypergraph != nullptr, ValueError, "NodeClassifier: model '", options_.model(),
             "' runs on a Hypergraph, not a Graph (build one with Hypergraph::from_graph_neighborhoods)");
  return layer.hypergraph->forward(*s.hypergraph, x);
}

namespace {
Tensor normalise(nn::Module& norm, const Tensor& x) {
  if (auto* bn = dynamic_cast<nn::BatchNorm1d*>(&norm)) return bn->forward(x);
  return static_cast<nn::LayerNorm&>(norm).forward(x);
}
}  // namespace

// A hidden layer's output: its norm, the activation, and the residual from its input when the shapes allow.
Tensor NodeClassifier::finish_hidden(size_t layer, Tensor y, const Tensor& input) {
  if (layer < norms_.size()) y = normalise(*norms_[layer], y);
  y = activate(y, options_.activation());
  if (options_.residual() && y.shape() == input.shape()) y = add(y, input);
  return y;
}

Tensor NodeClassifier::forward(const Structure& s, const Tensor& x) {
  LOOM_CHECK(x.dim() == 2 && x.size(1) == options_.in_features(), ShapeError, "NodeClassifier: x must be [N, ",
             options_.in_features(), "], got ", x.shape_str());
  const JumpingKnowledge jk = options_.jk();
  std::vector<Tensor> states;
  Tensor h = x;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const bool last = i + 1 == layers_.size() && jk == JumpingKnowledge::kNone;
    Tensor y = run_layer(layers_[i], s, dropout(h, options_.dropout(), is_training()));
    if (last) return y;
    y = finish_hidden(i, y, h);
    if (block_ && i == block_after_) y = block_->forward(y);  // all N nodes as one token set
    h = y;
    states.push_back(h);
  }
  Tensor combined = states.front();
  if (jk == JumpingKnowledge::kCat) {
    combined = concat(states, 1);
  } else if (jk == JumpingKnowledge::kSum) {
    for (size_t i = 1; i < states.size(); ++i) combined = add(combined, states[i]);
  } else {  // kMax
    std::vector<Tensor> stacked;
    for (const Tensor& t : states) stacked.push_back(t.view({1, t.size(0), t.size(1)}));
    combined = max(concat(stacked, 0), 0);
  }
  return readout_->forward(dropout(combined, options_.dropout(), is_training()));
}

Tensor NodeClassifier::forward(const std::vector<graph::Block>& blocks, const Tensor& x_src) {
  LOOM_CHECK(options_.jk() == JumpingKnowledge::kNone && !block_, ValueError, "NodeClassifier: model '",
             options_.model(), "' combines every node's layers at once (jk or a SoftHGNN block): it cannot run on "
             "sampled blocks; train it full-batch");
  LOOM_CHECK(blocks.size() == layers_.size(), ValueError, "NodeClassifier: ", blocks.size(),
             " sampled blocks for a model of ", layers_.size(), " layers (give one fan-out per layer)");
  LOOM_CHECK(x_src.dim() == 2 && x_src.size(1) == options_.in_features() && !blocks.empty() &&
                 x_src.size(0) == blocks.front().num_src(),
             ShapeError, "NodeClassifier: x_src must be [", blocks.empty() ? 0 : blocks.front().num_src(), ", ",
             options_.in_features(), "] (the first block's sources), got ", x_src.shape_str());
  Tensor h = x_src;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const graph::Block& b = blocks[i];
    LOOM_CHECK(!layers_[i].hypergraph, ValueError, "NodeClassifier: model '", options_.model(),
               "' runs on a Hypergraph, which has no sampled blocks");
    LOOM_CHECK(h.size(0) == b.num_src(), ShapeError, "NodeClassifier: block ", i, " has ", b.num_src(),
               " sources but the previous layer gave ", h.size(0), " rows");
    const Structure s{.graph = &b.graph};
    Tensor y = slice(run_layer(layers_[i], s, dropout(h, options_.dropout(), is_training())), 0, 0, b.num_dst);
    if (i + 1 == layers_.size()) return y;
    y = finish_hidden(i, y, slice(h, 0, 0, b.num_dst));
    h = y;
  }
  return h;  // unreachable: the loop returns at its last layer
}

namespace {
// GNNAutoScale's halo: the block's outputs are pushed to the history, the halo's last pushed rows pulled from it.
class HistoryRows : public HaloRows {
 public:
  HistoryRows(History& history, Tensor batch, Tensor halo) : history_(history), batch_(batch), halo_(halo) {}
  Tensor halo(int64_t layer, const Tensor& own) override {
    history_.push(layer, batch_, own);
    return history_.pull(layer, halo_, own.device());
  }

 private:
  History& history_;
  Tensor batch_, halo_;
};
}  // namespace

Tensor NodeClassifier::forward(const graph::Block& b, const Tensor& x_src, History& history) {
  HistoryRows rows(history, slice(b.src_nodes, 0, 0, b.num_dst), slice(b.src_nodes, 0, b.num_dst, b.num_src()));
  return forward(b, x_src, rows);
}

Tensor NodeClassifier::forward(const graph::Block& b, const Tensor& x_src, HaloRows& halo) {
  LOOM_CHECK(options_.jk() == JumpingKnowledge::kNone && !block_, ValueError, "NodeClassifier: model '",
             options_.model(), "' combines every node's layers at once (jk or a SoftHGNN block): it cannot run on "
             "a block with a halo; train it full-batch");
  LOOM_CHECK(x_src.dim() == 2 && x_src.size(1) == options_.in_features() && x_src.size(0) == b.num_src(), ShapeError,
             "NodeClassifier: x_src must be [", b.num_src(), ", ", options_.in_features(),
             "] (the block's sources), got ", x_src.shape_str());
  const Structure s{.graph = &b.graph};
  Tensor h = x_src;  // every source's input of the current layer
  for (size_t i = 0; i < layers_.size(); ++i) {
    LOOM_CHECK(!layers_[i].hypergraph, ValueError, "NodeClassifier: model '", options_.model(),
               "' runs on a Hypergraph, which has no blocks with a halo");
    Tensor y = slice(run_layer(layers_[i], s, dropout(h, options_.dropout(), is_training())), 0, 0, b.num_dst);
    if (i + 1 == layers_.size()) return y;
    y = finish_hidden(i, y, slice(h, 0, 0, b.num_dst));
    h = concat({y, halo.halo(static_cast<int64_t>(i), y)}, 0);
  }
  return h;  // unreachable: the loop returns at its last layer
}

}  // namespace loom::models
