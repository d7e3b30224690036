// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MEOW: the cluster-derived negative weights on a hand case, the weighted InfoNCE against a float64 loop and its
// central-difference gradient, ProtoNCE's and GCNEnc's gradients, PathSim pruning by hand, k-means on separated
// groups, the whole model's loss falling on the toy heterograph (and the frozen embeddings telling its classes apart
// through the HeCo probe), and the errors. AdaMEOW: the learned pair weights against a float64 loop and inside (0, 1),
// its loss against a float64 loop (tiled and whole), the central-difference gradient through the weight MLP, and the
// whole model's loss falling with weighting kLearned.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/models/meow.h"
#include "loom/models/probe.h"
#include "support/gradcheck.h"
#include "support/hetero_toy.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::vector<hetero::MetaPath> toy_paths(const hetero::HeteroGraph& g) {
  return {hetero::parse_metapath(g, "APA"), hetero::parse_metapath(g, "APVPA")};
}

TEST(MEOW, ClusterWeightsHandCase) {
  // Two clusterings of four nodes: {0,1}{2,3} and {0}{1,2,3}. w_ij = 2 - (clusterings that put i and j together).
  const Tensor w = models::cluster_weights({testing::i64({0, 0, 1, 1}), testing::i64({0, 1, 1, 1})});
  const std::vector<float> expect{0, 1, 2, 2,  //
                                  1, 0, 1, 1,  //
                                  2, 1, 0, 0,  //
                                  2, 1, 0, 0};
  EXPECT_EQ(w.shape(), (Shape{4, 4}));
  EXPECT_EQ(w.to_vector<float>(), expect);
  EXPECT_THAT([] { models::cluster_weights({testing::i64({0, 1}), testing::i64({0, 1, 2})}); },
              ThrowsMessage<ShapeError>(HasSubstr("unequal length")));
  EXPECT_THAT([] { models::cluster_weights({}); }, ThrowsMessage<ValueError>(HasSubstr("no clustering")));
}

TEST(MEOW, WeightedInfoNceMatchesLoopAndGradcheck) {
  const int64_t n = 5, d = 3;
  const double tau = 0.7;
  const Tensor a = testing::random_tensor({n, d}, 1, -1.0, 1.0, kFloat64);
  const Tensor b = testing::random_tensor({n, d}, 2, -1.0, 1.0, kFloat64);
  const Tensor w = models::cluster_weights({testing::i64({0, 0, 1, 1, 2}), testing::i64({0, 1, 1, 2, 2})}, kFloat64);
  const std::vector<double> av = a.to_vector<double>(), bv = b.to_vector<double>(), wv = w.to_vector<double>();
  double ref = 0;
  for (int64_t i = 0; i < n; ++i) {
    double den = 0, pos = 0;
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t k = 0; k < d; ++k) s += av[i * d + k] * bv[j * d + k];
      den += wv[i * n + j] * std::exp(s / tau);
      if (i == j) pos = s / tau;
    }
    ref += -(pos - std::log(den)) / double(n);  // the positive is in the numerator only (w_ii = 0)
  }
  EXPECT_NEAR(models::weighted_info_nce(a, b, w, tau).item_double(), ref, 1e-12);
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<Tensor>& in) { return models::weighted_info_nce(in[0], in[1], w, tau); }, {a, b}));
  EXPECT_THAT([&] { models::weighted_info_nce(a, b, w, 0.0); }, ThrowsMessage<ValueError>(HasSubstr("tau")));
  EXPECT_THAT([&] { models::weighted_info_nce(a, b.narrow_rows(0, 4), w, tau); },
              ThrowsMessage<ShapeError>(HasSubstr("must both be [N, d]")));
}

TEST(MEOW, ProtoNceGradcheck) {
  const Tensor a = testing::random_tensor({6, 3}, 5, -1.0, 1.0, kFloat64);
  const Tensor c = testing::random_tensor({2, 3}, 6, -1.0, 1.0, kFloat64);
  const Tensor phi = from_vector<double>({0.5, 1.3}, {2});
  const Tensor y = testing::i64({0, 1, 1, 0, 1, 0});
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<Tensor>& in) { return models::proto_nce(in[0], c, phi, y); }, {a}));
}

