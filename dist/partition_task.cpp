// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Partition-parallel node classification (loom/dist/partition_task.h): per-part loss shares, the gradient sum, and
// metrics from summed counts.
#include "loom/dist/partition_task.h"

#include <algorithm>
#include <span>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/dist/gradients.h"

namespace loom::dist {

namespace {
bool has_nodes(const Tensor& idx) { return idx.defined() && idx.numel() > 0; }
}  // namespace

PartitionNodeTask::PartitionNodeTask(Communicator& comm, const data::NodeDataset& data, PartitionedGraph part,
                                     models::NodeClassifier& model, int64_t staleness, Device device)
    : comm_(comm),
      part_(std::move(part)),
      model_(model),
      halo_(comm_, part_, staleness),
      num_classes_(data.num_classes) {
  LOOM_CHECK(comm.rank() == part_.rank && comm.size() == part_.num_parts, ValueError, "PartitionNodeTask: part ",
             part_.rank, " of ", part_.num_parts, " given to rank ", comm.rank(), " of ", comm.size());
  LOOM_CHECK(data.x.device().is_cpu(), DeviceError, "PartitionNodeTask: the data must be on the CPU, got ",
             data.x.device().str());
  LOOM_CHECK(part_.block.src_nodes.device().is_cpu(), DeviceError, "PartitionNodeTask: the part must be on the "
             "CPU (partition_part of a CPU graph), got ", part_.block.src_nodes.device().str());
  x_src_ = index_select(data.x, part_.block.src_nodes).to(device);
  y_own_ = index_select(data.y, slice(part_.block.src_nodes, 0, 0, part_.num_owned()));
  train_ = local_split(data.train_idx, device);
  val_ = local_split(data.val_idx, device);
  test_ = local_split(data.test_idx, device);
  // The part's structure and exchange indices on the training device (the counts stay host vectors).
  part_.block.graph = part_.block.graph.to(device);
  part_.send_rows = part_.send_rows.to(device);
  part_.halo_from_recv = part_.halo_from_recv.to(device);
  has_val_ = has_nodes(data.val_idx);
  has_test_ = has_nodes(data.test_idx);
  double n_train = static_cast<double>(train_.rows.numel());
  comm_.allreduce_sum(std::span(&n_train, 1));
  LOOM_CHECK(n_train > 0, ValueError, "PartitionNodeTask: the split of '", data.name, "' has no training nodes");
  global_train_ = n_train;
}

PartitionNodeTask::Split PartitionNodeTask::local_split(const Tensor& global_ids, Device device) const {
  std::vector<int64_t> rows;
  if (has_nodes(global_ids)) {
    const std::vector<int64_t> owned = slice(part_.block.src_nodes, 0, 0, part_.num_owned()).to_vector<int64_t>();
    std::vector<int64_t> ids = global_ids.cpu().to(kInt64).to_vector<int64_t>();
    std::sort(ids.begin(), ids.end());
    for (size_t i = 0; i < owned.size(); ++i)  // owned is ascending
      if (std::binary_search(ids.begin(), ids.end(), owned[i])) rows.push_back(static_cast<int64_t>(i));
  }
  Split s;
  s.rows = from_vector<int64_t>(rows, {static_cast<int64_t>(rows.size())});
  s.y = index_select(y_own_, s.rows).to(device);
  s.rows = s.rows.to(device);
  return s;
}

Tensor PartitionNodeTask::training_loss(nn::Module&) {
  costs_.start(comm_);
  halo_.begin_epoch(epoch_++);
  const Tensor logits = model_.forward(part_.block, x_src_, halo_);
  halo_.end_training_step();
  const int64_t n = train_.rows.numel();
  // This part's share of the whole graph's mean: its nodes' mean scaled by their fraction of the training nodes.
  // A part without training nodes contributes zero, but still backpropagates so that its exchanges run.
  const Tensor share = n > 0 ? mul_scalar(cross_entropy(index_select(logits, train_.rows), train_.y),
                                          static_cast<double>(n) / global_train_)
                             : mul_scalar(sum(logits), 0.0);
  // The value every process reports is the whole loss (the shares summed); the gradient stays this share's.
  double whole = share.item_double();
  comm_.allreduce_sum(std::span(&whole, 1));
  return add_scalar(share, whole - share.item_double());
}

void PartitionNodeTask::finish_gradients(nn::Module& model) {
  sum_gradients(comm_, model);
  costs_.stop(comm_);
}

std::vector<double> PartitionNodeTask::counts(const Tensor& logits, const Split& s) {
  const auto C = static_cast<size_t>(num_classes_);
  std::vector<double> c(3 + 3 * C, 0.0);
  const int64_t n = s.rows.numel();
  if (n > 0) {
    const Tensor rows = index_select(logits, s.rows);
    const std::vector<int64_t> pred = argmax(rows, 1).to_vector<int64_t>();  // to_vector copies to the host
    const std::vector<int64_t> truth = s.y.to_vector<int64_t>();
    c[0] = static_cast<double>(n);
    c[2] = cross_entropy(rows, s.y).item_double() * static_cast<double>(n);
    for (size_t i = 0; i < pred.size(); ++i) {
      const auto t = static_cast<size_t>(truth[i]), p = static_cast<size_t>(pred[i]);
      if (p == t) {
        c[1] += 1;
        c[3 + t] += 1;  // tp
      } else {
        c[3 + C + p] += 1;      // fp
        c[3 + 2 * C + t] += 1;  // fn
      }
    }
  }
  comm_.allreduce_sum(std::span<double>(c));
  return c;
}

namespace {
// The unweighted mean over classes of 2 TP / (2 TP + FP + FN), 0 for a class never true nor predicted (as
// models::macro_f1).
double macro_f1_of(const std::vector<double>& c, size_t C) {
  double total = 0;
  for (size_t k = 0; k < C; ++k) {
    const double tp = c[3 + k], denom = 2 * tp + c[3 + C + k] + c[3 + 2 * C + k];
    total += denom == 0 ? 0.0 : 2 * tp / denom;
  }
  return total / static_cast<double>(C);
}
}  // namespace

models::Metrics PartitionNodeTask::metrics(bool with_test) {
  const Tensor logits = model_.forward(part_.block, x_src_, halo_);
  const auto C = static_cast<size_t>(num_classes_);
  models::Metrics m;
  const std::vector<double> train = counts(logits, train_);
  m["train_acc"] = train[1] / train[0];
  if (has_val_) {
    const std::vector<double> val = counts(logits, val_);
    m["val_acc"] = val[1] / val[0];
    m["val_loss"] = val[2] / val[0];
    if (with_test) m["val_macro_f1"] = macro_f1_of(val, C);
  }
  if (with_test && has_test_) {
    const std::vector<double> test = counts(logits, test_);
    m["test_acc"] = test[1] / test[0];
    m["test_macro_f1"] = macro_f1_of(test, C);
  }
  return m;
}

models::Metrics PartitionNodeTask::evaluate(nn::Module&) { return metrics(false); }

models::Metrics PartitionNodeTask::test(nn::Module&) { return metrics(true); }

}  // namespace loom::dist
