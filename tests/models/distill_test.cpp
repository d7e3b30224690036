// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Distillation (loom/models/distill.h): the student's layer order, both soft-label losses against double-precision
// references with finite-difference gradients, hyperedge soft labels against a naive member mean, the reliability
// against a naive recomputation with the same noise, and the task's loss with its hyperedge sampling.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/models/distill.h"
#include "support/gradcheck.h"
#include "support/testing.h"

namespace loom {
namespace {

using models::DistillOptions;
using models::KdLoss;

std::vector<double> host(const Tensor& t) { return t.detach().cpu().to(kFloat64).to_vector<double>(); }

std::vector<double> softmax_row(const std::vector<double>& v, int64_t row, int64_t c) {
  double top = -INFINITY, s = 0;
  for (int64_t k = 0; k < c; ++k) top = std::max(top, v[static_cast<size_t>(row * c + k)]);
  std::vector<double> p(static_cast<size_t>(c));
  for (int64_t k = 0; k < c; ++k) s += p[static_cast<size_t>(k)] = std::exp(v[static_cast<size_t>(row * c + k)] - top);
  for (double& x : p) x /= s;
  return p;
}

// A hypergraph with a singleton, a large hyperedge and a vertex in no hyperedge (vertex 6).
hypergraph::Hypergraph small_hypergraph() {
  return hypergraph::Hypergraph::from_vertex_lists({{0, 1, 2}, {3}, {2, 4}, {0, 1, 2, 3, 4, 5}, {5, 1}}, 7);
}

TEST(StudentMLP, LinearThenActivationThenBatchNormThenLinear) {
  manual_seed(3);
  models::StudentMLP m(models::StudentOptions(4, 3).hidden({5}));
  m.eval();
  // Non-trivial running statistics and affine parameters, so that the order of ReLU and BN shows.
  {
    NoGradGuard g;
    m.norms()[0]->running_mean.copy_(from_vector<float>({0.5f, -0.2f, 0.1f, 0.3f, -0.4f}, {5}));
    m.norms()[0]->running_var.copy_(from_vector<float>({2.f, 0.5f, 1.5f, 1.f, 3.f}, {5}));
    m.norms()[0]->weight.copy_(from_vector<float>({1.5f, -1.f, 0.7f, 2.f, 1.f}, {5}));
    m.norms()[0]->bias.copy_(from_vector<float>({0.1f, 0.2f, -0.3f, 0.f, 0.5f}, {5}));
  }
  const Tensor x = testing::random_tensor({6, 4}, 11, -2, 2, kFloat32);
  const std::vector<double> got = host(m.forward(x));
  const std::vector<double> xv = host(x), w1 = host(m.linears()[0]->weight), b1 = host(m.linears()[0]->bias),
                            w2 = host(m.linears()[1]->weight), b2 = host(m.linears()[1]->bias),
                            mu = host(m.norms()[0]->running_mean), var = host(m.norms()[0]->running_var),
                            g = host(m.norms()[0]->weight), be = host(m.norms()[0]->bias);
  for (int64_t i = 0; i < 6; ++i) {
    std::vector<double> h(5);
    for (int j = 0; j < 5; ++j) {
      double s = b1[static_cast<size_t>(j)];
      for (int k = 0; k < 4; ++k) s += w1[static_cast<size_t>(j * 4 + k)] * xv[static_cast<size_t>(i * 4 + k)];
      s = std::max(s, 0.0);  // ReLU first ...
      h[static_cast<size_t>(j)] = (s - mu[static_cast<size_t>(j)]) / std::sqrt(var[static_cast<size_t>(j)] + 1e-5) *
                                      g[static_cast<size_t>(j)] + be[static_cast<size_t>(j)];  // ... then BN
    }
    for (int o = 0; o < 3; ++o) {
      double s = b2[static_cast<size_t>(o)];
      for (int j = 0; j < 5; ++j) s += w2[static_cast<size_t>(o * 5 + j)] * h[static_cast<size_t>(j)];
      EXPECT_NEAR(got[static_cast<size_t>(i * 3 + o)], s, 1e-5) << "row " << i << " class " << o;
    }
  }
  EXPECT_THROW(models::StudentMLP(models::StudentOptions(4, 3).norm(NormLayer::kLayer)), ValueError);
  EXPECT_THROW(models::StudentMLP(models::StudentOptions(0, 3)), ValueError);
}

TEST(SoftLabelLoss, KlIsTheTemperedKlOp) {
  const Tensor s = testing::random_tensor({5, 4}, 1, -3, 3, kFloat64), t = testing::random_tensor({5, 4}, 2, -3, 3, kFloat64);
  DistillOptions o;
  o.temperature = 2.0;
  EXPECT_DOUBLE_EQ(models::soft_label_loss(s, t, o).item_double(), kl_div_with_temperature(s, t, 2.0).item_double());
}

TEST(SoftLabelLoss, LightHgnnCodeMatchesTheReleasedFormula) {
  const int64_t n = 5, c = 4;
  const Tensor s = testing::random_tensor({n, c}, 3, -3, 3, kFloat64), t = testing::random_tensor({n, c}, 4, -3, 3, kFloat64);
  DistillOptions o;
  o.loss = KdLoss::kLightHgnnCode;
  o.temperature = 5.0;  // the released code applies no temperature to the vertex term
  // mean_rows sum_c exp(p_c) (p_c - log q_c), p = softmax(t), q = softmax(s).
  const std::vector<double> sv = host(s), tv = host(t);
  double want = 0;
  for (int64_t i = 0; i < n; ++i) {
    const std::vector<double> p = softmax_row(tv, i, c), q = softmax_row(sv, i, c);
    for (int64_t k = 0; k < c; ++k) want += std::exp(p[k]) * (p[k] - std::log(q[k]));
  }
  want /= n;
  EXPECT_NEAR(models::soft_label_loss(s, t, o).item_double(), want, 1e-12);
  // Unlike the KL, it is not 0 when student and teacher agree: the target exp(p) is not a distribution.
  EXPECT_GT(models::soft_label_loss(t, t, o).item_double(), 0.5);
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return models::soft_label_loss(in[0], t, o); },
                                 {s}));
}

