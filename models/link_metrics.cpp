// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Link prediction metrics (loom/models/link_metrics.h). Evaluation runs once per epoch on at most millions of
// scores, so everything is a host sort in double: exact tie handling matters more here than speed.
#include "loom/models/link_metrics.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>
#include <vector>

#include "loom/core/error.h"

namespace loom::models {

namespace {

// The scores on the host in double, after checking dtype, rank, emptiness and NaN (naming op and arg).
std::vector<double> host_scores(const char* op, const char* arg, const Tensor& t, int64_t dims = 1) {
  LOOM_CHECK(t.defined(), ValueError, op, ": '", arg, "' is undefined");
  LOOM_CHECK(t.dtype() == kFloat32 || t.dtype() == kFloat64, DTypeError, op, ": '", arg,
             "' must be float32 or float64 scores, got ", dtype_name(t.dtype()));
  LOOM_CHECK(t.dim() == dims, ShapeError, op, ": '", arg, "' must be ", dims, "-D, got ", t.str());
  LOOM_CHECK(t.numel() > 0, ValueError, op, ": '", arg, "' is empty");
  std::vector<double> v = t.cpu().to(kFloat64).to_vector<double>();
  for (size_t i = 0; i < v.size(); ++i) LOOM_CHECK(!std::isnan(v[i]), ValueError, op, ": '", arg, "' is NaN at ", i);
  return v;
}

// (score, is_positive) sorted by descending score.
std::vector<std::pair<double, bool>> ranked(const std::vector<double>& pos, const std::vector<double>& neg) {
  std::vector<std::pair<double, bool>> all;
  all.reserve(pos.size() + neg.size());
  for (double s : pos) all.emplace_back(s, true);
  for (double s : neg) all.emplace_back(s, false);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  return all;
}

}  // namespace

double auc(const Tensor& pos_scores, const Tensor& neg_scores) {
  const auto pos = host_scores("auc", "pos_scores", pos_scores);
  const auto neg = host_scores("auc", "neg_scores", neg_scores);
  // Walk tie groups from the top: each positive in a group beats every negative below it and ties (1/2) with the
  // negatives of its group.
  const auto all = ranked(pos, neg);
  double wins = 0, neg_below = static_cast<double>(neg.size());
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    double p = 0, n = 0;
    for (; j < all.size() && all[j].first == all[i].first; ++j) (all[j].second ? p : n) += 1;
    neg_below -= n;
    wins += p * (neg_below + 0.5 * n);
    i = j;
  }
  return wins / (static_cast<double>(pos.size()) * static_cast<double>(neg.size()));
}

double average_precision(const Tensor& pos_scores, const Tensor& neg_scores) {
  const auto pos = host_scores("average_precision", "pos_scores", pos_scores);
  const auto neg = host_scores("average_precision", "neg_scores", neg_scores);
  const auto all = ranked(pos, neg);
  const auto total = static_cast<double>(pos.size());
  double tp = 0, fp = 0, ap = 0, prev_recall = 0;
  for (size_t i = 0; i < all.size();) {  // one threshold per distinct score, as sklearn's precision_recall_curve
    size_t j = i;
    for (; j < all.size() && all[j].first == all[i].first; ++j) (all[j].second ? tp : fp) += 1;
    const double recall = tp / total;
    ap += (recall - prev_recall) * tp / (tp + fp);
    prev_recall = recall;
    i = j;
  }
  return ap;
}

double hits_at_k(const Tensor& pos_scores, const Tensor& neg_scores, int64_t k) {
  LOOM_CHECK(k >= 1, ValueError, "hits_at_k: 'k' must be >= 1, got ", k);
  const auto pos = host_scores("hits_at_k", "pos_scores", pos_scores);
  auto neg = host_scores("hits_at_k", "neg_scores", neg_scores);
  if (static_cast<int64_t>(neg.size()) < k) return 1.0;  // OGB's convention
  std::nth_element(neg.begin(), neg.begin() + (k - 1), neg.end(), std::greater<>());
  const double kth = neg[static_cast<size_t>(k - 1)];
  const auto hits = std::count_if(pos.begin(), pos.end(), [&](double s) { return s > kth; });
  return static_cast<double>(hits) / static_cast<double>(pos.size());
}

Tensor mrr(const Tensor& pos_scores, const Tensor& neg_scores) {
  const auto pos = host_scores("mrr", "pos_scores", pos_scores);
  const auto neg = host_scores("mrr", "neg_scores", neg_scores, 2);
  const int64_t n = static_cast<int64_t>(pos.size()), m = neg_scores.size(1);
  LOOM_CHECK(neg_scores.size(0) == n, ShapeError, "mrr: 'neg_scores' must be [", n,
             ", m] (one row of negatives per positive), got ", neg_scores.str());
  std::vector<double> rr(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    // OGB's _eval_mrr: rank = 0.5 * (#neg > pos + #neg >= pos) + 1.
    const double p = pos[static_cast<size_t>(i)];
    double above = 0, at_least = 0;
    for (int64_t j = 0; j < m; ++j) {
      const double s = neg[static_cast<size_t>(i * m + j)];
      above += s > p;
      at_least += s >= p;
    }
    rr[static_cast<size_t>(i)] = 1.0 / (0.5 * (above + at_least) + 1.0);
  }
  return from_vector<double>(rr, {n}).to(pos_scores.device());
}

double mean_reciprocal_rank(const Tensor& pos_scores, const Tensor& neg_scores) {
  const auto rr = mrr(pos_scores, neg_scores).cpu().to_vector<double>();
  double sum = 0;
  for (double x : rr) sum += x;
  return sum / static_cast<double>(rr.size());
}

}  // namespace loom::models
