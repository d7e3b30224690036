// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Incidence weights (a real-valued incidence matrix H): v2e / e2v, HGNN / HGNN+ and HGNNConv against a dense float64
// reference with real-valued H, the all-ones case bit for bit against the unweighted hypergraph, the builders that
// keep or use the weights (with_singletons, merge, clique_expansion, from_incidence_matrix), errors, gradchecks and
// CPU/CUDA parity.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "hypergraph/dense_hypergraph.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/core/sparse.h"
#include "loom/graph/graph.h"
#include "loom/hypergraph/hypergraph.h"
#include "loom/layers/hgnn_conv.h"
#include "support/parity.h"

namespace loom::testing::hg {
namespace {

using hypergraph::Hypergraph;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// A hypergraph with incidence weights and its dense reference: d.h[v][e] = h_ve, d.members the structure.
struct Weighted {
  Hypergraph h;
  DenseHypergraph d;
  Tensor hw;  // float64 [nnz] in incidence() order
};

// Random weights in [0.2, 2), with every incidence of the first hyperedge set to 0 (d_e = 0: its coefficients
// must be 0, not NaN) and one more zero.
Weighted weighted_case(uint32_t seed, int64_t n, int64_t m, bool hyperedge_weighted) {
  const RawIncidence r = random_incidence(seed, n, m, 4, hyperedge_weighted);
  Weighted c;
  c.d = dense_of(r);
  const Hypergraph base = r.build();
  const int64_t nnz = base.num_incidences();
  auto w = random_tensor({nnz}, seed + 31, 0.2, 2.0).to_vector<double>();
  const auto inc = host_ints(base.incidence());
  for (int64_t k = 0; k < nnz; ++k)
    if (inc[static_cast<size_t>(nnz + k)] == 0) w[static_cast<size_t>(k)] = 0.0;
  w[static_cast<size_t>(nnz - 1)] = 0.0;
  c.hw = from_vector<double>(w, {nnz});
  c.h = base.with_incidence_weight(c.hw);
  for (int64_t k = 0; k < nnz; ++k) {
    c.d.h[static_cast<size_t>(inc[static_cast<size_t>(k)])][static_cast<size_t>(inc[static_cast<size_t>(nnz + k)])] =
        w[static_cast<size_t>(k)];
  }
  return c;
}

// The weighted operators with zero degrees giving 0: HGNN  D_v^-1/2 H W D_e^-1 H^T D_v^-1/2 (d_v = sum h w),
// HGNN+ D_v^-1 H W D_e^-1 H^T (d_v = sum h), d_e = sum_v h_ve.
Mat weighted_smoothing(const DenseHypergraph& d, bool plus) {
  std::vector<double> dv(static_cast<size_t>(d.n), 0.0), de(static_cast<size_t>(d.m), 0.0);
  for (int64_t v = 0; v < d.n; ++v)
    for (int64_t e = 0; e < d.m; ++e) {
      dv[v] += d.h[v][e] * (plus ? 1.0 : d.w[e]);
      de[e] += d.h[v][e];
    }
  auto inv = [](double x, bool sq) { return x == 0 ? 0.0 : (sq ? 1.0 / std::sqrt(x) : 1.0 / x); };
  Mat out(static_cast<size_t>(d.n), std::vector<double>(static_cast<size_t>(d.n), 0.0));
  for (int64_t v = 0; v < d.n; ++v)
    for (int64_t e = 0; e < d.m; ++e) {
      if (d.h[v][e] == 0) continue;
      const double left = inv(dv[v], !plus) * d.h[v][e] * d.w[e] * inv(de[e], false);
      for (int64_t u = 0; u < d.n; ++u) out[v][u] += left * d.h[u][e] * (plus ? 1.0 : inv(dv[u], true));
    }
  return out;
}

TEST(IncidenceWeight, HandComputed) {
  // Hyperedge 0 = {0 (h 2), 1 (h 1)}, hyperedge 1 = {1 (h 3), 2 (h 1)}; w = [1, 1].
  // HGNN+: d_v = [2, 4, 1], d_e = [3, 4]; x = e_1: y = [1/3, 3/4]; out_0 = 2 * 1/3 / 2 = 1/3,
  // out_1 = (1 * 1/3 + 3 * 3/4) / 4 = 31/48, out_2 = 3/4.
  const Tensor inc = from_vector<int64_t>({0, 1, 1, 2, 0, 0, 1, 1}, {2, 4});
  const Hypergraph h =
      Hypergraph::from_incidence(inc, 3, 2).with_incidence_weight(from_vector<double>({2, 1, 3, 1}, {4}));
  EXPECT_EQ(h.str(), "Hypergraph(3 vertices, 2 hyperedges, 4 incidences, incidence-weighted, cpu)");
  const Mat p = to_mat(hypergraph::hgnnp_smooth(h, from_vector<double>({0, 1, 0}, {3, 1})));
  EXPECT_NEAR(p[0][0], 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(p[1][0], 31.0 / 48.0, 1e-15);
  EXPECT_NEAR(p[2][0], 0.75, 1e-15);
  // v2e sum of x = [1, 10, 100]: [2 + 10, 30 + 100]; mean divides by the counts (2 each).
  const Tensor x = from_vector<double>({1, 10, 100}, {3, 1});
  EXPECT_EQ(host(hypergraph::v2e(h, x, mp::sum)), (std::vector<double>{12, 130}));
  EXPECT_EQ(host(hypergraph::v2e(h, x, mp::mean)), (std::vector<double>{6, 65}));
  EXPECT_EQ(host(hypergraph::e2v(h, from_vector<double>({1, 10}, {2, 1}), mp::sum)),
            (std::vector<double>{2, 31, 10}));
}

TEST(IncidenceWeight, MessagePassingMatchesDenseReference) {
  for (uint32_t seed : {1u, 2u, 3u})
    for (bool hyperedge_weighted : {false, true}) {
      const Weighted c = weighted_case(seed, 50, 35, hyperedge_weighted);
      const Tensor x = random_tensor({c.d.n, 3}, seed + 1), y = random_tensor({c.d.m, 3}, seed + 2);
      for (mp::Reduce red : {mp::sum, mp::mean, mp::max}) {
        EXPECT_LT(max_diff(to_mat(hypergraph::v2e(c.h, x, red)), naive_reduce(c.d, to_mat(x), red, true)), 1e-12);
        EXPECT_LT(max_diff(to_mat(hypergraph::e2v(c.h, y, red)), naive_reduce(c.d, to_mat(y), red, false)), 1e-12);
      }
      for (bool plus : {false, true}) {
        const Mat want = matmul_d(weighted_smoothing(c.d, plus), to_mat(x));
        const Tensor got = plus ? hypergraph::hgnnp_smooth(c.h, x) : hypergraph::hgnn_smooth(c.h, x);
        EXPECT_LT(max_diff(to_mat(got), want), 1e-12) << "plus " << plus << " seed " << seed;
        const Tensor x32 = x.to(kFloat32);
        const Tensor got32 = plus ? hypergraph::hgnnp_smooth(c.h, x32) : hypergraph::hgnn_smooth(c.h, x32);
        EXPECT_LT(max_diff(to_mat(got32), want), 1e-5);
      }
    }
}

TEST(IncidenceWeight, HgnnConvMatchesDenseReference) {
  const Weighted c = weighted_case(4, 40, 15, true);
  for (bool plus : {false, true}) {
    manual_seed(2);
    const layers::HGNNConvOptions opts(6, 4);
    layers::HGNNConv conv(opts);
    layers::HGNNPConv convp(opts);
    layers::HGNNConv& m = plus ? convp : conv;
    m.to(kFloat64);
    nn::init::uniform_(m.bias, -1, 1);
    const Tensor x = random_tensor({c.d.n, 6}, 8);
    const Tensor got = plus ? convp.forward(c.h, x) : conv.forward(c.h, x);
    // L (x Theta^T) + b.
    const Mat xt = to_mat(matmul(x, transpose(m.weight.detach(), 0, 1)));
    Mat want = matmul_d(weighted_smoothing(c.d, plus), xt);
    const auto b = host(m.bias);
    for (auto& row : want)
      for (size_t j = 0; j < row.size(); ++j) row[j] += b[j];
    EXPECT_LT(max_diff(to_mat(got), want), 1e-12) << "plus " << plus;
  }
}

TEST(IncidenceWeight, AllOnesEqualUnweightedBitwise) {
  const RawIncidence r = random_incidence(5, 60, 40, 5, true);
  const Hypergraph h = r.build();
  const Hypergraph h1 = h.with_incidence_weight(ones({h.num_incidences()}, kFloat64));
  for (DType dtype : {kFloat32, kFloat64}) {
    const Tensor x = random_tensor({r.n, 4}, 6, -1, 1, dtype);
    const Tensor y = random_tensor({h.num_hyperedges(), 4}, 7, -1, 1, dtype);
    for (mp::Reduce red : {mp::sum, mp::mean, mp::max}) {
      EXPECT_TRUE(bitwise_equal(hypergraph::v2e(h1, x, red), hypergraph::v2e(h, x, red)));
      EXPECT_TRUE(bitwise_equal(hypergraph::e2v(h1, y, red), hypergraph::e2v(h, y, red)));
    }
    EXPECT_TRUE(bitwise_equal(h1.hgnn_coefficients(dtype).v2e, h.hgnn_coefficients(dtype).v2e));
    EXPECT_TRUE(bitwise_equal(h1.hgnn_coefficients(dtype).e2v, h.hgnn_coefficients(dtype).e2v));
    EXPECT_TRUE(bitwise_equal(h1.hgnnp_coefficients(dtype).v2e, h.hgnnp_coefficients(dtype).v2e));
    EXPECT_TRUE(bitwise_equal(h1.hgnnp_coefficients(dtype).e2v, h.hgnnp_coefficients(dtype).e2v));
    EXPECT_TRUE(bitwise_equal(hypergraph::hgnn_smooth(h1, x), hypergraph::hgnn_smooth(h, x)));
    EXPECT_TRUE(bitwise_equal(hypergraph::hgnnp_smooth(h1, x), hypergraph::hgnnp_smooth(h, x)));
  }
  const graph::Graph g1 = h1.clique_expansion(true), g = h.clique_expansion(true);
  EXPECT_EQ(host_ints(g1.edge_index()), host_ints(g.edge_index()));
  EXPECT_TRUE(bitwise_equal(g1.edge_weight(), g.edge_weight()));
}

TEST(IncidenceWeight, WithSingletonsAndToKeepTheWeights) {
  const Weighted c = weighted_case(7, 30, 20, true);
  const Hypergraph s = c.h.with_singletons();
  const int64_t n = c.d.n;
  std::vector<double> want = host(c.hw);
  want.insert(want.end(), static_cast<size_t>(n), 1.0);
  EXPECT_EQ(host(s.incidence_weight()), want);
  DenseHypergraph d = c.d;
  for (int64_t v = 0; v < n; ++v) {
    for (auto& row : d.h) row.push_back(0.0);
    d.h[v].back() = 1.0;
    d.w.push_back(1.0);
    d.members.push_back({v});
  }
  d.m += n;
  const Tensor x = random_tensor({n, 2}, 9);
  EXPECT_LT(max_diff(to_mat(hypergraph::hgnn_smooth(s, x)), matmul_d(weighted_smoothing(d, false), to_mat(x))), 1e-12);
  EXPECT_LT(max_diff(to_mat(hypergraph::v2e(s, x, mp::sum)), naive_reduce(d, to_mat(x), mp::sum, true)), 1e-12);
  EXPECT_EQ(host(c.h.to(kCPU).incidence_weight()), host(c.hw));
  EXPECT_FALSE(c.h.hyperedge_members().values().defined());  // the structure stays pattern-only
}

TEST(IncidenceWeight, MergeConcatenatesInPartOrder) {
  const Weighted a = weighted_case(8, 25, 10, false), b = weighted_case(9, 25, 12, true);
  const Hypergraph plain = random_incidence(10, 25, 8, 3, false).build();
  const Hypergraph m = Hypergraph::merge({a.h, plain, b.h});
  std::vector<double> want = host(a.hw);
  want.insert(want.end(), static_cast<size_t>(plain.num_incidences()), 1.0);
  const auto wb = host(b.hw);
  want.insert(want.end(), wb.begin(), wb.end());
  EXPECT_EQ(host(m.incidence_weight()), want);
  EXPECT_FALSE(Hypergraph::merge({plain, plain}).incidence_weight().defined());
  // The merged operator on the merged reference.
  DenseHypergraph d;
  d.n = 25;
  d.h.assign(25, {});
  for (const Hypergraph* p : {&a.h, &plain, &b.h}) {
    const DenseHypergraph& src = p == &a.h ? a.d : p == &b.h ? b.d : dense_of(random_incidence(10, 25, 8, 3, false));
    for (int64_t v = 0; v < d.n; ++v) d.h[v].insert(d.h[v].end(), src.h[v].begin(), src.h[v].end());
    d.w.insert(d.w.end(), src.w.begin(), src.w.end());
    d.members.insert(d.members.end(), src.members.begin(), src.members.end());
    d.m += src.m;
  }
  const Tensor x = random_tensor({25, 3}, 11);
  EXPECT_LT(max_diff(to_mat(hypergraph::hgnnp_smooth(m, x)), matmul_d(weighted_smoothing(d, true), to_mat(x))), 1e-12);
  EXPECT_LT(max_diff(to_mat(hypergraph::e2v(m, random_tensor({d.m, 2}, 12), mp::mean)),
                     naive_reduce(d, to_mat(random_tensor({d.m, 2}, 12)), mp::mean, false)),
            1e-12);
  EXPECT_THAT([&] { Hypergraph::merge({a.h, plain.with_incidence_weight(ones({plain.num_incidences()}, kFloat32))}); },
              ThrowsMessage<DTypeError>(HasSubstr("Hypergraph::merge: part 1 has float32 incidence weights but part 0 "
                                                  "has float64")));
}

TEST(IncidenceWeight, CliqueExpansionUsesWeightedH) {
  for (bool hyperedge_weighted : {false, true}) {
    const Weighted c = weighted_case(13, 30, 20, hyperedge_weighted);
    for (bool loops : {false, true}) {
      const graph::Graph g = c.h.clique_expansion(loops);
      Mat got(static_cast<size_t>(c.d.n), std::vector<double>(static_cast<size_t>(c.d.n), 0.0));
      const auto ei = host_ints(g.edge_index());
      const auto w = host(g.edge_weight());
      for (size_t k = 0; k < w.size(); ++k) got[ei[w.size() + k]][ei[k]] += w[k];
      Mat want = matmul_d(c.d.h, transpose_d(c.d.h));
      for (int64_t u = 0; u < c.d.n; ++u)
        for (int64_t v = 0; v < c.d.n; ++v) {
          double s = 0;
          for (int64_t e = 0; e < c.d.m; ++e) s += c.d.h[u][e] * c.d.w[e] * c.d.h[v][e];
          want[u][v] = (u == v && !loops) ? 0.0 : s;
        }
      EXPECT_LT(max_diff(got, want), 1e-12) << "loops " << loops;
    }
  }
}

TEST(IncidenceWeight, FromIncidenceMatrixUsesTheValues) {
  // H with values, entries in vertex-major order (not the members order) and an empty column 1 (dropped).
  const Tensor rows = from_vector<int64_t>({0, 0, 1, 2, 2}, {5}), cols = from_vector<int64_t>({0, 2, 2, 0, 2}, {5});
  const Csr hm = Csr::from_coo(rows, cols, 3, 3, from_vector<double>({0.5, 2, 3, 4, 0}, {5}));
  const Hypergraph h = Hypergraph::from_incidence_matrix(hm);
  EXPECT_EQ(h.num_hyperedges(), 2);
  // Members order: hyperedge 0 {0 (0.5), 2 (4)}, hyperedge 2 -> 1 {0 (2), 1 (3), 2 (0)}.
  EXPECT_EQ(host_ints(h.incidence()), (std::vector<int64_t>{0, 2, 0, 1, 2, 0, 0, 1, 1, 1}));
  EXPECT_EQ(host(h.incidence_weight()), (std::vector<double>{0.5, 4, 2, 3, 0}));
  EXPECT_FALSE(Hypergraph::from_incidence_matrix(hm.with_values(Tensor())).incidence_weight().defined());
  // Random: the same as building from the incidence and attaching the weights.
  const Weighted c = weighted_case(14, 30, 20, true);
  const auto inc = host_ints(c.h.incidence());
  const int64_t nnz = c.h.num_incidences();
  std::vector<int64_t> v(inc.begin(), inc.begin() + nnz), e(inc.begin() + nnz, inc.end());
  const Csr hr = Csr::from_coo(from_vector<int64_t>(v, {nnz}), from_vector<int64_t>(e, {nnz}), c.d.n, c.d.m, c.hw);
  const Tensor x = random_tensor({c.d.n, 2}, 15);
  EXPECT_LT(max_diff(to_mat(hypergraph::hgnn_smooth(Hypergraph::from_incidence_matrix(hr, c.h.hyperedge_weight()), x)),
                     matmul_d(weighted_smoothing(c.d, false), to_mat(x))),
            1e-12);
  // Repeated entries with values (positions are those of the Csr, sorted by (vertex, hyperedge)), and bad values.
  const Csr dup = Csr::from_coo(from_vector<int64_t>({1, 0, 1}, {3}), from_vector<int64_t>({0, 0, 0}, {3}), 2, 1,
                                ones({3}, kFloat64), DupPolicy::kKeep);
  EXPECT_THAT([&] { Hypergraph::from_incidence_matrix(dup); },
              ThrowsMessage<ValueError>(HasSubstr("Hypergraph::from_incidence_matrix: entry 2 (vertex 1, hyperedge 0) "
                                                  "repeats entry 1")));
  EXPECT_THAT([&] { Hypergraph::from_incidence_matrix(hm.with_values(from_vector<double>({1, 1, -1, 1, 1}, {5}))); },
              ThrowsMessage<ValueError>(HasSubstr("Hypergraph::from_incidence_matrix: entry 2 (vertex 1, "
                                                  "hyperedge 2) has value -1")));
}

TEST(IncidenceWeight, Errors) {
  const Hypergraph h = random_incidence(16, 20, 10, 3, false).build();
  const int64_t nnz = h.num_incidences();
  EXPECT_THAT([&] { h.with_incidence_weight(ones({nnz + 1}, kFloat64)); },
              ThrowsMessage<ShapeError>(HasSubstr("Hypergraph::with_incidence_weight: 'w' must be [nnz] with nnz = " +
                                                  std::to_string(nnz))));
  EXPECT_THAT([&] { h.with_incidence_weight(ones({nnz, 1}, kFloat64)); },
              ThrowsMessage<ShapeError>(HasSubstr("got [" + std::to_string(nnz) + ", 1]")));
  EXPECT_THAT([&] { h.with_incidence_weight(ones({nnz}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr("'w' must be float32 or float64, got int64")));
  EXPECT_THAT([&] { h.with_incidence_weight(Tensor()); }, ThrowsMessage<ValueError>(HasSubstr("'w' is an undefined")));
  std::vector<double> w(static_cast<size_t>(nnz), 1.0);
  w[3] = -0.5;
  EXPECT_THAT([&] { h.with_incidence_weight(from_vector<double>(w, {nnz})); },
              ThrowsMessage<ValueError>(HasSubstr("Hypergraph::with_incidence_weight: incidence weight 3 is -0.5")));
  w[3] = 1.0;
  w[5] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT([&] { h.with_incidence_weight(from_vector<double>(w, {nnz})); },
              ThrowsMessage<ValueError>(HasSubstr("incidence weight 5 is nan")));
  w[5] = std::numeric_limits<double>::infinity();
  EXPECT_THAT([&] { h.with_incidence_weight(from_vector<double>(w, {nnz}).to(kFloat32)); },
              ThrowsMessage<ValueError>(HasSubstr("incidence weight 5 is inf")));
}

TEST(IncidenceWeight, Gradcheck) {
  const Weighted c = weighted_case(17, 15, 8, true);
  const Tensor x = random_tensor({c.d.n, 3}, 18), y = random_tensor({c.d.m, 3}, 19);
  EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return hypergraph::hgnn_smooth(c.h, in[0]); }, {x}));
  EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return hypergraph::hgnnp_smooth(c.h, in[0]); }, {x}));
  for (mp::Reduce red : {mp::sum, mp::mean, mp::max}) {
    EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return hypergraph::v2e(c.h, in[0], red); }, {x}));
    EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return hypergraph::e2v(c.h, in[0], red); }, {y}));
  }
}

