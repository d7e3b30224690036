// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The link model's pieces (loom/models/link_model.h, link_loss.h): decoders against hand computation, VGAE's
// reparameterisation and KL against loops, the blockwise full-adjacency loss against a dense N x N reference (value
// and gradient), float64 gradchecks of everything with a gradient, and saving and loading.
#include <gmock/gmock.h>

#include <cmath>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/models/link_loss.h"
#include "loom/models/link_model.h"
#include "loom/models/registry.h"
#include "loom/models/saved_model.h"
#include "support/gradcheck.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using models::LinkDecoder;

Tensor pairs_of(std::vector<int64_t> src, const std::vector<int64_t>& dst) {
  const auto k = static_cast<int64_t>(src.size());
  src.insert(src.end(), dst.begin(), dst.end());
  return from_vector<int64_t>(src, {2, k});
}

TEST(PairDecoder, InnerProductAndDistMultByHand) {
  const Tensor z = from_vector<double>({1, 2, 0, -1, 3, 0.5}, {3, 2});
  const Tensor p = pairs_of({0, 1, 2}, {1, 2, 0});
  models::PairDecoder ip(LinkDecoder::kInnerProduct, 2);
  EXPECT_EQ(ip.forward(z, p).to_vector<double>(), (std::vector<double>{-2, -0.5, 4}));
  EXPECT_EQ(models::decode_links(z, p).to_vector<double>(), (std::vector<double>{-2, -0.5, 4}));
  models::PairDecoder dm(LinkDecoder::kDistMult, 2, 2);
  dm.to(kFloat64);
  {
    NoGradGuard g;
    Tensor(dm.relation()).copy_(from_vector<double>({2, 3, -1, 0.5}, {2, 2}));
  }
  // Relation 0 (r = [2, 3]) for untyped pairs: 1*0*2 + 2*(-1)*3 = -6, 0*3*2 + (-1)(0.5)*3 = -1.5, 3*1*2 + 0.5*2*3 = 9.
  EXPECT_EQ(dm.forward(z, p).to_vector<double>(), (std::vector<double>{-6, -1.5, 9}));
  // Typed: pair 1 with relation 1 (r = [-1, 0.5]): 0*3*(-1) + (-1)(0.5)(0.5) = -0.25.
  EXPECT_EQ(dm.forward(z, p, from_vector<int64_t>({0, 1, 0}, {3})).to_vector<double>(),
            (std::vector<double>{-6, -0.25, 9}));
  EXPECT_THAT([&] { dm.forward(z, p, from_vector<int64_t>({0, 2, 0}, {3})); }, ::testing::Throws<IndexError>());
  EXPECT_THAT([&] { dm.forward(z, p, from_vector<int64_t>({0, 1}, {2})); },
              ThrowsMessage<ShapeError>(HasSubstr("one id per pair ([3])")));
  EXPECT_THAT([&] { ip.forward(z, p, from_vector<int64_t>({0, 0, 0}, {3})); },
              ThrowsMessage<ValueError>(HasSubstr("inner_product decoder takes no relation ids")));
  EXPECT_THAT([] { models::PairDecoder(LinkDecoder::kMlp, 4, 3); },
              ThrowsMessage<ValueError>(HasSubstr("typed edges need distmult")));
  EXPECT_THAT([&] { ip.forward(from_vector<double>({1, 2, 3}, {1, 3}), p); },
              ThrowsMessage<ShapeError>(HasSubstr("'z' has 3 columns but the inner_product decoder was built for 2")));
}

TEST(PairDecoder, MlpOnTheHadamardProductByHand) {
  manual_seed(3);
  models::PairDecoder mlp(LinkDecoder::kMlp, 3);
  mlp.to(kFloat64);
  const auto named = mlp.named_parameters();
  ASSERT_EQ(named.size(), 4u);
  EXPECT_EQ(named[0].first, "lin1.weight");
  const Tensor z = testing::random_tensor({4, 3}, 7, -1, 1, kFloat64);
  const Tensor p = pairs_of({0, 3, 2}, {1, 1, 2});
  const std::vector<double> out = mlp.forward(z, p).to_vector<double>();
  const auto zz = z.to_vector<double>(), w1 = named.at("lin1.weight").to_vector<double>(),
             b1 = named.at("lin1.bias").to_vector<double>(), w2 = named.at("lin2.weight").to_vector<double>(),
             b2 = named.at("lin2.bias").to_vector<double>();
  const std::vector<std::pair<int, int>> pr{{0, 1}, {3, 1}, {2, 2}};
  for (size_t k = 0; k < pr.size(); ++k) {
    double y = b2[0];
    for (int o = 0; o < 3; ++o) {
      double h = b1[o];
      for (int i = 0; i < 3; ++i) h += w1[o * 3 + i] * zz[pr[k].first * 3 + i] * zz[pr[k].second * 3 + i];
      y += w2[o] * std::max(h, 0.0);
    }
    EXPECT_NEAR(out[k], y, 1e-12) << "pair " << k;
  }
}

