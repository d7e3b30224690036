// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// LayerStateCache (loom/models/histograph_frozen.h): one eval-mode backbone pass over the whole data set, then row
// gathers per batch.
#include "loom/models/histograph_frozen.h"

#include <numeric>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::models {

LayerStateCache::LayerStateCache(GraphClassifier& backbone, const data::GraphDataset& d, Device device)
    : graph_ptr_(d.graph_ptr.cpu().to_vector<int64_t>()), widths_(backbone.layer_widths()) {
  std::vector<int64_t> all(static_cast<size_t>(d.num_graphs()));
  std::iota(all.begin(), all.end(), int64_t{0});
  const bool was_training = backbone.is_training();
  backbone.eval();
  {
    NoGradGuard no_grad;
    const data::GraphBatch everything = data::GraphBatch::build(d, all).to(device);
    for (const Tensor& s : backbone.layer_states(everything)) states_.push_back(s.detach());
  }
  backbone.train(was_training);
}

std::vector<Tensor> LayerStateCache::gather(const data::GraphBatch& b) const {
  const int64_t graphs = static_cast<int64_t>(graph_ptr_.size()) - 1;
  std::vector<int64_t> rows;
  rows.reserve(static_cast<size_t>(b.num_nodes()));
  const std::vector<int64_t> ids = b.graph_ids.cpu().to_vector<int64_t>();
  for (size_t i = 0; i < ids.size(); ++i) {
    const int64_t g = ids[i];
    LOOM_CHECK(g >= 0 && g < graphs, IndexError, "LayerStateCache::gather: the batch's graph ", i, " is graph ", g,
               " of its data set, but the cache holds ", graphs, " graphs");
    for (int64_t v = graph_ptr_[static_cast<size_t>(g)]; v < graph_ptr_[static_cast<size_t>(g) + 1]; ++v)
      rows.push_back(v);
  }
  LOOM_CHECK(static_cast<int64_t>(rows.size()) == b.num_nodes(), ShapeError, "LayerStateCache::gather: the batch "
             "has ", b.num_nodes(), " nodes but its graphs have ", rows.size(), " in the cached data set");
  const Tensor index = from_vector<int64_t>(rows, {static_cast<int64_t>(rows.size())}, states_.front().device());
  std::vector<Tensor> out;
  for (const Tensor& s : states_) out.push_back(index_select(s, index));
  return out;
}

GraphClassifierOptions frozen_backbone_options(const GraphClassifierOptions& o) {
  GraphClassifierOptions b = o;
  b.readout(layers::Readout::kSum).jk(false);
  return b;
}

TrainResult fit_frozen_histograph(GraphClassifier& backbone, layers::HistographReadout& head,
                                  const data::GraphDataset& d, const data::Fold& fold, const TrainerOptions& options,
                                  const GraphTaskOptions& task_options) {
  LOOM_CHECK(head.options().layer_widths() == backbone.layer_widths(), ShapeError, "fit_frozen_histograph: the head "
             "reads ", head.options().layer_widths().size(), " layers but the backbone has ",
             backbone.layer_widths().size(), " (or their widths differ)");
  const LayerStateCache cache(backbone, d, task_options.device);
  GraphClassificationTask task(
      d, fold, [&](const data::GraphBatch& b) { return head.forward(cache.gather(b), b.graph_ptr); }, task_options);
  return fit(head, task, options);
}

}  // namespace loom::models
