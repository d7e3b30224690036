// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// SoftHGNN: forward against a naive float64 reference (explicit loops per sample, per head, per hyperedge), basic
// and sparse-selection (SeS) variants with both load-balancing terms; gradcheck; [N, D] = [1, N, D]; dropout;
// errors; CPU/CUDA parity; a synthetic token-set task that the block learns and a pooled model without it cannot.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

#include "layers/classic_support.h"
#include "loom/core/autograd.h"
#include "loom/core/nn.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/layers/soft_hgnn.h"
#include "support/parity.h"

namespace loom::testing {
namespace {

using layers::LoadBalance;
using layers::SoftHGNN;
using Options = layers::SoftHGNNOptions;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

double gelu_d(double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); }

struct Reference {
  std::vector<double> out;   // [B, N, D]
  std::vector<double> a;     // [B, N, M]
  std::vector<int64_t> sel;  // [B, M]
  double load_balance = 0;
};

// The header's formula, one sample at a time, heads split explicitly: x is [B, N, D] row-major.
Reference reference(const SoftHGNN& layer, const std::vector<double>& x, int64_t B, int64_t N) {
  const Options& o = layer.options();
  const int64_t D = o.dim(), H = o.heads(), dh = D / H, Md = o.num_hyperedges(), M = Md + o.num_fixed();
  const int64_t k = o.top_k();
  const auto p0 = host(layer.prototypes), wp = host(layer.proj_weight), bp = host(layer.proj_bias);
  const auto we = host(layer.edge_weight), be = host(layer.edge_bias);
  const auto wv = host(layer.vertex_weight), bv = host(layer.vertex_bias);
  std::vector<double> wc, bc;
  if (o.context()) wc = host(layer.context_weight), bc = host(layer.context_bias);
  auto X = [&](int64_t b, int64_t n, int64_t j) { return x[static_cast<size_t>((b * N + n) * D + j)]; };
  Reference r;
  r.out.resize(static_cast<size_t>(B * N * D));
  r.a.resize(static_cast<size_t>(B * N * M));
  r.sel.assign(static_cast<size_t>(B * M), 1);
  std::vector<double> selection_rate(static_cast<size_t>(Md), 0.0), soft_share(static_cast<size_t>(Md), 0.0);
  for (int64_t b = 0; b < B; ++b) {
    // Context [mean; max] and prototypes.
    std::vector<double> c(static_cast<size_t>(2 * D));
    for (int64_t j = 0; j < D; ++j) {
      double s = 0, mx = -INFINITY;
      for (int64_t n = 0; n < N; ++n) s += X(b, n, j), mx = std::max(mx, X(b, n, j));
      c[j] = s / static_cast<double>(N);
      c[D + j] = mx;
    }
    std::vector<std::vector<double>> P(static_cast<size_t>(M), std::vector<double>(static_cast<size_t>(D)));
    for (int64_t m = 0; m < M; ++m)
      for (int64_t j = 0; j < D; ++j) {
        double v = p0[m * D + j];
        if (o.context()) {
          const int64_t row = m * D + j;
          v += bc[row];
          for (int64_t i = 0; i < 2 * D; ++i) v += wc[row * 2 * D + i] * c[i];
        }
        P[m][j] = v;
      }
    // Z = X W_p^T + b_p; L = mean over heads of Z_h P_h^T / sqrt(d).
    std::vector<std::vector<double>> Z(static_cast<size_t>(N), std::vector<double>(static_cast<size_t>(D)));
    for (int64_t n = 0; n < N; ++n)
      for (int64_t j = 0; j < D; ++j) {
        double v = bp[j];
        for (int64_t i = 0; i < D; ++i) v += wp[j * D + i] * X(b, n, i);
        Z[n][j] = v;
      }
    std::vector<std::vector<double>> L(static_cast<size_t>(N), std::vector<double>(static_cast<size_t>(M), 0.0));
    for (int64_t n = 0; n < N; ++n)
      for (int64_t m = 0; m < M; ++m) {
        for (int64_t h = 0; h < H; ++h) {
          double s = 0;
          for (int64_t t = 0; t < dh; ++t) s += Z[n][h * dh + t] * P[m][h * dh + t];
          L[n][m] += s / std::sqrt(static_cast<double>(dh)) / static_cast<double>(H);
        }
      }
    // SeS: column scores, top-k of the dynamic ones (ties: lower id), fixed ones kept.
    std::vector<double> keep(static_cast<size_t>(M), 1.0);
    if (k > 0) {
      std::vector<double> score(static_cast<size_t>(Md), 0.0);
      for (int64_t m = 0; m < Md; ++m)
        for (int64_t n = 0; n < N; ++n) score[m] += L[n][m];
      std::vector<int64_t> order(static_cast<size_t>(Md));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t u, int64_t v) { return score[u] > score[v]; });
      for (int64_t m = 0; m < Md; ++m) keep[m] = 0.0;
      for (int64_t i = 0; i < k; ++i) keep[order[i]] = 1.0;
      double top = -INFINITY, z = 0;
      for (double s : score) top = std::max(top, s);
      for (double s : score) z += std::exp(s - top);
      for (int64_t m = 0; m < Md; ++m) {
        selection_rate[m] += keep[m] / static_cast<double>(B);
        soft_share[m] += std::exp(score[m] - top) / z / static_cast<double>(B);
        r.sel[b * M + m] = keep[m] != 0.0;
      }
    }
    // A: softmax over tokens per column, masked.
    std::vector<std::vector<double>> A(static_cast<size_t>(N), std::vector<double>(static_cast<size_t>(M)));
    for (int64_t m = 0; m < M; ++m) {
      double top = -INFINITY, z = 0;
      for (int64_t n = 0; n < N; ++n) top = std::max(top, L[n][m]);
      for (int64_t n = 0; n < N; ++n) z += std::exp(L[n][m] - top);
      for (int64_t n = 0; n < N; ++n) {
        A[n][m] = std::exp(L[n][m] - top) / z * keep[m];
        r.a[static_cast<size_t>((b * N + n) * M + m)] = A[n][m];
      }
    }
    // E = GELU((A^T X) W_e^T + b_e); Y = GELU((A E) W_v^T + b_v); out = X + Y.
    std::vector<std::vector<double>> E(static_cast<size_t>(M), std::vector<double>(static_cast<size_t>(D)));
    for (int64_t m = 0; m < M; ++m) {
      std::vector<double> agg(static_cast<size_t>(D), 0.0);
      for (int64_t n = 0; n < N; ++n)
        for (int64_t j = 0; j < D; ++j) agg[j] += A[n][m] * X(b, n, j);
      for (int64_t j = 0; j < D; ++j) {
        double v = be[j];
        for (int64_t i = 0; i < D; ++i) v += we[j * D + i] * agg[i];
        E[m][j] = gelu_d(v);
      }
    }
    for (int64_t n = 0; n < N; ++n) {
      std::vector<double> agg(static_cast<size_t>(D), 0.0);
      for (int64_t m = 0; m < M; ++m)
        for (int64_t j = 0; j < D; ++j) agg[j] += A[n][m] * E[m][j];
      for (int64_t j = 0; j < D; ++j) {
        double v = bv[j];
        for (int64_t i = 0; i < D; ++i) v += wv[j * D + i] * agg[i];
        r.out[static_cast<size_t>((b * N + n) * D + j)] = X(b, n, j) + gelu_d(v);
      }
    }
  }
  if (k > 0) {
    const double target = static_cast<double>(k) / static_cast<double>(Md);
    for (int64_t m = 0; m < Md; ++m) {
      const double f = o.load_balance() == LoadBalance::kSelection ? selection_rate[m] : k * soft_share[m];
      r.load_balance += (f - target) * (f - target) / static_cast<double>(Md);
    }
  }
  return r;
}

