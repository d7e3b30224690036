// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// SINCConv against a dense float64 reference of the method note's equations (every message / context aggregator
// and activation) on a small directed random graph with isolated nodes, self loops and duplicate edges; a
// central-difference gradcheck of the input and every parameter; context = false is SIR-GCN; options and input
// errors; dropout only while training; CPU against CUDA.
#include <gmock/gmock.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "loom/core/random.h"
#include "loom/graph/graph.h"
#include "loom/layers/sinc_conv.h"
#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using layers::SINCConv;
using layers::SINCConvOptions;
using testing::host;
using testing::random_tensor;

constexpr int64_t kN = 24, kIn = 3, kHidden = 5, kOut = 2;

struct TestGraph {
  graph::Graph g;
  std::vector<int64_t> src, dst;  // the edges as given (duplicates, loops)
};

// Directed (so in- and out-degrees differ), with isolated nodes, empty rows, self loops, duplicates and a hub.
TestGraph make_graph(Device device = kCPU) {
  const testing::RandomGraph rg = testing::random_graph(7, kN, kN, 3);
  TestGraph t;
  t.src = rg.src.to_vector<int64_t>();
  t.dst = rg.dst.to_vector<int64_t>();
  const Tensor ei = concat({rg.src.view({1, rg.num_edges()}), rg.dst.view({1, rg.num_edges()})}, 0);
  t.g = graph::Graph::from_edge_index(ei.to(device), kN);
  return t;
}

// Row-major copy of a [rows, cols] parameter.
double act(const std::string& a, double z) {
  if (a == "relu") return std::max(z, 0.0);
  if (a == "leaky_relu") return z > 0 ? z : 0.2 * z;
  if (a == "sigmoid") return 1 / (1 + std::exp(-z));
  return std::tanh(z);
}

// The note's equations with explicit loops: q_u = W_Q x_u + b_Q, k_v = W_K x_v, c_u = W_N ctx_{v in N(u)} x_v,
// out_u = W_R msg_{v in N(u)} coef act(q_u + k_v + c_u) + b_R, N(u) the multiset of u's in-neighbours.
Tensor reference(SINCConv& m, const TestGraph& t, const Tensor& x) {
  const auto& o = m.options();
  const auto xs = host(x), wq = host(m.lin_query->weight), bq = host(m.lin_query->bias), wk = host(m.lin_key->weight),
             wr = host(m.lin_out->weight), br = host(m.lin_out->bias);
  const auto wn = o.context() ? host(m.lin_context->weight) : std::vector<double>();
  const int64_t E = static_cast<int64_t>(t.src.size()), H = o.hidden_features(), Fi = o.in_features(),
                Fo = o.out_features();
  std::vector<double> din(kN, 0), dout(kN, 0);
  for (int64_t e = 0; e < E; ++e) din[t.dst[e]] += 1, dout[t.src[e]] += 1;
  auto sym = [&](int64_t e) { return 1 / std::sqrt(std::max(1.0, dout[t.src[e]]) * std::max(1.0, din[t.dst[e]])); };
  auto lin = [&](const std::vector<double>& w, const double* in, int64_t rows, int64_t cols, int64_t r) {
    double s = 0;
    for (int64_t c = 0; c < cols; ++c) s += w[r * cols + c] * in[c];
    return s;
  };
  std::vector<double> out(static_cast<size_t>(kN * Fo));
  for (int64_t u = 0; u < kN; ++u) {
    // context aggregate of the raw inputs
    std::vector<double> agg(Fi, 0.0);
    int64_t deg = 0;
    for (int64_t e = 0; e < E; ++e) {
      if (t.dst[e] != u) continue;
      for (int64_t f = 0; f < Fi; ++f) {
        const double xv = xs[t.src[e] * Fi + f];
        if (to_string(o.context_aggr()) == "max") agg[f] = deg == 0 ? xv : std::max(agg[f], xv);
        else agg[f] += (to_string(o.context_aggr()) == "sym" ? sym(e) : 1.0) * xv;
      }
      ++deg;
    }
    if (to_string(o.context_aggr()) == "mean" && deg > 0)
      for (double& a : agg) a /= static_cast<double>(deg);
    std::vector<double> h(H, 0.0);
    for (int64_t e = 0; e < E; ++e) {
      if (t.dst[e] != u) continue;
      const int64_t v = t.src[e];
      for (int64_t j = 0; j < H; ++j) {
        double z = lin(wq, &xs[u * Fi], H, Fi, j) + bq[j] + lin(wk, &xs[v * Fi], H, Fi, j);
        if (o.context()) z += lin(wn, agg.data(), H, Fi, j);
        h[j] += (to_string(o.aggr()) == "sym" ? sym(e) : 1.0) * act(to_string(o.activation()), z);
      }
    }
    if (to_string(o.aggr()) == "mean" && deg > 0)
      for (double& a : h) a /= static_cast<double>(deg);
    for (int64_t i = 0; i < Fo; ++i) out[u * Fo + i] = lin(wr, h.data(), Fo, H, i) + br[i];
  }
  return from_vector<double>(out, {kN, Fo});
}