TEST(IncidenceWeight, CudaParity) {
  LOOM_REQUIRE_CUDA();
  const Weighted c = weighted_case(20, 300, 120, true);
  const Hypergraph g = c.h.to(kCUDA);
  EXPECT_TRUE(g.incidence_weight().device().is_cuda());
  const Tensor x = random_tensor({c.d.n, 8}, 21, -1, 1, kFloat32), y = random_tensor({c.d.m, 8}, 22, -1, 1, kFloat32);
  auto close = [](const Tensor& a, const Tensor& b) { return max_diff(to_mat(a), to_mat(b)) < 1e-5; };
  for (mp::Reduce red : {mp::sum, mp::mean, mp::max}) {
    EXPECT_TRUE(close(hypergraph::v2e(c.h, x, red), hypergraph::v2e(g, x.to(kCUDA), red)));
    EXPECT_TRUE(close(hypergraph::e2v(c.h, y, red), hypergraph::e2v(g, y.to(kCUDA), red)));
  }
  EXPECT_TRUE(close(hypergraph::hgnn_smooth(c.h, x), hypergraph::hgnn_smooth(g, x.to(kCUDA))));
  EXPECT_TRUE(close(hypergraph::hgnnp_smooth(c.h, x), hypergraph::hgnnp_smooth(g, x.to(kCUDA))));
  EXPECT_EQ(host(g.with_singletons().incidence_weight()), host(c.h.with_singletons().incidence_weight()));
  const graph::Graph a = c.h.clique_expansion(), b = g.clique_expansion();
  EXPECT_EQ(host_ints(a.edge_index()), host_ints(b.edge_index()));
  EXPECT_LT(max_diff(to_mat(a.edge_weight()), to_mat(b.edge_weight())), 1e-12);
  EXPECT_THAT([&] { c.h.with_incidence_weight(c.hw.to(kCUDA)); },
              ThrowsMessage<DeviceError>(HasSubstr("'w' is on cuda")));
}

}  // namespace
}  // namespace loom::testing::hg