double worst(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double w = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) w = std::max(w, std::abs(a[i] - b[i]));
  return w;
}

// Random biases (Linear init already is random; this also widens the prototypes so softmaxes are not flat).
void randomize(SoftHGNN& layer, uint32_t seed) {
  manual_seed(seed);
  nn::init::uniform_(layer.prototypes, -1.5, 1.5);
  nn::init::uniform_(layer.proj_bias, -0.5, 0.5);
  nn::init::uniform_(layer.edge_bias, -0.5, 0.5);
  nn::init::uniform_(layer.vertex_bias, -0.5, 0.5);
}

void check_against_reference(const Options& o, int64_t B, int64_t N, uint32_t seed) {
  SCOPED_TRACE("heads " + std::to_string(o.heads()) + " M " + std::to_string(o.num_hyperedges()) + " fixed " +
               std::to_string(o.num_fixed()) + " k " + std::to_string(o.top_k()) + " context " +
               std::to_string(o.context()) + " B " + std::to_string(B));
  manual_seed(seed);
  SoftHGNN layer(o);
  layer.to(kFloat64);
  randomize(layer, seed + 1);
  layer.eval();
  const Tensor x = random_tensor({B, N, o.dim()}, seed + 2, -2, 2);
  const Reference want = reference(layer, host(x), B, N);
  const layers::SoftHGNNOutput got = layer.forward_with_details(x);
  const int64_t M = o.num_hyperedges() + o.num_fixed();
  ASSERT_EQ(got.x.shape(), (Shape{B, N, o.dim()}));
  ASSERT_EQ(got.participation.shape(), (Shape{B, N, M}));
  ASSERT_EQ(got.selected.shape(), (Shape{B, M}));
  ASSERT_EQ(got.selected.dtype(), kInt64);
  EXPECT_EQ(got.load_balance.dim(), 0);
  EXPECT_LE(worst(host(got.x), want.out), 1e-12);
  EXPECT_LE(worst(host(got.participation), want.a), 1e-12);
  EXPECT_EQ(got.selected.to_vector<int64_t>(), want.sel);
  EXPECT_NEAR(got.load_balance.item_double(), want.load_balance, 1e-12);
  // float32 follows within rounding (basic layer only: a float32 top-k may break a near-tie differently).
  if (o.top_k() == 0) {
    layer.to(kFloat32);
    EXPECT_LE(worst(host(layer.forward(x.to(kFloat32))), want.out), 2e-4);
  }
}

