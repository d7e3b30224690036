// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Node classification as a Task: cross-entropy on the training nodes, accuracy, macro-F1 and loss on the other
// splits.
#include "loom/models/task.h"

#include <utility>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::models {

bool higher_is_better(const std::string& metric) {
  const std::string suffix = "loss";
  return !(metric.size() >= suffix.size() && metric.compare(metric.size() - suffix.size(), suffix.size(), suffix) == 0);
}

double accuracy(const Tensor& logits, const Tensor& y, const Tensor& idx) {
  LOOM_CHECK(logits.dim() == 2 && y.dim() == 1 && logits.size(0) == y.size(0), ShapeError,
             "accuracy: logits ", logits.shape_str(), " and labels ", y.shape_str(), " do not match");
  LOOM_CHECK(idx.numel() > 0, ValueError, "accuracy: no nodes to score (an empty split)");
  NoGradGuard no_grad;
  const Tensor pred = argmax(index_select(logits, idx), 1).cpu();
  const std::vector<int64_t> p = pred.to_vector<int64_t>();
  const std::vector<int64_t> truth = y.cpu().to_vector<int64_t>();
  const std::vector<int64_t> ids = idx.cpu().to(kInt64).to_vector<int64_t>();
  int64_t correct = 0;
  for (size_t i = 0; i < ids.size(); ++i) correct += p[i] == truth[static_cast<size_t>(ids[i])];
  return static_cast<double>(correct) / static_cast<double>(ids.size());
}

namespace {
// Predicted and true classes of the nodes in idx, on the CPU.
std::pair<std::vector<int64_t>, std::vector<int64_t>> predicted_and_true(const Tensor& logits, const Tensor& y,
                                                                         const Tensor& idx) {
  LOOM_CHECK(logits.dim() == 2 && y.dim() == 1 && logits.size(0) == y.size(0), ShapeError,
             "macro_f1: logits ", logits.shape_str(), " and labels ", y.shape_str(), " do not match");
  LOOM_CHECK(idx.numel() > 0, ValueError, "macro_f1: no nodes to score (an empty split)");
  NoGradGuard no_grad;
  std::vector<int64_t> p = argmax(index_select(logits, idx), 1).cpu().to_vector<int64_t>();
  const std::vector<int64_t> all = y.cpu().to_vector<int64_t>();
  std::vector<int64_t> t;
  for (int64_t i : idx.cpu().to(kInt64).to_vector<int64_t>()) t.push_back(all[static_cast<size_t>(i)]);
  return {std::move(p), std::move(t)};
}
}  // namespace

double macro_f1(const Tensor& logits, const Tensor& y, const Tensor& idx) {
  const auto [pred, truth] = predicted_and_true(logits, y, idx);
  const int64_t C = logits.size(1);
  std::vector<int64_t> tp(static_cast<size_t>(C)), fp(static_cast<size_t>(C)), fn(static_cast<size_t>(C));
  for (size_t i = 0; i < pred.size(); ++i) {
    LOOM_CHECK(truth[i] >= 0 && truth[i] < C, IndexError, "macro_f1: label ", truth[i], " is outside the ", C,
               " classes of the logits");
    if (pred[i] == truth[i]) {
      ++tp[static_cast<size_t>(truth[i])];
    } else {
      ++fp[static_cast<size_t>(pred[i])];
      ++fn[static_cast<size_t>(truth[i])];
    }
  }
  double total = 0;
  for (size_t c = 0; c < tp.size(); ++c) {
    const int64_t denom = 2 * tp[c] + fp[c] + fn[c];
    total += denom == 0 ? 0.0 : 2.0 * static_cast<double>(tp[c]) / static_cast<double>(denom);
  }
  return total / static_cast<double>(C);
}

namespace {
bool has_nodes(const Tensor& idx) { return idx.defined() && idx.numel() > 0; }
}  // namespace

NodeClassificationTask::NodeClassificationTask(data::NodeDataset data, std::function<Tensor()> logits)
    : data_(std::move(data)), logits_(std::move(logits)) {
  LOOM_CHECK(has_nodes(data_.train_idx), ValueError, "NodeClassificationTask: the split of '", data_.name,
             "' has no training nodes");
  y_train_ = index_select(data_.y, data_.train_idx);
}

std::string NodeClassificationTask::default_monitor() const {
  return has_nodes(data_.val_idx) ? "val_acc" : "";
}

Tensor NodeClassificationTask::training_loss(nn::Module&) {
  return cross_entropy(index_select(logits_(), data_.train_idx), y_train_);
}

Metrics NodeClassificationTask::metrics(const Tensor& logits, bool with_test) const {
  Metrics m;
  m["train_acc"] = accuracy(logits, data_.y, data_.train_idx);
  if (has_nodes(data_.val_idx)) {
    m["val_acc"] = accuracy(logits, data_.y, data_.val_idx);
    m["val_loss"] = cross_entropy(index_select(logits, data_.val_idx), index_select(data_.y, data_.val_idx))
                        .item_double();
  }
  if (with_test && has_nodes(data_.val_idx)) m["val_macro_f1"] = macro_f1(logits, data_.y, data_.val_idx);
  if (with_test && has_nodes(data_.test_idx)) {
    m["test_acc"] = accuracy(logits, data_.y, data_.test_idx);
    m["test_macro_f1"] = macro_f1(logits, data_.y, data_.test_idx);
  }
  return m;
}

Metrics NodeClassificationTask::evaluate(nn::Module&) { return metrics(logits_(), false); }

Metrics NodeClassificationTask::test(nn::Module&) { return metrics(logits_(), true); }

}  // namespace loom::models
