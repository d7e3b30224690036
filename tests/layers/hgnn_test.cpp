// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HGNNConv / HGNNPConv: forward against the dense float64 operators, gradcheck, training on a CSBM graph's
// neighbourhood hypergraph, errors, CUDA parity.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hypergraph/dense_hypergraph.h"
#include "layers/classic_support.h"
#include "loom/core/random.h"
#include "loom/layers/hgnn_conv.h"

namespace loom::testing {
namespace {

using hypergraph::Hypergraph;
using layers::HGNNConv;
using layers::HGNNConvOptions;
using layers::HGNNPConv;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// L (x W^T) + b with L the dense HGNN / HGNN+ operator.
Mat reference(const hg::DenseHypergraph& d, bool plus, const Tensor& x, HGNNConv& conv) {
  Mat y = matmul_d(hg::smoothing_matrix(d, plus), linear_d(to_mat(x), conv.weight));
  if (conv.bias.defined()) {
    const auto b = conv.bias.detach().cpu().to(kFloat64).to_vector<double>();
    for (auto& row : y)
      for (size_t j = 0; j < row.size(); ++j) row[j] += b[j];
  }
  return y;
}

// The three shapes put the weight first (N x 6 -> 4), between the stages (few wide hyperedges, 4 -> 6) and last
// (more hyperedges than vertices, 3 -> 8): see project_and_smooth in layers/hgnn_conv.cpp.
struct ConvShape {
  int64_t n, m, avg, in, out;
};

TEST(HgnnConv, MatchesDenseReference) {
  for (const ConvShape s : {ConvShape{40, 25, 4, 6, 4}, ConvShape{40, 10, 4, 4, 6}, ConvShape{10, 40, 4, 3, 8}})
  for (bool weighted : {false, true})
    for (bool bias : {true, false})
      for (bool plus : {false, true}) {
        const hg::RawIncidence r = hg::random_incidence(3, s.n, s.m, s.avg, weighted);
        const Hypergraph h = r.build();
        const hg::DenseHypergraph d = hg::dense_of(r);
        manual_seed(1);
        const HGNNConvOptions opts = HGNNConvOptions(s.in, s.out).bias(bias);
        std::unique_ptr<HGNNConv> conv =
            plus ? std::make_unique<HGNNPConv>(opts) : std::make_unique<HGNNConv>(opts);
        conv->to(kFloat64);
        if (bias) nn::init::uniform_(conv->bias, -1, 1);
        const Tensor x = random_tensor({r.n, s.in}, 5);
        auto run = [&](const Tensor& in) {
          return plus ? static_cast<HGNNPConv&>(*conv).forward(h, in) : conv->forward(h, in);
        };
        const Mat want = reference(d, plus, x, *conv);
        expect_close(run(x), want, 1e-12, plus ? "hgnn+ float64" : "hgnn float64");
        conv->to(kFloat32);
        expect_close(run(x.to(kFloat32)), want, 1e-4, plus ? "hgnn+ float32" : "hgnn float32");
      }
}

TEST(HgnnConv, ParametersAndNames) {
  manual_seed(0);
  HGNNConv conv(HGNNConvOptions(12, 5));
  const auto named = conv.named_parameters();
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].first, "weight");
  EXPECT_EQ(named[1].first, "bias");
  EXPECT_EQ(conv.weight.shape(), (Shape{5, 12}));
  EXPECT_EQ(max_abs_diff(conv.bias, zeros({5})), 0.0);
  const double bound = std::sqrt(6.0 / 17.0), spread = max_abs_diff(conv.weight, zeros({5, 12}));
  EXPECT_LE(spread, bound);
  EXPECT_GT(spread, bound / 2);
  EXPECT_EQ(conv.name(), "HGNNConv");
  EXPECT_EQ(HGNNPConv(HGNNConvOptions(3, 2)).name(), "HGNNPConv");
  EXPECT_EQ(HGNNConv(HGNNConvOptions(3, 2).bias(false)).parameters().size(), 1u);
}

TEST(HgnnConv, Gradcheck) {
  for (int64_t out : {3, 6})  // 4 -> 3 projects first, 3 -> 6 last
  for (bool plus : {false, true})
    for (bool weighted : {false, true}) {
      const Hypergraph h = hg::random_incidence(21, 12, 8, 3, weighted).build();
      manual_seed(3);
      const int64_t in = out == 3 ? 4 : 3;
      HGNNConv c(HGNNConvOptions(in, out));
      HGNNPConv p(HGNNConvOptions(in, out));
      HGNNConv& conv = plus ? p : c;
      conv.to(kFloat64);
      nn::init::uniform_(conv.bias, -1, 1);
      const Tensor x = requires_grad_input({12, in}, 5);
      auto f = [&] { return plus ? p.forward(h, x) : c.forward(h, x); };
      EXPECT_TRUE(param_gradcheck(f, {x, conv.weight, conv.bias})) << "plus " << plus << " weighted " << weighted;
    }
}