TEST(HyperedgeSoftLabels, AreMemberMeans) {
  const hypergraph::Hypergraph h = small_hypergraph();
  const Tensor p = softmax(testing::random_tensor({7, 3}, 5, -2, 2, kFloat64), 1);
  const std::vector<double> got = host(models::hyperedge_soft_labels(h, p)), pv = host(p);
  const std::vector<std::vector<int64_t>> members{{0, 1, 2}, {3}, {2, 4}, {0, 1, 2, 3, 4, 5}, {5, 1}};
  ASSERT_EQ(got.size(), members.size() * 3);
  for (size_t e = 0; e < members.size(); ++e)
    for (int k = 0; k < 3; ++k) {
      double s = 0;
      for (int64_t v : members[e]) s += pv[static_cast<size_t>(v * 3 + k)];
      EXPECT_NEAR(got[e * 3 + static_cast<size_t>(k)], s / static_cast<double>(members[e].size()), 1e-12);
    }
}

TEST(HyperedgeSoftLabelLoss, BothFormsMatchReferencesAndGradients) {
  const hypergraph::Hypergraph h = small_hypergraph();
  const int64_t c = 3;
  const Tensor s = testing::random_tensor({7, c}, 6, -2, 2, kFloat64), t = testing::random_tensor({7, c}, 7, -2, 2, kFloat64);
  const Tensor sampled = testing::i64({0, 2, 3, 4});
  const std::vector<double> qs = host(models::hyperedge_soft_labels(h, softmax(s, 1))),
                            qt = host(models::hyperedge_soft_labels(h, softmax(t, 1)));
  for (KdLoss loss : {KdLoss::kKl, KdLoss::kLightHgnnCode}) {
    DistillOptions o;
    o.loss = loss;
    o.temperature = 2.0;
    double want = 0;
    for (int64_t e : {0, 2, 3, 4})
      for (int64_t k = 0; k < c; ++k) {
        const double a = qt[static_cast<size_t>(e * c + k)], b = qs[static_cast<size_t>(e * c + k)];
        want += loss == KdLoss::kKl ? a * (std::log(a) - std::log(b))
                                    : std::exp(a / 2.0) * (a / 2.0 - std::log(b / 2.0));
      }
    want /= 4;
    EXPECT_NEAR(models::hyperedge_soft_label_loss(h, s, t, sampled, o).item_double(), want, 1e-10)
        << to_string(loss);
    EXPECT_TRUE(testing::gradcheck(
        [&](const std::vector<Tensor>& in) { return models::hyperedge_soft_label_loss(h, in[0], t, sampled, o); }, {s}))
        << to_string(loss);
  }
  // No hyperedge sampled: no term.
  EXPECT_EQ(models::hyperedge_soft_label_loss(h, s, t, testing::i64({}), DistillOptions{}).item_double(), 0.0);
  EXPECT_THROW(models::hyperedge_soft_label_loss(h, s.narrow_rows(0, 6), t.narrow_rows(0, 6), sampled, {}),
               ShapeError);
}

