// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The linear probe of self-supervised node embeddings, as HeCo's evaluation protocol runs it (and MEOW, MetaHGNIE
// and POGAT report with it): the embeddings are frozen; a logistic regression (one Linear layer, softmax
// cross-entropy, Adam) is trained on the labelled training nodes of a split; after every epoch the validation and
// test nodes are scored, and each reported test figure is the one of the epoch with the best validation figure of
// the same kind (test Micro-F1 at the best validation accuracy, test Macro-F1 at the best validation Macro-F1, test
// AUC at the best validation accuracy). This repeats `runs` times from fresh initialisations; the figures are the
// means over the runs (HeCo: 50 runs of 200 epochs; DBLP lr 0.01, weight decay 0).
#pragma once
#include <cstdint>

#include "loom/core/options.h"
#include "loom/core/tensor.h"

namespace loom::models {

struct ProbeOptions {
  LOOM_ARG(int64_t, epochs) = 200;
  LOOM_ARG(int64_t, runs) = 50;
  LOOM_ARG(double, lr) = 0.01;
  LOOM_ARG(double, weight_decay) = 0.0;
  LOOM_ARG(uint64_t, seed) = 0;  // of the classifier initialisations (the global generator is left as it was)
};

struct ProbeResult {
  double macro_f1 = 0, macro_f1_std = 0;  // over the runs
  double micro_f1 = 0, micro_f1_std = 0;
  double auc = 0, auc_std = 0;
  int64_t runs = 0;
};

// embeddings [N, D] (float, any device; detached inside), y int64 [N], train/val/test int64 node ids (val and test
// non-empty; HeCo's splits have 1000 of each). ValueError naming the problem for an empty split, shapes that do not
// match, fewer than 2 classes, or non-positive epochs/runs.
ProbeResult linear_probe(const Tensor& embeddings, const Tensor& y, const Tensor& train_idx, const Tensor& val_idx,
                         const Tensor& test_idx, int64_t num_classes, const ProbeOptions& options = {});

// One-vs-rest ROC AUC averaged over the classes present among `y` (scikit-learn's roc_auc_score(y, probs,
// multi_class="ovr", average="macro")): probs [n, C] (rows need not sum to 1), y int64 [n]. Ties count one half.
// A class that every node or no node has is skipped (its AUC is undefined).
double macro_auc(const Tensor& probs, const Tensor& y);

}  // namespace loom::models