TEST(PairDecoder, Gradchecks) {
  for (LinkDecoder kind : {LinkDecoder::kMlp, LinkDecoder::kDistMult}) {
    manual_seed(5);
    models::PairDecoder d(kind, 3, kind == LinkDecoder::kDistMult ? 2 : 1);
    d.to(kFloat64);
    Tensor z = testing::random_tensor({5, 3}, 11, -1, 1, kFloat64);
    z.set_requires_grad(true);
    const Tensor p = pairs_of({0, 4, 2, 1}, {1, 3, 2, 0});
    const Tensor rel = kind == LinkDecoder::kDistMult ? from_vector<int64_t>({1, 0, 1, 1}, {4}) : Tensor();
    EXPECT_TRUE(testing::module_gradcheck(d, [&] { return d.forward(z, p, rel); }, {{"z", z}})) << to_string(kind);
  }
}

TEST(Vgae, ReparameterizeAndKlAgainstLoopsAndGradchecks) {
  const Tensor mu = testing::random_tensor({4, 3}, 1, -1, 1, kFloat64);
  const Tensor logstd = testing::random_tensor({4, 3}, 2, -1, 0.5, kFloat64);
  const Tensor eps = testing::random_tensor({4, 3}, 3, -2, 2, kFloat64);
  const auto m = mu.to_vector<double>(), l = logstd.to_vector<double>(), e = eps.to_vector<double>();
  const auto z = models::reparameterize(mu, logstd, eps).to_vector<double>();
  double kl = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    EXPECT_NEAR(z[i], m[i] + e[i] * std::exp(l[i]), 1e-14);
    kl += 1 + 2 * l[i] - m[i] * m[i] - std::exp(2 * l[i]);
  }
  EXPECT_NEAR(models::vgae_kl(mu, logstd).item_double(), -0.5 * kl / 4, 1e-12);  // mean over the 4 nodes
  EXPECT_GT(models::vgae_kl(mu, logstd).item_double(), 0.0);
  EXPECT_NEAR(models::vgae_kl(zeros({4, 3}, kFloat64), zeros({4, 3}, kFloat64)).item_double(), 0.0, 1e-15);
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& t) { return models::vgae_kl(t[0], t[1]); },
                                 {mu, logstd}));
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& t) { return models::reparameterize(t[0], t[1], t[2]); }, {mu, logstd, eps}));
  EXPECT_THAT([&] { models::vgae_kl(mu, zeros({4, 2}, kFloat64)); }, ::testing::Throws<ShapeError>());
}

TEST(PairwiseSoftplusSum, BlocksEqualTheDenseSumAndGradcheck) {
  const Tensor a = testing::random_tensor({7, 3}, 21, -1.5, 1.5, kFloat64);
  const Tensor b = testing::random_tensor({5, 3}, 22, -1.5, 1.5, kFloat64);
  const auto av = a.to_vector<double>(), bv = b.to_vector<double>();
  double want = 0;
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 5; ++j) {
      double s = 0;
      for (int d = 0; d < 3; ++d) s += av[i * 3 + d] * bv[j * 3 + d];
      want += std::log1p(std::exp(s));
    }
  for (int64_t block : {0, 1, 3, 7, 100}) {
    EXPECT_NEAR(models::pairwise_softplus_sum(a, b, block).item_double(), want, 1e-12) << "block " << block;
    EXPECT_TRUE(testing::gradcheck(
        [block](const std::vector<Tensor>& t) { return models::pairwise_softplus_sum(t[0], t[1], block); }, {a, b}))
        << "block " << block;
  }
}

// A small undirected graph with a duplicate edge and one self loop: 0-1, 1-2, 2-0, 3-4, (1-2 again), 4-4; node 5
// isolated.
graph::Graph small_graph() {
  std::vector<int64_t> s{0, 1, 1, 2, 2, 0, 3, 4, 1, 4}, d{1, 0, 2, 1, 0, 2, 4, 3, 2, 4};
  return graph::Graph::from_edge_index(pairs_of(s, d), 6);
}

