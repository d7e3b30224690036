// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::gsddmm: every op against a naive float64 loop on the graph zoo (empty rows, isolated nodes, self loops,
// duplicates, a hub row, bipartite, zero edges) with [N, F], [N, H, C], [N, H] and broadcast feature shapes;
// float64 gradchecks for both operands; determinism across runs and thread counts; CPU against CUDA; errors.
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
using mp::Binary;
using testing::random_tensor;

const std::vector<Binary> kOps = {Binary::kDot, Binary::kAdd, Binary::kSub, Binary::kMul,
                                  Binary::kDiv, Binary::kCopyU, Binary::kCopyV};

using testing::op_name;
using testing::rows_then;

// Feature shapes of u and v: same shapes, GAT heads, per-head v, broadcast heads, rank-1 u, both broadcast, a
// vectorisable width and a wide dot.
struct Case {
  Shape su, sv;
};
const std::vector<Case> kCases = {{{5}, {5}},       {{3, 4}, {3, 4}}, {{4}, {4}},   {{3, 4}, {3}},
                                  {{1, 4}, {3, 4}}, {{}, {6}},        {{3, 1}, {1, 4}}, {{8}, {8}},
                                  {{40}, {40}}};

// Node operands: u over the columns, v over the rows; v kept away from 0 so that div is smooth.
std::pair<Tensor, Tensor> operands(const Csr& g, const Case& c, uint32_t seed, DType dtype = kFloat64) {
  return {random_tensor(rows_then(g.num_cols(), c.su), seed, -1, 1, dtype),
          random_tensor(rows_then(g.num_rows(), c.sv), seed + 1, 0.5, 1.5, dtype)};
}

TEST(Gsddmm, HandComputed) {
  // Edges 0->1, 2->1, 1->0 (src -> dst): rows 0: {1}, 1: {0, 2}.
  Csr g = Csr::from_coo(from_vector<int64_t>({1, 1, 0}), from_vector<int64_t>({0, 2, 1}), 3, 3);
  Tensor u = from_vector<double>({1, 2, 3, 4, 5, 6}, {3, 2});
  Tensor v = from_vector<double>({10, 20, 30, 40, 50, 60}, {3, 2});
  EXPECT_EQ(mp::gsddmm(g, mp::u_add_v, u, v).to_vector<double>(), (std::vector<double>{13, 24, 31, 42, 35, 46}));
  EXPECT_EQ(mp::gsddmm(g, mp::u_dot_v, u, v).to_vector<double>(), (std::vector<double>{3 * 10 + 4 * 20,
                                                                                       1 * 30 + 2 * 40,
                                                                                       5 * 30 + 6 * 40}));
  EXPECT_EQ(mp::gsddmm(g, mp::u_dot_v, u, v).shape(), (Shape{3}));
  EXPECT_EQ(mp::gsddmm(g, mp::copy_u_e, u, Tensor()).to_vector<double>(), (std::vector<double>{3, 4, 1, 2, 5, 6}));
  EXPECT_EQ(mp::gsddmm(g, mp::copy_v_e, Tensor(), v).to_vector<double>(),
            (std::vector<double>{10, 20, 30, 40, 30, 40}));
  // v [N] against u [N, 2]: one value per destination, paired with every feature.
  Tensor vs = from_vector<double>({1, 2, 4}, {3});
  EXPECT_EQ(mp::gsddmm(g, mp::u_mul_v, u, vs).to_vector<double>(), (std::vector<double>{3, 4, 2, 4, 10, 12}));
}

TEST(Gsddmm, MatchesReferenceOnGraphZoo) {
  for (const auto& [name, g] : testing::graph_zoo()) {
    for (Binary op : kOps) {
      for (size_t ci = 0; ci < kCases.size(); ++ci) {
        auto [u, v] = operands(g, kCases[ci], 100 + static_cast<uint32_t>(ci));
        const Tensor out = mp::gsddmm(g, op, u, v);
        const Tensor want = testing::gsddmm_reference(g, op, u, v);
        ASSERT_EQ(out.shape(), want.shape()) << name << " " << op_name(op) << " case " << ci;
        EXPECT_LE(max_abs_diff(out, want), 1e-12) << name << " " << op_name(op) << " case " << ci;
        // float32 too, within float32 rounding.
        auto [uf, vf] = operands(g, kCases[ci], 100 + static_cast<uint32_t>(ci), kFloat32);
        EXPECT_TRUE(allclose(mp::gsddmm(g, op, uf, vf).to(kFloat64), want, 1e-5, 1e-5))
            << name << " " << op_name(op) << " case " << ci << " float32";
      }
    }
  }
}

