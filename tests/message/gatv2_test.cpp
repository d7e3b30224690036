// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::gatv2_logits: against a naive float64 loop on the graph zoo (empty rows, isolated nodes, self loops,
// duplicates, a hub row, bipartite, zero edges); float64 gradchecks for u, v and att; the backward against
// hand-written sums; determinism across runs and thread counts; CPU against CUDA; errors.
#include <gmock/gmock.h>

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

using testing::lrelu;

// out[k, h] = sum_c att[h, c] * lrelu(u[col k, h, c] + v[row k, h, c]), written plainly.
Tensor reference(const Csr& g, const Tensor& u, const Tensor& v, const Tensor& att, double slope) {
  const testing::HostCsr hg(g);
  const int64_t H = u.size(1), C = u.size(2);
  const auto U = u.cpu().to(kFloat64).to_vector<double>(), V = v.cpu().to(kFloat64).to_vector<double>();
  const auto A = att.cpu().to(kFloat64).to_vector<double>();
  std::vector<double> out(static_cast<size_t>(hg.nnz * H), 0.0);
  for (int64_t r = 0; r < hg.rows; ++r)
    for (int64_t k = hg.indptr[r]; k < hg.indptr[r + 1]; ++k) {
      const int64_t c = hg.indices[static_cast<size_t>(k)];
      for (int64_t h = 0; h < H; ++h)
        for (int64_t j = 0; j < C; ++j) {
          const size_t f = static_cast<size_t>(h * C + j);
          out[static_cast<size_t>(k * H + h)] +=
              A[f] * lrelu(U[static_cast<size_t>(c * H * C) + f] + V[static_cast<size_t>(r * H * C) + f], slope);
        }
    }
  return from_vector<double>(out, {hg.nnz, H});
}

struct Inputs {
  Tensor u, v, att;
};
Inputs inputs(const Csr& g, int64_t H, int64_t C, uint32_t seed, DType dtype = kFloat64) {
  return {random_tensor({g.num_cols(), H, C}, seed, -1, 1, dtype),
          random_tensor({g.num_rows(), H, C}, seed + 1, -1, 1, dtype), random_tensor({H, C}, seed + 2, -1, 1, dtype)};
}

TEST(Gatv2Logits, HandComputed) {
  // Edges 0->1, 2->1, 1->0 (src -> dst): rows 0: {1}, 1: {0, 2}. One head, two channels.
  Csr g = Csr::from_coo(from_vector<int64_t>({1, 1, 0}), from_vector<int64_t>({0, 2, 1}), 3, 3);
  Tensor u = from_vector<double>({1, -2, 3, -4, -5, 6}, {3, 1, 2});
  Tensor v = from_vector<double>({0.5, 1, -1, 2, 0, 0}, {3, 1, 2});
  Tensor att = from_vector<double>({2, 3}, {1, 2});
  // entry 0 (row 0, col 1): z = (3.5, -3) -> 2*3.5 + 3*(-0.6) = 5.2
  // entry 1 (row 1, col 0): z = (0, 0)    -> 0
  // entry 2 (row 1, col 2): z = (-6, 8)   -> 2*(-1.2) + 3*8 = 21.6
  const auto out = mp::gatv2_logits(g, u, v, att, 0.2).to_vector<double>();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_NEAR(out[0], 5.2, 1e-12);
  EXPECT_NEAR(out[1], 0.0, 1e-12);
  EXPECT_NEAR(out[2], 21.6, 1e-12);
}

TEST(Gatv2Logits, MatchesReferenceOnGraphZoo) {
  const std::vector<std::pair<int64_t, int64_t>> heads_channels = {{1, 1}, {3, 4}, {2, 40}, {1, 7}};
  for (const auto& [name, g] : testing::graph_zoo()) {
    for (const auto& [H, C] : heads_channels) {
      for (double slope : {0.2, 0.0, -0.5}) {
        const Inputs in = inputs(g, H, C, 7);
        const Tensor out = mp::gatv2_logits(g, in.u, in.v, in.att, slope);
        const Tensor want = reference(g, in.u, in.v, in.att, slope);
        ASSERT_EQ(out.shape(), want.shape()) << name;
        EXPECT_LE(max_abs_diff(out, want), 1e-12) << name << " H " << H << " C " << C << " slope " << slope;
        const Inputs f = inputs(g, H, C, 7, kFloat32);
        EXPECT_TRUE(allclose(mp::gatv2_logits(g, f.u, f.v, f.att, slope).to(kFloat64), want, 1e-5, 1e-4))
            << name << " H " << H << " C " << C << " float32";
      }
    }
  }
}

