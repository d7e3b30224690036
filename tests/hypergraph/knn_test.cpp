// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Hypergraph::from_knn against a brute-force reference: integer coordinates (exact distances, many exact ties, so
// the lower-id rule is checked bit for bit; duplicate points), well-separated random points against float64 brute
// force, one block against many, errors, and CPU against CUDA on N = 20000.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "hypergraph/knn.h"
#include "loom/hypergraph/hypergraph.h"
#include "support/testing.h"

namespace loom {
namespace {

using hypergraph::Hypergraph;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

using Sets = std::vector<std::set<int64_t>>;

// Members of every hyperedge, read back from the structure.
Sets members(const Hypergraph& h) {
  const std::vector<int64_t> inc = h.incidence().cpu().to_vector<int64_t>();
  const int64_t nnz = h.num_incidences();
  Sets s(static_cast<size_t>(h.num_hyperedges()));
  for (size_t i = 0; i < static_cast<size_t>(nnz); ++i) s[static_cast<size_t>(inc[nnz + i])].insert(inc[i]);
  return s;
}

// Brute force in float64 (exact for small integer coordinates): hyperedge v = {v} + the k nearest others, ties to
// the lower id. `gap` receives the smallest relative gap between the k-th and (k+1)-th distances over all v.
Sets brute_force(const std::vector<double>& x, int64_t n, int64_t f, int64_t k, double* gap = nullptr) {
  Sets s(static_cast<size_t>(n));
  double min_gap = 1e300;
  for (int64_t v = 0; v < n; ++v) {
    std::vector<std::pair<double, int64_t>> d;
    for (int64_t u = 0; u < n; ++u) {
      if (u == v) continue;
      double acc = 0;
      for (int64_t c = 0; c < f; ++c) {
        const double t = x[static_cast<size_t>(v * f + c)] - x[static_cast<size_t>(u * f + c)];
        acc += t * t;
      }
      d.emplace_back(acc, u);
    }
    std::sort(d.begin(), d.end());
    s[static_cast<size_t>(v)].insert(v);
    for (int64_t j = 0; j < k; ++j) s[static_cast<size_t>(v)].insert(d[static_cast<size_t>(j)].second);
    if (k < n - 1) {
      const double a = d[static_cast<size_t>(k - 1)].first, b = d[static_cast<size_t>(k)].first;
      min_gap = std::min(min_gap, (b - a) / std::max(b, 1e-300));
    }
  }
  if (gap) *gap = min_gap;
  return s;
}

std::vector<double> integer_points(int64_t n, int64_t f, int hi, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> d(0, hi);
  std::vector<double> v(static_cast<size_t>(n * f));
  for (double& e : v) e = d(gen);
  return v;
}

void expect_structure(const Hypergraph& h, int64_t n, int64_t k) {
  EXPECT_EQ(h.num_vertices(), n);
  EXPECT_EQ(h.num_hyperedges(), n);
  EXPECT_EQ(h.num_incidences(), n * (k + 1));
  const std::vector<int64_t> sizes = h.hyperedge_sizes().cpu().to_vector<int64_t>();
  EXPECT_TRUE(std::all_of(sizes.begin(), sizes.end(), [k](int64_t s) { return s == k + 1; }));
}

TEST(Knn, HandComputed) {
  // On a line: 0, 1, 3, 7, 8 (ids 0..4). k = 1: 0->1, 1->0, 2->1, 3->4, 4->3; k = 2: 0->{1,2}, 1->{0,2},
  // 2->{1,0}, 3->{4,2}, 4->{3,2}.
  Tensor x = from_vector<float>({0, 1, 3, 7, 8}, {5, 1});
  EXPECT_EQ(members(Hypergraph::from_knn(x, 1)), (Sets{{0, 1}, {1, 0}, {2, 1}, {3, 4}, {4, 3}}));
  EXPECT_EQ(members(Hypergraph::from_knn(x, 2)), (Sets{{0, 1, 2}, {0, 1, 2}, {0, 1, 2}, {2, 3, 4}, {2, 3, 4}}));
  // Ties go to the lower id: from 1 (at 1.0), both 0 and 2 are at distance 1.
  Tensor t = from_vector<double>({0, 1, 2, 1}, {4, 1});  // vertex 3 duplicates vertex 1
  EXPECT_EQ(members(Hypergraph::from_knn(t, 1)), (Sets{{0, 1}, {1, 3}, {2, 1}, {3, 1}}));
  EXPECT_EQ(members(Hypergraph::from_knn(t, 2)), (Sets{{0, 1, 3}, {1, 3, 0}, {2, 1, 3}, {3, 1, 0}}));
}

TEST(Knn, IntegerPointsWithTiesMatchBruteForce) {
  for (DType dt : {kFloat32, kFloat64}) {
    for (auto [n, f, hi] : {std::tuple<int64_t, int64_t, int>{300, 2, 6}, {400, 3, 10}, {250, 5, 3}}) {
      const std::vector<double> p = integer_points(n, f, hi, static_cast<uint32_t>(n + f));
      const Tensor x = from_vector<double>(p, {n, f}).to(dt);
      for (int64_t k : {int64_t{1}, int64_t{4}, int64_t{15}, n - 1}) {
        const Hypergraph h = Hypergraph::from_knn(x, k);
        expect_structure(h, n, k);
        EXPECT_EQ(members(h), brute_force(p, n, f, k)) << dtype_name(dt) << " n " << n << " k " << k;
      }
    }
  }
}

TEST(Knn, WellSeparatedRandomPointsMatchFloat64BruteForce) {
  const int64_t n = 200, f = 6, k = 8;
  // The first seed whose points are well separated at the k-th neighbour (float32's GEMM error is ~1e-5 relative).
  std::vector<double> p;
  Sets want;
  double gap = 0;
  for (uint32_t seed = 31; seed < 131 && gap <= 1e-3; ++seed) {
    p = testing::random_tensor({n, f}, seed, -10, 10).to_vector<double>();
    want = brute_force(p, n, f, k, &gap);
  }
  ASSERT_GT(gap, 1e-3) << "no well-separated test data found";
  for (DType dt : {kFloat64, kFloat32}) {
    const Hypergraph h = Hypergraph::from_knn(from_vector<double>(p, {n, f}).to(dt), k);
    expect_structure(h, n, k);
    EXPECT_EQ(members(h), want) << dtype_name(dt);
  }
}

TEST(Knn, ManyBlocksEqualOneBlock) {
  const int64_t n = 203, f = 3, k = 5;
  const std::vector<double> p = integer_points(n, f, 7, 4);
  const Tensor x = from_vector<double>(p, {n, f}).to(kFloat32);
  const Sets one = members(hypergraph::detail::knn_hypergraph(x, k, n));
  EXPECT_EQ(one, brute_force(p, n, f, k));
  for (int64_t b : {1, 7, 64, 202})
    EXPECT_EQ(members(hypergraph::detail::knn_hypergraph(x, k, b)), one) << "block " << b;
  // Column tiles, including tiles narrower than k + 1 and a short last tile: the candidates' merge keeps the ties'
  // lower-id rule.
  for (int64_t c : {3, 6, 50, 100, 202})
    for (int64_t b : {7, 203})
      EXPECT_EQ(members(hypergraph::detail::knn_hypergraph(x, k, b, c)), one) << "block " << b << " tile " << c;
  // The defaults keep a tile's distance matrix near 256 MB: 65,536 columns x 1,024 rows in float32.
  EXPECT_EQ(hypergraph::detail::knn_tile_cols(1000000), 65536);
  EXPECT_EQ(hypergraph::detail::knn_block_rows(1000000, kFloat32), 1024);
  EXPECT_EQ(hypergraph::detail::knn_block_rows(1000, kFloat64), 1000);
}

TEST(Knn, Errors) {
  const Tensor x = testing::random_tensor({6, 3}, 1);
  for (int64_t k : {0, -1, 6, 7}) {
    EXPECT_THAT([&] { Hypergraph::from_knn(x, k); },
                ThrowsMessage<ValueError>(HasSubstr("Hypergraph::from_knn: k = " + std::to_string(k) +
                                                    " is out of range for N = 6 vertices (expected 1 <= k < N)")));
  }
  std::vector<double> v = x.to_vector<double>();
  v[4] = std::nan("");
  EXPECT_THAT([&] { Hypergraph::from_knn(from_vector<double>(v, {6, 3}), 2); },
              ThrowsMessage<ValueError>(HasSubstr("'features' [6, 3] contains NaN or infinite values")));
  v[4] = -INFINITY;
  EXPECT_THAT([&] { Hypergraph::from_knn(from_vector<double>(v, {6, 3}), 2); },
              ThrowsMessage<ValueError>(HasSubstr("contains NaN or infinite values")));
  EXPECT_THAT([&] { Hypergraph::from_knn(from_vector<float>({1e30f, 0, 0, 0}, {2, 2}), 1); },
              ThrowsMessage<ValueError>(HasSubstr("squared norms overflow float32")));
  EXPECT_THAT([&] { Hypergraph::from_knn(x.view({18}), 2); },
              ThrowsMessage<ShapeError>(HasSubstr("'features' must have rank 2 ([N, F]), got shape [18]")));
  EXPECT_THAT([&] { Hypergraph::from_knn(x.view({2, 3, 3}), 2); },
              ThrowsMessage<ShapeError>(HasSubstr("got shape [2, 3, 3]")));
  EXPECT_THAT([&] { Hypergraph::from_knn(zeros({6, 3}, kInt64), 2); },
              ThrowsMessage<DTypeError>(HasSubstr("'features' must be float32 or float64, got int64")));
  EXPECT_THAT([&] { Hypergraph::from_knn(Tensor(), 2); }, ThrowsMessage<ValueError>(HasSubstr("undefined")));
}

TEST(Knn, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  // Integer coordinates: every distance is exact on both devices (cuBLAS and Eigen alike), with many exact ties.
  const int64_t n = 20000, f = 4;
  const std::vector<double> p = integer_points(n, f, 30, 77);
  for (DType dt : {kFloat32, kFloat64}) {
    const Tensor x = from_vector<double>(p, {n, f}).to(dt);
    for (int64_t k : {1, 10, 1023}) {
      const Hypergraph c = Hypergraph::from_knn(x, k), g = Hypergraph::from_knn(x.cuda(), k);
      EXPECT_TRUE(g.device().is_cuda());
      expect_structure(g, n, k);
      // Same member sets give the same Csr, so the incidences agree entry for entry.
      EXPECT_EQ(g.incidence().cpu().to_vector<int64_t>(), c.incidence().to_vector<int64_t>())
          << dtype_name(dt) << " k " << k;
      // Column tiles on CUDA (7 tiles of 3,000 candidates, the last short) give the same hypergraph.
      const Hypergraph tiled = hypergraph::detail::knn_hypergraph(x.cuda(), k, 4096, 3000);
      EXPECT_EQ(tiled.incidence().cpu().to_vector<int64_t>(), c.incidence().to_vector<int64_t>())
          << "tiled " << dtype_name(dt) << " k " << k;
    }
  }
  EXPECT_THAT([&] { Hypergraph::from_knn(from_vector<double>(p, {n, f}).cuda(), 1024); },
              ThrowsMessage<ValueError>(HasSubstr("k = 1024 is too large on CUDA (at most 1023")));
  // Random points on several CUDA blocks against the brute force (float64).
  const int64_t m = 3000;
  const std::vector<double> q = testing::random_tensor({m, 5}, 78, -1, 1).to_vector<double>();
  double gap = 0;
  const Sets want = brute_force(q, m, 5, 6, &gap);
  ASSERT_GT(gap, 1e-9);
  EXPECT_EQ(members(hypergraph::detail::knn_hypergraph(from_vector<double>(q, {m, 5}).cuda(), 6, 256)), want);
}

}  // namespace
}  // namespace loom
