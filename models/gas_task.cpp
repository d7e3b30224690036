// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GNNAutoScale's histories and cluster batches (loom/models/gas_task.h).
#include "loom/models/gas_task.h"

#include <cstring>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/graph/sampler.h"

namespace loom::models {

Tensor History::pull(int64_t layer, const Tensor& ids, Device device) const {
  LOOM_CHECK(layer >= 0 && layer < static_cast<int64_t>(layers_.size()) && layers_[layer].defined(), ValueError,
             "History: layer ", layer, " has never been pushed");
  return index_select(layers_[layer], ids.cpu()).to(device);
}

void History::push(int64_t layer, const Tensor& ids, const Tensor& values) {
  LOOM_CHECK(layer >= 0 && values.dim() == 2 && ids.numel() == values.size(0), ShapeError,
             "History: push of ", values.shape_str(), " values at ", ids.numel(), " ids into layer ", layer);
  if (static_cast<int64_t>(layers_.size()) <= layer) layers_.resize(static_cast<size_t>(layer + 1));
  Tensor& buf = layers_[layer];
  if (!buf.defined()) buf = zeros({num_nodes_, values.size(1)}, values.dtype());
  LOOM_CHECK(buf.size(1) == values.size(1) && buf.dtype() == values.dtype(), ShapeError, "History: layer ", layer,
             " holds ", buf.shape_str(), " ", dtype_name(buf.dtype()), " rows, got ", values.shape_str(), " ",
             dtype_name(values.dtype()));
  const Tensor v = values.detach().cpu();
  const std::vector<int64_t> at = ids.cpu().to(kInt64).to_vector<int64_t>();
  const size_t row = static_cast<size_t>(buf.size(1)) * dtype_size(buf.dtype());
  auto* dst = static_cast<char*>(buf.raw_data());
  const auto* src = static_cast<const char*>(v.raw_data());
  for (size_t i = 0; i < at.size(); ++i) {
    LOOM_CHECK(at[i] >= 0 && at[i] < num_nodes_, IndexError, "History: id ", at[i], " outside [0, ", num_nodes_, ")");
    std::memcpy(dst + static_cast<size_t>(at[i]) * row, src + i * row, row);
  }
}

int64_t History::bytes() const {
  int64_t b = 0;
  for (const Tensor& t : layers_) b += t.defined() ? static_cast<int64_t>(t.nbytes()) : 0;
  return b;
}

GasNodeTask::GasNodeTask(data::NodeDataset data, graph::Graph g, NodeClassifier& model, const Tensor& part,
                         int64_t num_clusters, int64_t clusters_per_batch)
    : NodeBatchTask(data, std::move(g), model), per_batch_(clusters_per_batch), history_(data.num_nodes()) {
  const int64_t n = data.num_nodes();
  LOOM_CHECK(num_clusters >= 1 && clusters_per_batch >= 1 && clusters_per_batch <= num_clusters, ValueError,
             "GasNodeTask: ", clusters_per_batch, " clusters per batch of ", num_clusters,
             " (expected 1 <= per batch <= clusters)");
  LOOM_CHECK(part.dim() == 1 && part.numel() == n, ShapeError, "GasNodeTask: part must be [", n, "], got ",
             part.shape_str());
  clusters_.resize(static_cast<size_t>(num_clusters));
  const std::vector<int64_t> p = part.cpu().to(kInt64).to_vector<int64_t>();
  for (int64_t v = 0; v < n; ++v) {
    LOOM_CHECK(p[v] >= 0 && p[v] < num_clusters, IndexError, "GasNodeTask: node ", v, " is in cluster ", p[v],
               ", outside [0, ", num_clusters, ")");
    clusters_[p[v]].push_back(v);
  }
  is_train_.assign(static_cast<size_t>(n), 0);
  for (int64_t v : full_.data().train_idx.cpu().to_vector<int64_t>()) is_train_[v] = 1;
}

int GasNodeTask::steps_per_epoch() const {
  return static_cast<int>((static_cast<int64_t>(clusters_.size()) + per_batch_ - 1) / per_batch_);
}

Tensor GasNodeTask::training_loss(nn::Module&) {
  const data::NodeDataset& d = full_.data();
  const auto k = static_cast<int64_t>(clusters_.size());
  if (cursor_ == 0) order_ = randperm(k);
  const int64_t end = std::min(cursor_ + per_batch_, k);
  std::vector<int64_t> batch;
  for (int64_t c : slice(order_, 0, cursor_, end).to_vector<int64_t>())
    batch.insert(batch.end(), clusters_[c].begin(), clusters_[c].end());
  cursor_ = end == k ? 0 : end;
  std::vector<int64_t> train_rows;  // positions in the batch of its training nodes
  for (size_t i = 0; i < batch.size(); ++i)
    if (is_train_[batch[i]]) train_rows.push_back(static_cast<int64_t>(i));
  const Tensor seeds = from_vector<int64_t>(batch, {static_cast<int64_t>(batch.size())});
  // The batch's whole 1-hop neighbourhood (every in-edge) serves every layer.
  const std::vector<graph::Block> blocks = graph::sample_blocks(g_, seeds, graph::SampleOptions().fanouts({-1}));
  const Tensor logits = model_.forward(blocks.front(), index_select(d.x, blocks.front().src_nodes), history_);
  if (train_rows.empty()) return mul_scalar(sum(logits), 0.0);  // no labels here: a zero loss, histories still pushed
  const Tensor rows = from_vector<int64_t>(train_rows, {static_cast<int64_t>(train_rows.size())}).to(logits.device());
  return cross_entropy(index_select(logits, rows), index_select(d.y, index_select(seeds.to(d.y.device()), rows)));
}

}  // namespace loom::models