TEST(SoftHGNN, BasicMatchesNaiveReference) {
  int cases = 0;
  for (int64_t heads : {1, 2, 4})
    for (bool context : {true, false})
      for (int64_t B : {1, 3}) {
        check_against_reference(Options(8).num_hyperedges(5).heads(heads).context(context), B, 7, 10 + cases);
        ++cases;
      }
  // Fixed hyperedges without top-k: all M_total columns kept.
  check_against_reference(Options(6).num_hyperedges(3).num_fixed(2).heads(3), 2, 5, 99);
  EXPECT_EQ(cases, 12);
}

TEST(SoftHGNN, SparseSelectionMatchesNaiveReference) {
  int cases = 0;
  for (LoadBalance lb : {LoadBalance::kSelection, LoadBalance::kSoftMass})
    for (int64_t fixed : {0, 2})
      for (int64_t k : {1, 3, 6}) {
        check_against_reference(Options(8).num_hyperedges(6).num_fixed(fixed).top_k(k).heads(2).load_balance(lb),
                                5, 9, 40 + cases);
        ++cases;
      }
  EXPECT_EQ(cases, 12);
}

// The selection must actually vary between samples and drop columns, or the reference comparison proves little.
TEST(SoftHGNN, SelectionDropsColumnsAndDiffersAcrossSamples) {
  manual_seed(5);
  SoftHGNN layer(Options(8).num_hyperedges(6).num_fixed(2).top_k(2).heads(2));
  layer.to(kFloat64);
  randomize(layer, 6);
  const Tensor x = random_tensor({16, 9, 8}, 7, -2, 2);
  const auto out = layer.forward_with_details(x);
  const auto sel = out.selected.to_vector<int64_t>();
  const auto a = host(out.participation);
  bool differs = false;
  for (int64_t b = 0; b < 16; ++b) {
    int64_t kept_dyn = 0;
    for (int64_t m = 0; m < 8; ++m) {
      if (m < 6) kept_dyn += sel[b * 8 + m];
      if (m >= 6) {
        EXPECT_EQ(sel[b * 8 + m], 1) << "fixed hyperedges are always kept";
      }
      double col = 0;
      for (int64_t n = 0; n < 9; ++n) col += a[static_cast<size_t>((b * 9 + n) * 8 + m)];
      EXPECT_NEAR(col, sel[b * 8 + m] ? 1.0 : 0.0, 1e-12) << "column sums: softmax over tokens, or dropped";
      if (b > 0 && sel[b * 8 + m] != sel[m]) differs = true;
    }
    EXPECT_EQ(kept_dyn, 2);
  }
  EXPECT_TRUE(differs);
  // kSelection: the mask is hard, so the term has no gradient; kSoftMass has one.
  EXPECT_FALSE(out.load_balance.requires_grad());
  EXPECT_GT(out.load_balance.item_double(), 0.0);
  SoftHGNN soft(Options(8).num_hyperedges(6).top_k(2).heads(2).load_balance(LoadBalance::kSoftMass));
  soft.to(kFloat64);
  EXPECT_TRUE(soft.forward_with_details(x).load_balance.requires_grad());
  // The basic layer: every hyperedge kept, a zero term.
  SoftHGNN basic(Options(8).num_hyperedges(4).heads(2));
  basic.to(kFloat64);
  const auto b = basic.forward_with_details(x);
  EXPECT_EQ(b.selected.to_vector<int64_t>(), std::vector<int64_t>(16 * 4, 1));
  EXPECT_EQ(b.load_balance.item_double(), 0.0);
}

