// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Hypergraph message passing: HGNN / HGNN+ coefficients and smoothing against the dense float64 operators,
// v2e / e2v reductions against naive loops, gradchecks, errors and CPU/CUDA parity.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "hypergraph/dense_hypergraph.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "loom/hypergraph/hypergraph.h"

namespace loom::testing::hg {
namespace {

using hypergraph::Hypergraph;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

bool all_finite(const Tensor& t) { return !has_nonfinite(t); }

TEST(HypergraphMessage, HandComputedHgnn) {
  // Vertices 0..3; hyperedges {0, 1} (w 2) and {1, 2} (w 1); vertex 3 isolated.
  // d_v = [2, 3, 1, 0]; HGNN L[0][0] = 2^-1/2 * 2 / 2 * 2^-1/2 = 0.5; L[0][1] = 2^-1/2 * 2/2 * 3^-1/2;
  // L[1][1] = 3^-1/2 (2/2 + 1/2) 3^-1/2 = 0.5.
  const Tensor inc = from_vector<int64_t>({0, 1, 1, 2, 0, 0, 1, 1}, {2, 4});
  const Hypergraph h = Hypergraph::from_incidence(inc, 4, 2, from_vector<double>({2.0, 1.0}, {2}));
  const Mat got = to_mat(hypergraph::hgnn_smooth(h, from_vector<double>({1, 0, 0, 0}, {4, 1})));
  EXPECT_NEAR(got[0][0], 0.5, 1e-15);
  EXPECT_NEAR(got[1][0], 1.0 / std::sqrt(6.0), 1e-15);
  EXPECT_EQ(got[2][0], 0.0);
  EXPECT_EQ(got[3][0], 0.0);
  const Mat g1 = to_mat(hypergraph::hgnn_smooth(h, from_vector<double>({0, 1, 0, 0}, {4, 1})));
  EXPECT_NEAR(g1[1][0], 0.5, 1e-15);
  // HGNN+: counted d_v = [1, 2, 1, 0]; L+[1][1] = (2/2 + 1/2) / 2 = 0.75, L+[0][1] = 2/2 = 1.
  const Mat p1 = to_mat(hypergraph::hgnnp_smooth(h, from_vector<double>({0, 1, 0, 0}, {4, 1})));
  EXPECT_NEAR(p1[0][0], 1.0, 1e-15);
  EXPECT_NEAR(p1[1][0], 0.75, 1e-15);
  EXPECT_NEAR(p1[2][0], 0.5, 1e-15);
  EXPECT_EQ(p1[3][0], 0.0);
}

struct SmoothCase {
  uint32_t seed;
  bool weighted, singletons;
};

class SmoothVsDense : public ::testing::TestWithParam<SmoothCase> {};

TEST_P(SmoothVsDense, HgnnAndHgnnp) {
  const SmoothCase c = GetParam();
  RawIncidence r = random_incidence(c.seed, 70, 45, 4, c.weighted);
  Hypergraph h = r.build();
  DenseHypergraph d = dense_of(r);
  if (c.singletons) {
    h = h.with_singletons();
    for (int64_t v = 0; v < d.n; ++v) {
      for (auto& row : d.h) row.push_back(0.0);
      d.h[v].back() = 1.0;
      d.w.push_back(1.0);
      d.members.push_back({v});
    }
    d.m += d.n;
  }
  const Tensor x = random_tensor({r.n, 5}, c.seed + 100);
  for (bool plus : {false, true}) {
    const Mat l = smoothing_matrix(d, plus);
    const Mat want = matmul_d(l, to_mat(x));
    const Tensor got = plus ? hypergraph::hgnnp_smooth(h, x) : hypergraph::hgnn_smooth(h, x);
    EXPECT_TRUE(all_finite(got));
    EXPECT_LE(max_diff(to_mat(got), want), 1e-12) << (plus ? "hgnn+" : "hgnn");
    const Tensor got32 = plus ? hypergraph::hgnnp_smooth(h, x.to(kFloat32)) : hypergraph::hgnn_smooth(h, x.to(kFloat32));
    EXPECT_EQ(got32.dtype(), kFloat32);
    EXPECT_LE(max_diff(to_mat(got32), want), 1e-5) << (plus ? "hgnn+ float32" : "hgnn float32");
    // [N, H, C] features broadcast the per-incidence coefficients over heads and channels.
    const Tensor got3 = plus ? hypergraph::hgnnp_smooth(h, x.view({r.n, 5, 1})) : hypergraph::hgnn_smooth(h, x.view({r.n, 5, 1}));
    EXPECT_LE(max_diff(to_mat(got3), want), 1e-12);
    // Isolated vertices (without singletons) receive exactly 0.
    if (!c.singletons) {
      const Mat g = to_mat(got);
      for (int64_t v = 0; v < d.n; ++v) {
        double deg = 0;
        for (double a : d.h[v]) deg += a;
        if (deg == 0) {
          EXPECT_EQ(g[v], std::vector<double>(5, 0.0)) << v;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, SmoothVsDense,
                         ::testing::Values(SmoothCase{1, false, false}, SmoothCase{2, true, false},
                                           SmoothCase{3, true, true}, SmoothCase{4, false, true}),
                         [](const ::testing::TestParamInfo<SmoothCase>& info) {
                           return std::string(info.param.weighted ? "weighted" : "unweighted") +
                                  (info.param.singletons ? "_singletons" : "") + "_" + std::to_string(info.param.seed);
                         });

TEST(HypergraphMessage, CoefficientsCachedPerDtype) {
  const Hypergraph h = random_incidence(5, 30, 20, 3, true).build();
  const auto& a = h.hgnn_coefficients(kFloat32);
  const auto& b = h.hgnn_coefficients(kFloat32);
  EXPECT_TRUE(a.v2e.is_same(b.v2e));
  EXPECT_TRUE(a.e2v.is_same(b.e2v));
  EXPECT_EQ(a.v2e.dtype(), kFloat32);
  const auto& c = h.hgnn_coefficients(kFloat64);
  EXPECT_EQ(c.v2e.dtype(), kFloat64);
  EXPECT_FALSE(c.v2e.is_same(a.v2e));
  EXPECT_EQ(c.v2e.numel(), h.num_incidences());
  EXPECT_EQ(c.e2v.numel(), h.num_incidences());
  EXPECT_TRUE(h.hgnnp_coefficients(kFloat64).e2v.is_same(h.hgnnp_coefficients(kFloat64).e2v));
  EXPECT_LE(max_abs_diff(a.e2v.to(kFloat64), c.e2v), 1e-6);
  EXPECT_THAT([&] { h.hgnn_coefficients(kInt64); },
              ThrowsMessage<DTypeError>(HasSubstr("Hypergraph::hgnn_coefficients: dtype must be float32 or float64")));
  // A negative weighted degree has no D_v^-1/2.
  const Hypergraph neg = Hypergraph::from_vertex_lists({{0, 1}}, 2);
  const Hypergraph negw = Hypergraph::from_incidence(neg.incidence(), 2, 1, from_vector<double>({-1.0}, {1}));
  EXPECT_THAT([&] { negw.hgnn_coefficients(kFloat64); },
              ThrowsMessage<ValueError>(HasSubstr("the weighted degree of vertex 0 is -1")));
  EXPECT_NO_THROW(negw.hgnnp_coefficients(kFloat64));
}

TEST(HypergraphMessage, V2eE2vMatchNaive) {
  const RawIncidence r = random_incidence(7, 60, 40, 4, false);
  const DenseHypergraph d = dense_of(r);
  const Hypergraph h = r.build();
  const Tensor x = random_tensor({d.n, 4}, 8), y = random_tensor({d.m, 4}, 9);
  for (mp::Reduce red : {mp::sum, mp::mean, mp::max}) {
    EXPECT_LE(max_diff(to_mat(hypergraph::v2e(h, x, red)), naive_reduce(d, to_mat(x), red, true)), 1e-12);
    EXPECT_LE(max_diff(to_mat(hypergraph::e2v(h, y, red)), naive_reduce(d, to_mat(y), red, false)), 1e-12);
  }
}

// Weighted v2e / e2v against explicit loops over each stage's Csr entries (weights in that Csr's order).
TEST(HypergraphMessage, WeightedV2eE2vMatchLoops) {
  const Hypergraph h = random_incidence(5, 50, 30, 4, false).build();
  const Tensor x = random_tensor({h.num_vertices(), 3}, 1), y = random_tensor({h.num_hyperedges(), 3}, 2);
  const Tensor w = random_tensor({h.num_incidences()}, 3, 0.1, 2.0);
  for (bool to_edges : {true, false}) {
    const Csr& c = to_edges ? h.hyperedge_members() : h.vertex_memberships();
    const Tensor& in = to_edges ? x : y;
    const auto ptr = c.indptr().to_vector<int64_t>();
    const auto col = c.indices().to_vector<int32_t>();
    const auto wv = w.to_vector<double>();
    const Mat feats = to_mat(in);
    for (mp::Reduce red : {mp::sum, mp::max}) {
      Mat want(static_cast<size_t>(c.num_rows()), std::vector<double>(3, 0.0));
      for (int64_t r = 0; r < c.num_rows(); ++r)
        for (size_t j = 0; j < 3; ++j) {
          double acc = red == mp::max ? -std::numeric_limits<double>::infinity() : 0.0;
          for (int64_t k = ptr[r]; k < ptr[r + 1]; ++k) {
            const double m = wv[k] * feats[col[k]][j];
            acc = red == mp::max ? std::max(acc, m) : acc + m;
          }
          want[r][j] = ptr[r] == ptr[r + 1] ? 0.0 : acc;
        }
      const Tensor got = to_edges ? hypergraph::v2e(h, x, w, red) : hypergraph::e2v(h, y, w, red);
      EXPECT_LE(max_diff(to_mat(got), want), 1e-12) << (to_edges ? "v2e" : "e2v");
    }
  }
  EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return hypergraph::v2e(h, in[0], in[1], mp::sum); },
                        {x, w}));
  EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return hypergraph::e2v(h, in[0], in[1], mp::mean); },
                        {y, w}));
  EXPECT_THAT([&] { hypergraph::v2e(h, x, zeros({3}, kFloat64), mp::sum); },
              ThrowsMessage<ShapeError>(HasSubstr("hypergraph::v2e: 'weight' must be [" +
                                                  std::to_string(h.num_incidences()))));
}