TEST(Gatv2Logits, Gradcheck) {
  const std::vector<testing::NamedGraph> graphs = {{"square", testing::random_csr(21, 7, 7, 2)},
                                                   {"bipartite", testing::random_csr(22, 5, 8, 2)},
                                                   {"bipartite_tall", testing::random_csr(24, 8, 4, 2)},
                                                   {"zero_edge", testing::random_csr(23, 4, 3, 0)}};
  for (const auto& [name, g] : graphs) {
    for (const auto& [H, C] : std::vector<std::pair<int64_t, int64_t>>{{1, 3}, {2, 3}}) {
      const Inputs in = inputs(g, H, C, 31);
      const Csr gg = g;
      auto f = [gg](const std::vector<Tensor>& x) { return mp::gatv2_logits(gg, x[0], x[1], x[2], 0.2); };
      EXPECT_TRUE(testing::gradcheck(f, {in.u, in.v, in.att})) << name << " H " << H << " C " << C;
    }
  }
}

TEST(Gatv2Logits, OnlySomeInputsNeedGradients) {
  Csr g = testing::random_csr(25, 30, 30, 3);
  const Inputs in = inputs(g, 2, 3, 41);
  // Each input alone, checked against the all-inputs run.
  Tensor u = in.u.clone().set_requires_grad(true), v = in.v.clone().set_requires_grad(true),
         att = in.att.clone().set_requires_grad(true);
  Tensor dy = random_tensor({g.nnz(), 2}, 42);
  mp::gatv2_logits(g, u, v, att).backward(dy);
  for (int which = 0; which < 3; ++which) {
    Tensor xs[3] = {in.u.clone(), in.v.clone(), in.att.clone()};
    xs[which].set_requires_grad(true);
    mp::gatv2_logits(g, xs[0], xs[1], xs[2]).backward(dy);
    const Tensor& full = which == 0 ? u : which == 1 ? v : att;
    EXPECT_LE(max_abs_diff(xs[which].grad(), full.grad()), 1e-14) << "input " << which;
  }
}

TEST(Gatv2Logits, BackwardMatchesReferenceSums) {
  // A graph with a hub (240 in-edges) and duplicates, checked against plain loops over the entries.
  Csr g = testing::random_csr(31, 300, 300, 3);
  const int64_t H = 2, C = 5;
  const double s = 0.2;
  const Inputs in = inputs(g, H, C, 51);
  Tensor u = in.u.clone().set_requires_grad(true), v = in.v.clone().set_requires_grad(true),
         att = in.att.clone().set_requires_grad(true);
  Tensor dy = random_tensor({g.nnz(), H}, 52);
  mp::gatv2_logits(g, u, v, att, s).backward(dy);
  const testing::HostCsr h(g);
  const auto U = in.u.to_vector<double>(), V = in.v.to_vector<double>(), A = in.att.to_vector<double>(),
             D = dy.to_vector<double>();
  std::vector<double> du(U.size(), 0.0), dv(V.size(), 0.0), da(A.size(), 0.0);
  for (int64_t r = 0; r < h.rows; ++r)
    for (int64_t k = h.indptr[r]; k < h.indptr[r + 1]; ++k) {
      const int64_t c = h.indices[static_cast<size_t>(k)];
      for (int64_t f = 0; f < H * C; ++f) {
        const double z = U[static_cast<size_t>(c * H * C + f)] + V[static_cast<size_t>(r * H * C + f)];
        const double gk = D[static_cast<size_t>(k * H + f / C)];
        const double dz = gk * A[static_cast<size_t>(f)] * (z > 0 ? 1.0 : s);
        du[static_cast<size_t>(c * H * C + f)] += dz;
        dv[static_cast<size_t>(r * H * C + f)] += dz;
        da[static_cast<size_t>(f)] += gk * lrelu(z, s);
      }
    }
  EXPECT_LE(max_abs_diff(u.grad(), from_vector<double>(du, {300, H, C})), 1e-12);
  EXPECT_LE(max_abs_diff(v.grad(), from_vector<double>(dv, {300, H, C})), 1e-12);
  EXPECT_LE(max_abs_diff(att.grad(), from_vector<double>(da, {H, C})), 1e-10);
}

Tensor gatv2(const Csr& g, const std::vector<Tensor>& x) { return mp::gatv2_logits(g, x[0], x[1], x[2], 0.2); }

// {out, du, dv, datt}, float32, on `device` (the backward of out against random weights).
std::vector<Tensor> run(const Csr& g, int64_t H, int64_t C, Device device, uint32_t seed) {
  const Inputs in = inputs(g, H, C, seed, kFloat32);
  const Csr gd = g.to(device);
  return testing::forward_backward([&](const std::vector<Tensor>& x) { return gatv2(gd, x); }, {in.u, in.v, in.att},
                                   device, seed + 9);
}

