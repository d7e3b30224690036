// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Link prediction metrics (loom/models/link_metrics.h) against hand-computed values (ties, all scores equal) and
// brute-force O(n m) references on random scores with many ties; input errors name the argument.
#include <gmock/gmock.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include "loom/core/error.h"
#include "loom/models/link_metrics.h"
#include "support/testing.h"

namespace loom::models {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

Tensor vec(const std::vector<double>& v) { return from_vector<double>(v, {static_cast<int64_t>(v.size())}); }

TEST(LinkMetrics, HandComputedWithTies) {
  // Pairs: 0.9 beats both negatives, 0.5 ties 0.5 (1/2) and beats 0.1: AUC = 3.5 / 4.
  const Tensor pos = vec({0.9, 0.5}), neg = vec({0.5, 0.1});
  EXPECT_DOUBLE_EQ(auc(pos, neg), 0.875);
  // Thresholds 0.9 (P 1, R 1/2), 0.5 (P 2/3, R 1), 0.1 (R unchanged): AP = 1/2 + 1/2 * 2/3.
  EXPECT_DOUBLE_EQ(average_precision(pos, neg), 0.5 + 1.0 / 3.0);
  // float32 gives the same.
  EXPECT_DOUBLE_EQ(auc(pos.to(kFloat32), neg.to(kFloat32)), 0.875);
}

TEST(LinkMetrics, AllScoresEqual) {
  const Tensor pos = vec({0.3, 0.3}), neg = vec({0.3, 0.3, 0.3});
  EXPECT_DOUBLE_EQ(auc(pos, neg), 0.5);
  EXPECT_DOUBLE_EQ(average_precision(pos, neg), 0.4);  // one threshold: precision 2/5 at recall 1
  EXPECT_DOUBLE_EQ(hits_at_k(pos, neg, 1), 0.0);       // strictly above the k-th negative
  const Tensor neg2 = from_vector<double>({0.3, 0.3, 0.3, 0.3, 0.3, 0.3}, {2, 3});
  // rank = 1 + (0 + 3) / 2 = 2.5 for each positive.
  EXPECT_DOUBLE_EQ(mean_reciprocal_rank(pos, neg2), 1.0 / 2.5);
}

TEST(LinkMetrics, HitsAtKFollowsOgb) {
  const Tensor pos = vec({3, 2, 1, 0}), neg = vec({2, 1, 0});
  EXPECT_DOUBLE_EQ(hits_at_k(pos, neg, 1), 0.25);  // above 2: only 3
  EXPECT_DOUBLE_EQ(hits_at_k(pos, neg, 2), 0.5);   // above 1: 3 and 2
  EXPECT_DOUBLE_EQ(hits_at_k(pos, neg, 3), 0.75);  // the positive 0 ties the 3rd negative: not a hit
  EXPECT_DOUBLE_EQ(hits_at_k(pos, neg, 4), 1.0);   // fewer negatives than k: OGB returns 1
  EXPECT_THAT([&] { hits_at_k(pos, neg, 0); }, ThrowsMessage<ValueError>(HasSubstr("'k'")));
}

TEST(LinkMetrics, MrrOptimisticPessimisticAverage) {
  // Row 0: one negative above, two tied: rank 1 + (1 + 3) / 2 = 3. Row 1: none above: rank 1.
  const Tensor pos = vec({1.0, 5.0});
  const Tensor neg = from_vector<double>({2, 1, 1, 0, 1, 2, 3, 4}, {2, 4});
  EXPECT_EQ(mrr(pos, neg).to_vector<double>(), (std::vector<double>{1.0 / 3.0, 1.0}));
  EXPECT_DOUBLE_EQ(mean_reciprocal_rank(pos, neg), (1.0 / 3.0 + 1.0) / 2.0);
  EXPECT_THAT(
      [&] {
        mrr(pos, from_vector<double>({1, 2, 3}, {3, 1}));
      },
      ThrowsMessage<ShapeError>(HasSubstr("neg_scores")));
}

// Scores in {0, 0.1, ..., 0.9}: many ties.
std::vector<double> tied_scores(uint32_t seed, int64_t n) {
  const auto r = testing::random_tensor({n}, seed, 0.0, 1.0, kFloat64).to_vector<double>();
  std::vector<double> v;
  for (double x : r) v.push_back(std::floor(x * 10) / 10);
  return v;
}

TEST(LinkMetrics, MatchBruteForceOnRandomTiedScores) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    const auto p = tied_scores(seed, 37), q = tied_scores(seed + 100, 53);
    double wins = 0;
    for (double a : p)
      for (double b : q) wins += a > b ? 1.0 : a == b ? 0.5 : 0.0;
    EXPECT_NEAR(auc(vec(p), vec(q)), wins / (37.0 * 53.0), 1e-12);
    // AP: at each distinct score t (descending), precision and recall of "score >= t".
    std::set<double, std::greater<>> thresholds(p.begin(), p.end());
    thresholds.insert(q.begin(), q.end());
    double ap = 0, prev = 0;
    for (double t : thresholds) {
      const double tp = static_cast<double>(std::count_if(p.begin(), p.end(), [&](double s) { return s >= t; }));
      const double fp = static_cast<double>(std::count_if(q.begin(), q.end(), [&](double s) { return s >= t; }));
      ap += (tp / 37.0 - prev) * (tp / (tp + fp));
      prev = tp / 37.0;
    }
    EXPECT_NEAR(average_precision(vec(p), vec(q)), ap, 1e-12);
    for (int64_t k : {1, 5, 20}) {
      std::vector<double> sorted = q;
      std::sort(sorted.rbegin(), sorted.rend());
      const double kth = sorted[static_cast<size_t>(k - 1)];
      EXPECT_DOUBLE_EQ(
          hits_at_k(vec(p), vec(q), k),
          static_cast<double>(std::count_if(p.begin(), p.end(), [&](double s) { return s > kth; })) / 37.0);
    }
    // MRR: each of 37 positives against its own 10 negatives.
    const auto negs = tied_scores(seed + 200, 370);
    double sum = 0;
    for (size_t i = 0; i < 37; ++i) {
      double rank = 1;
      for (size_t j = 0; j < 10; ++j) {
        const double s = negs[i * 10 + j];
        rank += s > p[i] ? 1.0 : s == p[i] ? 0.5 : 0.0;
      }
      sum += 1 / rank;
    }
    EXPECT_NEAR(mean_reciprocal_rank(vec(p), from_vector<double>(negs, {37, 10})), sum / 37.0, 1e-12);
  }
}

