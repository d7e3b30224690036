// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph classification: a registered graph model's layers (gin, gcn, sage, ...) as the backbone, BatchNorm and
// ReLU after each layer, and the GIN paper's readout (Xu et al. 2019): every layer's node states, the input's
// included, pooled per graph, each through its own Linear to class scores with dropout, and the scores summed.
// Readout::kHistograph replaces that readout by a HistographReadout over the same layer states.
// Also the graph-classification task that the one trainer (loom/models/trainer.h) runs.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loom/core/choices.h"
#include "loom/core/nn.h"
#include "loom/data/graph_batch.h"
#include "loom/graph/graph.h"
#include "loom/layers/histograph.h"
#include "loom/layers/pool.h"
#include "loom/models/task.h"

namespace loom::models {

struct GraphClassifierOptions {
  GraphClassifierOptions(std::string model, int64_t in_features, int64_t hidden, int64_t num_classes)
      : model_(std::move(model)), in_features_(in_features), hidden_(hidden), num_classes_(num_classes) {}
  LOOM_ARG(std::string, model);  // a registry model whose input is a graph (gin, gcn, sage, gat, ...)
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, hidden);
  LOOM_ARG(int64_t, num_classes);
  // The GIN paper's counting: the input plus num_layers - 1 message-passing layers (5: four GIN layers).
  LOOM_ARG(int, num_layers) = 5;
  LOOM_ARG(double, dropout) = 0.5;       // on each layer's class scores, while training (the final layer)
  LOOM_ARG(bool, train_eps) = false;     // gin: learnable eps ("GIN-eps"); false is GIN-0
  // sum for bio data, mean for social (GIN's code); histograph: a HistographReadout over every layer (jk must stay
  // true: it has no last-layer-only form).
  LOOM_ARG(layers::Readout, readout) = layers::Readout::kSum;
  LOOM_ARG(bool, jk) = true;             // sum the scores of every layer; false: the last layer's alone
  LOOM_ARG(int64_t, histograph_heads) = 4;  // the histograph readout's node self-attention heads (divide hidden)
  LOOM_ARG(std::optional<Aggregation>, aggr);  // sage: mean (default), max, sum
};

// The HistographReadout a GraphClassifier with these options reads out with (end to end, or on a frozen backbone):
// every layer's width, D = hidden, the options' classes, heads and dropout.
layers::HistographReadoutOptions histograph_options(const GraphClassifierOptions& o);

// The graph-task settings of the GIN paper (section 7), used for every backbone as both protocols compare them:
// hidden 32 (bio; 64 social), batch 32 (or 128), Adam lr 0.01 halved every 50 epochs, 350 epochs, no weight decay,
// dropout 0.5 on the final layer. They sit here rather than in ModelSpec because ModelSpec::training holds each
// model's node-classification paper settings; one graph protocol serves all backbones.
struct GraphTaskDefaults {
  int64_t hidden = 32;
  int64_t batch_size = 32;
  int epochs = 350;
  double lr = 0.01;
  int step_size = 50;
  double gamma = 0.5;
  double weight_decay = 0.0;
  double dropout = 0.5;
  int num_layers = 5;
};

// forward -> class scores [B, num_classes]. Parameters: convs.K.*, norms.K.* (K = 0 .. num_layers - 2),
// heads.K.weight (K = 0 .. num_layers - 1; with jk = false only heads.0, on the last layer), pools.K.* (attention),
// or histograph.* instead of heads (histograph).
class GraphClassifier : public nn::Module {
 public:
  explicit GraphClassifier(const GraphClassifierOptions& options);
  Tensor forward(const graph::Graph& g, const Tensor& x, const Tensor& graph_ptr);
  Tensor forward(const data::GraphBatch& batch);
  // The backbone's node states of every layer, the input first: num_layers tensors [N, width]. The readouts read
  // these; a frozen backbone's are cached once (loom/models/histograph_frozen.h).
  std::vector<Tensor> layer_states(const graph::Graph& g, const Tensor& x);
  std::vector<Tensor> layer_states(const data::GraphBatch& batch);
  // The width of each layer state: in_features, then hidden for each message-passing layer.
  std::vector<int64_t> layer_widths() const;
  const GraphClassifierOptions& options() const { return options_; }
  // The histograph readout (null for the other readouts).
  const std::shared_ptr<layers::HistographReadout>& histograph() const { return histograph_; }

 private:
  Tensor pool(size_t k, const Tensor& h, const Tensor& graph_ptr);

  GraphClassifierOptions options_;
  std::vector<std::shared_ptr<nn::Module>> convs_;
  std::vector<std::shared_ptr<nn::BatchNorm1d>> norms_;
  std::vector<std::shared_ptr<nn::Linear>> heads_;
  std::vector<std::shared_ptr<layers::GlobalAttentionPool>> pools_;
  std::shared_ptr<layers::HistographReadout> histograph_;
};

struct GraphTaskOptions {
  int64_t batch_size = 32;
  uint64_t seed = 0;   // the training batches' order
  int prefetch = 2;    // batches assembled ahead on a background thread
  // evaluate() scores the training graphs too (train_acc): a forward pass over all of them every epoch, about a
  // quarter of a MUTAG epoch; cross-validation that never reads it turns it off. test() always reports it.
  bool train_metrics = true;
  Device device = kCPU;  // where batches go (the model must be there too)
};

// Minibatch graph classification: each optimizer step is cross-entropy on the next shuffled batch of the
// training graphs (steps_per_epoch batches make an epoch); evaluate reports train_acc (unless turned off) and,
// when the fold has validation graphs, val_acc and val_loss; test adds test_acc. `forward` runs the model on a
// batch in the model's current mode. The data set must outlive the task.
class GraphClassificationTask : public Task {
 public:
  GraphClassificationTask(const data::GraphDataset& d, const data::Fold& fold,
                          std::function<Tensor(const data::GraphBatch&)> forward, GraphTaskOptions options = {});
  std::string name() const override { return "graph"; }
  Tensor training_loss(nn::Module& model) override;
  Metrics evaluate(nn::Module& model) override;
  Metrics test(nn::Module& model) override;
  std::string default_monitor() const override;  // val_acc, or empty without validation graphs
  int steps_per_epoch() const override;

 private:
  // Evaluation batches are built once: eval mode makes the model's output independent of how graphs are batched.
  struct Split {
    std::vector<data::GraphBatch> batches;
    int64_t graphs = 0;
  };
  Split make_split(const Tensor& idx) const;
  void add_metrics(Metrics& m, const std::string& prefix, const Split& s, bool with_loss);

  const data::GraphDataset& d_;
  std::function<Tensor(const data::GraphBatch&)> forward_;
  GraphTaskOptions o_;
  Split train_, val_, test_;
  std::unique_ptr<data::GraphLoader> loader_;
};

// GIN's model selection (Xu et al. 2019) over cross-validation: per-epoch test-fold accuracy curves (one per fold
// and seed) are averaged and the single epoch whose average is highest (ties: the earliest) is reported, with every
// curve's accuracy at it; curves of unequal length are cut to the shortest. The selection sees the test folds, so
// it is optimistic; it is the protocol GIN's published numbers use. `loom train --task graph` and the depth sweep
// (examples/histograph_depth.cpp) both score with it. ValueError for no curves or an empty one.
struct GinProtocolScore {
  int epoch = 0;                  // 1-based
  std::vector<double> fold_accs;  // each curve's accuracy at `epoch`
  double mean = 0, std = 0;       // over fold_accs; std is the population one, as the papers' tables
};
GinProtocolScore gin_protocol_score(const std::vector<std::vector<double>>& curves);

}  // namespace loom::models