TEST(HgnnConv, TrainsOnCsbmNeighbourhoods) {
  const data::NodeDataset ds = small_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(ds.edge_index, ds.num_nodes());
  const Hypergraph h = Hypergraph::from_graph_neighborhoods(g);
  for (bool plus : {false, true}) {
    manual_seed(4);
    HGNNConv a1(HGNNConvOptions(ds.num_features(), 16)), a2(HGNNConvOptions(16, ds.num_classes));
    HGNNPConv b1(HGNNConvOptions(ds.num_features(), 16)), b2(HGNNConvOptions(16, ds.num_classes));
    HGNNConv &c1 = plus ? b1 : a1, &c2 = plus ? b2 : a2;
    std::vector<Tensor> params = c1.parameters();
    for (const Tensor& p : c2.parameters()) params.push_back(p);
    auto forward = [&](bool training) {
      if (plus) return b2.forward(h, dropout(relu(b1.forward(h, ds.x)), 0.5, training));
      return a2.forward(h, dropout(relu(a1.forward(h, ds.x)), 0.5, training));
    };
    const double acc = train_and_test(ds, params, forward);
    EXPECT_GT(acc, chance(ds) + 0.4) << (plus ? "HGNN+" : "HGNN") << " test accuracy " << acc << ", chance "
                                     << chance(ds);
  }
}

TEST(HgnnConv, Errors) {
  const Hypergraph h = hg::random_incidence(1, 8, 5, 2, false).build();
  HGNNConv conv(HGNNConvOptions(4, 2));
  HGNNPConv plus(HGNNConvOptions(4, 2));
  EXPECT_THAT([&] { conv.forward(h, zeros({8, 3})); },
              ThrowsMessage<ShapeError>(HasSubstr("HGNNConv.forward: 'x' must be [N, 4] (in_features = 4), got [8, 3]")));
  EXPECT_THAT([&] { plus.forward(h, zeros({7, 4})); },
              ThrowsMessage<ShapeError>(HasSubstr("HGNNPConv.forward: 'x' has 7 rows but the hypergraph has 8 vertices")));
  EXPECT_THAT([&] { conv.forward(h, zeros({8, 4}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("HGNNConv.forward: 'x' is float64 but the layer's parameters are float32")));
  EXPECT_THAT([&] { conv.forward(h, zeros({8, 4}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr("HGNNConv.forward: 'x' must be float32 or float64")));
  EXPECT_THAT([&] { conv.forward(h, Tensor()); },
              ThrowsMessage<ValueError>(HasSubstr("HGNNConv.forward: 'x' is an undefined tensor")));
  EXPECT_THAT([&] { plus.forward(Hypergraph(), zeros({8, 4})); },
              ThrowsMessage<ValueError>(HasSubstr("HGNNPConv.forward: the hypergraph is undefined")));
  EXPECT_THAT([] { HGNNConv(HGNNConvOptions(0, 2)); },
              ThrowsMessage<ValueError>(HasSubstr("HGNNConv: in_features and out_features must be positive")));
  EXPECT_THAT([] { HGNNPConv(HGNNConvOptions(2, -1)); },
              ThrowsMessage<ValueError>(HasSubstr("HGNNPConv: in_features and out_features must be positive")));
}

TEST(HgnnConv, CudaParity) {
  LOOM_REQUIRE_CUDA();
  const hg::RawIncidence r = hg::random_incidence(31, 400, 250, 6, true);
  const Hypergraph h = r.build(kCPU, kFloat32);
  for (bool plus : {false, true}) {
    manual_seed(5);
    HGNNConv c(HGNNConvOptions(24, 8));
    HGNNPConv p(HGNNConvOptions(24, 8));
    HGNNConv& conv = plus ? p : c;
    nn::init::uniform_(conv.bias, -1, 1);
    auto run = [&](const Hypergraph& g, const Tensor& in) { return plus ? p.forward(g, in) : c.forward(g, in); };
    const Tensor x = random_tensor({r.n, 24}, 6, -1, 1, kFloat32);
    const Tensor y_cpu = run(h, x);
    sum(mul(y_cpu, y_cpu)).backward();
    const Tensor gw_cpu = conv.weight.grad().clone();
    conv.zero_grad();
    conv.to(kCUDA);
    const Hypergraph hc = h.to(kCUDA);
    EXPECT_THAT([&] { run(hc, x); }, ThrowsMessage<DeviceError>(HasSubstr("'x' is on cpu but the hypergraph is on cuda")));
    EXPECT_THAT([&] { run(h, x.to(kCUDA)); }, ThrowsMessage<DeviceError>(HasSubstr("'x' is on cuda")));
    const Tensor y = run(hc, x.to(kCUDA));
    sum(mul(y, y)).backward();
    EXPECT_TRUE(allclose(y.cpu(), y_cpu, 1e-4, 1e-5)) << max_abs_diff(y.cpu(), y_cpu);
    EXPECT_TRUE(allclose(conv.weight.grad().cpu(), gw_cpu, 1e-3, 1e-3)) << max_abs_diff(conv.weight.grad().cpu(), gw_cpu);
  }
}

}  // namespace
}  // namespace loom::testing