// Equal scores: the lower hyperedge ids are kept (zero prototypes without context make every logit exactly 0).
TEST(SoftHGNN, TiedScoresKeepLowerIds) {
  manual_seed(1);
  SoftHGNN layer(Options(4).num_hyperedges(5).num_fixed(1).top_k(2).heads(2).context(false));
  layer.prototypes.fill_(0.0);
  const auto out = layer.forward_with_details(random_tensor({3, 6, 4}, 2, -1, 1, kFloat32));
  EXPECT_EQ(out.selected.to_vector<int64_t>(),
            (std::vector<int64_t>{1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1}));
  EXPECT_NEAR(out.load_balance.item_double(), (2 * 0.36 + 3 * 0.16) / 5, 1e-6);  // f = (1, 1, 0, 0, 0), k/M = 0.4
}

TEST(SoftHGNN, ParametersNamesShapesAndInit) {
  manual_seed(0);
  SoftHGNN layer(Options(12).num_hyperedges(5).num_fixed(3).top_k(2).heads(4));
  const auto named = layer.named_parameters();
  const std::vector<std::pair<std::string, Shape>> want{
      {"prototypes", {8, 12}},    {"context_weight", {96, 24}}, {"context_bias", {96}},
      {"proj_weight", {12, 12}},  {"proj_bias", {12}},          {"edge_weight", {12, 12}},
      {"edge_bias", {12}},        {"vertex_weight", {12, 12}},  {"vertex_bias", {12}}};
  ASSERT_EQ(named.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(named[i].first, want[i].first);
    EXPECT_EQ(named[i].second.shape(), want[i].second) << want[i].first;
  }
  EXPECT_EQ(layer.name(), "SoftHGNN");
  // Xavier-uniform prototypes: |p| <= sqrt(6 / (8 + 12)); Linear init: |w| <= 1 / sqrt(fan_in), not all zero.
  auto max_abs = [](const Tensor& t) {
    double m = 0;
    for (double v : host(t)) m = std::max(m, std::abs(v));
    return m;
  };
  EXPECT_LE(max_abs(layer.prototypes), std::sqrt(6.0 / 20.0));
  EXPECT_GT(max_abs(layer.prototypes), 0.5 * std::sqrt(6.0 / 20.0));
  EXPECT_LE(max_abs(layer.context_weight), 1.0 / std::sqrt(24.0));
  EXPECT_LE(max_abs(layer.context_bias), 1.0 / std::sqrt(24.0));
  EXPECT_GT(max_abs(layer.context_bias), 0.5 / std::sqrt(24.0));
  for (const Tensor& t : {layer.proj_weight, layer.proj_bias, layer.edge_weight, layer.vertex_bias}) {
    EXPECT_LE(max_abs(t), 1.0 / std::sqrt(12.0));
    EXPECT_GT(max_abs(t), 0.5 / std::sqrt(12.0));
  }
  SoftHGNN plain(Options(4).num_hyperedges(2).heads(2).context(false));
  EXPECT_EQ(plain.parameters().size(), 7u);
  EXPECT_FALSE(plain.context_weight.defined());
}