TEST(Gatv2Logits, DeterministicAcrossRunsAndThreadCounts) {
  Csr g = testing::random_csr(61, 1500, 1500, 4);
  const auto a = run(g, 3, 8, kCPU, 5);
  const auto b = run(g, 3, 8, kCPU, 5);
  const auto one = testing::with_threads(1, [&] { return run(g, 3, 8, kCPU, 5); });
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(testing::bitwise_equal(a[i], b[i])) << "output " << i;
    EXPECT_TRUE(testing::bitwise_equal(a[i], one[i])) << "output " << i << " (1 thread)";
  }
}

TEST(Gatv2Logits, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  const std::vector<std::pair<int64_t, int64_t>> heads_channels = {{1, 1}, {3, 4}, {2, 40}, {8, 8}};
  for (const testing::NamedGraph& ng : testing::graph_zoo()) {
    const Csr& g = ng.g;
    const Csr gd = g.to(kCUDA);
    auto f = [&](const std::vector<Tensor>& x) { return gatv2(x[0].is_cuda() ? gd : g, x); };
    for (const auto& [H, C] : heads_channels) {
      const Inputs in = inputs(g, H, C, 70, kFloat32);
      EXPECT_TRUE(testing::cuda_matches_cpu(f, {in.u, in.v, in.att},
                                            testing::Parity().tol(1e-4, 1e-4).weights(79).repeatable()))
          << ng.name << " H " << H << " C " << C;
    }
  }
}

TEST(Gatv2Logits, Errors) {
  Csr g = testing::random_csr(51, 9, 10, 2);  // 9 rows (destinations), 10 columns (sources)
  Tensor u = random_tensor({10, 2, 3}, 1), v = random_tensor({9, 2, 3}, 2), att = random_tensor({2, 3}, 3);
  EXPECT_THAT([&] { mp::gatv2_logits(g, random_tensor({9, 2, 3}, 4), v, att); },
              ThrowsMessage<ShapeError>(HasSubstr("'u' has 9 rows but the graph has 10 columns (source nodes)")));
  EXPECT_THAT([&] { mp::gatv2_logits(g, u, random_tensor({10, 2, 3}, 4), att); },
              ThrowsMessage<ShapeError>(HasSubstr("'v' has 10 rows but the graph has 9 rows (destination nodes)")));
  EXPECT_THAT([&] { mp::gatv2_logits(g, random_tensor({10, 6}, 4), v, att); },
              ThrowsMessage<ShapeError>(HasSubstr("'u' must be [num_cols, H, C] (a row per source node)")));
  EXPECT_THAT([&] { mp::gatv2_logits(g, u, random_tensor({9, 3, 2}, 4), att); },
              ThrowsMessage<ShapeError>(HasSubstr("must have the same heads and channels")));
  EXPECT_THAT([&] { mp::gatv2_logits(g, u, v, random_tensor({3, 2}, 4)); },
              ThrowsMessage<ShapeError>(HasSubstr("'att' must be [H, C] = [2, 3]")));
  EXPECT_THAT([&] { mp::gatv2_logits(g, u, v.to(kFloat32), att); },
              ThrowsMessage<DTypeError>(HasSubstr("'u' is float64 [10, 2, 3] but 'v' is float32 [9, 2, 3]")));
  EXPECT_THAT([&] { mp::gatv2_logits(g, u, v, att.to(kFloat32)); },
              ThrowsMessage<DTypeError>(HasSubstr("but 'att' is float32 [2, 3]")));
  EXPECT_THAT([&] { mp::gatv2_logits(g, zeros({10, 2, 3}, kInt64), v, att); },
              ThrowsMessage<DTypeError>(HasSubstr("gatv2_logits: 'u' must be float32 or float64, got int64")));
  EXPECT_THAT([&] { mp::gatv2_logits(g, u, v, Tensor()); },
              ThrowsMessage<ValueError>(HasSubstr("'att' is an undefined tensor")));
  EXPECT_THAT([&] { mp::gatv2_logits(Csr(), u, v, att); }, ThrowsMessage<ValueError>(HasSubstr("undefined Csr")));
}

TEST(Gatv2Logits, DeviceMismatch) {
  LOOM_REQUIRE_CUDA();
  Csr g = testing::random_csr(52, 9, 10, 2);
  Tensor u = random_tensor({10, 2, 3}, 1), v = random_tensor({9, 2, 3}, 2), att = random_tensor({2, 3}, 3);
  EXPECT_THAT([&] { mp::gatv2_logits(g, u.cuda(), v, att); },
              ThrowsMessage<DeviceError>(HasSubstr("'u' is on cuda:0 but the graph is on cpu")));
  EXPECT_THAT([&] { mp::gatv2_logits(g, u, v, att.cuda()); },
              ThrowsMessage<DeviceError>(HasSubstr("'att' is on cuda:0 but the graph is on cpu")));
}

}  // namespace
}  // namespace loom
