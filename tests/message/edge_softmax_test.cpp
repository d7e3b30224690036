// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::edge_softmax: a float64 reference per row on the graph zoo, e [nnz] and [nnz, H]; rows sum to 1; stability
// with scores around 1e4; the backward formula; gradchecks; determinism; CPU against CUDA (the hub row goes to the
// block path); errors.
#include <gmock/gmock.h>

#include <cmath>

#include "loom/core/message.h"
#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/random_graph.h"
#include "support/reference.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::random_tensor;

// Softmax of each row's entries, per column, in float64 with the max subtracted (support/reference.h).
std::vector<double> reference(const Csr& g, const Tensor& e) {
  return testing::host(testing::edge_softmax_reference(g, e));
}

Shape edge_shape(const Csr& g, int64_t heads) { return heads == 0 ? Shape{g.nnz()} : Shape{g.nnz(), heads}; }

TEST(EdgeSoftmax, HandComputed) {
  // Row 0 has entries with scores (0, 1), row 1 none, row 2 one entry.
  Csr g = Csr::from_coo(from_vector<int64_t>({0, 0, 2}), from_vector<int64_t>({0, 1, 1}), 3, 2);
  const std::vector<double> y = mp::edge_softmax(g, from_vector<double>({0, 1, 5})).to_vector<double>();
  EXPECT_NEAR(y[0], 1 / (1 + std::exp(1.0)), 1e-15);
  EXPECT_NEAR(y[1], std::exp(1.0) / (1 + std::exp(1.0)), 1e-15);
  EXPECT_EQ(y[2], 1.0);
}

TEST(EdgeSoftmax, MatchesReferenceAndRowsSumToOne) {
  for (const auto& [name, g] : testing::graph_zoo()) {
    for (int64_t heads : {0, 1, 4, 37}) {
      for (DType dt : {kFloat64, kFloat32}) {
        Tensor e = random_tensor(edge_shape(g, heads), 7, -3, 3, dt);
        Tensor y = mp::edge_softmax(g, e);
        ASSERT_EQ(y.shape(), e.shape());
        const std::vector<double> want = reference(g, e);
        const std::vector<double> got = y.to(kFloat64).to_vector<double>();
        const double tol = dt == kFloat64 ? 1e-14 : 1e-6;
        for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], tol) << name << " H " << heads << " " << i;
        // Every row with entries sums to 1 in each head.
        const testing::HostCsr h(g);
        const int64_t w = std::max<int64_t>(1, heads);
        for (int64_t r = 0; r < h.rows; ++r) {
          if (h.indptr[r] == h.indptr[r + 1]) continue;
          for (int64_t c = 0; c < w; ++c) {
            double s = 0;
            for (int64_t k = h.indptr[r]; k < h.indptr[r + 1]; ++k) s += got[static_cast<size_t>(k * w + c)];
            ASSERT_NEAR(s, 1.0, dt == kFloat64 ? 1e-13 : 1e-5) << name << " row " << r;
          }
        }
      }
    }
  }
}

TEST(EdgeSoftmax, StableWithHugeScores) {
  Csr g = testing::random_csr(3, 300, 300, 5);
  for (DType dt : {kFloat32, kFloat64}) {
    // exp(1e4) overflows in both precisions without the max subtracted.
    Tensor e = random_tensor({g.nnz(), 2}, 9, 1e4, 1e4 + 20, dt);
    Tensor y = mp::edge_softmax(g, e);
    EXPECT_FALSE(has_nonfinite(y));
    const std::vector<double> want = reference(g, e);
    const std::vector<double> got = y.to(kFloat64).to_vector<double>();
    // float32 scores near 1e4 are themselves rounded to ~1e-3; the reference sees the same rounded inputs.
    for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], dt == kFloat64 ? 1e-12 : 1e-5) << i;
    Tensor neg = mp::edge_softmax(g, mul_scalar(e, -1.0));
    EXPECT_FALSE(has_nonfinite(neg));
  }
}

TEST(EdgeSoftmax, BackwardFormula) {
  Csr g = testing::random_csr(4, 200, 150, 4);
  Tensor e = random_tensor({g.nnz(), 3}, 10).set_requires_grad(true);
  Tensor dy = random_tensor({g.nnz(), 3}, 11);
  Tensor y = mp::edge_softmax(g, e);
  y.backward(dy);
  const testing::HostCsr h(g);
  const auto yv = y.to_vector<double>(), d = dy.to_vector<double>(), got = e.grad().to_vector<double>();
  for (int64_t r = 0; r < h.rows; ++r) {
    for (int64_t c = 0; c < 3; ++c) {
      double s = 0;
      for (int64_t k = h.indptr[r]; k < h.indptr[r + 1]; ++k) s += yv[static_cast<size_t>(k * 3 + c)] * d[static_cast<size_t>(k * 3 + c)];
      for (int64_t k = h.indptr[r]; k < h.indptr[r + 1]; ++k) {
        const size_t i = static_cast<size_t>(k * 3 + c);
        ASSERT_NEAR(got[i], yv[i] * (d[i] - s), 1e-14) << "entry " << k;
      }
    }
  }
}