TEST(MEOW, GcnEncoderGradcheck) {
  manual_seed(4);
  models::GCNEncoder enc(3, 4, 0.0);
  enc.to(kFloat64);
  // A small valued adjacency with self loops.
  const Csr adj = Csr::from_coo(testing::i64({0, 0, 1, 1, 2, 2, 3}), testing::i64({0, 1, 0, 1, 2, 3, 3}), 4, 4,
                                from_vector<double>({0.5, 0.5, 0.4, 0.6, 0.7, 0.3, 1.0}, {7}));
  const Tensor x = testing::random_tensor({4, 3}, 8, -1.0, 1.0, kFloat64).set_requires_grad(true);
  EXPECT_TRUE(testing::module_gradcheck(enc, [&] { return enc.forward(adj, x); }, {{"x", x}}));
  // The whole-tensor LayerNorm: zero mean, unit variance over all N x d entries.
  const std::vector<double> z = enc.forward(adj, x).detach().to_vector<double>();
  double m = 0, v = 0;
  for (double e : z) m += e / double(z.size());
  for (double e : z) v += (e - m) * (e - m) / double(z.size());
  EXPECT_NEAR(m, 0.0, 1e-12);
  EXPECT_GT(v, 0.9);  // var / (var + 1e-5): just under 1 for small raw variances
  EXPECT_LE(v, 1.0);
}

TEST(MEOW, PathSimTopkByHand) {
  // counts: diag 4, 2, 1; A01 = 2 (sim 2*2/6 = 0.67), A02 = 1 (2/5 = 0.4), A12 = 1 (2/3 = 0.67).
  const Csr c = Csr::from_coo(testing::i64({0, 0, 0, 1, 1, 1, 2, 2, 2}), testing::i64({0, 1, 2, 0, 1, 2, 0, 1, 2}), 3, 3,
                              from_vector<float>({4, 2, 1, 2, 2, 1, 1, 1, 1}, {9}));
  const Csr p = models::pathsim_topk(c, 2);
  // Row 0 keeps itself (1.0) and 1 (0.67), not 2 (0.4); row 1 keeps itself and 0 (0.67 = 1's sim with 2: the lower
  // column wins the tie); row 2 keeps itself and 1 (0.67 > 0.4).
  EXPECT_EQ(p.indptr().to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 4, 6}));
  EXPECT_EQ(p.indices().to_vector<int32_t>(), (std::vector<int32_t>{0, 1, 0, 1, 1, 2}));
  EXPECT_EQ(p.values().to_vector<float>(), (std::vector<float>{4, 2, 2, 2, 1, 1}));
  EXPECT_EQ(models::pathsim_topk(c, 0).nnz(), 9);
}

TEST(MEOW, KMeansFindsSeparatedGroups) {
  // Two tight groups of unit vectors around e0 and e1.
  std::vector<float> x;
  for (int i = 0; i < 10; ++i) {
    const float t = 0.05f * static_cast<float>(i % 5);
    const float c = std::cos(t), s = std::sin(t);
    if (i < 5) x.insert(x.end(), {c, s, 0}); else x.insert(x.end(), {0, c, s});
  }
  const Tensor xs = from_vector<float>(x, {10, 3});
  const models::KMeansResult r = models::kmeans(xs, 2, 10, 3);
  const std::vector<int64_t> a = r.assignment.to_vector<int64_t>();
  for (int i = 1; i < 5; ++i) EXPECT_EQ(a[i], a[0]);
  for (int i = 6; i < 10; ++i) EXPECT_EQ(a[i], a[5]);
  EXPECT_NE(a[0], a[5]);
  EXPECT_TRUE(testing::bitwise_equal(models::kmeans(xs, 2, 10, 3).assignment, r.assignment));  // seeded
  const Tensor phi = models::cluster_concentration(r, 0.5);
  EXPECT_NEAR(testing::host(phi)[0] + testing::host(phi)[1], 1.0, 1e-6);  // scaled to mean tau
  EXPECT_THAT([&] { models::kmeans(xs, 11, 10, 0); }, ThrowsMessage<ValueError>(HasSubstr("k must be in [1, N = 10]")));
}

