// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GCNConv: forward against a dense float64 reference for every option, gradcheck, training, errors, CUDA parity.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "layers/classic_support.h"
#include "loom/core/random.h"
#include "loom/layers/gcn_conv.h"

namespace loom::testing {
namespace {

using layers::GCNConv;
using layers::GCNConvOptions;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// D^-1/2 (A [+ I on nodes without a loop]) D^-1/2 with the in-degree (0 where it is 0), or A itself.
Mat gcn_matrix(const Edges& e, bool self_loops, bool normalize) {
  Mat a = adjacency(e);
  if (self_loops) {
    std::vector<char> has(static_cast<size_t>(e.n), 0);
    for (size_t k = 0; k < e.src.size(); ++k)
      if (e.src[k] == e.dst[k]) has[e.src[k]] = 1;
    for (int64_t v = 0; v < e.n; ++v)
      if (!has[v]) a[v][v] += 1.0;
  }
  if (!normalize) return a;
  std::vector<double> dis(static_cast<size_t>(e.n));
  for (int64_t v = 0; v < e.n; ++v) {
    double deg = 0;
    for (double x : a[v]) deg += x;
    dis[v] = deg == 0 ? 0.0 : 1.0 / std::sqrt(deg);
  }
  for (int64_t v = 0; v < e.n; ++v)
    for (int64_t u = 0; u < e.n; ++u) a[v][u] *= dis[v] * dis[u];
  return a;
}

Mat gcn_reference(const Edges& e, const Tensor& x, GCNConv& conv) {
  const auto& o = conv.options();
  return linear_d(matmul_d(gcn_matrix(e, o.add_self_loops(), o.normalize()), to_mat(x)), conv.weight, conv.bias);
}

struct GcnCase {
  bool self_loops, normalize, weighted, bias;
  int64_t in, out;
};
void PrintTo(const GcnCase& c, std::ostream* os) {
  *os << "loops " << c.self_loops << " normalize " << c.normalize << " weighted " << c.weighted << " bias " << c.bias
      << " " << c.in << " -> " << c.out;
}

class GcnForward : public ::testing::TestWithParam<GcnCase> {};

TEST_P(GcnForward, MatchesDenseReference) {
  const GcnCase c = GetParam();
  const Edges e = random_edges(11, 40, 3, c.weighted);
  const graph::Graph g = e.graph();
  manual_seed(1);
  GCNConv conv(GCNConvOptions(c.in, c.out).add_self_loops(c.self_loops).normalize(c.normalize).bias(c.bias));
  conv.to(kFloat64);
  if (c.bias) nn::init::uniform_(conv.bias, -1, 1);  // zeros by default: make the bias visible
  const Tensor x = random_tensor({e.n, c.in}, 3);
  expect_close(conv.forward(g, x), gcn_reference(e, x, conv), 1e-12, "float64");
  // float32 through the same path (the graph's float32 coefficients are cached separately).
  conv.to(kFloat32);
  expect_close(conv.forward(g, x.to(kFloat32)), gcn_reference(e, x, conv), 1e-4, "float32");
}

std::vector<GcnCase> gcn_cases() {
  std::vector<GcnCase> cases;
  for (bool loops : {true, false})
    for (bool norm : {true, false})
      for (bool weighted : {false, true}) {
        cases.push_back({loops, norm, weighted, true, 6, 4});   // project first
        cases.push_back({loops, norm, weighted, false, 3, 7});  // aggregate first
      }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Options, GcnForward, ::testing::ValuesIn(gcn_cases()),
                         [](const ::testing::TestParamInfo<GcnCase>& info) {
                           const GcnCase& c = info.param;
                           return std::string(c.self_loops ? "loops" : "noloops") + (c.normalize ? "_sym" : "_sum") +
                                  (c.weighted ? "_weighted" : "") + (c.out <= c.in ? "_projfirst" : "_aggrfirst");
                         });

TEST(GcnConv, ParametersAndInit) {
  manual_seed(0);
  GCNConv conv(GCNConvOptions(20, 10));
  const auto named = conv.named_parameters();
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].first, "weight");
  EXPECT_EQ(named[1].first, "bias");
  EXPECT_EQ(conv.weight.shape(), (Shape{10, 20}));
  EXPECT_EQ(max_abs_diff(conv.bias, zeros({10})), 0.0);
  // Glorot: U(-b, b) with b = sqrt(6 / (in + out)), not all zero.
  const double bound = std::sqrt(6.0 / 30.0), spread = max_abs_diff(conv.weight, zeros({10, 20}));
  EXPECT_LE(spread, bound);
  EXPECT_GT(spread, bound / 2);
}

TEST(GcnConv, EmptyGraphGivesBiasOrSelfTerm) {
  // No edges: with self loops each node keeps its own projected row (deg 1); without, the output is the bias.
  Edges e;
  e.n = 5;
  manual_seed(2);
  GCNConv conv(GCNConvOptions(3, 2));
  conv.to(kFloat64);
  nn::init::uniform_(conv.bias, -1, 1);
  const Tensor x = random_tensor({5, 3}, 9);
  expect_close(conv.forward(e.graph(), x), linear_d(to_mat(x), conv.weight, conv.bias), 1e-12, "self loops");
  GCNConv bare(GCNConvOptions(3, 2).add_self_loops(false));
  bare.to(kFloat64);
  nn::init::uniform_(bare.bias, -1, 1);
  const Mat b = linear_d(Mat(5, std::vector<double>(3, 0.0)), bare.weight, bare.bias);
  expect_close(bare.forward(e.graph(), x), b, 1e-12, "no self loops");
}