TEST(SoftHGNN, GradcheckBasic) {
  for (bool context : {true, false}) {
    manual_seed(3);
    SoftHGNN layer(Options(4).num_hyperedges(3).heads(2).context(context).dropout(0.0));
    layer.to(kFloat64);
    randomize(layer, 4);
    Tensor x = random_tensor({2, 5, 4}, 5, -1.5, 1.5);
    x.set_requires_grad(true);
    std::vector<Tensor> params{x};
    for (const Tensor& p : layer.parameters()) params.push_back(p);
    EXPECT_TRUE(param_gradcheck([&] { return layer.forward(x); }, params)) << "context " << context;
  }
}

// SeS with the differentiable load-balancing term: the output and the term together (the mask is constant under
// the small perturbations: no score is near a tie for these inputs).
TEST(SoftHGNN, GradcheckSparseSelectionWithSoftMass) {
  manual_seed(8);
  SoftHGNN layer(
      Options(4).num_hyperedges(4).num_fixed(1).top_k(2).heads(2).dropout(0.0).load_balance(LoadBalance::kSoftMass));
  layer.to(kFloat64);
  randomize(layer, 9);
  Tensor x = random_tensor({3, 5, 4}, 10, -1.5, 1.5);
  x.set_requires_grad(true);
  std::vector<Tensor> params{x};
  for (const Tensor& p : layer.parameters()) params.push_back(p);
  auto f = [&] {
    const auto out = layer.forward_with_details(x);
    return concat({out.x.view({-1}), mul_scalar(out.load_balance, 10.0).view({1})}, 0);
  };
  EXPECT_TRUE(param_gradcheck(f, params));
  // The term alone reaches the parameters that shape the scores.
  layer.zero_grad();
  layer.forward_with_details(x).load_balance.backward();
  EXPECT_TRUE(layer.proj_weight.grad().defined());
  EXPECT_GT(max_abs_diff(layer.proj_weight.grad(), zeros_like(layer.proj_weight)), 0.0);
}

TEST(SoftHGNN, UnbatchedInputIsOneSample) {
  manual_seed(2);
  SoftHGNN layer(Options(6).num_hyperedges(4).num_fixed(1).top_k(2).heads(3));
  layer.to(kFloat64);
  randomize(layer, 3);
  layer.eval();
  const Tensor x = random_tensor({11, 6}, 4);
  const auto flat = layer.forward_with_details(x);
  const auto batched = layer.forward_with_details(x.view({1, 11, 6}));
  EXPECT_EQ(flat.x.shape(), (Shape{11, 6}));
  EXPECT_EQ(flat.participation.shape(), (Shape{11, 5}));
  EXPECT_EQ(flat.selected.shape(), (Shape{1, 5}));
  EXPECT_EQ(max_abs_diff(flat.x, batched.x.view({11, 6})), 0.0);
  EXPECT_EQ(max_abs_diff(flat.participation, batched.participation.view({11, 5})), 0.0);
  EXPECT_EQ(flat.selected.to_vector<int64_t>(), batched.selected.to_vector<int64_t>());
  EXPECT_EQ(layer.forward(x).shape(), (Shape{11, 6}));
}

TEST(SoftHGNN, DropoutOnlyWhileTraining) {
  manual_seed(6);
  SoftHGNN layer(Options(8).num_hyperedges(4).heads(2).dropout(0.5));
  layer.to(kFloat64);
  randomize(layer, 7);
  const Tensor x = random_tensor({2, 10, 8}, 8);
  layer.eval();
  const Reference want = reference(layer, host(x), 2, 10);
  EXPECT_LE(worst(host(layer.forward(x)), want.out), 1e-12) << "eval ignores dropout";
  layer.train();
  const Tensor a = layer.forward(x), b = layer.forward(x);
  EXPECT_GT(worst(host(a), want.out), 1e-3) << "training applies dropout to the logits";
  EXPECT_GT(max_abs_diff(a, b), 1e-3) << "a fresh mask every call";
}

