// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Link prediction metrics with the semantics of OGB's link evaluator (ogb/linkproppred/evaluate.py) and
// scikit-learn, so numbers are comparable with published ones. Scores are float32/float64 1-D tensors on any
// device (copied to the host, computed in double). ValueError naming the argument for an empty input or a NaN
// score, ShapeError/DTypeError for the wrong shape or dtype.
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"

namespace loom::models {

// ROC AUC of positives against negatives: the Mann-Whitney probability that a positive outscores a negative,
// ties counting 1/2 (equal to sklearn's roc_auc_score, which OGB's 'rocauc' calls). All scores equal: 0.5.
double auc(const Tensor& pos_scores, const Tensor& neg_scores);

// sklearn's average_precision_score: sum over distinct score thresholds t (descending) of
// (recall(t) - recall(previous t)) * precision(t); tied scores enter at one threshold together.
double average_precision(const Tensor& pos_scores, const Tensor& neg_scores);

// OGB's Hits@K: the fraction of positives scoring strictly above the k-th highest negative score; 1.0 when there
// are fewer than k negatives (as OGB returns). ValueError for k < 1.
double hits_at_k(const Tensor& pos_scores, const Tensor& neg_scores, int64_t k);

// OGB's MRR: positive i is ranked against its own negatives neg_scores[i, :] (pos [n], neg [n, m]) with
// rank = 1 + (#{neg > pos} + #{neg >= pos}) / 2, the mean of the optimistic and pessimistic ranks, so ties
// neither help nor hurt. mrr returns 1 / rank per positive (float64 [n] on pos's device); mean_reciprocal_rank
// their mean.
Tensor mrr(const Tensor& pos_scores, const Tensor& neg_scores);
double mean_reciprocal_rank(const Tensor& pos_scores, const Tensor& neg_scores);

}  // namespace loom::models
