// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HAN: semantic attention against a float64 loop reference and its central-difference gradient, the model's
// shape, parameter names and determinism, a hand-made heterograph whose labels only the meta-path structure
// reveals (HAN learns it through models::fit), the errors, and CPU/CUDA agreement.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/models/han.h"
#include "loom/models/task.h"
#include "loom/models/trainer.h"
#include "support/gradcheck.h"
#include "support/hetero_toy.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

using testing::Toy;
using testing::toy;
using testing::toy_graphs;

TEST(SemanticAttention, MatchesLoopReference) {
  manual_seed(3);
  models::SemanticAttention sem(4, 6);
  sem.to(kFloat64);
  std::vector<Tensor> z;
  for (uint32_t p = 0; p < 3; ++p) z.push_back(testing::random_tensor({5, 4}, 10 + p, -1.0, 1.0, kFloat64));
  Tensor beta;
  const Tensor out = sem.forward(z, &beta);
  // w_p = mean_i q . tanh(W z_p[i] + b); beta = softmax(w); out = sum_p beta_p z_p.
  const auto named = sem.named_parameters();
  std::map<std::string, std::vector<double>> prm;
  for (const auto& [n, p] : named) prm[n] = p.detach().to_vector<double>();
  std::vector<double> w(3, 0.0);
  for (size_t p = 0; p < 3; ++p) {
    const std::vector<double> zp = z[p].to_vector<double>();
    for (int i = 0; i < 5; ++i) {
      for (int s = 0; s < 6; ++s) {
        double h = prm["project.bias"][static_cast<size_t>(s)];
        for (int d = 0; d < 4; ++d) {
          h += prm["project.weight"][static_cast<size_t>(s * 4 + d)] * zp[static_cast<size_t>(i * 4 + d)];
        }
        w[p] += prm["q"][static_cast<size_t>(s)] * std::tanh(h) / 5.0;
      }
    }
  }
  double m = std::max({w[0], w[1], w[2]}), total = 0;
  std::vector<double> b(3);
  for (size_t p = 0; p < 3; ++p) total += (b[p] = std::exp(w[p] - m));
  std::vector<double> want(20, 0.0);
  for (size_t p = 0; p < 3; ++p) {
    b[p] /= total;
    const std::vector<double> zp = z[p].to_vector<double>();
    for (size_t k = 0; k < 20; ++k) want[k] += b[p] * zp[k];
  }
  testing::expect_near_all(testing::host(beta), b, 1e-12);
  testing::expect_near_all(testing::host(out), want, 1e-12);
}

TEST(SemanticAttention, GradcheckFloat64) {
  manual_seed(5);
  models::SemanticAttention sem(3, 4);
  sem.to(kFloat64);
  testing::Leaves z;
  for (uint32_t p = 0; p < 3; ++p) {
    Tensor t = testing::random_tensor({4, 3}, 20 + p, -1.0, 1.0, kFloat64);
    t.set_requires_grad(true);
    z.emplace_back("z" + std::to_string(p), t);
  }
  EXPECT_TRUE(testing::module_gradcheck(sem, [&] { return sem.forward({z[0].second, z[1].second, z[2].second}); }, z));
}

TEST(SemanticAttention, RefusesMismatchedEmbeddings) {
  models::SemanticAttention sem(3, 4);
  EXPECT_THAT([&] { sem.forward({zeros({4, 3}), zeros({5, 3})}); },
              ThrowsMessage<ShapeError>(HasSubstr("embedding 1 must be [4, 3], got [5, 3]")));
}