TEST(MEOW, LossFallsAndEmbeddingsSeparateToyClasses) {
  const testing::Toy t = testing::toy();
  hetero::HeteroGraph g = t.g;
  g.set_features("author", t.d.x);
  const models::MEOWInputs in = models::meow_inputs(
      g, toy_paths(g), "author", models::MEOWInputOptions().adj_mask({0.2, 0.2}).feat_mask(0.2).seed(1));
  ASSERT_EQ(in.contexts.size(), 2u);
  EXPECT_EQ(in.contexts[1].size(), 3u);  // AP, APV, APVP
  EXPECT_EQ(in.context_types[1][1], "venue");
  manual_seed(3);
  models::MEOW model(g, in, models::MEOWOptions().hidden(16).tau(0.5));
  EXPECT_TRUE(model.named_parameters().contains("context.1.2.weight"));
  EXPECT_TRUE(model.named_parameters().contains("encoders.venue.embedding"));
  const models::MEOWTrainResult r =
      models::train_meow(model, g, in, models::MEOWTrainOptions().lr(0.01).epochs(60).patience(60).clusters({4, 8}));
  ASSERT_EQ(r.losses.size(), 60u);
  double first = 0, last = 0;
  for (int e = 0; e < 5; ++e) first += r.losses[e] / 5, last += r.losses[55 + e] / 5;
  EXPECT_LT(last, first - 0.1);
  EXPECT_EQ(r.embedding.shape(), (Shape{40, 16}));
  // Labels only in the probe: one-hot ids carry nothing, so only the meta-path views can separate the venues.
  const models::ProbeResult p = models::linear_probe(r.embedding, t.d.y, t.d.train_idx, t.d.val_idx, t.d.test_idx, 4,
                                                     models::ProbeOptions().runs(3).lr(0.05));
  EXPECT_GE(p.micro_f1, 0.75) << "chance is 0.25";
}

TEST(MEOW, ErrorsNameTheProblem) {
  const testing::Toy t = testing::toy();
  hetero::HeteroGraph g = t.g;
  EXPECT_THAT([&] { models::meow_inputs(g, toy_paths(g), "author", {}); },
              ThrowsMessage<ValueError>(HasSubstr("'author' has no features")));
  g.set_features("author", t.d.x);
  EXPECT_THAT([&] { models::meow_inputs(g, {hetero::parse_metapath(g, "APV")}, "author", {}); },
              ThrowsMessage<ValueError>(HasSubstr("meta-path 'APV' runs from 'author' to 'venue'")));
  EXPECT_THAT([&] { models::meow_inputs(g, {}, "author", {}); },
              ThrowsMessage<ValueError>(HasSubstr("at least one meta-path")));
  EXPECT_THAT([&] { models::meow_inputs(g, toy_paths(g), "author", models::MEOWInputOptions().nei_max({3})); },
              ThrowsMessage<ValueError>(HasSubstr("nei_max has 1 entries for 2 meta-paths")));
  EXPECT_THAT([&] { models::meow_inputs(g, toy_paths(g), "author", models::MEOWInputOptions().feat_mask(1.0)); },
              ThrowsMessage<ValueError>(HasSubstr("feat_mask must be in [0, 1)")));
  const models::MEOWInputs in = models::meow_inputs(g, toy_paths(g), "author", {});
  EXPECT_THAT([&] { models::MEOW(g, in, models::MEOWOptions().dropout(1.0)); },
              ThrowsMessage<ValueError>(HasSubstr("dropout must be in [0, 1)")));
  models::MEOW m(g, in, models::MEOWOptions().hidden(8));
  EXPECT_THAT([&] { models::train_meow(m, g, in, models::MEOWTrainOptions().clusters({})); },
              ThrowsMessage<ValueError>(HasSubstr("at least one cluster count")));
}

// The naive AdaMEOW quantities in float64 straight from the definition: w_ij = sigmoid(w2 . tanh(W1 (a_i + o_j) + b1)
// + b2) over the explicit pair sums, and L = -mean_i log(exp(s_ii/tau) / sum_j w_ij exp(s_ij/tau)) with j = i in the
// denominator.
struct NaiveAda {
  std::vector<double> w;  // [n, n]
  double loss = 0;
};
NaiveAda naive_adameow(const Tensor& a, const Tensor& o, const models::PairWeight& pw, double tau) {
  const int64_t n = a.size(0), d = a.size(1), h = pw.hidden->weight.size(0);
  const std::vector<double> av = testing::host(a), ov = testing::host(o);
  const std::vector<double> w1 = testing::host(pw.hidden->weight), b1 = testing::host(pw.hidden->bias);
  const std::vector<double> w2 = testing::host(pw.out->weight), b2 = testing::host(pw.out->bias);
  NaiveAda r;
  r.w.resize(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i) {
    double den = 0, pos = 0;
    for (int64_t j = 0; j < n; ++j) {
      double logit = b2[0], s = 0;
      for (int64_t k = 0; k < h; ++k) {
        double pre = b1[k];
        for (int64_t c = 0; c < d; ++c) pre += w1[k * d + c] * (av[i * d + c] + ov[j * d + c]);
        logit += w2[k] * std::tanh(pre);
      }
      const double w = 1.0 / (1.0 + std::exp(-logit));
      r.w[i * n + j] = w;
      for (int64_t c = 0; c < d; ++c) s += av[i * d + c] * ov[j * d + c];
      den += w * std::exp(s / tau);
      if (i == j) pos = s / tau;
    }
    r.loss += -(pos - std::log(den)) / double(n);
  }
  return r;
}

