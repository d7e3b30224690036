// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Data-parallel mini-batches (loom/dist/data_parallel_task.h): one shared order, a slice of each batch per process.
#include "loom/dist/data_parallel_task.h"

#include <algorithm>
#include <span>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/dist/gradients.h"

namespace loom::dist {

DataParallelNodeTask::DataParallelNodeTask(Communicator& comm, data::NodeDataset data, graph::Graph g,
                                           models::NodeClassifier& model, graph::SampleOptions sampling,
                                           int64_t batch_size)
    : NodeBatchTask(std::move(data), std::move(g), model), comm_(comm), sampling_(std::move(sampling)),
      batch_size_(batch_size) {
  LOOM_CHECK(batch_size_ >= 1, ValueError, "DataParallelNodeTask: batch size must be >= 1, got ", batch_size_);
  LOOM_CHECK(full_.data().train_idx.numel() > 0, ValueError, "DataParallelNodeTask: the training split is empty");
  LOOM_CHECK(static_cast<int>(sampling_.fanouts().size()) == model_.receptive_hops(), ValueError,
             "DataParallelNodeTask: ", sampling_.fanouts().size(), " fan-outs for a model of ",
             model_.receptive_hops(), " message-passing layers (give one fan-out per layer)");
}

int DataParallelNodeTask::steps_per_epoch() const {
  const int64_t n = full_.data().train_idx.numel();
  return static_cast<int>((n + batch_size_ - 1) / batch_size_);
}

Tensor DataParallelNodeTask::training_loss(nn::Module& model) {
  const data::NodeDataset& d = full_.data();
  if (cursor_ == 0) {
    // The same order on every process: each node's sort key depends on (seed, epoch, node) only.
    order_ = d.train_idx.cpu().to(kInt64).to_vector<int64_t>();
    const uint64_t key = random_bits(sampling_.seed(), epoch_++);
    std::sort(order_.begin(), order_.end(), [key](int64_t a, int64_t b) {
      const uint64_t ka = random_bits(key, static_cast<uint64_t>(a)), kb = random_bits(key, static_cast<uint64_t>(b));
      return ka != kb ? ka < kb : a < b;
    });
    costs_.start(comm_);
  }
  const auto n = static_cast<int64_t>(order_.size());
  const int64_t end = std::min(cursor_ + batch_size_, n), batch = end - cursor_;
  const int64_t P = comm_.size(), r = comm_.rank();
  const int64_t lo = cursor_ + batch * r / P, hi = cursor_ + batch * (r + 1) / P;
  cursor_ = end == n ? 0 : end;
  graph::SampleOptions o = sampling_;
  o.seed(sampling_.seed() + step_++);  // every process advances alike, so a node draws the same edges anywhere
  Tensor share;
  if (hi == lo) {
    // No seed of this batch here: a zero share that still reaches every parameter, so backward and the sum run.
    for (const Tensor& p : model.parameters()) share = share.defined() ? add(share, sum(p)) : sum(p);
    share = mul_scalar(share, 0.0);
  } else {
    const std::vector<int64_t> mine(order_.begin() + lo, order_.begin() + hi);
    const Tensor seeds = from_vector<int64_t>(mine, {hi - lo});
    const std::vector<graph::Block> blocks = graph::sample_blocks(g_, seeds, o);
    const Tensor logits = model_.forward(blocks, index_select(d.x, blocks.front().src_nodes));
    // This slice's share of the batch's mean.
    share = mul_scalar(cross_entropy(logits, index_select(d.y, seeds.to(d.y.device()))),
                       static_cast<double>(hi - lo) / static_cast<double>(batch));
  }
  // Every process reports the whole batch's loss (the shares summed); the gradient stays this share's.
  double whole = share.item_double();
  comm_.allreduce_sum(std::span(&whole, 1));
  return add_scalar(share, whole - share.item_double());
}

void DataParallelNodeTask::finish_gradients(nn::Module& model) {
  sum_gradients(comm_, model);
  if (cursor_ == 0) costs_.stop(comm_);  // the epoch's last step
}

}  // namespace loom::dist