TEST(HyperedgeReliability, MatchesANaiveRecomputationWithTheSameNoise) {
  const hypergraph::Hypergraph h = small_hypergraph();
  const Tensor x = testing::random_tensor({7, 4}, 8, 0, 1, kFloat64);
  const Tensor w = testing::random_tensor({4, 3}, 9, -3, 3, kFloat64);
  auto teacher = [&](const Tensor& f) { return matmul(f, w); };
  manual_seed(42);
  const std::vector<double> rho = host(models::hyperedge_reliability(h, x, teacher, 1.0));
  // The same draw: X (1 + eps) for eps ~ N(0, 1) from the generator in the same state.
  manual_seed(42);
  const Tensor noisy = mul(x, add_scalar(randn(x.shape(), kFloat64), 1.0));
  auto entropies = [&](const Tensor& f) {
    const std::vector<double> z = host(matmul(f, w));
    std::vector<double> e(7, 0.0);
    for (int64_t i = 0; i < 7; ++i)
      for (double p : softmax_row(z, i, 3)) e[static_cast<size_t>(i)] -= p * std::log(p);
    return e;
  };
  const std::vector<double> a = entropies(x), b = entropies(noisy);
  const std::vector<std::vector<int64_t>> members{{0, 1, 2}, {3}, {2, 4}, {0, 1, 2, 3, 4, 5}, {5, 1}};
  std::vector<double> delta;
  for (const auto& m : members) {
    double sa = 0, sb = 0;
    for (int64_t v : m) {
      sa += a[static_cast<size_t>(v)];
      sb += b[static_cast<size_t>(v)];
    }
    delta.push_back(std::abs(sb - sa) / static_cast<double>(m.size()));
  }
  const double top = *std::max_element(delta.begin(), delta.end());
  ASSERT_GT(top, 0);
  ASSERT_EQ(rho.size(), delta.size());
  for (size_t e = 0; e < delta.size(); ++e) EXPECT_NEAR(rho[e], 1 - delta[e] / top, 1e-9) << "hyperedge " << e;
  EXPECT_NEAR(*std::min_element(rho.begin(), rho.end()), 0.0, 1e-12);  // the least reliable hyperedge
  EXPECT_THROW(models::hyperedge_reliability(h, x.narrow_rows(0, 5), teacher), ShapeError);
}

data::NodeDataset small_graph_data() {
  data::CsbmOptions o;
  o.num_nodes = 120;
  o.num_classes = 3;
  o.num_features = 8;
  o.num_val = 30;
  o.seed = 5;
  return data::make_csbm(o);
}

TEST(DistillationTask, LossIsTheWeightedSumAndSamplingFollowsReliability) {
  const data::NodeDataset d = small_graph_data();
  const int64_t n = d.num_nodes();
  std::vector<std::vector<int64_t>> lists;
  for (int64_t v = 0; v + 2 < n; v += 3) lists.push_back({v, v + 1, v + 2});
  const hypergraph::Hypergraph h = hypergraph::Hypergraph::from_vertex_lists(lists, n);
  const Tensor teacher = testing::random_tensor({n, 3}, 12, -2, 2, kFloat32);
  manual_seed(1);
  models::StudentMLP student(models::StudentOptions(8, 3).dropout(0.0).norm(NormLayer::kNone));
  const Tensor logits = student.forward(d.x).detach();
  auto run = [&](double lambda, bool plus, double rho) {
    DistillOptions o;
    o.lambda = lambda;
    o.hyperedge_term = plus;
    const Tensor reliability = full({h.num_hyperedges()}, rho, kFloat64);
    models::DistillationTask task(d, teacher, [&] { return student.forward(d.x); }, o, plus ? &h : nullptr,
                                  plus ? reliability : Tensor());
    return task.training_loss(student).item_double();
  };
  DistillOptions kd;
  const double soft = models::soft_label_loss(logits, teacher, kd).item_double();
  const double ce = cross_entropy(index_select(logits, d.train_idx), index_select(d.y, d.train_idx)).item_double();
  const double edges = models::hyperedge_soft_label_loss(h, logits, teacher, arange(h.num_hyperedges()), kd).item_double();
  EXPECT_NEAR(run(0.0, false, 1.0), soft, 1e-6);
  EXPECT_NEAR(run(0.3, false, 1.0), 0.3 * ce + 0.7 * soft, 1e-6);
  EXPECT_NEAR(run(0.0, true, 0.0), soft, 1e-6);           // reliability 0: no hyperedge is ever sampled
  EXPECT_NEAR(run(0.0, true, 1.0), soft + edges, 1e-6);   // reliability 1: every hyperedge, every step
  EXPECT_THROW(models::DistillationTask(d, teacher, [&] { return student.forward(d.x); },
                                        [] { DistillOptions o; o.hyperedge_term = true; return o; }()),
               ValueError);  // LightHGNN+ without a hypergraph
  EXPECT_THROW(models::DistillationTask(d, teacher.narrow_rows(0, 10), [&] { return student.forward(d.x); }, kd),
               ShapeError);
}

}  // namespace
}  // namespace loom