TEST(FullAdjacencyLoss, TargetsCountEdgesAsTheTfCode) {
  const models::AdjacencyTargets t = models::adjacency_targets(small_graph());
  EXPECT_EQ(t.num_nodes, 6);
  EXPECT_EQ(t.num_edges, 8);                 // distinct non-loop directed entries of A
  EXPECT_EQ(t.pairs.size(1), 8 + 6);         // A + I: every diagonal entry once (4-4 was already there)
  EXPECT_DOUBLE_EQ(t.pos_weight(), (36.0 - 8) / 8);
  EXPECT_DOUBLE_EQ(t.norm(), 36.0 / (2 * (36.0 - 8)));
  const auto big = graph::Graph::from_edge_index(pairs_of({0}, {1}), models::kFullLossMaxNodes + 1);
  EXPECT_THAT([&] { models::adjacency_targets(big); },
              ThrowsMessage<ValueError>(HasSubstr("use the sampled loss, --link-loss sampled")));
  EXPECT_THAT([] { models::adjacency_targets(graph::Graph::from_edge_index(pairs_of({2}, {2}), 3)); },
              ThrowsMessage<ValueError>(HasSubstr("no edges")));
}

// The loss as the TF code computes it: the dense N x N logits, labels A + I, weighted BCE, mean, times norm.
Tensor dense_reference(const Tensor& z, const Tensor& r, const graph::Graph& g) {
  const int64_t n = z.size(0);
  std::vector<double> label(static_cast<size_t>(n * n), 0.0);
  const auto e = g.edge_index().to_vector<int64_t>();
  const size_t k = e.size() / 2;
  for (size_t i = 0; i < k; ++i) label[static_cast<size_t>(e[i] * n + e[k + i])] = 1;
  double edges = 0;
  for (int64_t i = 0; i < n * n; ++i) edges += (i / n != i % n) ? label[static_cast<size_t>(i)] : 0;
  for (int64_t i = 0; i < n; ++i) label[static_cast<size_t>(i * n + i)] = 1;
  const double n2 = static_cast<double>(n * n), pw = (n2 - edges) / edges, norm = n2 / (2 * (n2 - edges));
  const Tensor y = from_vector<double>(label, {n, n});
  const Tensor left = r.defined() ? mul(z, r) : z;
  const Tensor s = matmul(left, transpose(z, 0, 1));
  const Tensor softplus_pos = log(add_scalar(exp(neg(s)), 1.0)), softplus_neg = log(add_scalar(exp(s), 1.0));
  const Tensor per = add(mul_scalar(mul(y, softplus_pos), pw), mul(sub(ones_like(y), y), softplus_neg));
  return mul_scalar(mean(per), norm);
}

TEST(FullAdjacencyLoss, EqualsTheDenseReferenceInValueAndGradient) {
  const graph::Graph g = small_graph();
  const models::AdjacencyTargets t = models::adjacency_targets(g);
  for (LinkDecoder kind : {LinkDecoder::kInnerProduct, LinkDecoder::kDistMult}) {
    manual_seed(1);
    models::PairDecoder dec(kind, 4);
    dec.to(kFloat64);
    if (kind == LinkDecoder::kDistMult) {
      NoGradGuard ng;
      Tensor(dec.relation()).copy_(from_vector<double>({0.5, -1, 2, 1.5}, {1, 4}));
    }
    Tensor z = testing::random_tensor({6, 4}, 9, -1, 1, kFloat64);
    z.set_requires_grad(true);
    const Tensor loss = models::full_adjacency_loss(z, t, dec, /*block_rows=*/4);  // blocks of 4 and 2 rows
    loss.backward();
    const std::vector<double> grad = z.grad().to_vector<double>();
    z.zero_grad();
    const Tensor r = kind == LinkDecoder::kDistMult ? dec.relation() : Tensor();
    const Tensor ref = dense_reference(z, r, g);
    ref.backward();
    EXPECT_NEAR(loss.item_double(), ref.item_double(), 1e-12) << to_string(kind);
    const std::vector<double> ref_grad = z.grad().to_vector<double>();
    for (size_t i = 0; i < grad.size(); ++i) EXPECT_NEAR(grad[i], ref_grad[i], 1e-12) << to_string(kind) << " " << i;
    z.zero_grad();
    EXPECT_TRUE(testing::module_gradcheck(dec, [&] { return models::full_adjacency_loss(z, t, dec, 4); },
                                          {{"z", z}}))
        << to_string(kind);
  }
  models::PairDecoder mlp(LinkDecoder::kMlp, 4);
  EXPECT_THAT([&] { models::full_adjacency_loss(zeros({6, 4}), t, mlp); },
              ThrowsMessage<ValueError>(HasSubstr("mlp decoder")));
  EXPECT_THAT([&] { models::full_adjacency_loss(zeros({5, 4}), t, mlp); },
              ThrowsMessage<ShapeError>(HasSubstr("must be [6, D]")));
}