TEST(Gsddmm, Gradcheck) {
  const std::vector<testing::NamedGraph> graphs = {{"square", testing::random_csr(21, 7, 7, 2)},
                                                   {"bipartite", testing::random_csr(22, 5, 8, 2)},
                                                   {"zero_edge", testing::random_csr(23, 4, 3, 0)}};
  const std::vector<Case> cases = {{{3}, {3}}, {{2, 3}, {2, 3}}, {{2, 3}, {2}}, {{1, 3}, {2, 3}}, {{}, {3}}};
  for (const auto& [name, g] : graphs) {
    for (Binary op : kOps) {
      for (size_t ci = 0; ci < cases.size(); ++ci) {
        auto [u, v] = operands(g, cases[ci], 200 + static_cast<uint32_t>(ci));
        const Csr gg = g;
        auto f = [gg, op](const std::vector<Tensor>& in) { return mp::gsddmm(gg, op, in[0], in[1]); };
        EXPECT_TRUE(testing::gradcheck(f, {u, v})) << name << " " << op_name(op) << " case " << ci;
      }
    }
  }
}

TEST(Gsddmm, BackwardMatchesReferenceSums) {
  // du[c] = sum over c's out-edges of dy * v[row] for u_mul_v, checked against a loop on a graph with a hub.
  Csr g = testing::random_csr(31, 300, 300, 3);
  Tensor u = random_tensor({300, 4}, 1).set_requires_grad(true);
  Tensor v = random_tensor({300, 4}, 2).set_requires_grad(true);
  Tensor dy = random_tensor({g.nnz(), 4}, 3);
  mp::gsddmm(g, mp::u_mul_v, u, v).backward(dy);
  const testing::HostCsr h(g);
  const auto U = u.to_vector<double>(), V = v.to_vector<double>(), D = dy.to_vector<double>();
  std::vector<double> du(U.size(), 0.0), dv(V.size(), 0.0);
  for (int64_t r = 0; r < h.rows; ++r)
    for (int64_t k = h.indptr[r]; k < h.indptr[r + 1]; ++k)
      for (int64_t f = 0; f < 4; ++f) {
        const int64_t c = h.indices[static_cast<size_t>(k)];
        du[static_cast<size_t>(c * 4 + f)] += D[static_cast<size_t>(k * 4 + f)] * V[static_cast<size_t>(r * 4 + f)];
        dv[static_cast<size_t>(r * 4 + f)] += D[static_cast<size_t>(k * 4 + f)] * U[static_cast<size_t>(c * 4 + f)];
      }
  EXPECT_LE(max_abs_diff(u.grad(), from_vector<double>(du, {300, 4})), 1e-12);
  EXPECT_LE(max_abs_diff(v.grad(), from_vector<double>(dv, {300, 4})), 1e-12);
}

// {out, du, dv} for one op, float32, on `device` (the backward of out against random weights).
std::vector<Tensor> run(const Csr& g, Binary op, const Case& c, Device device, uint32_t seed) {
  auto [u, v] = operands(g, c, seed, kFloat32);
  const Csr gd = g.to(device);
  return testing::forward_backward([&](const std::vector<Tensor>& x) { return mp::gsddmm(gd, op, x[0], x[1]); },
                                   {u, v}, device, seed + 7);
}

TEST(Gsddmm, DeterministicAcrossRunsAndThreadCounts) {
  Csr g = testing::random_csr(41, 1500, 1500, 4);
  for (Binary op : kOps) {
    for (const Case& c : {kCases[1], kCases[3]}) {
      const auto a = run(g, op, c, kCPU, 5);
      const auto b = run(g, op, c, kCPU, 5);
      const auto one = testing::with_threads(1, [&] { return run(g, op, c, kCPU, 5); });
      for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_TRUE(testing::bitwise_equal(a[i], b[i])) << op_name(op) << " output " << i;
        EXPECT_TRUE(testing::bitwise_equal(a[i], one[i])) << op_name(op) << " output " << i << " (1 thread)";
      }
    }
  }
}

TEST(Gsddmm, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  for (const testing::NamedGraph& ng : testing::graph_zoo()) {
    const std::string& name = ng.name;
    const Csr& g = ng.g;
    const Csr gd = g.to(kCUDA);
    for (Binary op : kOps) {
      for (size_t ci = 0; ci < kCases.size(); ++ci) {
        const uint32_t seed = 300 + static_cast<uint32_t>(ci);
        auto [u, v] = operands(g, kCases[ci], seed, kFloat32);
        auto f = [&, op](const std::vector<Tensor>& x) {
          return mp::gsddmm(testing::device_of(x).is_cuda() ? gd : g, op, x[0], x[1]);
        };
        EXPECT_TRUE(
            testing::cuda_matches_cpu(f, {u, v}, testing::Parity().tol(1e-4, 1e-5).weights(seed + 7).repeatable()))
            << name << " " << op_name(op) << " case " << ci;
      }
    }
  }
}