TEST(HAN, ShapeNamesAndDeterminism) {
  const Toy t = toy();
  const std::vector<graph::Graph> graphs = toy_graphs(t);
  // Every author reaches itself: the self loop is in both graphs, APVPA joins each class into a clique.
  EXPECT_EQ(graphs[0].num_nodes(), 40);
  EXPECT_TRUE(graphs[0].has_self_loops());
  EXPECT_EQ(graphs[1].num_edges(), 4 * 10 * 10);
  manual_seed(7);
  models::HAN han(models::HANOptions(40, 4, 2));
  const auto names = han.named_parameters();
  ASSERT_EQ(names[0].first, "convs.0.weight");
  EXPECT_EQ(names[names.size() - 1].first, "classifier.bias");
  ASSERT_TRUE(names.contains("convs.1.att_src"));
  ASSERT_TRUE(names.contains("semantic.q"));
  EXPECT_EQ(names.at("semantic.q").shape(), Shape{128});
  han.eval();
  const Tensor a = han.forward(graphs, t.d.x), b = han.forward(graphs, t.d.x);
  EXPECT_EQ(a.shape(), (Shape{40, 4}));
  EXPECT_TRUE(testing::bitwise_equal(a, b));
  const std::vector<double> beta = testing::host(han.semantic_weights());
  ASSERT_EQ(beta.size(), 2u);
  EXPECT_NEAR(beta[0] + beta[1], 1.0, 1e-6);
}

TEST(HAN, LearnsClassesOnlyTheMetaPathsReveal) {
  const Toy t = toy();
  const std::vector<graph::Graph> graphs = toy_graphs(t);
  manual_seed(11);
  auto model = std::make_shared<models::HAN>(models::HANOptions(40, 4, 2).dropout(0.2).attention_dropout(0.2));
  models::NodeClassificationTask task(t.d, [&] { return model->forward(graphs, t.d.x); });
  models::TrainerOptions o;
  o.epochs = 60;
  o.lr = 0.01;
  o.weight_decay = 1e-3;
  const models::TrainResult r = models::fit(*model, task, o);
  // The features are ids, so a model that ignored the graphs would be at chance (0.25) on unseen nodes.
  EXPECT_GE(r.metric("test_acc"), 0.9) << "history: " << r.history.back().loss;
  EXPECT_GE(r.metric("test_macro_f1"), 0.9);
}

TEST(HAN, ErrorsNameTheProblem) {
  const Toy t = toy();
  EXPECT_THAT([&] { models::metapath_graphs(t.g, {hetero::parse_metapath(t.g, "APV")}, "author"); },
              ThrowsMessage<ValueError>(HasSubstr("meta-path 'APV' runs from 'author' to 'venue'")));
  EXPECT_THAT([&] { models::metapath_graphs(t.g, {}, "author"); },
              ThrowsMessage<ValueError>(HasSubstr("no meta-paths given")));
  EXPECT_THAT([&] { hetero::parse_metapath(t.g, "writes,writes"); }, ThrowsMessage<ValueError>(HasSubstr("starts at")));
  models::HAN han(models::HANOptions(40, 4, 2));
  EXPECT_THAT([&] { han.forward({toy_graphs(t)[0]}, t.d.x); },
              ThrowsMessage<ValueError>(HasSubstr("built for 2 meta-paths, got 1 graphs")));
}

TEST(HAN, CpuAndCudaAgree) {
  LOOM_REQUIRE_CUDA();
  const Toy t = toy();
  const std::vector<graph::Graph> cpu_graphs = toy_graphs(t);
  std::vector<graph::Graph> cuda_graphs;
  for (const graph::Graph& g : cpu_graphs) cuda_graphs.push_back(g.to(kCUDA));
  manual_seed(13);
  models::HAN cpu(models::HANOptions(40, 4, 2)), gpu(models::HANOptions(40, 4, 2));
  gpu.load_state_dict(cpu.state_dict());
  gpu.to(kCUDA);
  cpu.eval();
  gpu.eval();
  const Tensor yc = cpu.forward(cpu_graphs, t.d.x), yg = gpu.forward(cuda_graphs, t.d.x.to(kCUDA));
  EXPECT_TRUE(testing::all_close(yg.cpu(), yc, 1e-4, 1e-5));
  // Gradients of the same loss agree too (eval mode: no dropout draws to match).
  cross_entropy(yc, t.d.y).backward();
  cross_entropy(yg, t.d.y.to(kCUDA)).backward();
  const auto pc = cpu.named_parameters(), pg = gpu.named_parameters();
  for (size_t k = 0; k < pc.size(); ++k) {
    EXPECT_TRUE(testing::all_close(pg[k].second.grad().cpu(), pc[k].second.grad(), 1e-3, 1e-5)) << pc[k].first;
  }
}

}  // namespace
}  // namespace loom
