// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MMHCL: the hypergraphs against brute force, both propagations against dense matrices, InfoNCE against its
// formula at every chunk size, float64 gradchecks of InfoNCE and of the whole loss, and training on a generated
// graph.
#include "loom/models/mmhcl.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
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

// 5 users (user 3 has no items, user 4 shares none), 6 items (item 4 chosen by nobody).
data::UserItems small_train() {
  return items_of(5, {{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}, {2, 5}, {2, 0}, {4, 3}}, 6);
}

std::vector<double> dense(const Tensor& t) {
  const Tensor c = t.to(kFloat64);
  return std::vector<double>(c.data<double>(), c.data<double>() + c.numel());
}

TEST(Mmhcl, UserPropagationIsRowNormalisedCoInteraction) {
  const data::UserItems train = small_train();
  const int64_t U = 5, I = 6, D = 3;
  std::vector<double> R(U * I, 0.0);
  for (int64_t u = 0; u < U; ++u)
    for (int64_t p = train.indptr[u]; p < train.indptr[u + 1]; ++p) R[u * I + train.items[p]] = 1;
  manual_seed(1);
  const Tensor x = randn({U, D}, kFloat64);
  const std::vector<double> xv = dense(x);
  const std::vector<double> got = dense(user_propagate(user_hypergraph(train, I), x));
  for (int64_t u = 0; u < U; ++u) {
    double row = 0;
    std::vector<double> acc(D, 0.0);
    for (int64_t v = 0; v < U; ++v) {
      if (v == u) continue;
      double g = 0;
      for (int64_t i = 0; i < I; ++i) g += R[u * I + i] * R[v * I + i];
      row += g;
      for (int64_t d = 0; d < D; ++d) acc[d] += g * xv[v * D + d];
    }
    for (int64_t d = 0; d < D; ++d)
      EXPECT_NEAR(got[u * D + d], row > 0 ? acc[d] / row : 0.0, 1e-12) << "user " << u;
  }
}

TEST(Mmhcl, ItemHypergraphHoldsCoInteractionAndFeatureNeighbours) {
  const data::UserItems train = small_train();
  const int64_t I = 6;
  // Co-interaction only: item 2 is chosen with 0 (users 0, 2), 1 (users 0, 1) and 5 (user 2).
  const hypergraph::Hypergraph co = item_hypergraph(train, I, Tensor(), 2);
  EXPECT_EQ(co.num_hyperedges(), I);
  const Tensor inc = co.incidence();
  std::map<int64_t, std::set<int64_t>> edges;
  for (int64_t p = 0; p < inc.size(1); ++p)
    edges[inc.data<int64_t>()[inc.size(1) + p]].insert(inc.data<int64_t>()[p]);
  EXPECT_EQ(edges[2], (std::set<int64_t>{2, 0, 1}));  // 0 and 1 twice each, 5 once
  EXPECT_EQ(edges[4], (std::set<int64_t>{4}));        // nobody chose item 4
  EXPECT_EQ(edges[3], (std::set<int64_t>{3}));        // its one user chose nothing else
  // With features: a second hyperedge per item (itself and its k cosine-nearest).
  const Tensor f = from_vector<float>({1, 0, 1, 0.1f, 0, 1, 0, 2, 5, 5, 1, 0.05f}, {I, 2});
  const hypergraph::Hypergraph both = item_hypergraph(train, I, f, 1);
  EXPECT_EQ(both.num_hyperedges(), 2 * I);
  EXPECT_THROW(item_hypergraph(train, I, Tensor(), 0), ValueError);
  EXPECT_THROW(item_hypergraph(train, I, zeros({I + 1, 2}), 1), ShapeError);
}