TEST(LinkMetrics, BadInputsNameTheArgument) {
  const Tensor ok = vec({0.5, 0.2});
  EXPECT_THAT([&] { auc(vec({}), ok); }, ThrowsMessage<ValueError>(HasSubstr("'pos_scores' is empty")));
  EXPECT_THAT(
      [&] {
        average_precision(ok, vec({0.1, std::nan("")}));
      },
      ThrowsMessage<ValueError>(HasSubstr("'neg_scores' is NaN at 1")));
  EXPECT_THAT([&] { hits_at_k(ok, vec({}), 1); }, ThrowsMessage<ValueError>(HasSubstr("'neg_scores' is empty")));
  EXPECT_THAT([&] { auc(from_vector<int64_t>({1, 2}, {2}), ok); }, ThrowsMessage<DTypeError>(HasSubstr("pos_scores")));
  EXPECT_THAT([&] { auc(ok.view({1, 2}), ok); }, ThrowsMessage<ShapeError>(HasSubstr("pos_scores")));
  EXPECT_THAT(
      [&] {
        mrr(vec({std::nan("")}), from_vector<double>({1}, {1, 1}));
      },
      ThrowsMessage<ValueError>(HasSubstr("'pos_scores' is NaN")));
}

TEST(LinkMetrics, CudaScores) {
  LOOM_REQUIRE_CUDA();
  const Tensor pos = vec({0.9, 0.5}), neg = vec({0.5, 0.1});
  EXPECT_DOUBLE_EQ(auc(pos.cuda(), neg.cuda()), 0.875);
  EXPECT_TRUE(mrr(pos.cuda(), neg.view({2, 1}).cuda()).device().is_cuda());
}

}  // namespace
}  // namespace loom::models
