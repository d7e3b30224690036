// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// SAGEConv: forward against a dense float64 reference for each aggregation and option, gradcheck, training,
// errors, CUDA parity.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "layers/classic_support.h"
#include "loom/core/random.h"
#include "loom/layers/sage_conv.h"

namespace loom::testing {
namespace {

using layers::SAGEConv;
using layers::SAGEConvOptions;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Neighbourhood aggregation over the in-edges (duplicates counted, weights ignored); rows without in-edges give 0.
Mat aggregate(const Edges& e, const Mat& x, const std::string& aggr) {
  const size_t f = x.at(0).size();
  const bool is_max = aggr == "max";
  Mat out(static_cast<size_t>(e.n),
          std::vector<double>(f, is_max ? -std::numeric_limits<double>::infinity() : 0.0));
  std::vector<int64_t> count(static_cast<size_t>(e.n), 0);
  for (size_t k = 0; k < e.src.size(); ++k) {
    ++count[e.dst[k]];
    for (size_t j = 0; j < f; ++j) {
      double& o = out[e.dst[k]][j];
      o = is_max ? std::max(o, x[e.src[k]][j]) : o + x[e.src[k]][j];
    }
  }
  for (int64_t v = 0; v < e.n; ++v)
    for (size_t j = 0; j < f; ++j) {
      if (count[v] == 0) out[v][j] = 0.0;
      else if (aggr == "mean") out[v][j] /= static_cast<double>(count[v]);
    }
  return out;
}

Mat sage_reference(const Edges& e, const Tensor& x, SAGEConv& conv) {
  const auto& o = conv.options();
  const Mat xm = to_mat(x);
  Mat out = linear_d(aggregate(e, xm, to_string(o.aggr())), conv.lin_l->weight, conv.lin_l->bias);
  if (o.root_weight()) out = add_d(out, linear_d(xm, conv.lin_r->weight));
  if (o.normalize()) {
    for (auto& row : out) {
      double n = 0;
      for (double v : row) n += v * v;
      n = std::max(std::sqrt(n), 1e-12);
      for (double& v : row) v /= n;
    }
  }
  return out;
}

struct SageCase {
  std::string aggr;
  bool root_weight, normalize, bias;
  int64_t in, out;
};
void PrintTo(const SageCase& c, std::ostream* os) {
  *os << c.aggr << " root " << c.root_weight << " normalize " << c.normalize << " bias " << c.bias << " " << c.in
      << " -> " << c.out;
}

class SageForward : public ::testing::TestWithParam<SageCase> {};

TEST_P(SageForward, MatchesDenseReference) {
  const SageCase c = GetParam();
  const Edges e = random_edges(12, 40, 3, /*weighted=*/true);  // weights must be ignored
  const graph::Graph g = e.graph();
  manual_seed(1);
  SAGEConv conv(SAGEConvOptions(c.in, c.out).aggr(parse_choice<Aggregation>(c.aggr)).root_weight(c.root_weight).normalize(c.normalize).bias(c.bias));
  conv.to(kFloat64);
  EXPECT_EQ(conv.lin_r != nullptr, c.root_weight);
  EXPECT_EQ(conv.lin_l->bias.defined(), c.bias);
  const Tensor x = random_tensor({e.n, c.in}, 3);
  expect_close(conv.forward(g, x), sage_reference(e, x, conv), 1e-12, "float64");
  conv.to(kFloat32);
  expect_close(conv.forward(g, x.to(kFloat32)), sage_reference(e, x, conv), 1e-4, "float32");
}

std::vector<SageCase> sage_cases() {
  std::vector<SageCase> cases;
  for (const char* aggr : {"mean", "sum", "max"})
    for (auto [in, out] : {std::pair<int64_t, int64_t>{7, 3}, {3, 5}, {4, 4}}) {  // out <= in projects first
      cases.push_back({aggr, true, false, true, in, out});
      cases.push_back({aggr, false, false, true, in, out});
      cases.push_back({aggr, true, true, false, in, out});
    }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Options, SageForward, ::testing::ValuesIn(sage_cases()),
                         [](const ::testing::TestParamInfo<SageCase>& info) {
                           const SageCase& c = info.param;
                           return c.aggr + (c.root_weight ? "_root" : "_noroot") + (c.normalize ? "_l2" : "") +
                                  (c.bias ? "_bias" : "_nobias") + (c.out < c.in    ? "_projfirst"
                                                                     : c.out == c.in ? "_square"
                                                                                     : "_aggrfirst");
                         });

TEST(SageConv, ParameterNames) {
  SAGEConv conv(SAGEConvOptions(6, 4));
  const auto named = conv.named_parameters();
  ASSERT_EQ(named.size(), 3u);
  EXPECT_EQ(named[0].first, "lin_l.weight");
  EXPECT_EQ(named[1].first, "lin_l.bias");
  EXPECT_EQ(named[2].first, "lin_r.weight");
}

TEST(SageConv, NormalizeKeepsZeroRowsZero) {
  // No edges, no root weight, no bias: every output row is zero and stays zero (not NaN) after normalisation.
  Edges e;
  e.n = 4;
  SAGEConv conv(SAGEConvOptions(3, 2).root_weight(false).bias(false).normalize(true));
  const Tensor y = conv.forward(e.graph(), random_tensor({4, 3}, 1, -1, 1, kFloat32));
  EXPECT_FALSE(has_nonfinite(y));
  EXPECT_EQ(max_abs_diff(y, zeros({4, 2})), 0.0);
}

TEST(SageConv, Gradcheck) {
  for (const char* aggr : {"mean", "sum", "max"})
    for (bool normalize : {false, true})
      for (auto [in, out] : {std::pair<int64_t, int64_t>{5, 3}, {3, 4}}) {
        const Edges e = random_edges(22, 14, 2, false);
        const graph::Graph g = e.graph();
        manual_seed(3);
        SAGEConv conv(SAGEConvOptions(in, out).aggr(parse_choice<Aggregation>(aggr)).normalize(normalize));
        conv.to(kFloat64);
        const Tensor x = requires_grad_input({e.n, in}, 5);
        EXPECT_TRUE(param_gradcheck([&] { return conv.forward(g, x); },
                                    {x, conv.lin_l->weight, conv.lin_l->bias, conv.lin_r->weight}))
            << aggr << " normalize " << normalize << " in " << in << " out " << out;
      }
}

TEST(SageConv, TrainsOnCsbm) {
  const data::NodeDataset ds = small_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(ds.edge_index, ds.num_nodes());
  for (const char* aggr : {"mean", "max"}) {
    manual_seed(4);
    SAGEConv c1(SAGEConvOptions(ds.num_features(), 16).aggr(parse_choice<Aggregation>(aggr))), c2(SAGEConvOptions(16, ds.num_classes).aggr(parse_choice<Aggregation>(aggr)));
    std::vector<Tensor> params = c1.parameters();
    for (const Tensor& p : c2.parameters()) params.push_back(p);
    const double acc = train_and_test(ds, params, [&](bool) { return c2.forward(g, relu(c1.forward(g, ds.x))); });
    EXPECT_GT(acc, chance(ds) + 0.3) << aggr << ": test accuracy " << acc << ", chance " << chance(ds);
  }
}

TEST(SageConv, Errors) {
  const Edges e = random_edges(1, 8, 2, false);
  const graph::Graph g = e.graph();
  SAGEConv conv(SAGEConvOptions(4, 2));
  EXPECT_THAT([] { SAGEConv(SAGEConvOptions(4, 2).aggr(Aggregation::kMin)); },
              ThrowsMessage<ValueError>(
                  HasSubstr("SAGEConv: aggregation 'min' is not supported (expected mean, max or sum)")));
  EXPECT_THAT([&] { conv.forward(g, zeros({8, 5})); },
              ThrowsMessage<ShapeError>(HasSubstr("SAGEConv.forward: 'x' must be [N, 4] (in_features = 4), got [8, 5]")));
  EXPECT_THAT([&] { conv.forward(g, zeros({8})); },
              ThrowsMessage<ShapeError>(HasSubstr("SAGEConv.forward: 'x' must be [N, 4]")));
  EXPECT_THAT([&] { conv.forward(g, zeros({9, 4})); },
              ThrowsMessage<ShapeError>(HasSubstr("SAGEConv.forward: 'x' has 9 rows but the graph has 8 nodes")));
  EXPECT_THAT([&] { conv.forward(g, zeros({8, 4}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("SAGEConv.forward: 'x' is float64 but the layer's parameters are float32")));
}

TEST(SageConv, CudaParity) {
  LOOM_REQUIRE_CUDA();
  const Edges e = random_edges(32, 300, 6, false);
  const graph::Graph g = e.graph();
  for (const char* aggr : {"mean", "sum", "max"})
    for (auto [in, out] : {std::pair<int64_t, int64_t>{24, 8}, {8, 24}}) {
      manual_seed(5);
      SAGEConv conv(SAGEConvOptions(in, out).aggr(parse_choice<Aggregation>(aggr)).normalize(true));
      const Tensor x = random_tensor({e.n, in}, 6, -1, 1, kFloat32);
      const Tensor y_cpu = conv.forward(g, x);
      sum(mul(y_cpu, random_tensor(y_cpu.shape(), 7, -1, 1, kFloat32))).backward();
      const Tensor gw_cpu = conv.lin_l->weight.grad().clone();
      conv.zero_grad();
      conv.to(kCUDA);
      EXPECT_THAT([&] { conv.forward(g.to(kCUDA), x); },
                  ThrowsMessage<DeviceError>(HasSubstr("SAGEConv.forward: 'x' is on cpu but the graph is on cuda")));
      const Tensor y = conv.forward(g.to(kCUDA), x.to(kCUDA));
      sum(mul(y, random_tensor(y.shape(), 7, -1, 1, kFloat32, kCUDA))).backward();
      EXPECT_TRUE(allclose(y.cpu(), y_cpu, 1e-4, 1e-5)) << aggr << " " << max_abs_diff(y.cpu(), y_cpu);
      EXPECT_TRUE(allclose(conv.lin_l->weight.grad().cpu(), gw_cpu, 1e-3, 1e-3))
          << aggr << " " << max_abs_diff(conv.lin_l->weight.grad().cpu(), gw_cpu);
    }
}

}  // namespace
}  // namespace loom::testing