TEST(AdaMEOW, PairWeightsMatchLoopAndLieInUnitInterval) {
  manual_seed(11);
  models::PairWeight pw(3, 4);
  pw.to(kFloat64);
  const Tensor a = testing::random_tensor({5, 3}, 21, -1.0, 1.0, kFloat64);
  const Tensor o = testing::random_tensor({5, 3}, 22, -1.0, 1.0, kFloat64);
  const std::vector<double> w = testing::host(pw.forward(a, o));
  const NaiveAda ref = naive_adameow(a, o, pw, 0.5);
  ASSERT_EQ(w.size(), 25u);
  for (size_t k = 0; k < w.size(); ++k) {
    EXPECT_NEAR(w[k], ref.w[k], 1e-12) << k;
    EXPECT_GT(w[k], 0.0);
    EXPECT_LT(w[k], 1.0);
  }
  // Large inputs saturate tanh but the sigmoid keeps the weights strictly inside (0, 1) in float32 too.
  models::PairWeight pf(3, 16);
  const std::vector<float> wf =
      pf.forward(testing::random_tensor({7, 3}, 23, -5.0, 5.0, kFloat32),
                 testing::random_tensor({7, 3}, 24, -5.0, 5.0, kFloat32))
          .to_vector<float>();
  ASSERT_EQ(wf.size(), 49u);
  for (float v : wf) EXPECT_TRUE(v > 0.0f && v < 1.0f) << v;
}

TEST(AdaMEOW, LossMatchesLoopTiledOrWhole) {
  manual_seed(12);
  models::PairWeight pw(3, 4);
  pw.to(kFloat64);
  const Tensor a = testing::random_tensor({7, 3}, 31, -1.0, 1.0, kFloat64);
  const Tensor o = testing::random_tensor({7, 3}, 32, -1.0, 1.0, kFloat64);
  const double ref = naive_adameow(a, o, pw, 0.6).loss;
  EXPECT_NEAR(models::adaptive_info_nce(a, o, pw, 0.6).item_double(), ref, 1e-12);     // one block
  EXPECT_NEAR(models::adaptive_info_nce(a, o, pw, 0.6, 3).item_double(), ref, 1e-12);  // blocks of 3, 3, 1
  EXPECT_NEAR(models::adaptive_info_nce(a, o, pw, 0.6, 1).item_double(), ref, 1e-12);
  EXPECT_THAT([&] { models::adaptive_info_nce(a, o, pw, 0.0); }, ThrowsMessage<ValueError>(HasSubstr("tau")));
  EXPECT_THAT([&] { models::adaptive_info_nce(a, o.narrow_rows(0, 6), pw, 0.6); },
              ThrowsMessage<ShapeError>(HasSubstr("must both be [N, d]")));
  EXPECT_THAT([&] { models::adaptive_info_nce(a, o, pw, 0.6, 0); },
              ThrowsMessage<ValueError>(HasSubstr("tile_rows must be positive")));
}

TEST(AdaMEOW, LossGradcheckThroughWeightMlp) {
  manual_seed(13);
  models::PairWeight pw(3, 4);
  pw.to(kFloat64);
  const Tensor a = testing::random_tensor({5, 3}, 41, -1.0, 1.0, kFloat64).set_requires_grad(true);
  const Tensor o = testing::random_tensor({5, 3}, 42, -1.0, 1.0, kFloat64).set_requires_grad(true);
  // Every MLP parameter and both embeddings, with blocks of 2 rows (so the gradient crosses the concatenation).
  EXPECT_TRUE(testing::module_gradcheck(pw, [&] { return models::adaptive_info_nce(a, o, pw, 0.7, 2); },
                                        {{"anchor", a}, {"other", o}}));
}