TEST(Mmhcl, ItemPropagationIsSymmetricNormalised) {
  const data::UserItems train = small_train();
  const int64_t I = 6, D = 2;
  const Tensor f = from_vector<float>({1, 0, 1, 0.1f, 0, 1, 0, 2, 5, 5, 1, 0.05f}, {I, 2});
  const hypergraph::Hypergraph h = item_hypergraph(train, I, f, 2);
  std::vector<double> H(I * h.num_hyperedges(), 0.0);
  const Tensor inc = h.incidence();
  for (int64_t p = 0; p < inc.size(1); ++p)
    H[inc.data<int64_t>()[p] * h.num_hyperedges() + inc.data<int64_t>()[inc.size(1) + p]] = 1;
  std::vector<double> G(I * I, 0.0), deg(I, 0.0);
  for (int64_t a = 0; a < I; ++a)
    for (int64_t b = 0; b < I; ++b) {
      for (int64_t e = 0; e < h.num_hyperedges(); ++e) G[a * I + b] += H[a * h.num_hyperedges() + e] * H[b * h.num_hyperedges() + e];
      deg[a] += G[a * I + b];
    }
  manual_seed(2);
  const Tensor x = randn({I, D}, kFloat64);
  const std::vector<double> xv = dense(x), got = dense(item_propagate(h, x));
  for (int64_t a = 0; a < I; ++a)
    for (int64_t d = 0; d < D; ++d) {
      double want = 0;
      for (int64_t b = 0; b < I; ++b) want += G[a * I + b] / std::sqrt(deg[a] * deg[b]) * xv[b * D + d];
      EXPECT_NEAR(got[a * D + d], want, 1e-12);
    }
}

TEST(Mmhcl, InfoNceMatchesItsFormulaAtEveryChunkSize) {
  manual_seed(3);
  const int64_t n = 7, D = 4;
  const double tau = 0.4;
  const Tensor a = randn({n, D}, kFloat64), b = randn({n, D}, kFloat64);
  const std::vector<double> av = dense(a), bv = dense(b);
  auto cosine = [&](const std::vector<double>& x, int64_t i, const std::vector<double>& y, int64_t j) {
    double dot = 0, nx = 0, ny = 0;
    for (int64_t d = 0; d < D; ++d) dot += x[i * D + d] * y[j * D + d], nx += x[i * D + d] * x[i * D + d],
                                     ny += y[j * D + d] * y[j * D + d];
    return dot / std::sqrt(nx * ny);
  };
  double want = 0;
  for (int64_t k = 0; k < n; ++k) {
    double denom = 0;
    for (int64_t j = 0; j < n; ++j) {
      if (j != k) denom += std::exp(cosine(av, k, av, j) / tau);
      denom += std::exp(cosine(av, k, bv, j) / tau);
    }
    want += -std::log(std::exp(cosine(av, k, bv, k) / tau) / denom) / n;
  }
  for (int64_t chunk : {1, 3, 4096}) EXPECT_NEAR(info_nce(a, b, tau, chunk).item_double(), want, 1e-10) << chunk;
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return info_nce(in[0], in[1], tau, 3); },
                                 {a, b}));
  EXPECT_THROW(info_nce(a, zeros({n, D + 1}, kFloat64), tau), ShapeError);
  EXPECT_THROW(info_nce(a, b, 0.0), ValueError);
}

TEST(Mmhcl, LossGradcheck) {
  const data::UserItems train = small_train();
  const int64_t U = 5, I = 6;
  manual_seed(4);
  MMHCL m(interaction_graph(train, U, I), user_hypergraph(train, I), item_hypergraph(train, I, Tensor(), 2), U, I,
          3);
  m.to(kFloat64);
  const BprTriples t = draw_bpr_triples(train, I, 7);
  const Tensor u = from_vector(t.user), i = from_vector(t.pos), j = from_vector(t.neg);
  EXPECT_TRUE(testing::module_gradcheck(m, [&] { return m.loss(u, i, j, 0.01); }));
}

TEST(Mmhcl, LearnsGeneratedCommunities) {
  data::BipartiteOptions o;
  o.users = 600;
  o.items = 300;
  o.interactions = 12000;
  const data::InteractionSplit s = data::random_user_split(data::generate_interactions(o), 0.2, 1);
  const data::UserItems train = data::user_items(s.train), test = data::user_items(s.test);
  const RecommenderSpec& spec = *find_recommender("mmhcl");
  manual_seed(5);
  const std::shared_ptr<Recommender> m = spec.make({train, o.users, o.items, 32, spec.layers, Tensor()});
  RecommendationTask task(*m, train, test, {1024, spec.reg});
  TrainerOptions t;
  t.epochs = 15;
  t.lr = 1e-2;
  t.weight_decay = 0;
  const TrainResult r = fit(*m, task, t);
  const auto [pu, pi] = popularity_embeddings(train, o.items);
  const Metrics pop = ranking_metrics(pu, pi, train, test, {20});
  EXPECT_GT(r.metric("recall@20"), pop.at("recall@20")) << "popularity " << pop.at("recall@20");
  EXPECT_LT(r.history.back().loss, r.history.front().loss);
}

}  // namespace
}  // namespace loom::models