TEST(GcnConv, Gradcheck) {
  for (bool norm : {true, false})
    for (bool weighted : {false, true})
      for (auto [in, out] : {std::pair<int64_t, int64_t>{5, 3}, {3, 5}}) {
        const Edges e = random_edges(21, 14, 2, weighted);
        const graph::Graph g = e.graph();
        manual_seed(3);
        GCNConv conv(GCNConvOptions(in, out).normalize(norm));
        conv.to(kFloat64);
        nn::init::uniform_(conv.bias, -1, 1);
        const Tensor x = requires_grad_input({e.n, in}, 5);
        EXPECT_TRUE(param_gradcheck([&] { return conv.forward(g, x); }, {x, conv.weight, conv.bias}))
            << "normalize " << norm << " weighted " << weighted << " in " << in << " out " << out;
      }
}

TEST(GcnConv, TrainsOnCsbm) {
  const data::NodeDataset ds = small_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(ds.edge_index, ds.num_nodes());
  manual_seed(4);
  GCNConv c1(GCNConvOptions(ds.num_features(), 16)), c2(GCNConvOptions(16, ds.num_classes));
  std::vector<Tensor> params = c1.parameters();
  for (const Tensor& p : c2.parameters()) params.push_back(p);
  const double acc = train_and_test(ds, params, [&](bool) { return c2.forward(g, relu(c1.forward(g, ds.x))); });
  EXPECT_GT(acc, chance(ds) + 0.3) << "test accuracy " << acc << ", chance " << chance(ds);
}

TEST(GcnConv, Errors) {
  const Edges e = random_edges(1, 8, 2, false);
  const graph::Graph g = e.graph();
  GCNConv conv(GCNConvOptions(4, 2));
  EXPECT_THAT([&] { conv.forward(g, zeros({8, 3})); },
              ThrowsMessage<ShapeError>(HasSubstr("GCNConv.forward: 'x' must be [N, 4] (in_features = 4), got [8, 3]")));
  EXPECT_THAT([&] { conv.forward(g, zeros({7, 4})); },
              ThrowsMessage<ShapeError>(HasSubstr("GCNConv.forward: 'x' has 7 rows but the graph has 8 nodes")));
  EXPECT_THAT([&] { conv.forward(g, zeros({8, 4}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("GCNConv.forward: 'x' is float64 but the layer's parameters are float32")));
  EXPECT_THAT([&] { conv.forward(g, zeros({8, 4}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr("GCNConv.forward: 'x' must be float32 or float64")));
  EXPECT_THAT([&] { conv.forward(g, Tensor()); },
              ThrowsMessage<ValueError>(HasSubstr("GCNConv.forward: 'x' is an undefined tensor")));
  EXPECT_THAT([&] { conv.forward(graph::Graph(), zeros({8, 4})); },
              ThrowsMessage<ValueError>(HasSubstr("GCNConv.forward: the graph is undefined")));
  EXPECT_THAT([] { GCNConv(GCNConvOptions(0, 2)); },
              ThrowsMessage<ValueError>(HasSubstr("GCNConv: in_features and out_features must be positive")));
}

TEST(GcnConv, CudaParity) {
  LOOM_REQUIRE_CUDA();
  const Edges e = random_edges(31, 300, 6, true);
  const graph::Graph g = e.graph().with_edge_weight(e.graph().edge_weight().to(kFloat32));
  for (auto [in, out] : {std::pair<int64_t, int64_t>{24, 8}, {8, 24}}) {
    manual_seed(5);
    GCNConv conv(GCNConvOptions(in, out));
    nn::init::uniform_(conv.bias, -1, 1);
    const Tensor x = random_tensor({e.n, in}, 6, -1, 1, kFloat32);
    const Tensor y_cpu = conv.forward(g, x);
    sum(mul(y_cpu, y_cpu)).backward();
    const Tensor gw_cpu = conv.weight.grad().clone();
    conv.zero_grad();
    conv.to(kCUDA);
    const graph::Graph gc = g.to(kCUDA);
    EXPECT_THAT([&] { conv.forward(g, x.to(kCUDA)); },
                ThrowsMessage<DeviceError>(HasSubstr("GCNConv.forward: 'x' is on cuda")));
    EXPECT_THAT([&] { conv.forward(gc, x); },
                ThrowsMessage<DeviceError>(HasSubstr("GCNConv.forward: 'x' is on cpu but the graph is on cuda")));
    const Tensor y = conv.forward(gc, x.to(kCUDA));
    sum(mul(y, y)).backward();
    EXPECT_TRUE(allclose(y.cpu(), y_cpu, 1e-4, 1e-5)) << max_abs_diff(y.cpu(), y_cpu);
    EXPECT_TRUE(allclose(conv.weight.grad().cpu(), gw_cpu, 1e-3, 1e-3)) << max_abs_diff(conv.weight.grad().cpu(), gw_cpu);
  }
}

}  // namespace
}  // namespace loom::testing