std::shared_ptr<SINCConv> make_layer(const SINCConvOptions& o, uint64_t seed = 3) {
  manual_seed(seed);
  auto m = std::make_shared<SINCConv>(o);
  m->to(kFloat64);
  return m;
}

TEST(SINCConv, MatchesTheDenseReferenceForEveryAggregatorAndActivation) {
  const TestGraph t = make_graph();
  const Tensor x = random_tensor({kN, kIn}, 1, -1, 1);
  for (const char* aggr : {"sum", "mean", "sym"}) {
    for (const char* ctx : {"sum", "mean", "max", "sym"}) {
      for (const char* a : {"relu", "leaky_relu", "sigmoid", "tanh"}) {
        auto m = make_layer(SINCConvOptions(kIn, kHidden, kOut).aggr(parse_choice<Aggregation>(aggr)).context_aggr(parse_choice<Aggregation>(ctx)).activation(parse_choice<Activation>(a)));
        const Tensor out = m->forward(t.g, x);
        ASSERT_EQ(out.shape(), (Shape{kN, kOut}));
        EXPECT_LT(max_abs_diff(out, reference(*m, t, x)), 1e-12) << aggr << "/" << ctx << "/" << a;
      }
    }
  }
}

// SIR-GCN: out_u = W_R sum_v act(W_Q x_u + b_Q + W_K x_v) + b_R, no context weights at all.
TEST(SINCConv, WithoutContextIsSirGcn) {
  const TestGraph t = make_graph();
  const Tensor x = random_tensor({kN, kIn}, 2, -1, 1);
  auto m = make_layer(SINCConvOptions(kIn, kHidden, kOut).context(false));
  EXPECT_EQ(m->lin_context, nullptr);
  EXPECT_EQ(m->num_parameters(), kHidden * kIn + kHidden + kHidden * kIn + kOut * kHidden + kOut);
  const Tensor out = m->forward(t.g, x);
  EXPECT_LT(max_abs_diff(out, reference(*m, t, x)), 1e-12);
  // And the context really changes the output of an otherwise identical layer.
  auto with = make_layer(SINCConvOptions(kIn, kHidden, kOut));
  EXPECT_EQ(with->num_parameters(), m->num_parameters() + kHidden * kIn);
  with->lin_query->weight.copy_(m->lin_query->weight);
  with->lin_query->bias.copy_(m->lin_query->bias);
  with->lin_key->weight.copy_(m->lin_key->weight);
  with->lin_out->weight.copy_(m->lin_out->weight);
  with->lin_out->bias.copy_(m->lin_out->bias);
  EXPECT_GT(max_abs_diff(with->forward(t.g, x), out), 1e-3);
  with->lin_context->weight.fill_(0.0);
  EXPECT_LT(max_abs_diff(with->forward(t.g, x), out), 1e-12);
}

// The paper's synthetic model has 352 parameters: SINC 1 -> 16 -> 16 (16+16 + 16 + 16 + 256+16) + Linear(16, 1).
TEST(SINCConv, ParameterCountOfThePapersModel) {
  SINCConv m(SINCConvOptions(1, 16, 16));
  EXPECT_EQ(m.num_parameters() + 16, 352);
}

// Central differences of sum(out * r) against autograd, for x and every parameter (float64): support/gradcheck.h.
::testing::AssertionResult check_all_gradients(SINCConv& m, const graph::Graph& g, const Tensor& x0) {
  const Tensor x = x0.clone().detach().set_requires_grad(true);
  return testing::module_gradcheck(m, [&] { return m.forward(g, x); }, {{"x", x}});
}

TEST(SINCConv, GradcheckInputAndParameters) {
  const TestGraph t = make_graph();
  const Tensor x = random_tensor({kN, kIn}, 4, -1, 1);
  for (const char* aggr : {"sum", "mean", "sym"}) {
    for (const char* ctx : {"sum", "max", "sym"}) {
      for (const char* a : {"tanh", "leaky_relu"}) {
        auto m = make_layer(SINCConvOptions(kIn, kHidden, kOut).aggr(parse_choice<Aggregation>(aggr)).context_aggr(parse_choice<Aggregation>(ctx)).activation(parse_choice<Activation>(a)));
        EXPECT_TRUE(check_all_gradients(*m, t.g, x)) << aggr << "/" << ctx << "/" << a;
      }
    }
  }
  auto sir = make_layer(SINCConvOptions(kIn, kHidden, kOut).context(false).activation(Activation::kSigmoid));
  EXPECT_TRUE(check_all_gradients(*sir, t.g, x)) << "SIR-GCN";
}

