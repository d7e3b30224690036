// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A task owns what a training run is about: its data split, its loss and its metrics. The trainer
// (loom/models/trainer.h) runs any task with the same loop; node classification is the first, and link
// prediction, graph classification and recommendation plug in as further Task classes.
#pragma once
#include <functional>
#include <map>
#include <string>

#include "loom/core/nn.h"
#include "loom/core/tensor.h"
#include "loom/data/dataset.h"

namespace loom::models {

// Metric name -> value ("train_acc", "val_acc", "val_loss", ...). A metric a split cannot give is absent, never 0.
using Metrics = std::map<std::string, double>;

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string name() const = 0;
  // The loss to minimise, from one forward pass in training mode (the trainer has called model.train()).
  virtual Tensor training_loss(nn::Module& model) = 0;
  // Metrics on the training and validation splits, in eval mode without gradients (called once per epoch).
  virtual Metrics evaluate(nn::Module& model) = 0;
  // Metrics on every split including the test split, for the weights the trainer kept (called once at the end).
  virtual Metrics test(nn::Module& model) = 0;
  // The metric that picks the best weights and drives early stopping unless the trainer is told otherwise;
  // empty: keep the last epoch's weights.
  virtual std::string default_monitor() const = 0;
  // Optimizer steps per epoch: each step calls training_loss once. Minibatch tasks (BPR over the interactions of a
  // recommender) take several; full-batch tasks one.
  virtual int steps_per_epoch() const { return 1; }
  // Called after each step's backward pass, before clipping and the optimizer step. A task whose loss is this
  // process's share of a loss spread over several processes (loom/dist/partition_task.h) adds the other shares'
  // gradients here, so that every process steps with the same, whole gradient.
  virtual void finish_gradients(nn::Module& /*model*/) {}
};

// Names ending in "loss" are minimised, all others maximised.
bool higher_is_better(const std::string& metric);

// Fraction of nodes in `idx` whose argmax logit equals y (logits [N, C] and y [N] on any device; idx int64).
double accuracy(const Tensor& logits, const Tensor& y, const Tensor& idx);
// Macro-F1 over the nodes in `idx`: the unweighted mean over classes of 2 TP / (2 TP + FP + FN), every class of
// logits' columns counted, a class with no true and no predicted node scoring 0 (scikit-learn's f1_score with
// average="macro" and labels=range(C), zero_division=0). Micro-F1 of single-label classification is accuracy().
double macro_f1(const Tensor& logits, const Tensor& y, const Tensor& idx);

// Full-batch node classification: cross-entropy over data.train_idx; metrics train_acc, val_acc, val_loss (the
// last two only when the split has validation nodes) and, from test(), also val_macro_f1, and test_acc and
// test_macro_f1 (when it has test nodes).
// `logits` runs the model on every node in the model's current mode and returns [N, C]. The data's y and index
// tensors must be on the logits' device.
class NodeClassificationTask : public Task {
 public:
  NodeClassificationTask(data::NodeDataset data, std::function<Tensor()> logits);
  std::string name() const override { return "node"; }
  Tensor training_loss(nn::Module& model) override;
  Metrics evaluate(nn::Module& model) override;
  Metrics test(nn::Module& model) override;
  // val_acc; empty (the last epoch's weights) when the split has no validation nodes.
  std::string default_monitor() const override;
  const data::NodeDataset& data() const { return data_; }

 private:
  Metrics metrics(const Tensor& logits, bool with_test) const;

  data::NodeDataset data_;
  std::function<Tensor()> logits_;
  Tensor y_train_;
};

}  // namespace loom::models