TEST(HypergraphMessage, Gradcheck) {
  const RawIncidence r = random_incidence(13, 14, 9, 3, true);
  const Hypergraph h = r.build();
  const Tensor x = random_tensor({h.num_vertices(), 3}, 21), y = random_tensor({h.num_hyperedges(), 3}, 22);
  for (mp::Reduce red : {mp::sum, mp::mean, mp::max}) {
    EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return hypergraph::v2e(h, in[0], red); }, {x}));
    EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return hypergraph::e2v(h, in[0], red); }, {y}));
  }
  EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return hypergraph::hgnn_smooth(h, in[0]); }, {x}));
  EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return hypergraph::hgnnp_smooth(h, in[0]); }, {x}));
  const Hypergraph s = h.with_singletons();
  EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return hypergraph::hgnn_smooth(s, in[0]); }, {x}));
}

TEST(HypergraphMessage, Errors) {
  const Hypergraph h = random_incidence(3, 10, 6, 2, false).build();
  EXPECT_THAT([&] { hypergraph::v2e(h, zeros({9, 2}), mp::sum); },
              ThrowsMessage<ShapeError>(HasSubstr("hypergraph::v2e: 'x' must be [10, F] or [10, H, C] (one row per vertex), got [9, 2]")));
  EXPECT_THAT([&] { hypergraph::e2v(h, zeros({10, 2}), mp::sum); },
              ThrowsMessage<ShapeError>(HasSubstr("hypergraph::e2v: 'x' must be [" + std::to_string(h.num_hyperedges()))));
  EXPECT_THAT([&] { hypergraph::hgnn_smooth(h, zeros({10, 2}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr("hypergraph::hgnn_smooth: 'x' must be float32 or float64, got int64")));
  EXPECT_THAT([&] { hypergraph::hgnnp_smooth(Hypergraph(), zeros({10, 2})); },
              ThrowsMessage<ValueError>(HasSubstr("hypergraph::hgnnp_smooth: the hypergraph is undefined")));
  EXPECT_THAT([&] { hypergraph::v2e(h, Tensor(), mp::sum); },
              ThrowsMessage<ValueError>(HasSubstr("'x' is an undefined tensor")));
}

TEST(HypergraphMessage, CudaParity) {
  LOOM_REQUIRE_CUDA();
  const RawIncidence r = random_incidence(17, 3000, 1200, 8, true);
  const Hypergraph h = r.build(kCPU, kFloat32);
  const Hypergraph hc = h.to(kCUDA), built = r.build(kCUDA, kFloat32);
  const Tensor x = random_tensor({r.n, 24}, 31, -1, 1, kFloat32);
  const Tensor y = random_tensor({h.num_hyperedges(), 24}, 32, -1, 1, kFloat32);
  EXPECT_THAT([&] { hypergraph::hgnn_smooth(hc, x); },
              ThrowsMessage<DeviceError>(HasSubstr("hypergraph::hgnn_smooth: 'x' is on cpu but the hypergraph is on cuda")));
  auto check = [&](const char* what, auto&& f, const Tensor& in) {
    Tensor a = in.clone().detach().set_requires_grad(true);
    Tensor b = in.to(kCUDA).detach().set_requires_grad(true);
    const Tensor oa = f(h, a), ob = f(hc, b), obuilt = f(built, b.detach());
    sum(mul(oa, oa)).backward();
    sum(mul(ob, ob)).backward();
    EXPECT_TRUE(allclose(ob.cpu(), oa, 1e-4, 1e-5)) << what << " " << max_abs_diff(ob.cpu(), oa);
    EXPECT_TRUE(allclose(obuilt.cpu(), oa, 1e-4, 1e-5)) << what << " built on cuda";
    EXPECT_TRUE(allclose(b.grad().cpu(), a.grad(), 1e-3, 1e-4)) << what << " grad " << max_abs_diff(b.grad().cpu(), a.grad());
  };
  check("hgnn", [](const Hypergraph& g, const Tensor& t) { return hypergraph::hgnn_smooth(g, t); }, x);
  check("hgnn+", [](const Hypergraph& g, const Tensor& t) { return hypergraph::hgnnp_smooth(g, t); }, x);
  check("hgnn singletons", [](const Hypergraph& g, const Tensor& t) { return hypergraph::hgnn_smooth(g.with_singletons(), t); }, x);
  for (mp::Reduce red : {mp::sum, mp::mean, mp::max}) {
    check("v2e", [red](const Hypergraph& g, const Tensor& t) { return hypergraph::v2e(g, t, red); }, x);
    check("e2v", [red](const Hypergraph& g, const Tensor& t) { return hypergraph::e2v(g, t, red); }, y);
  }
}

}  // namespace
}  // namespace loom::testing::hg