TEST(SINCConv, DropoutOnlyWhileTraining) {
  const TestGraph t = make_graph();
  const Tensor x = random_tensor({kN, kIn}, 5, -1, 1);
  auto m = make_layer(SINCConvOptions(kIn, kHidden, kOut).dropout(0.5));
  m->eval();
  EXPECT_LT(max_abs_diff(m->forward(t.g, x), reference(*m, t, x)), 1e-12);
  m->train();
  EXPECT_GT(max_abs_diff(m->forward(t.g, x), reference(*m, t, x)), 1e-6);
}

TEST(SINCConv, ErrorsNameTheProblem) {
  EXPECT_THAT([] { SINCConv(SINCConvOptions(2, 4, 1).aggr(Aggregation::kMax)); },
              ThrowsMessage<ValueError>(
                  HasSubstr("SINCConv: aggregation 'max' is not supported (expected sum, mean or sym)")));
  EXPECT_THAT([] { SINCConv(SINCConvOptions(2, 4, 1).context_aggr(Aggregation::kMin)); },
              ThrowsMessage<ValueError>(HasSubstr(
                  "SINCConv (context): aggregation 'min' is not supported (expected sum, mean, max or sym)")));
  EXPECT_THAT([] { SINCConv(SINCConvOptions(2, 4, 1).activation(Activation::kGelu)); },
              ThrowsMessage<ValueError>(HasSubstr(
                  "SINCConv: activation 'gelu' is not supported (expected relu, leaky_relu, sigmoid or tanh)")));
  EXPECT_THAT([] { SINCConv(SINCConvOptions(2, 0, 1)); }, ThrowsMessage<ValueError>(HasSubstr("must be > 0")));
  EXPECT_THAT([] { SINCConv(SINCConvOptions(2, 4, 1).dropout(1.0)); },
              ThrowsMessage<ValueError>(HasSubstr("'dropout' must be in [0, 1)")));
  const TestGraph t = make_graph();
  SINCConv m(SINCConvOptions(kIn, kHidden, kOut));
  EXPECT_THAT([&] { m.forward(t.g, ones({kN, kIn + 1})); },
              ThrowsMessage<ShapeError>(HasSubstr("'x' must be [N, 3] (in_features = 3), got [24, 4]")));
  EXPECT_THAT([&] { m.forward(t.g, ones({kN + 1, kIn})); }, ThrowsMessage<ShapeError>(HasSubstr("'x' has 25 rows but the graph has 24 nodes")));
  EXPECT_THAT([&] { m.forward(t.g, ones({kN, kIn}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr("'x' must be float32 or float64")));
  EXPECT_THAT([&] { m.forward(graph::Graph(), ones({kN, kIn})); },
              ThrowsMessage<ValueError>(HasSubstr("graph is undefined")));
  EXPECT_THAT([&] { m.forward(t.g, ones({kN, kIn}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("'x' is float64 but the layer's parameters are float32")));
}

TEST(SINCConv, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  const TestGraph t = make_graph();
  const graph::Graph gd = t.g.to(kCUDA);
  for (const char* aggr : {"sum", "mean", "sym"}) {
    for (const char* ctx : {"sum", "mean", "max", "sym"}) {
      manual_seed(11);
      auto cpu = std::make_shared<SINCConv>(SINCConvOptions(kIn, kHidden, kOut).aggr(parse_choice<Aggregation>(aggr)).context_aggr(parse_choice<Aggregation>(ctx)));
      auto gpu = std::make_shared<SINCConv>(SINCConvOptions(kIn, kHidden, kOut).aggr(parse_choice<Aggregation>(aggr)).context_aggr(parse_choice<Aggregation>(ctx)));
      gpu->load_state_dict(cpu->state_dict());
      gpu->to(kCUDA);
      Tensor xc = random_tensor({kN, kIn}, 6, -1, 1, kFloat32).set_requires_grad(true);
      Tensor xg = xc.detach().cuda().set_requires_grad(true);
      Tensor oc = cpu->forward(t.g, xc), og = gpu->forward(gd, xg);
      EXPECT_TRUE(allclose(og.cpu(), oc, 1e-4, 1e-5)) << aggr << "/" << ctx;
      const Tensor r = random_tensor({kN, kOut}, 7, -1, 1, kFloat32);
      sum(mul(oc, r)).backward();
      sum(mul(og, r.cuda())).backward();
      EXPECT_TRUE(allclose(xg.grad().cpu(), xc.grad(), 1e-4, 1e-5)) << "dx " << aggr << "/" << ctx;
      const auto pc = cpu->named_parameters(), pg = gpu->named_parameters();
      for (size_t i = 0; i < pc.size(); ++i) {
        EXPECT_TRUE(allclose(pg[i].second.grad().cpu(), pc[i].second.grad(), 1e-4, 1e-5))
            << pc[i].first << " " << aggr << "/" << ctx;
      }
    }
  }
}

}  // namespace
}  // namespace loom
