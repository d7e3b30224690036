// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Recommendation: LightGCN's propagation against a dense reference, the BPR loss's gradient (float64 central
// differences), the triples' sampling, the blockwise ranking metrics against a brute-force reference, the
// popularity baseline, and training on a generated graph (CPU; CUDA agrees where a GPU exists).
#include "loom/models/recommend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/models/trainer.h"
#include "support/gradcheck.h"
#include "support/interactions.h"
#include "support/testing.h"

namespace loom::models {
namespace {

using testing::items_of;

// A small interaction set with an isolated user (3), an item nobody chose (4), a repeated pair and a user who chose
// almost every item (0).
data::UserItems small_train() {
  return items_of(5, {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 5}, {1, 1}, {1, 1}, {2, 2}, {2, 5}, {4, 0}}, 6);
}

TEST(LightGCN, PropagationMatchesDenseLayerMean) {
  const data::UserItems train = small_train();
  const int64_t U = 5, I = 6, N = U + I;
  const graph::Graph g = interaction_graph(train, U, I);
  EXPECT_EQ(g.num_edges(), 2 * static_cast<int64_t>(train.items.size()));
  // Dense A-hat = D^-1/2 A D^-1/2 over the bipartite adjacency.
  std::vector<double> A(N * N, 0.0), deg(N, 0.0);
  for (int64_t u = 0; u < U; ++u)
    for (int64_t p = train.indptr[u]; p < train.indptr[u + 1]; ++p) {
      A[u * N + U + train.items[p]] = A[(U + train.items[p]) * N + u] = 1.0;
    }
  for (int64_t a = 0; a < N; ++a)
    for (int64_t b = 0; b < N; ++b) deg[a] += A[a * N + b];
  for (int layers : {0, 1, 3}) {
    manual_seed(1);
    LightGCN m(g, U, I, 4, layers);
    m.to(kFloat64);
    const Tensor out = m.forward();
    const double* e0 = m.embedding.data<double>();
    std::vector<double> cur(e0, e0 + N * 4), total = cur;
    for (int k = 0; k < layers; ++k) {
      std::vector<double> next(N * 4, 0.0);
      for (int64_t a = 0; a < N; ++a)
        for (int64_t b = 0; b < N; ++b)
          if (A[a * N + b] != 0)
            for (int d = 0; d < 4; ++d) next[a * 4 + d] += cur[b * 4 + d] / std::sqrt(deg[a] * deg[b]);
      cur = next;
      for (int64_t x = 0; x < N * 4; ++x) total[x] += cur[x];
    }
    const double* o = out.data<double>();
    for (int64_t x = 0; x < N * 4; ++x) ASSERT_NEAR(o[x], total[x] / (layers + 1), 1e-12) << "layers " << layers;
  }
}

TEST(LightGCN, BprLossGradcheck) {
  const data::UserItems train = small_train();
  const graph::Graph g = interaction_graph(train, 5, 6);
  manual_seed(2);
  LightGCN m(g, 5, 6, 3, 2);
  m.to(kFloat64);
  const BprTriples t = draw_bpr_triples(train, 6, 9);
  const Tensor u = from_vector(t.user), i = from_vector(t.pos), j = from_vector(t.neg);
  EXPECT_TRUE(testing::module_gradcheck(m, [&] { return m.loss(u, i, j, 0.3); }));
  // The loss against a hand computation of softplus(-(s_ui - s_uj)) and the L2 term.
  const Tensor e = m.forward(), e0 = m.embedding;
  double want = 0, l2 = 0;
  const int64_t n = u.numel();
  for (int64_t k = 0; k < n; ++k) {
    double x = 0;
    for (int d = 0; d < 3; ++d) {
      auto at = [&](const Tensor& t, int64_t r) { return t.data<double>()[r * 3 + d]; };
      x += at(e, t.user[k]) * (at(e, 5 + t.pos[k]) - at(e, 5 + t.neg[k]));
      l2 += at(e0, t.user[k]) * at(e0, t.user[k]) + at(e0, 5 + t.pos[k]) * at(e0, 5 + t.pos[k]) +
            at(e0, 5 + t.neg[k]) * at(e0, 5 + t.neg[k]);
    }
    want += std::log1p(std::exp(-x)) / n;
  }
  EXPECT_NEAR(m.loss(u, i, j, 0.3).item_double(), want + 0.3 * l2 / 2 / n, 1e-12);
  EXPECT_THROW(m.loss(u, i, from_vector(std::vector<int64_t>{1}), 0.0), ShapeError);
  EXPECT_THROW(m.loss(u, i, full({n}, 6.0, kInt64), 0.0), IndexError);
}

TEST(LightGCN, TriplesCoverEveryInteractionWithTrueNegatives) {
  const data::UserItems train = small_train();
  const BprTriples t = draw_bpr_triples(train, 6, 5);
  ASSERT_EQ(t.user.size(), train.items.size());
  std::multiset<std::pair<int64_t, int64_t>> seen, want;
  for (size_t k = 0; k < t.user.size(); ++k) {
    seen.insert({t.user[k], t.pos[k]});
    EXPECT_TRUE(train.contains(t.user[k], t.pos[k]));
    EXPECT_FALSE(train.contains(t.user[k], t.neg[k]));
  }
  for (int64_t u = 0; u < 5; ++u)
    for (int64_t p = train.indptr[u]; p < train.indptr[u + 1]; ++p) want.insert({u, train.items[p]});
  EXPECT_EQ(seen, want);
  // User 0 has one negative (item 4): every draw for it must find it.
  for (size_t k = 0; k < t.user.size(); ++k)
    if (t.user[k] == 0) EXPECT_EQ(t.neg[k], 4);
  const BprTriples again = draw_bpr_triples(train, 6, 5), other = draw_bpr_triples(train, 6, 6);
  EXPECT_EQ(again.neg, t.neg);
  EXPECT_EQ(again.user, t.user);
  EXPECT_TRUE(other.user != t.user || other.neg != t.neg);
  EXPECT_THROW(draw_bpr_triples(items_of(1, {{0, 0}, {0, 1}}, 2), 2, 0), ValueError);
}

// Brute force: score every item, drop the excluded, sort (score desc, id asc), count.
Metrics naive_metrics(const std::vector<float>& ue, const std::vector<float>& ie, int64_t D,
                      const data::UserItems& ex, const data::UserItems& test, const std::vector<int64_t>& ks) {
  const int64_t U = static_cast<int64_t>(ue.size()) / D, I = static_cast<int64_t>(ie.size()) / D;
  Metrics m;
  double users = 0;
  std::vector<double> rec(ks.size()), nd(ks.size());
  for (int64_t u = 0; u < U; ++u) {
    if (test.count(u) == 0) continue;
    users += 1;
    std::vector<std::pair<float, int64_t>> s;
    for (int64_t i = 0; i < I; ++i) {
      if (ex.contains(u, i)) continue;
      float v = 0;
      for (int64_t d = 0; d < D; ++d) v += ue[u * D + d] * ie[i * D + d];
      s.push_back({-v, i});
    }
    std::sort(s.begin(), s.end());
    for (size_t q = 0; q < ks.size(); ++q) {
      double hits = 0, dcg = 0, idcg = 0;
      for (int64_t p = 0; p < std::min<int64_t>(ks[q], static_cast<int64_t>(s.size())); ++p)
        if (test.contains(u, s[p].second)) hits += 1, dcg += 1 / std::log2(p + 2.0);
      for (int64_t p = 0; p < std::min(ks[q], test.count(u)); ++p) idcg += 1 / std::log2(p + 2.0);
      rec[q] += hits / test.count(u);
      nd[q] += dcg / idcg;
    }
  }
  for (size_t q = 0; q < ks.size(); ++q) {
    m["recall@" + std::to_string(ks[q])] = rec[q] / users;
    m["ndcg@" + std::to_string(ks[q])] = nd[q] / users;
  }
  m["users"] = users;
  return m;
}

TEST(RankingMetrics, MatchBruteForceAtEveryBlockSize) {
  const int64_t U = 37, I = 50, D = 3;
  manual_seed(4);
  // Scores on a coarse grid: many ties, which go to the lower item id.
  std::vector<float> ue(U * D), ie(I * D);
  for (auto& v : ue) v = static_cast<float>(rand_int(3));
  for (auto& v : ie) v = static_cast<float>(rand_int(3));
  std::vector<std::pair<int64_t, int64_t>> ex_pairs, te_pairs;
  for (int64_t u = 0; u < U; ++u) {
    if (u == 5) continue;                                  // no training items
    const int64_t n = u == 7 ? I - 3 : rand_int(10);       // user 7 has 3 candidates left, fewer than K
    for (int64_t k = 0; k < n; ++k) ex_pairs.push_back({u, u == 7 ? k : rand_int(I)});
    if (u % 4 != 0) te_pairs.push_back({u, rand_int(I)});  // users 0, 4, 8, ... have no test items
    if (u % 3 == 0) te_pairs.push_back({u, rand_int(I)});
  }
  te_pairs.push_back({7, I - 1});
  const data::UserItems ex = items_of(U, ex_pairs, I), te = items_of(U, te_pairs, I);
  const std::vector<int64_t> ks = {1, 5, 10, 20};
  const Metrics want = naive_metrics(ue, ie, D, ex, te, ks);
  for (int64_t block : {1, 4, 512}) {
    const Metrics got = ranking_metrics(from_vector(ue, {U, D}), from_vector(ie, {I, D}), ex, te, ks, block);
    for (const auto& [k, v] : want) EXPECT_NEAR(got.at(k), v, 1e-12) << k << " block " << block;
  }
  EXPECT_THROW(ranking_metrics(from_vector(ue, {U, D}), from_vector(ie, {I, D}), ex, te, {0}), ValueError);
  EXPECT_THROW(ranking_metrics(from_vector(ue, {U, D}), zeros({I, D + 1}), ex, te, ks), ShapeError);
}

TEST(RankingMetrics, PopularityRanksByTrainingCount) {
  const data::UserItems train = items_of(3, {{0, 2}, {1, 2}, {2, 2}, {0, 1}, {1, 1}, {2, 0}}, 4);
  const auto [u, i] = popularity_embeddings(train, 4);
  EXPECT_EQ(i.data<float>()[2], 3.0f);
  EXPECT_EQ(i.data<float>()[3], 0.0f);
  // User 2 has seen items 0 and 2: its best unseen item is 1 (two users), then 3.
  const data::UserItems test = items_of(3, {{2, 1}}, 4);
  const Metrics m = ranking_metrics(u, i, train, test, {1});
  EXPECT_DOUBLE_EQ(m.at("recall@1"), 1.0);
  EXPECT_DOUBLE_EQ(m.at("ndcg@1"), 1.0);
}

// A generated graph with communities: LightGCN learns far more than popularity, and a seed repeats bitwise.
TEST(RecommendationTask, LightGCNLearnsGeneratedCommunities) {
  data::BipartiteOptions o;
  const data::InteractionSplit s = data::random_user_split(data::generate_interactions(o), 0.2, 1);
  const data::UserItems train = data::user_items(s.train), test = data::user_items(s.test);
  const graph::Graph g = interaction_graph(train, o.users, o.items);
  auto run = [&](int layers) {
    manual_seed(11);
    LightGCN m(g, o.users, o.items, 64, layers);
    RecommendationTask task(m, train, test, {2048, 1e-4});
    EXPECT_EQ(task.steps_per_epoch(), (static_cast<int64_t>(train.items.size()) + 2047) / 2048);
    TrainerOptions t;
    t.epochs = 20;
    t.lr = 1e-2;
    t.weight_decay = 0;
    return fit(m, task, t);
  };
  const TrainResult a = run(3), b = run(3);
  const auto [pu, pi] = popularity_embeddings(train, o.items);
  const Metrics pop = ranking_metrics(pu, pi, train, test, {20});
  EXPECT_GT(a.metric("recall@20"), pop.at("recall@20") + 0.05) << "popularity " << pop.at("recall@20");
  EXPECT_LT(a.history.back().loss, 0.8 * a.history.front().loss);
  EXPECT_EQ(a.metric("ndcg@20"), b.metric("ndcg@20"));
  EXPECT_EQ(a.history.back().loss, b.history.back().loss);
}

TEST(RecommendationTask, CudaAgreesWithCpu) {
  LOOM_REQUIRE_CUDA();
  const data::UserItems train = small_train();
  const graph::Graph g = interaction_graph(train, 5, 6);
  manual_seed(3);
  LightGCN cpu(g, 5, 6, 8, 3), gpu(g, 5, 6, 8, 3);
  gpu.load_state_dict(cpu.state_dict());
  gpu.to(kCUDA);
  const BprTriples t = draw_bpr_triples(train, 6, 1);
  const Tensor u = from_vector(t.user), i = from_vector(t.pos), j = from_vector(t.neg);
  const Tensor lc = cpu.loss(u, i, j, 1e-2);
  const Tensor lg = gpu.loss(u.to(kCUDA), i.to(kCUDA), j.to(kCUDA), 1e-2);
  EXPECT_NEAR(lc.item_double(), lg.item_double(), 1e-5);
  lc.backward();
  lg.backward();
  EXPECT_LT(max_abs_diff(cpu.embedding.grad(), gpu.embedding.grad().to(kCPU)), 1e-5);
}

}  // namespace
}  // namespace loom::models
