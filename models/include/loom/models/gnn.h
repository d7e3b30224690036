// Node-classification networks composed of graph layers: a stack of convolutions with dropout, activation,
// optional normalisation, residual connections and jumping-knowledge readout. One class covers every layer kind
// so the command line, the examples and the benchmarks build models the same way.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "loom/core/nn.h"
#include "loom/graph/graph.h"
#include "loom/hypergraph/hypergraph.h"

namespace loom::models {

struct GnnOptions {
  GnnOptions(std::string model, int64_t in_features, int64_t hidden, int64_t out_features)
      : model_(std::move(model)), in_features_(in_features), hidden_(hidden), out_features_(out_features) {}
  // gcn | sage | gat | gatv2 | gin | sinc | mlp (on a graph), hgnn | hgnnp | hgat | softhgnn (on a hypergraph)
  LOOM_ARG(std::string, model);
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, hidden);  // per head for gat/gatv2/hgat
  LOOM_ARG(int64_t, out_features);
  LOOM_ARG(int, num_layers) = 2;             // graph layers (>= 1)
  LOOM_ARG(double, dropout) = 0.5;           // on each layer's input (the first included), while training
  LOOM_ARG(std::string, activation) = "relu";  // relu | elu | gelu | leaky_relu (0.2) | tanh
  LOOM_ARG(std::string, norm) = "none";      // none | batch | layer, after each hidden layer
  LOOM_ARG(bool, residual) = false;          // h + layer(h) where the widths agree
  LOOM_ARG(std::string, jk) = "none";        // none | cat | max | sum: readout over every hidden layer's output
  // gat / gatv2 / hgat
  LOOM_ARG(int64_t, heads) = 8;              // hidden layers (concatenated)
  LOOM_ARG(int64_t, out_heads) = 1;          // output layer (averaged)
  LOOM_ARG(double, attention_dropout) = 0.6;
  // sage: mean | max | sum; sinc: message aggregator sum | mean | sym
  LOOM_ARG(std::string, aggr) = "";
  LOOM_ARG(bool, train_eps) = false;         // gin
  // softhgnn: HGNNConv layers with one SoftHGNN block (layers/soft_hgnn.h) after the last hidden layer's
  // activation, over all nodes as one token set: dim = hidden, heads 4 when hidden % 4 == 0 (else 1),
  // num_hyperedges soft hyperedges, logit dropout 0.1 (the layer's default). Needs a hidden layer (num_layers >= 2,
  // or jk). Its parameters read soft.prototypes, soft.proj_weight, ... .
  LOOM_ARG(int64_t, num_hyperedges) = 16;
};

// forward(g, x) -> logits [N, out_features]. Without jk the last graph layer outputs the classes; with jk every
// graph layer outputs `hidden` (x heads) and a Linear reads the combined hidden states.
class NodeClassifier : public nn::Module {
 public:
  explicit NodeClassifier(const GnnOptions& options);
  // Graph models (and mlp) run on a Graph, hypergraph models (and mlp) on a Hypergraph; the other pairing is a
  // ValueError naming the model.
  Tensor forward(const graph::Graph& g, const Tensor& x);
  Tensor forward(const hypergraph::Hypergraph& h, const Tensor& x);
  const GnnOptions& options() const { return options_; }
  // The model names accepted by GnnOptions::model, and whether a name is a hypergraph model.
  static const std::vector<std::string>& model_names();
  static bool is_hypergraph_model(const std::string& model);

 private:
  // What a layer runs on: exactly one of the two is set.
  struct Structure {
    const graph::Graph* graph = nullptr;
    const hypergraph::Hypergraph* hypergraph = nullptr;
  };
  using Layer = std::function<Tensor(const Structure&, const Tensor&)>;
  Tensor run(const Structure& s, const Tensor& x);
  Tensor activate(const Tensor& x) const;

  GnnOptions options_;
  std::vector<Layer> layers_;
  std::vector<std::function<Tensor(const Tensor&)>> norms_;
  std::shared_ptr<nn::Linear> readout_;  // jk only
  std::function<Tensor(const Tensor&)> block_;  // softhgnn: the SoftHGNN block, run after hidden layer block_after_
  size_t block_after_ = 0;
};

}  // namespace loom::models
