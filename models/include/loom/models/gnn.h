// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Node-level networks built from the model registry (loom/models/registry.h): a stack of one model's layers with
// dropout, activation, optional normalisation, residual connections and jumping-knowledge readout. The stack is
// the same for every model; what a layer is comes from the model's ModelSpec.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loom/core/choices.h"
#include "loom/core/nn.h"
#include "loom/graph/graph.h"
#include "loom/graph/sampler.h"
#include "loom/hypergraph/hypergraph.h"
#include "loom/layers/layer.h"

namespace loom {
namespace models {
// Jumping knowledge (Xu et al. 2018): how every hidden layer's output is combined before the readout.
enum class JumpingKnowledge : uint8_t { kNone, kCat, kMax, kSum };
}  // namespace models

template <> struct EnumNames<models::JumpingKnowledge> {
  static constexpr std::string_view what = "jk";
  static constexpr std::array<std::pair<models::JumpingKnowledge, std::string_view>, 4> table{
      {{models::JumpingKnowledge::kNone, "none"},
       {models::JumpingKnowledge::kCat, "cat"},
       {models::JumpingKnowledge::kMax, "max"},
       {models::JumpingKnowledge::kSum, "sum"}}};
};

namespace models {

// The network's configuration. `model` is a registry name (model_names()); paper_options() fills the rest with
// that model's published settings, and every field can then be overridden.
struct GnnOptions {
  GnnOptions(std::string model, int64_t in_features, int64_t hidden, int64_t out_features)
      : model_(std::move(model)), in_features_(in_features), hidden_(hidden), out_features_(out_features) {}
  LOOM_ARG(std::string, model);
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, hidden);  // per head for attention models
  LOOM_ARG(int64_t, out_features);
  LOOM_ARG(int, num_layers) = 2;                       // structure layers (>= 1)
  LOOM_ARG(double, dropout) = 0.5;                     // on each layer's input (the first included), while training
  LOOM_ARG(Activation, activation) = Activation::kRelu;
  LOOM_ARG(NormLayer, norm) = NormLayer::kNone;        // after each hidden layer
  LOOM_ARG(bool, residual) = false;                    // h + layer(h) where the widths agree
  LOOM_ARG(JumpingKnowledge, jk) = JumpingKnowledge::kNone;
  // Attention models: hidden layers concatenate `heads`, the output layer averages `out_heads`.
  LOOM_ARG(int64_t, heads) = 8;
  LOOM_ARG(int64_t, out_heads) = 1;
  LOOM_ARG(double, attention_dropout) = 0.6;
  // Neighbourhood aggregation for models that offer a choice (ModelSpec::aggregations); unset: the model's default.
  LOOM_ARG(std::optional<Aggregation>, aggr);
  LOOM_ARG(bool, train_eps) = false;     // gin
  LOOM_ARG(NormLayer, mlp_norm) = NormLayer::kNone;  // gin: the norm inside each layer's MLP (the GIN paper's BN)
  LOOM_ARG(int64_t, num_hyperedges) = 16;  // softhgnn: the SoftHGNN block's learned hyperedges
};

// What a model runs on (models with Input::kFeatures run on either structure and ignore it).
struct Structure {
  const graph::Graph* graph = nullptr;
  const hypergraph::Hypergraph* hypergraph = nullptr;
};

// What inference returns for N nodes, in the order asked: logits [N, C] and probabilities (their softmax) [N, C]
// in x's dtype, classes int64 [N] (the argmax; ties give the lower class). No tensor carries an autograd graph.
struct Prediction {
  Tensor logits, probabilities, classes;
};

// forward(g, x) -> logits [N, out_features]. Without jk the last layer outputs the classes; with jk every layer
// outputs the hidden width and a Linear ("readout") reads their combination. Parameters read convs.0.weight,
// norms.0.running_mean, readout.weight and (softhgnn) soft.prototypes.
class History;  // loom/models/gas_task.h

// Where a forward over one block of nodes gets the inputs of the block's halo for the layers after the first: the
// block's own outputs of the previous layer go in, the halo's rows come out. GNNAutoScale reads them from its history
// (stale, no gradient; loom/models/gas_task.h); partition-parallel training receives them from the processes that own
// them (exact, gradient sent back; loom/dist/halo.h).
class HaloRows {
 public:
  virtual ~HaloRows() = default;
  // own: [num_dst, width], the block's outputs of hidden layer `layer` (0-based); returns [num_src - num_dst, width].
  virtual Tensor halo(int64_t layer, const Tensor& own) = 0;
};

class NodeClassifier : public nn::Module {
 public:
  explicit NodeClassifier(const GnnOptions& options);
  // The model's structure must match: a graph model on a Hypergraph is a ValueError naming the model.
  Tensor forward(const graph::Graph& g, const Tensor& x);
  Tensor forward(const hypergraph::Hypergraph& h, const Tensor& x);
  Tensor forward(const Structure& s, const Tensor& x);
  // Mini-batch forward over sampled blocks (loom/graph/sampler.h), one per layer: x_src holds the features of
  // blocks.front()'s sources; returns the logits of blocks.back()'s destinations (the batch's seeds). Each layer's
  // output is cut to its block's destinations, which are the next block's sources. ValueError when the block count
  // differs from the layer count, or for a model that needs every node at once (jk, softhgnn's block, hypergraph
  // layers).
  Tensor forward(const std::vector<graph::Block>& blocks, const Tensor& x_src);
  // GNNAutoScale's forward (loom/models/gas_task.h): one block holding a batch (its destinations) and the batch's
  // 1-hop halo serves every layer. Layer 0 reads x_src (features of all the block's sources); layer i > 0 reads the
  // batch's own outputs of layer i - 1 and, for the halo, history layer i - 1's rows; every hidden layer's outputs
  // are pushed to the history. Returns the batch's logits. Same refusals as the blocks forward.
  Tensor forward(const graph::Block& block, const Tensor& x_src, History& history);
  // The same with any source of the halo's rows: layer i > 0 reads the block's own outputs of layer i - 1 and
  // halo.halo(i - 1, those outputs). Dropout draws each row's mask where the row is read, so a halo row's mask is not
  // its owner's. Same refusals as the blocks forward.
  Tensor forward(const graph::Block& block, const Tensor& x_src, HaloRows& halo);
  // Inference, safe to call from many threads at once on one shared model (docs/threads.md): forward with
  // gradient recording off on the calling thread (a NoGradGuard inside the call; grad mode is per thread, so a
  // guard in main() would not cover worker threads), and nothing of the model is modified. The model must be in
  // eval mode (model.eval() once, before sharing it): predict never flips the mode itself, because the mode is
  // shared state a training thread may own; a module still in training mode is a ValueError naming it.
  Prediction predict(const graph::Graph& g, const Tensor& x) const;
  Prediction predict(const hypergraph::Hypergraph& h, const Tensor& x) const;
  Prediction predict(const Structure& s, const Tensor& x) const;
  const GnnOptions& options() const { return options_; }
  // Rounds of message passing in one forward (0 for the structure-free mlp): an output reads nodes this far away.
  int receptive_hops() const;
  // Whether a block mixes every node with every other (softhgnn's SoftHGNN): then each output reads all nodes.
  bool mixes_all_nodes() const { return block_ != nullptr; }

 private:
  // One layer as the interface it implements (exactly one pointer set); the module itself is owned by convs.
  struct LayerRef {
    layers::GraphLayer* graph = nullptr;
    layers::HypergraphLayer* hypergraph = nullptr;
    nn::Linear* linear = nullptr;
  };
  Tensor run_layer(const LayerRef& layer, const Structure& s, const Tensor& x) const;
  Tensor finish_hidden(size_t layer, Tensor y, const Tensor& input);

  GnnOptions options_;
  std::vector<LayerRef> layers_;
  std::vector<std::shared_ptr<nn::Module>> norms_;  // BatchNorm1d or LayerNorm per hidden layer
  std::shared_ptr<nn::Linear> readout_;             // jk only
  std::shared_ptr<layers::TokenLayer> block_;       // a block after hidden layer block_after_ (softhgnn)
  size_t block_after_ = 0;
};

}  // namespace models
}  // namespace loom