models::LinkModelOptions gcn_link(bool variational, LinkDecoder decoder) {
  return models::LinkModelOptions(models::paper_options("gcn", 5, 4).hidden(8).dropout(0.0))
      .variational(variational)
      .decoder(decoder);
}

TEST(LinkModel, VariationalSamplesInTrainingAndUsesMuInEval) {
  const graph::Graph g = small_graph();
  const Tensor x = testing::random_tensor({6, 5}, 4, 0, 1, kFloat32);
  manual_seed(2);
  models::LinkModel m(gcn_link(true, LinkDecoder::kInnerProduct));
  EXPECT_EQ(m.named_parameters().at("encoder.convs.1.weight").shape(), (Shape{8, 8}));  // mu and logstd heads
  const models::LinkEncoding train1 = m.encode(g, x);
  EXPECT_EQ(train1.z.shape(), (Shape{6, 4}));
  EXPECT_NE(train1.z.to_vector<float>(), train1.mu.to_vector<float>());
  manual_seed(7);
  const auto a = m.encode(g, x).z.to_vector<float>();
  manual_seed(7);
  EXPECT_EQ(m.encode(g, x).z.to_vector<float>(), a);  // the sample comes from the seeded generator
  m.eval();
  const models::LinkEncoding e = m.encode(g, x);
  EXPECT_EQ(e.z.to_vector<float>(), e.mu.to_vector<float>());
  // Its mu and logstd columns are the encoder's output split in two.
  const auto out = m.encoder().forward(g, x).to_vector<float>(), mu = e.mu.to_vector<float>(),
             ls = e.logstd.to_vector<float>();
  for (int i = 0; i < 6; ++i)
    for (int d = 0; d < 4; ++d) {
      EXPECT_EQ(mu[i * 4 + d], out[i * 8 + d]);
      EXPECT_EQ(ls[i * 4 + d], out[i * 8 + 4 + d]);
    }
  EXPECT_THAT([] { models::LinkModel(models::LinkModelOptions(models::paper_options("hgnn", 5, 4))); },
              ThrowsMessage<ValueError>(HasSubstr("does not run on a graph")));
}

TEST(LinkModel, SavedFileRebuildsTheModelAndItsScores) {
  const graph::Graph g = small_graph();
  const Tensor x = testing::random_tensor({6, 5}, 4, 0, 1, kFloat32);
  const Tensor p = pairs_of({0, 3, 5, 2}, {2, 4, 1, 2});
  for (LinkDecoder kind : {LinkDecoder::kMlp, LinkDecoder::kDistMult}) {
    manual_seed(8);
    models::LinkModel m(gcn_link(true, kind));
    m.eval();
    const std::string path = (testing::temp_dir() / "link_model.safetensors").string();
    models::save_link_model(m, path, {models::FeatureTransform::kRowNormalize, "small", 42, 6, g.edge_index()});
    const models::SavedLinkModel s = models::load_link_model(path);
    EXPECT_EQ(s.info.seed, 42u);
    EXPECT_EQ(s.info.dataset, "small");
    EXPECT_EQ(s.info.features, models::FeatureTransform::kRowNormalize);
    EXPECT_TRUE(s.model->options().variational());
    EXPECT_EQ(s.model->options().decoder(), kind);
    const graph::Graph back = graph::Graph::from_edge_index(s.info.edge_index, s.info.num_nodes);
    EXPECT_EQ(s.model->predict(back, x, p).to_vector<float>(), m.predict(g, x, p).to_vector<float>());
    EXPECT_THAT([&] { models::load(path); }, ThrowsMessage<FormatError>(HasSubstr("loom predict --pairs")));
    m.train();
    EXPECT_THAT([&] { m.predict(g, x, p); }, ThrowsMessage<ValueError>(HasSubstr("training mode")));
  }
  // A node model's file is not a link model.
  models::NodeClassifier node(models::paper_options("gcn", 5, 3));
  const std::string node_path = (testing::temp_dir() / "node_model.safetensors").string();
  models::save(node, node_path, {});
  EXPECT_THAT([&] { models::load_link_model(node_path); }, ThrowsMessage<FormatError>(HasSubstr("node model")));
}

TEST(LinkArchitectures, GaeAndVgae) {
  ASSERT_NE(models::find_link_architecture("vgae"), nullptr);
  EXPECT_TRUE(models::find_link_architecture("vgae")->variational);
  EXPECT_FALSE(models::find_link_architecture("gae")->variational);
  EXPECT_EQ(models::find_link_architecture("gcn"), nullptr);
  for (const auto& a : models::link_architectures())
    EXPECT_THAT(models::model_names(), ::testing::Not(::testing::Contains(a.name)));
}

}  // namespace
}  // namespace loom
