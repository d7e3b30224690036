// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HypergraphAttentionConv: forward against a dense float64 reference (explicit loops over incidences with a
// per-vertex softmax), gradcheck on x and every parameter, attention dropout, training on a CSBM graph's
// neighbourhood hypergraph, errors, CUDA parity.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "hypergraph/dense_hypergraph.h"
#include "layers/classic_support.h"
#include "loom/core/random.h"
#include "loom/layers/hypergraph_attention.h"
#include "support/parity.h"

namespace loom::testing {
namespace {

using hypergraph::Hypergraph;
using layers::HypergraphAttentionConv;
using Options = layers::HypergraphAttentionConvOptions;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// The layer's forward in float64 from the raw definition: for each vertex v, each hyperedge e containing v
// (distinct members, empty hyperedges gone), logit = LeakyReLU(<att_v, h_v> + <att_e, mean of h over e>),
// softmax over v's hyperedges per head, out_v = sum alpha f_e; heads concatenated or averaged; bias.
Mat reference(const hg::DenseHypergraph& d, const Tensor& x, const HypergraphAttentionConv& conv) {
  const Options& o = conv.options();
  const int64_t H = o.heads(), C = o.out_features(), HC = H * C;
  const Mat h = linear_d(to_mat(x), conv.weight);  // [n][H C]
  const auto av = host(conv.att_v), ae = host(conv.att_e);
  Mat f(static_cast<size_t>(d.m), std::vector<double>(static_cast<size_t>(HC), 0.0));
  for (int64_t e = 0; e < d.m; ++e) {
    for (int64_t v : d.members[e])
      for (int64_t j = 0; j < HC; ++j) f[e][j] += h[v][j];
    for (int64_t j = 0; j < HC; ++j) f[e][j] /= static_cast<double>(d.members[e].size());
  }
  auto score = [&](const std::vector<double>& feat, const std::vector<double>& att, int64_t k) {
    double s = 0;
    for (int64_t c = 0; c < C; ++c) s += att[k * C + c] * feat[k * C + c];
    return s;
  };
  const int64_t width = o.concat() ? HC : C;
  Mat out(static_cast<size_t>(d.n), std::vector<double>(static_cast<size_t>(width), 0.0));
  for (int64_t v = 0; v < d.n; ++v) {
    std::vector<int64_t> edges;
    for (int64_t e = 0; e < d.m; ++e)
      if (d.h[v][e] != 0) edges.push_back(e);
    for (int64_t k = 0; k < H; ++k) {
      std::vector<double> logit;
      double top = -INFINITY;
      for (int64_t e : edges) {
        const double l = score(h[v], av, k) + score(f[e], ae, k);
        logit.push_back(l > 0 ? l : o.negative_slope() * l);
        top = std::max(top, logit.back());
      }
      double z = 0;
      for (double& l : logit) z += (l = std::exp(l - top));
      for (size_t i = 0; i < edges.size(); ++i)
        for (int64_t c = 0; c < C; ++c) {
          const double val = logit[i] / z * f[edges[i]][k * C + c];
          out[v][o.concat() ? k * C + c : c] += o.concat() ? val : val / static_cast<double>(H);
        }
    }
  }
  if (conv.bias.defined()) {
    const auto b = host(conv.bias);
    for (auto& row : out)
      for (int64_t j = 0; j < width; ++j) row[j] += b[j];
  }
  return out;
}

// Random bias (the default is zeros, which would hide a missing bias) and attention vectors.
void randomize(HypergraphAttentionConv& conv, uint32_t seed) {
  manual_seed(seed);
  nn::init::uniform_(conv.att_v, -1, 1);
  nn::init::uniform_(conv.att_e, -1, 1);
  if (conv.bias.defined()) nn::init::uniform_(conv.bias, -1, 1);
}

TEST(HypergraphAttentionConv, MatchesDenseReference) {
  int cases = 0;
  for (uint32_t seed : {3u, 11u})
    for (int64_t heads : {1, 3})
      for (bool concat : {true, false})
        for (bool bias : {true, false}) {
          // random_incidence: isolated vertices, empty hyperedges, duplicate incidences, one huge hyperedge.
          const hg::RawIncidence r = hg::random_incidence(seed, 45, 30, 4, seed == 11);
          const Hypergraph h = r.build();
          const hg::DenseHypergraph d = hg::dense_of(r);
          manual_seed(seed);
          HypergraphAttentionConv conv(Options(6, 4).heads(heads).concat(concat).bias(bias));
          conv.to(kFloat64);
          randomize(conv, seed + 1);
          const Tensor x = random_tensor({r.n, 6}, seed + 2);
          const Mat want = reference(d, x, conv);
          expect_close(conv.forward(h, x), want, 1e-12, "float64");
          conv.to(kFloat32);
          expect_close(conv.forward(h, x.to(kFloat32)), want, 1e-4, "float32");
          ++cases;
        }
  EXPECT_EQ(cases, 16);
}

// The reference's loops must see the cases that matter: a vertex in no hyperedge gets the bias exactly, and a
// vertex in several hyperedges gets a convex combination that is not their plain mean.
TEST(HypergraphAttentionConv, IsolatedVerticesGetBiasOnly) {
  const hg::RawIncidence r = hg::random_incidence(5, 40, 20, 4, false);
  const hg::DenseHypergraph d = hg::dense_of(r);
  std::vector<int64_t> isolated;
  for (int64_t v = 0; v < d.n; ++v)
    if (std::all_of(d.h[v].begin(), d.h[v].end(), [](double a) { return a == 0; })) isolated.push_back(v);
  ASSERT_FALSE(isolated.empty());
  HypergraphAttentionConv conv(Options(5, 3).heads(2));
  conv.to(kFloat64);
  randomize(conv, 9);
  const Mat y = to_mat(conv.forward(r.build(), random_tensor({r.n, 5}, 4)));
  const auto b = host(conv.bias);
  for (int64_t v : isolated)
    for (size_t j = 0; j < b.size(); ++j) EXPECT_EQ(y[v][j], b[j]) << "vertex " << v;
}

// Each vertex in exactly one hyperedge: alpha = 1, so the output is the hyperedge's mean projection.
TEST(HypergraphAttentionConv, SingleMembershipGivesHyperedgeMean) {
  const Hypergraph h = Hypergraph::from_vertex_lists({{0, 2, 4}, {1, 3}, {5}}, 6);
  HypergraphAttentionConv conv(Options(3, 2).heads(2).bias(false));
  conv.to(kFloat64);
  randomize(conv, 2);
  const Tensor x = random_tensor({6, 3}, 8);
  const Mat p = linear_d(to_mat(x), conv.weight);
  const std::vector<std::vector<int64_t>> groups{{0, 2, 4}, {1, 3}, {5}};
  Mat want(6, std::vector<double>(4, 0.0));
  for (const auto& g : groups)
    for (int64_t v : g)
      for (int64_t u : g)
        for (size_t j = 0; j < 4; ++j) want[v][j] += p[u][j] / static_cast<double>(g.size());
  expect_close(conv.forward(h, x), want, 1e-12, "one hyperedge per vertex");
}

TEST(HypergraphAttentionConv, ParametersAndNames) {
  manual_seed(0);
  HypergraphAttentionConv conv(Options(12, 5).heads(3));
  const auto named = conv.named_parameters();
  ASSERT_EQ(named.size(), 4u);
  EXPECT_EQ(named[0].first, "weight");
  EXPECT_EQ(named[1].first, "att_v");
  EXPECT_EQ(named[2].first, "att_e");
  EXPECT_EQ(named[3].first, "bias");
  EXPECT_EQ(conv.weight.shape(), (Shape{15, 12}));
  EXPECT_EQ(conv.att_v.shape(), (Shape{3, 5}));
  EXPECT_EQ(conv.att_e.shape(), (Shape{3, 5}));
  EXPECT_EQ(conv.bias.shape(), (Shape{15}));
  EXPECT_EQ(max_abs_diff(conv.bias, zeros({15})), 0.0);
  EXPECT_EQ(conv.name(), "HypergraphAttentionConv");
  EXPECT_EQ(HypergraphAttentionConv(Options(3, 2).heads(4).concat(false)).bias.shape(), (Shape{2}));
  EXPECT_EQ(HypergraphAttentionConv(Options(3, 2).bias(false)).parameters().size(), 3u);
}

TEST(HypergraphAttentionConv, Gradcheck) {
  for (bool concat : {true, false}) {
    const Hypergraph h = hg::random_incidence(21, 12, 8, 3, false).build();
    manual_seed(3);
    HypergraphAttentionConv conv(Options(4, 3).heads(2).concat(concat));
    conv.to(kFloat64);
    randomize(conv, 6);
    const Tensor x = requires_grad_input({12, 4}, 5);
    auto f = [&] { return conv.forward(h, x); };
    EXPECT_TRUE(param_gradcheck(f, {x, conv.weight, conv.att_v, conv.att_e, conv.bias})) << "concat " << concat;
  }
}

TEST(HypergraphAttentionConv, AttentionDropoutOnlyWhileTraining) {
  const hg::RawIncidence r = hg::random_incidence(13, 30, 20, 4, false);
  const Hypergraph h = r.build();
  manual_seed(7);
  HypergraphAttentionConv conv(Options(5, 3).heads(2).dropout(0.5));
  conv.to(kFloat64);
  randomize(conv, 8);
  const Tensor x = random_tensor({r.n, 5}, 9);
  conv.eval();
  const Mat want = reference(hg::dense_of(r), x, conv);
  expect_close(conv.forward(h, x), want, 1e-12, "eval ignores dropout");
  expect_close(conv.forward(h, x), want, 1e-12, "eval is deterministic");
  conv.train();
  const Tensor a = conv.forward(h, x), b = conv.forward(h, x);
  EXPECT_GT(max_abs_diff(a, from_mat(want)), 1e-3) << "training applies dropout";
  EXPECT_GT(max_abs_diff(a, b), 1e-3) << "a fresh mask every call";
  // p = 1 drops every coefficient: only the bias is left.
  HypergraphAttentionConv all(Options(5, 3).heads(2).dropout(1.0));
  all.to(kFloat64);
  randomize(all, 8);
  const Tensor y = all.forward(h, x);
  const Tensor bias_rows = add(zeros({r.n, 6}, kFloat64), all.bias.detach());
  EXPECT_EQ(max_abs_diff(y, bias_rows), 0.0);
}

TEST(HypergraphAttentionConv, TrainsOnCsbmNeighbourhoods) {
  const data::NodeDataset ds = small_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(ds.edge_index, ds.num_nodes());
  const Hypergraph h = Hypergraph::from_graph_neighborhoods(g);
  manual_seed(4);
  HypergraphAttentionConv c1(Options(ds.num_features(), 8).heads(4).dropout(0.2));
  HypergraphAttentionConv c2(Options(32, ds.num_classes).heads(1).concat(false).dropout(0.2));
  std::vector<Tensor> params = c1.parameters();
  for (const Tensor& p : c2.parameters()) params.push_back(p);
  auto forward = [&](bool training) {
    c1.train(training);
    c2.train(training);
    return c2.forward(h, dropout(elu(c1.forward(h, dropout(ds.x, 0.5, training))), 0.5, training));
  };
  const double acc = train_and_test(ds, params, forward);
  EXPECT_GT(acc, chance(ds) + 0.4) << "test accuracy " << acc << ", chance " << chance(ds);
}

TEST(HypergraphAttentionConv, Errors) {
  const Hypergraph h = hg::random_incidence(1, 8, 5, 2, false).build();
  HypergraphAttentionConv conv(Options(4, 2).heads(2));
  const std::string name = "HypergraphAttentionConv.forward: ";
  EXPECT_THAT([&] { conv.forward(h, zeros({8, 3})); },
              ThrowsMessage<ShapeError>(HasSubstr(name + "'x' must be [N, 4] (in_features = 4), got [8, 3]")));
  EXPECT_THAT([&] { conv.forward(h, zeros({7, 4})); },
              ThrowsMessage<ShapeError>(HasSubstr(name + "'x' has 7 rows but the hypergraph has 8 vertices")));
  EXPECT_THAT([&] { conv.forward(h, zeros({8, 4}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("'x' is float64 but the layer's parameters are float32")));
  EXPECT_THAT([&] { conv.forward(h, zeros({8, 4}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr(name + "'x' must be float32 or float64")));
  EXPECT_THAT([&] { conv.forward(h, Tensor()); },
              ThrowsMessage<ValueError>(HasSubstr(name + "'x' is an undefined tensor")));
  EXPECT_THAT([&] { conv.forward(Hypergraph(), zeros({8, 4})); },
              ThrowsMessage<ValueError>(HasSubstr(name + "the hypergraph is undefined")));
  EXPECT_THAT([] { HypergraphAttentionConv(Options(0, 2)); },
              ThrowsMessage<ValueError>(HasSubstr("HypergraphAttentionConv: in_features and out_features must be "
                                                  "positive, got 0 and 2")));
  EXPECT_THAT([] { HypergraphAttentionConv(Options(3, 2).heads(0)); },
              ThrowsMessage<ValueError>(HasSubstr("HypergraphAttentionConv: heads must be positive, got 0")));
  EXPECT_THAT([] { HypergraphAttentionConv(Options(3, 2).dropout(-0.1)); },
              ThrowsMessage<ValueError>(HasSubstr("dropout must be in [0, 1], got -0.1")));
  EXPECT_THAT([] { HypergraphAttentionConv(Options(3, 2).negative_slope(NAN)); },
              ThrowsMessage<ValueError>(HasSubstr("negative_slope must be finite, got nan")));
}

TEST(HypergraphAttentionConv, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  const hg::RawIncidence r = hg::random_incidence(31, 400, 250, 6, false);
  const Hypergraph h = r.build(kCPU, kFloat32);
  for (bool concat : {true, false}) {
    manual_seed(5);
    HypergraphAttentionConv conv(Options(24, 40).heads(3).concat(concat));
    randomize(conv, 6);
    const Tensor x = random_tensor({r.n, 24}, 6, -1, 1, kFloat32);
    const Tensor y_cpu = conv.forward(h, x);
    sum(mul(y_cpu, y_cpu)).backward();
    std::vector<Tensor> grads_cpu;
    for (const Tensor& p : conv.parameters()) grads_cpu.push_back(p.grad().clone());
    conv.zero_grad();
    conv.to(kCUDA);
    const Hypergraph hc = h.to(kCUDA);
    EXPECT_THAT([&] { conv.forward(hc, x); },
                ThrowsMessage<DeviceError>(HasSubstr("'x' is on cpu but the hypergraph is on cuda")));
    EXPECT_THAT([&] { conv.forward(h, x.to(kCUDA)); }, ThrowsMessage<DeviceError>(HasSubstr("'x' is on cuda")));
    const Tensor y = conv.forward(hc, x.to(kCUDA));
    sum(mul(y, y)).backward();
    EXPECT_TRUE(allclose(y.cpu(), y_cpu, 1e-4, 1e-5)) << max_abs_diff(y.cpu(), y_cpu);
    const auto params = conv.parameters();
    for (size_t i = 0; i < params.size(); ++i) {
      EXPECT_TRUE(allclose(params[i].grad().cpu(), grads_cpu[i], 1e-3, 1e-3))
          << "parameter " << i << ": " << max_abs_diff(params[i].grad().cpu(), grads_cpu[i]);
    }
  }
}

}  // namespace
}  // namespace loom::testing