TEST(AdaMEOW, LossFallsOnToyWithLearnedWeights) {
  const testing::Toy t = testing::toy();
  hetero::HeteroGraph g = t.g;
  g.set_features("author", t.d.x);
  const models::MEOWInputs in = models::meow_inputs(
      g, toy_paths(g), "author", models::MEOWInputOptions().adj_mask({0.3, 0.3}).feat_mask(0.1).seed(1));
  manual_seed(3);
  models::MEOW model(g, in, models::MEOWOptions().hidden(16).tau(0.5).weighting(models::MEOWWeighting::kLearned));
  ASSERT_NE(model.pair_weight(), nullptr);
  EXPECT_TRUE(model.named_parameters().contains("pair_weight.hidden.weight"));
  EXPECT_TRUE(model.named_parameters().contains("pair_weight.out.bias"));
  // No clustering runs with learned weights, so an empty cluster list is no error.
  const models::MEOWTrainResult r =
      models::train_meow(model, g, in, models::MEOWTrainOptions().lr(0.01).epochs(40).patience(40).clusters({}));
  ASSERT_EQ(r.losses.size(), 40u);
  double first = 0, last = 0;
  for (int e = 0; e < 5; ++e) first += r.losses[e] / 5, last += r.losses[35 + e] / 5;
  EXPECT_LT(last, first - 0.1);
  EXPECT_EQ(r.embedding.shape(), (Shape{40, 16}));
  // The weight MLP is trained with the rest: its parameters got a gradient in the last step.
  EXPECT_TRUE(model.pair_weight()->hidden->weight.grad().defined());
  models::MEOW plain(g, in, models::MEOWOptions().hidden(16));
  EXPECT_EQ(plain.pair_weight(), nullptr);
  EXPECT_FALSE(plain.named_parameters().contains("pair_weight.hidden.weight"));
}

TEST(Probe, AucByHandAndSeparableEmbeddings) {
  const Tensor y = testing::i64({0, 0, 1, 1});
  EXPECT_DOUBLE_EQ(models::macro_auc(from_vector<float>({0.9f, 0.1f, 0.8f, 0.2f, 0.3f, 0.7f, 0.1f, 0.9f}, {4, 2}), y),
                   1.0);
  EXPECT_DOUBLE_EQ(models::macro_auc(from_vector<float>({0.1f, 0.9f, 0.2f, 0.8f, 0.7f, 0.3f, 0.9f, 0.1f}, {4, 2}), y),
                   0.0);
  EXPECT_DOUBLE_EQ(models::macro_auc(from_vector<float>({0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, {4, 2}), y),
                   0.5);
  // Embeddings that are the one-hot class plus noise, scored on the validation nodes themselves: the test figures are
  // those of the epoch with the best validation ones, so they are perfect once validation is.
  const int64_t n = 30;
  std::vector<float> x(static_cast<size_t>(n * 3));
  std::vector<int64_t> labels(static_cast<size_t>(n));
  const std::vector<double> noise = testing::host(testing::random_tensor({n * 3}, 9, -0.1, 0.1, kFloat64));
  for (int64_t i = 0; i < n; ++i) {
    labels[i] = i % 3;
    for (int64_t k = 0; k < 3; ++k) x[i * 3 + k] = (k == i % 3 ? 1.0f : 0.0f) + static_cast<float>(noise[i * 3 + k]);
  }
  std::vector<int64_t> tr, va, te;
  for (int64_t i = 0; i < n; ++i) (i < 9 ? tr : va).push_back(i);
  te = va;
  const models::ProbeResult p =
      models::linear_probe(from_vector<float>(x, {n, 3}), from_vector<int64_t>(labels, {n}), testing::i64(tr),
                           testing::i64(va), testing::i64(te), 3, models::ProbeOptions().runs(3).epochs(100).lr(0.1));
  EXPECT_DOUBLE_EQ(p.macro_f1, 1.0);
  EXPECT_DOUBLE_EQ(p.micro_f1, 1.0);
  EXPECT_GT(p.auc, 0.95);
  EXPECT_EQ(p.runs, 3);
  EXPECT_THAT(
      [&] {
        models::linear_probe(from_vector<float>(x, {n, 3}), from_vector<int64_t>(labels, {n}), testing::i64(tr),
                             testing::i64({}), testing::i64(te), 3);
      },
      ThrowsMessage<ValueError>(HasSubstr("no validation nodes")));
}

}  // namespace
}  // namespace loom