// u_dot_v on unbroadcast operands takes the row-centric kernel (v[row] in registers): per-head layouts with one
// head (a plain dot), GAT's {4, 32}, C not a multiple of the vector width ({3, 6}), several passes of heads
// ({5, 36}), heads wider than a warp of vectors ({160}: the fallback kernel); float32 and float64, the hub row
// split into chunks, empty rows; bitwise equal across runs.
TEST(Gsddmm, CudaDotMatchesCpuOnEveryHeadLayout) {
  LOOM_REQUIRE_CUDA();
  const Case cases[] = {{{128}, {128}}, {{4, 32}, {4, 32}}, {{3, 6}, {3, 6}}, {{5, 36}, {5, 36}}, {{160}, {160}},
                        {{2, 3}, {2, 3}}};
  for (const auto& [name, g] : testing::graph_zoo()) {
    const Csr gd = g.to(kCUDA);
    for (DType dt : {kFloat32, kFloat64}) {
      for (size_t ci = 0; ci < std::size(cases); ++ci) {
        auto [u, v] = operands(g, cases[ci], 500 + static_cast<uint32_t>(ci), dt);
        const Tensor cpu = mp::gsddmm(g, mp::u_dot_v, u, v);
        const Tensor gpu = mp::gsddmm(gd, mp::u_dot_v, u.cuda(), v.cuda());
        const Tensor again = mp::gsddmm(gd, mp::u_dot_v, u.cuda(), v.cuda());
        const double tol = dt == kFloat32 ? 1e-4 : 1e-12;
        EXPECT_TRUE(allclose(gpu.cpu(), cpu, tol, tol))
            << name << " case " << ci << " " << dtype_name(dt) << ": max diff " << max_abs_diff(gpu.cpu(), cpu);
        EXPECT_TRUE(testing::bitwise_equal(gpu, again)) << name << " case " << ci << " " << dtype_name(dt);
      }
    }
  }
}

TEST(Gsddmm, Errors) {
  Csr g = testing::random_csr(51, 9, 10, 2);  // 9 rows (destinations), 10 columns (sources)
  Tensor u = random_tensor({10, 4}, 1), v = random_tensor({9, 4}, 2);
  EXPECT_THAT([&] { mp::gsddmm(g, mp::u_add_v, random_tensor({9, 4}, 3), v); },
              ThrowsMessage<ShapeError>(HasSubstr("gsddmm(u_add_v): 'u' has 9 rows but the graph has 10 columns")));
  EXPECT_THAT([&] { mp::gsddmm(g, mp::u_dot_v, u, random_tensor({10, 4}, 3)); },
              ThrowsMessage<ShapeError>(HasSubstr("'v' has 10 rows but the graph has 9 rows (destination nodes)")));
  EXPECT_THAT([&] { mp::gsddmm(g, mp::copy_v_e, Tensor(), random_tensor({3}, 3)); },
              ThrowsMessage<ShapeError>(HasSubstr("gsddmm(copy_v): 'v' has 3 rows")));
  EXPECT_THAT([&] { mp::gsddmm(g, mp::u_mul_v, u, random_tensor({9, 3}, 3)); },
              ThrowsMessage<ShapeError>(HasSubstr("do not broadcast: feature dimension 0 is 4 vs 3")));
  EXPECT_THAT([&] { mp::gsddmm(g, mp::u_sub_v, u, v.to(kFloat32)); },
              ThrowsMessage<DTypeError>(HasSubstr("'u' is float64 [10, 4] but 'v' is float32 [9, 4]")));
  EXPECT_THAT([&] { mp::gsddmm(g, mp::u_div_v, zeros({10, 4}, kInt64), v); },
              ThrowsMessage<DTypeError>(HasSubstr("gsddmm(u_div_v): 'u' must be float32 or float64, got int64")));
  EXPECT_THAT([&] { mp::gsddmm(g, mp::copy_u_e, Tensor(), v); },
              ThrowsMessage<ValueError>(HasSubstr("'u' is an undefined tensor")));
  EXPECT_THAT([&] { mp::gsddmm(Csr(), mp::u_add_v, u, v); },
              ThrowsMessage<ValueError>(HasSubstr("undefined Csr")));
}

TEST(Gsddmm, DeviceMismatch) {
  LOOM_REQUIRE_CUDA();
  Csr g = testing::random_csr(52, 9, 10, 2);
  EXPECT_THAT([&] { mp::gsddmm(g, mp::u_add_v, random_tensor({10, 4}, 1).cuda(), random_tensor({9, 4}, 2)); },
              ThrowsMessage<DeviceError>(HasSubstr("'u' is on cuda:0 but the graph is on cpu")));
}

}  // namespace
}  // namespace loom