TEST(SoftHGNN, Errors) {
  SoftHGNN layer(Options(8).num_hyperedges(4).heads(2));
  const std::string name = "SoftHGNN.forward: ";
  EXPECT_THAT([&] { layer.forward(zeros({2, 5, 6})); },
              ThrowsMessage<ShapeError>(HasSubstr(name + "'x' must be [B, N, 8] or [N, 8] (dim = 8), got [2, 5, 6]")));
  EXPECT_THAT([&] { layer.forward(zeros({8})); }, ThrowsMessage<ShapeError>(HasSubstr("got [8]")));
  EXPECT_THAT([&] { layer.forward(zeros({1, 2, 3, 8})); }, ThrowsMessage<ShapeError>(HasSubstr("got [1, 2, 3, 8]")));
  EXPECT_THAT([&] { layer.forward(zeros({2, 0, 8})); },
              ThrowsMessage<ShapeError>(
                  HasSubstr(name + "'x' must hold at least one token per sample, got [2, 0, 8]")));
  EXPECT_THAT([&] { layer.forward(zeros({5, 8}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("'x' is float64 but the layer's parameters are float32")));
  EXPECT_THAT([&] { layer.forward(zeros({5, 8}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr(name + "'x' must be float32 or float64")));
  EXPECT_THAT([&] { layer.forward(Tensor()); }, ThrowsMessage<ValueError>(HasSubstr(name + "'x' is an undefined")));
  EXPECT_THAT([] { SoftHGNN(Options(10).heads(4)); },
              ThrowsMessage<ValueError>(HasSubstr("SoftHGNN: heads must be positive and divide dim 10, got 4")));
  EXPECT_THAT([] { SoftHGNN(Options(8).heads(0)); }, ThrowsMessage<ValueError>(HasSubstr("got 0")));
  EXPECT_THAT([] { SoftHGNN(Options(8).heads(2).num_hyperedges(4).top_k(5)); },
              ThrowsMessage<ValueError>(
                  HasSubstr("SoftHGNN: top_k must be in [0, num_hyperedges = 4] (0 keeps all), got 5")));
  EXPECT_THAT([] { SoftHGNN(Options(8).heads(2).top_k(-1)); }, ThrowsMessage<ValueError>(HasSubstr("got -1")));
  EXPECT_THAT([] { SoftHGNN(Options(8).heads(2).num_hyperedges(0)); },
              ThrowsMessage<ValueError>(HasSubstr("SoftHGNN: num_hyperedges must be positive, got 0")));
  EXPECT_THAT([] { SoftHGNN(Options(8).heads(2).num_fixed(-1)); },
              ThrowsMessage<ValueError>(HasSubstr("SoftHGNN: num_fixed must be >= 0, got -1")));
  EXPECT_THAT([] { SoftHGNN(Options(0)); }, ThrowsMessage<ValueError>(HasSubstr("SoftHGNN: dim must be positive")));
  EXPECT_THAT([] { SoftHGNN(Options(8).heads(2).dropout(1.5)); },
              ThrowsMessage<ValueError>(HasSubstr("SoftHGNN: dropout must be in [0, 1], got 1.5")));
}

TEST(SoftHGNN, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  for (int64_t k : {0, 5}) {
    manual_seed(5);
    SoftHGNN layer(Options(32).num_hyperedges(12).num_fixed(k > 0 ? 4 : 0).top_k(k).heads(4).dropout(0.0)
                       .load_balance(LoadBalance::kSoftMass));
    randomize(layer, 6);
    const Tensor x = random_tensor({6, 50, 32}, 7, -1, 1, kFloat32);
    const auto cpu = layer.forward_with_details(x);
    add(sum(mul(cpu.x, cpu.x)), cpu.load_balance).backward();
    std::vector<Tensor> grads_cpu;
    for (const Tensor& p : layer.parameters()) grads_cpu.push_back(p.grad().clone());
    layer.zero_grad();
    layer.to(kCUDA);
    EXPECT_THAT([&] { layer.forward(x); }, ThrowsMessage<DeviceError>(HasSubstr("'x' is on cpu")));
    const auto gpu = layer.forward_with_details(x.to(kCUDA));
    add(sum(mul(gpu.x, gpu.x)), gpu.load_balance).backward();
    EXPECT_EQ(gpu.selected.cpu().to_vector<int64_t>(), cpu.selected.to_vector<int64_t>()) << "k " << k;
    EXPECT_TRUE(allclose(gpu.x.cpu(), cpu.x, 1e-4, 1e-5)) << max_abs_diff(gpu.x.cpu(), cpu.x);
    EXPECT_TRUE(allclose(gpu.participation.cpu(), cpu.participation, 1e-4, 1e-6));
    EXPECT_NEAR(gpu.load_balance.item_double(), cpu.load_balance.item_double(), 1e-5);
    const auto params = layer.parameters();
    for (size_t i = 0; i < params.size(); ++i) {
      EXPECT_TRUE(allclose(params[i].grad().cpu(), grads_cpu[i], 1e-3, 1e-3))
          << "k " << k << " parameter " << i << ": " << max_abs_diff(params[i].grad().cpu(), grads_cpu[i]);
    }
  }
}

// Sets of 12 tokens in two groups (a type one-hot, a value, a noise feature). Each group's values centre on +-mu;
// the label says whether the two groups' signs agree. A token-wise network with mean pooling and a linear head
// computes a sum of per-token terms, which cannot express this XOR of group statistics; the SoftHGNN block pools
// soft groups and mixes them non-linearly, so the same network with the block can.
struct TokenSets {
  Tensor x, y;
};
TokenSets make_sets(int64_t count, uint32_t seed) {
  const int64_t N = 12;
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> mu(0.5, 1.5), unit(0.0, 1.0);
  std::normal_distribution<double> noise(0.0, 0.4);
  std::uniform_int_distribution<int64_t> size(3, N - 3);
  std::vector<double> x;
  std::vector<int64_t> y;
  for (int64_t s = 0; s < count; ++s) {
    const double sign0 = unit(gen) < 0.5 ? -1.0 : 1.0, sign1 = unit(gen) < 0.5 ? -1.0 : 1.0;
    const double mu0 = sign0 * mu(gen), mu1 = sign1 * mu(gen);
    const int64_t n0 = size(gen);
    for (int64_t n = 0; n < N; ++n) {
      const bool first = n < n0;
      x.insert(x.end(), {first ? 1.0 : 0.0, first ? 0.0 : 1.0, (first ? mu0 : mu1) + noise(gen), noise(gen)});
    }
    y.push_back(sign0 == sign1 ? 1 : 0);
  }
  return {from_vector<double>(x, {count, N, 4}).to(kFloat32), from_vector<int64_t>(y, {count})};
}

double train_set_model(bool with_block) {
  const TokenSets train = make_sets(512, 1), test = make_sets(512, 2);
  manual_seed(11);
  nn::Linear embed(4, 16), head(16, 2);
  SoftHGNN block(Options(16).num_hyperedges(4).heads(2).dropout(0.0));
  std::vector<Tensor> params = embed.parameters();
  for (const Tensor& p : head.parameters()) params.push_back(p);
  if (with_block)
    for (const Tensor& p : block.parameters()) params.push_back(p);
  auto forward = [&](const Tensor& x) {
    Tensor h = gelu(embed.forward(x));  // [B, 12, 16]
    if (with_block) h = block.forward(h);
    return head.forward(mean(h, 1));
  };
  optim::Adam opt(params, optim::AdamOptions(0.01));
  for (int epoch = 0; epoch < 200; ++epoch) {
    for (const Tensor& p : params) p.zero_grad();
    cross_entropy(forward(train.x), train.y).backward();
    opt.step();
  }
  NoGradGuard no_grad;
  const auto pred = argmax(forward(test.x), 1).to_vector<int64_t>();
  const auto y = test.y.to_vector<int64_t>();
  int64_t right = 0;
  for (size_t i = 0; i < y.size(); ++i) right += pred[i] == y[i];
  return static_cast<double>(right) / static_cast<double>(y.size());
}

TEST(SoftHGNN, LearnsAGroupInteractionThatPoolingAloneCannot) {
  const double without = train_set_model(false), with = train_set_model(true);
  std::printf("set task: without %.3f with %.3f\n", without, with);
  EXPECT_LT(without, 0.65) << "pooled token-wise model";
  EXPECT_GT(with, 0.85) << "with the SoftHGNN block";
  EXPECT_GT(with, without + 0.2) << "with " << with << ", without " << without;
}

}  // namespace
}  // namespace loom::testing
