// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MetaHGNIE: the typed hyperedges of the toy heterograph by hand, the symmetric InfoNCE against a float64 loop and
// its central-difference gradient, the whole model's gradient (every parameter, float64), its loss falling and its
// classes learnt on the toy heterograph, the ablation without the contrastive term, and the errors.
// The released code's relation-type-set hyperedges (metahgnie_code_hyperedges) are not built: see metahgnie.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/models/metahgnie.h"
#include "loom/models/trainer.h"
#include "support/gradcheck.h"
#include "support/hetero_toy.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::toy;
using testing::toy_graphs;

TEST(MetaHGNIE, HyperedgesAreMetaPathNeighbourhoodsTypedByMetaPath) {
  const testing::Toy t = toy();
  const std::vector<graph::Graph> graphs = toy_graphs(t);
  const models::MetaHyperedges h = models::metapath_hyperedges(graphs);
  EXPECT_EQ(h.num_types, 2);
  EXPECT_EQ(h.incidence.num_rows(), 80);
  EXPECT_EQ(h.incidence.num_cols(), 40);
  EXPECT_EQ(h.incidence.nnz(), graphs[0].num_edges() + graphs[1].num_edges());
  const std::vector<int64_t> type = h.edge_type.to_vector<int64_t>();
  EXPECT_EQ(type[0], 0);
  EXPECT_EQ(type[39], 0);
  EXPECT_EQ(type[40], 1);
  // The APVPA hyperedge of author 5 is its whole class: authors 1, 5, 9, ..., 37 (a % 4 == 1).
  const std::vector<int64_t> ip = h.incidence.indptr().to_vector<int64_t>();
  const std::vector<int32_t> ix = h.incidence.indices().to_vector<int32_t>();
  std::vector<int32_t> members(ix.begin() + ip[45], ix.begin() + ip[46]);
  ASSERT_EQ(members.size(), 10u);
  for (int32_t m : members) EXPECT_EQ(m % 4, 1) << m;
}

TEST(MetaHGNIE, InfoNCEMatchesLoopAndGradient) {
  const Tensor a = testing::random_tensor({5, 3}, 1, -1, 1, kFloat64), b = testing::random_tensor({5, 3}, 2, -1, 1, kFloat64);
  const double tau = 0.5;
  auto norm = [](const std::vector<double>& v, int64_t i) {
    double s = 0;
    for (int c = 0; c < 3; ++c) s += v[static_cast<size_t>(3 * i + c)] * v[static_cast<size_t>(3 * i + c)];
    return std::sqrt(s);
  };
  const std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>();
  double sim[5][5];
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) {
      double d = 0;
      for (int c = 0; c < 3; ++c) d += va[static_cast<size_t>(3 * i + c)] * vb[static_cast<size_t>(3 * j + c)];
      sim[i][j] = d / (norm(va, i) * norm(vb, j)) / tau;
    }
  double loss = 0;
  for (int i = 0; i < 5; ++i) {
    double r = 0, c = 0;
    for (int j = 0; j < 5; ++j) r += std::exp(sim[i][j]), c += std::exp(sim[j][i]);
    loss += 0.5 * ((std::log(r) - sim[i][i]) + (std::log(c) - sim[i][i])) / 5;
  }
  EXPECT_NEAR(models::symmetric_info_nce(a, b, tau).item_double(), loss, 1e-10);
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return models::symmetric_info_nce(in[0], in[1], tau); },
                                 {a, b}));
}

TEST(MetaHGNIE, WholeModelGradcheckFloat64) {
  // Narrow layers keep the central differences cheap; dropout off (eval) for a deterministic forward. Covers both
  // channels, the fusion weight, the type embedding and the contrastive projections.
  const testing::Toy t = toy();
  const models::MetaHyperedges h = models::metapath_hyperedges(toy_graphs(t));
  manual_seed(3);
  auto m = std::make_shared<models::MetaHGNIE>(
      models::MetaHGNIEOptions(40, 4, 2).hidden(2).heads(2).type_dim(3).dropout(0).attention_dropout(0));
  m->to(kFloat64);
  m->eval();
  const Tensor x = t.d.x.to(kFloat64);
  const Tensor idx = t.d.train_idx, y = index_select(t.d.y, idx);
  EXPECT_TRUE(testing::module_gradcheck(*m, [&] { 
    const Tensor out = sum(m->forward(h, x));  // first: aux_loss reads this forward
    return add(out, m->aux_loss(idx, y));
  }));
}

TEST(MetaHGNIE, LossFallsAndLearnsTheToyClasses) {
  const testing::Toy t = toy();
  const models::MetaHyperedges h = models::metapath_hyperedges(toy_graphs(t));
  for (double lambda_con : {0.1, 0.0}) {
    manual_seed(11);
    auto model = std::make_shared<models::MetaHGNIE>(models::MetaHGNIEOptions(40, 4, 2).lambda_con(lambda_con));
    models::MetaHGNIETask task(t.d, model, h, t.d.x);
    model->train();
    const double first = task.training_loss(*model).item_double();
    models::TrainerOptions o;
    o.epochs = 60;
    o.lr = 0.005;
    o.weight_decay = 5e-4;
    const models::TrainResult r = models::fit(*model, task, o);
    EXPECT_LT(r.history.back().loss, 0.5 * first) << "lambda_con " << lambda_con;
    EXPECT_GE(r.metric("test_acc"), 0.9) << "lambda_con " << lambda_con;
    EXPECT_TRUE(std::isfinite(model->fusion_weight()));
  }
}

TEST(MetaHGNIE, ShapesAndErrorsNameTheProblem) {
  const testing::Toy t = toy();
  const std::vector<graph::Graph> graphs = toy_graphs(t);
  const models::MetaHyperedges h = models::metapath_hyperedges(graphs);
  models::MetaHGNIE m(models::MetaHGNIEOptions(40, 4, 2));
  EXPECT_THAT([&] { m.aux_loss(t.d.train_idx, t.d.y); }, ThrowsMessage<ValueError>(HasSubstr("call forward first")));
  m.eval();
  EXPECT_EQ(m.forward(h, t.d.x).shape(), (Shape{40, 4}));
  EXPECT_NEAR(m.fusion_weight(), 0.2, 1e-7);
  EXPECT_THAT([&] { models::metapath_hyperedges({}); }, ThrowsMessage<ValueError>(HasSubstr("no meta-path graphs")));
  models::MetaHGNIE one(models::MetaHGNIEOptions(40, 4, 1));
  EXPECT_THAT([&] { one.forward(h, t.d.x); },
              ThrowsMessage<ValueError>(HasSubstr("built for 1 hyperedge types (meta-paths), got 2")));
  EXPECT_THAT([&] { m.forward(h, zeros({40, 7})); }, ThrowsMessage<ShapeError>(HasSubstr("x must be [N, 40]")));
  EXPECT_THAT([&] { models::MetaHGNIE(models::MetaHGNIEOptions(40, 4, 2).tau(0)); },
              ThrowsMessage<ValueError>(HasSubstr("tau > 0")));
  EXPECT_THAT([&] { models::symmetric_info_nce(zeros({3, 2}), zeros({4, 2}), 0.5); },
              ThrowsMessage<ShapeError>(HasSubstr("same [n, D]")));
}

}  // namespace
}  // namespace loom