TEST(EdgeSoftmax, Gradcheck) {
  for (const auto& [name, g] : std::vector<testing::NamedGraph>{{"square", testing::random_csr(5, 8, 8, 2)},
                                                                {"bipartite", testing::random_csr(6, 6, 9, 2)},
                                                                {"zero_edge", testing::random_csr(7, 3, 3, 0)}}) {
    for (int64_t heads : {0, 3}) {
      const Csr gg = g;
      EXPECT_TRUE(testing::gradcheck([gg](const std::vector<Tensor>& in) { return mp::edge_softmax(gg, in[0]); },
                                     {random_tensor(edge_shape(g, heads), 12, -2, 2)}))
          << name << " H " << heads;
    }
  }
}

// {y, de} in float32 on `device` (the backward of y against random weights).
std::vector<Tensor> run(const Csr& g, int64_t heads, Device device, uint32_t seed) {
  const Csr gd = g.to(device);
  return testing::forward_backward([&](const std::vector<Tensor>& x) { return mp::edge_softmax(gd, x[0]); },
                                   {random_tensor(edge_shape(g, heads), seed, -4, 4, kFloat32)}, device, seed + 1);
}

TEST(EdgeSoftmax, DeterministicAcrossRunsAndThreadCounts) {
  Csr g = testing::random_csr(8, 3000, 3000, 4);
  for (int64_t heads : {0, 4}) {
    const auto a = run(g, heads, kCPU, 20), b = run(g, heads, kCPU, 20);
    const auto one = testing::with_threads(1, [&] { return run(g, heads, kCPU, 20); });
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_TRUE(testing::bitwise_equal(a[i], b[i])) << "H " << heads << " output " << i;
      EXPECT_TRUE(testing::bitwise_equal(a[i], one[i])) << "H " << heads << " output " << i << " (1 thread)";
    }
  }
}

TEST(EdgeSoftmax, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  for (const testing::NamedGraph& ng : testing::graph_zoo()) {
    const Csr& g = ng.g;
    const Csr gd = g.to(kCUDA);
    auto f = [&](const std::vector<Tensor>& x) { return mp::edge_softmax(x[0].is_cuda() ? gd : g, x[0]); };
    for (int64_t heads : {0, 1, 4, 37}) {
      EXPECT_TRUE(testing::cuda_matches_cpu(f, {random_tensor(edge_shape(g, heads), 30, -4, 4, kFloat32)},
                                            testing::Parity().tol(1e-4, 1e-6).weights(31).repeatable()))
          << ng.name << " H " << heads;
    }
  }
  // Huge scores on the device too.
  Csr g = testing::random_csr(3, 300, 300, 5);
  Tensor e = random_tensor({g.nnz(), 2}, 9, 1e4, 1e4 + 20, kFloat32);
  EXPECT_FALSE(has_nonfinite(mp::edge_softmax(g.to(kCUDA), e.cuda())));
  EXPECT_TRUE(allclose(mp::edge_softmax(g.to(kCUDA), e.cuda()).cpu(), mp::edge_softmax(g, e), 1e-4, 1e-6));
}

TEST(EdgeSoftmax, Errors) {
  Csr g = testing::random_csr(9, 6, 6, 2);
  EXPECT_THAT([&] { mp::edge_softmax(g, random_tensor({g.nnz() + 1}, 1)); },
              ThrowsMessage<ShapeError>(HasSubstr("edge_softmax: 'e' has " + std::to_string(g.nnz() + 1) +
                                                  " rows but the graph has " + std::to_string(g.nnz()) + " edges")));
  EXPECT_THAT([&] { mp::edge_softmax(g, zeros({g.nnz()}, kInt32)); },
              ThrowsMessage<DTypeError>(HasSubstr("'e' must be float32 or float64, got int32")));
  EXPECT_THAT([&] { mp::edge_softmax(g, scalar_tensor(1.0)); },
              ThrowsMessage<ShapeError>(HasSubstr("rank-0")));
  EXPECT_THAT([&] { mp::edge_softmax(Csr(), random_tensor({3}, 1)); },
              ThrowsMessage<ValueError>(HasSubstr("undefined Csr")));
}

TEST(EdgeSoftmax, DeviceMismatch) {
  LOOM_REQUIRE_CUDA();
  Csr g = testing::random_csr(9, 6, 6, 2);
  EXPECT_THAT([&] { mp::edge_softmax(g, random_tensor({g.nnz()}, 1).cuda()); },
              ThrowsMessage<DeviceError>(HasSubstr("'e' is on cuda:0 but the graph is on cpu")));
}

}  // namespace
}  // namespace loom
