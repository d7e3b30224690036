// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Mini-batch node classification over sampled blocks (loom/models/sampled_task.h).
#include "loom/models/sampled_task.h"

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"

namespace loom::models {

NodeBatchTask::NodeBatchTask(data::NodeDataset data, graph::Graph g, NodeClassifier& model)
    : g_(std::move(g)),
      model_(model),
      full_(data, [this, x = data.x] { return model_.forward(Structure{.graph = &g_}, x); }) {}

SampledNodeTask::SampledNodeTask(data::NodeDataset data, graph::Graph g, NodeClassifier& model,
                                 graph::SampleOptions sampling, int64_t batch_size)
    : NodeBatchTask(std::move(data), std::move(g), model), sampling_(std::move(sampling)), batch_size_(batch_size) {
  LOOM_CHECK(batch_size_ >= 1, ValueError, "SampledNodeTask: batch size must be >= 1, got ", batch_size_);
  LOOM_CHECK(full_.data().train_idx.numel() > 0, ValueError, "SampledNodeTask: the training split is empty");
  LOOM_CHECK(static_cast<int>(sampling_.fanouts().size()) == model_.receptive_hops(), ValueError,
             "SampledNodeTask: ", sampling_.fanouts().size(), " fan-outs for a model of ", model_.receptive_hops(),
             " message-passing layers (give one fan-out per layer)");
}

int SampledNodeTask::steps_per_epoch() const {
  const int64_t n = full_.data().train_idx.numel();
  return static_cast<int>((n + batch_size_ - 1) / batch_size_);
}

Tensor SampledNodeTask::training_loss(nn::Module&) {
  const data::NodeDataset& d = full_.data();
  const int64_t n = d.train_idx.numel();
  if (cursor_ == 0) order_ = index_select(d.train_idx.cpu(), randperm(n));  // a new order every epoch
  const int64_t end = std::min(cursor_ + batch_size_, n);
  const Tensor seeds = slice(order_, 0, cursor_, end);
  cursor_ = end == n ? 0 : end;
  graph::SampleOptions o = sampling_;
  o.seed(sampling_.seed() + step_++);
  const std::vector<graph::Block> blocks = graph::sample_blocks(g_, seeds, o);
  const Tensor x_src = index_select(d.x, blocks.front().src_nodes);
  const Tensor logits = model_.forward(blocks, x_src);
  return cross_entropy(logits, index_select(d.y, seeds.to(d.y.device())));
}

}  // namespace loom::models
