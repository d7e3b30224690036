// Full-batch training for node classification: the loop behind `loom train` and the examples.
// Any model fits: the caller supplies forward(training) returning logits [N, C] for all nodes.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "loom/core/nn.h"
#include "loom/core/tensor.h"
#include "loom/data/dataset.h"

namespace loom::models {

struct EpochStats {
  int epoch = 0;  // 1-based
  double loss = 0, train_acc = 0, val_acc = 0;
  double seconds = 0;  // this epoch: training step and evaluation
};

struct TrainOptions {
  int epochs = 200;
  double lr = 0.01;
  double weight_decay = 5e-4;
  // Stop when validation accuracy has not improved for this many epochs (0: run all epochs).
  int patience = 0;
  // Called after every epoch (progress lines, CSV logs).
  std::function<void(const EpochStats&)> on_epoch;
};

struct TrainResult {
  double best_val_acc = 0, test_acc = 0, train_acc = 0;
  int best_epoch = 0, epochs_run = 0;
  double seconds = 0;
  std::vector<EpochStats> history;
};

// Fraction of nodes in `idx` whose argmax logit equals y (logits [N, C] and y [N] on any device; idx int64).
double accuracy(const Tensor& logits, const Tensor& y, const Tensor& idx);

// Trains `model` with Adam on cross-entropy over data.train_idx, evaluates each epoch in eval mode, keeps the
// weights of the best validation epoch (ties: the later one; the last epoch when the split has no validation
// nodes), restores them at the end and reports their test accuracy. `data` tensors must be on the model's device.
TrainResult train_node_classifier(nn::Module& model, const std::function<Tensor(bool training)>& forward,
                                  const data::NodeDataset& data, const TrainOptions& options);

}  // namespace loom::models
