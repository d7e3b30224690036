// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GINConv and GINEConv: forward against dense float64 references (eps, train_eps, edge features with and without
// lin_edge), gradcheck (x, the MLP, eps, lin_edge, edge features), training, errors, CUDA parity.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "layers/classic_support.h"
#include "loom/core/random.h"
#include "loom/layers/gin_conv.h"

namespace loom::testing {
namespace {

using layers::GINConv;
using layers::GINConvOptions;
using layers::GINEConv;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// The inner MLP by hand: Linear -> ReLU for each hidden layer, then a last Linear.
Mat mlp_d(const nn::MLP& mlp, Mat h) {
  const auto& layers = mlp.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    h = linear_d(h, layers[i]->weight, layers[i]->bias);
    if (i + 1 < layers.size()) h = relu_d(h);
  }
  return h;
}

Mat scaled(Mat x, double s) {
  for (auto& row : x)
    for (double& v : row) v *= s;
  return x;
}

Mat gin_reference(const Edges& e, const Tensor& x, GINConv& conv) {
  const Mat xm = to_mat(x);
  const double eps = conv.eps.item_double();
  // sum over in-edges, duplicates counted, weights ignored
  return mlp_d(*conv.mlp, add_d(scaled(xm, 1.0 + eps), matmul_d(adjacency(e, /*use_weights=*/false), xm)));
}

// attr: [E, D] in the edge list's order.
Mat gine_reference(const Edges& e, const Tensor& x, const Tensor& attr, GINEConv& conv) {
  const Mat xm = to_mat(x);
  const Mat ea = conv.lin_edge ? linear_d(to_mat(attr), conv.lin_edge->weight, conv.lin_edge->bias) : to_mat(attr);
  Mat h = scaled(xm, 1.0 + conv.eps.item_double());
  for (size_t k = 0; k < e.src.size(); ++k)
    for (size_t j = 0; j < h[0].size(); ++j) h[e.dst[k]][j] += std::max(0.0, xm[e.src[k]][j] + ea[k][j]);
  return mlp_d(*conv.mlp, h);
}

TEST(GinConv, MatchesDenseReference) {
  const Edges e = random_edges(13, 40, 3, /*weighted=*/true);  // weights are ignored, as in PyG
  const graph::Graph g = e.graph();
  for (double eps : {0.0, 0.3, -0.5})
    for (bool train_eps : {false, true})
      for (const std::vector<int64_t>& hidden : {std::vector<int64_t>{8}, std::vector<int64_t>{6, 5}}) {
        manual_seed(1);
        GINConv conv(GINConvOptions(4, hidden, 3).eps(eps).train_eps(train_eps));
        conv.to(kFloat64);
        const Tensor x = random_tensor({e.n, 4}, 3);
        expect_close(conv.forward(g, x), gin_reference(e, x, conv), 1e-12, "float64");
        conv.to(kFloat32);
        expect_close(conv.forward(g, x.to(kFloat32)), gin_reference(e, x, conv), 1e-4, "float32");
      }
}

TEST(GinConv, EpsIsParameterOrBuffer) {
  GINConv fixed(GINConvOptions(4, {8}, 3).eps(0.25));
  EXPECT_EQ(fixed.eps.shape(), (Shape{1}));
  EXPECT_DOUBLE_EQ(fixed.eps.item_double(), 0.25);
  EXPECT_FALSE(fixed.eps.requires_grad());
  for (const auto& [name, t] : fixed.named_parameters()) EXPECT_NE(name, "eps");
  ASSERT_EQ(fixed.named_buffers().size(), 1u);
  EXPECT_EQ(fixed.named_buffers()[0].first, "eps");
  EXPECT_EQ(fixed.named_parameters()[0].first, "mlp.layers.0.weight");

  GINConv trained(GINConvOptions(4, {8}, 3).train_eps(true));
  EXPECT_TRUE(trained.eps.requires_grad());
  EXPECT_EQ(trained.named_parameters()[0].first, "eps");
  EXPECT_TRUE(trained.named_buffers().empty());

  GINConv normed(GINConvOptions(4, {8}, 3).norm(NormLayer::kLayer));
  bool has_norm = false;
  for (const auto& [name, t] : normed.named_parameters()) has_norm |= name == "mlp.norms.0.weight";
  EXPECT_TRUE(has_norm);
}

TEST(GinConv, Gradcheck) {
  const Edges e = random_edges(23, 14, 2, false);
  const graph::Graph g = e.graph();
  manual_seed(3);
  GINConv conv(GINConvOptions(3, {5}, 2).eps(0.2).train_eps(true));
  conv.to(kFloat64);
  const Tensor x = requires_grad_input({e.n, 3}, 5);
  std::vector<Tensor> params{x};
  for (const Tensor& p : conv.parameters()) params.push_back(p);
  ASSERT_EQ(params.size(), 6u);  // x, eps, 2 x (weight, bias)
  EXPECT_TRUE(param_gradcheck([&] { return conv.forward(g, x); }, params));
}

TEST(GineConv, MatchesDenseReference) {
  const Edges e = random_edges(14, 40, 3, false);
  const int64_t m = static_cast<int64_t>(e.src.size());
  for (int64_t edge_dim : {0, 5}) {
    const Tensor attr = random_tensor({m, edge_dim > 0 ? edge_dim : 4}, 8);
    const graph::Graph g = e.graph(attr);
    for (double eps : {0.0, 0.4}) {
      manual_seed(1);
      GINEConv conv(GINConvOptions(4, {8}, 3).eps(eps).edge_dim(edge_dim));
      EXPECT_EQ(conv.lin_edge != nullptr, edge_dim > 0);
      conv.to(kFloat64);
      const Tensor x = random_tensor({e.n, 4}, 3);
      expect_close(conv.forward(g, x), gine_reference(e, x, attr, conv), 1e-12, "float64");
      // float32 layer on a graph whose edge features are float64: they are converted to the layer's dtype.
      conv.to(kFloat32);
      expect_close(conv.forward(g, x.to(kFloat32)), gine_reference(e, x, attr, conv), 1e-4, "float32");
    }
  }
}

TEST(GineConv, Gradcheck) {
  const Edges e = random_edges(24, 14, 2, false);
  const int64_t m = static_cast<int64_t>(e.src.size());
  for (int64_t edge_dim : {0, 2}) {
    manual_seed(3);
    GINEConv conv(GINConvOptions(3, {4}, 2).train_eps(true).edge_dim(edge_dim));
    conv.to(kFloat64);
    const Tensor x = requires_grad_input({e.n, 3}, 5);
    // Edge features in csr order, attached with with_edge_attr (which keeps them in the autograd graph).
    const graph::Graph base = e.graph();
    Tensor attr = random_tensor({m, edge_dim > 0 ? edge_dim : 3}, 9);
    attr.set_requires_grad(true);
    std::vector<Tensor> params{x, attr};
    for (const Tensor& p : conv.parameters()) params.push_back(p);
    EXPECT_TRUE(param_gradcheck([&] { return conv.forward(base.with_edge_attr(attr), x); }, params))
        << "edge_dim " << edge_dim;
  }
}

TEST(GinConv, TrainsOnCsbm) {
  const data::NodeDataset ds = small_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(ds.edge_index, ds.num_nodes());
  manual_seed(4);
  GINConv c1(GINConvOptions(ds.num_features(), {16}, 16).train_eps(true));
  GINConv c2(GINConvOptions(16, {16}, ds.num_classes));
  std::vector<Tensor> params = c1.parameters();
  for (const Tensor& p : c2.parameters()) params.push_back(p);
  const double acc = train_and_test(ds, params, [&](bool) { return c2.forward(g, relu(c1.forward(g, ds.x))); });
  EXPECT_GT(acc, chance(ds) + 0.3) << "test accuracy " << acc << ", chance " << chance(ds);
}

TEST(GineConv, TrainsOnCsbm) {
  // Edge feature: [same-class indicator noise, constant]; GINE must still learn the node task through it.
  const data::NodeDataset ds = small_csbm();
  const int64_t m = ds.num_edges();
  const Tensor attr = random_tensor({m, 2}, 17, 0.0, 1.0, kFloat32);
  const graph::Graph g = graph::Graph::from_edge_index(ds.edge_index, ds.num_nodes(), Tensor(), attr);
  manual_seed(4);
  GINEConv c1(GINConvOptions(ds.num_features(), {16}, 16).edge_dim(2));
  GINEConv c2(GINConvOptions(16, {16}, ds.num_classes).edge_dim(2));
  std::vector<Tensor> params = c1.parameters();
  for (const Tensor& p : c2.parameters()) params.push_back(p);
  const double acc = train_and_test(ds, params, [&](bool) { return c2.forward(g, relu(c1.forward(g, ds.x))); });
  EXPECT_GT(acc, chance(ds) + 0.3) << "test accuracy " << acc << ", chance " << chance(ds);
}

TEST(GinConv, Errors) {
  const Edges e = random_edges(1, 8, 2, false);
  const graph::Graph g = e.graph();
  GINConv conv(GINConvOptions(4, {8}, 2));
  EXPECT_THAT([&] { conv.forward(g, zeros({8, 3})); },
              ThrowsMessage<ShapeError>(HasSubstr("GINConv.forward: 'x' must be [N, 4] (in_features = 4), got [8, 3]")));
  EXPECT_THAT([&] { conv.forward(g, zeros({6, 4})); },
              ThrowsMessage<ShapeError>(HasSubstr("GINConv.forward: 'x' has 6 rows but the graph has 8 nodes")));
  EXPECT_THAT([&] { conv.forward(g, zeros({8, 4}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("GINConv.forward: 'x' is float64 but the layer's parameters are float32")));
  EXPECT_THAT([] { GINEConv(GINConvOptions(4, {8}, 2).edge_dim(-1)); },
              ThrowsMessage<ValueError>(HasSubstr("GINEConv: edge_dim must be >= 0, got -1")));

  const int64_t m = static_cast<int64_t>(e.src.size());
  GINEConv gine(GINConvOptions(4, {8}, 2));
  EXPECT_THAT([&] { gine.forward(g, zeros({8, 4})); },
              ThrowsMessage<ValueError>(HasSubstr("GINEConv.forward: the graph has no edge features")));
  EXPECT_THAT([&] { gine.forward(e.graph(zeros({m, 3})), zeros({8, 4})); },
              ThrowsMessage<ShapeError>(HasSubstr("GINEConv.forward: edge_attr must be [E, 4] (no edge_dim: in_features = 4), got [")));
  GINEConv gine_dim(GINConvOptions(4, {8}, 2).edge_dim(2));
  EXPECT_THAT([&] { gine_dim.forward(e.graph(zeros({m, 4})), zeros({8, 4})); },
              ThrowsMessage<ShapeError>(HasSubstr("GINEConv.forward: edge_attr must be [E, 2] (edge_dim = 2), got [")));
  EXPECT_THAT([&] { gine_dim.forward(e.graph(zeros({m, 2})), zeros({8, 5})); },
              ThrowsMessage<ShapeError>(HasSubstr("GINEConv.forward: 'x' must be [N, 4]")));
}

TEST(GinConv, CudaParity) {
  LOOM_REQUIRE_CUDA();
  const Edges e = random_edges(33, 300, 6, false);
  const int64_t m = static_cast<int64_t>(e.src.size());
  const graph::Graph g = e.graph(random_tensor({m, 3}, 4, -1, 1, kFloat32));
  const Tensor x = random_tensor({e.n, 8}, 6, -1, 1, kFloat32);
  manual_seed(5);
  GINConv gin(GINConvOptions(8, {16}, 4).eps(0.1).train_eps(true));
  GINEConv gine(GINConvOptions(8, {16}, 4).edge_dim(3).train_eps(true));
  for (int which = 0; which < 2; ++which) {
    nn::Module& mod = which == 0 ? static_cast<nn::Module&>(gin) : gine;
    auto run = [&](const graph::Graph& gg, const Tensor& xx) {
      return which == 0 ? gin.forward(gg, xx) : gine.forward(gg, xx);
    };
    const Tensor y_cpu = run(g, x);
    sum(mul(y_cpu, random_tensor(y_cpu.shape(), 7, -1, 1, kFloat32))).backward();
    std::vector<Tensor> grads_cpu;
    for (const Tensor& p : mod.parameters()) grads_cpu.push_back(p.grad().clone());
    mod.zero_grad();
    mod.to(kCUDA);
    const Tensor y = run(g.to(kCUDA), x.to(kCUDA));
    sum(mul(y, random_tensor(y.shape(), 7, -1, 1, kFloat32, kCUDA))).backward();
    EXPECT_TRUE(allclose(y.cpu(), y_cpu, 1e-4, 1e-5)) << which << " " << max_abs_diff(y.cpu(), y_cpu);
    const auto params = mod.parameters();
    for (size_t i = 0; i < params.size(); ++i)
      EXPECT_TRUE(allclose(params[i].grad().cpu(), grads_cpu[i], 1e-3, 1e-3))
          << which << " param " << i << " " << max_abs_diff(params[i].grad().cpu(), grads_cpu[i]);
  }
}

}  // namespace
}  // namespace loom::testing
