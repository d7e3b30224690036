// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HISTOGRAPH on a frozen backbone: a trained GraphClassifier's per-layer node states are computed once, in eval mode,
// for every graph of a data set, and a HistographReadout is then trained on batches gathered from that cache, so
// the backbone runs once instead of every step and its weights cannot move.
#pragma once
#include <cstdint>
#include <vector>

#include "loom/data/graph_batch.h"
#include "loom/data/graph_dataset.h"
#include "loom/layers/histograph.h"
#include "loom/models/graph_classifier.h"
#include "loom/models/trainer.h"

namespace loom::models {

class LayerStateCache {
 public:
  // Runs `backbone` once over all of d's graphs in eval mode (dropout off, BatchNorm on its running statistics, so
  // a graph's states do not depend on its batch) without gradients; the backbone's mode is restored afterwards.
  // `device` is where the backbone lives; the states stay there and gather() returns them there.
  LayerStateCache(GraphClassifier& backbone, const data::GraphDataset& d, Device device = kCPU);
  // The cached states of b's graphs, in b's node order: num_layers tensors [b.num_nodes(), width], no gradient.
  // b must be built from the cached data set (IndexError for a graph id it does not have).
  std::vector<Tensor> gather(const data::GraphBatch& b) const;
  const std::vector<int64_t>& widths() const { return widths_; }

 private:
  std::vector<Tensor> states_;     // per layer [N_total, width]
  std::vector<int64_t> graph_ptr_;  // the data set's, on the host
  std::vector<int64_t> widths_;
};

// The backbone a frozen HISTOGRAPH head sits on: `o` with the last layer's sum readout (jk off), trained first.
GraphClassifierOptions frozen_backbone_options(const GraphClassifierOptions& o);

// Trains `head` alone on the cached per-layer states of the trained `backbone` over `fold` (the fold's validation
// and test graphs are scored as GraphClassificationTask does; task_options.device is where backbone and head live
// and where the batches go). The backbone's parameters and buffers are left
// exactly as they were: it only runs once, in eval mode, without gradients.
TrainResult fit_frozen_histograph(GraphClassifier& backbone, layers::HistographReadout& head,
                                  const data::GraphDataset& d, const data::Fold& fold, const TrainerOptions& options,
                                  const GraphTaskOptions& task_options = {});

}  // namespace loom::models
