// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::gspmm: every (message, reduction) pair against a float64 reference written with plain loops, on graphs with
// empty rows, isolated nodes, self loops, duplicates, a hub row, no edges and two sides; gradchecks; CPU against
// CUDA (both SpMM back ends); schedules cached in the Csr; bitwise determinism; error messages.
#include <gmock/gmock.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/sparse/csr_cache.h"
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
using mp::Msg;
using mp::Reduce;
using testing::random_tensor;

const Msg kMsgs[] = {mp::copy_u, mp::copy_e, mp::u_mul_e, mp::u_add_e, mp::u_sub_e, mp::u_div_e};
const Reduce kReduces[] = {mp::sum, mp::mean, mp::max, mp::min};

using testing::op_name;
using testing::rows_then;
using testing::uses_e;
using testing::uses_u;

// Feature shapes: u's and e's trailing dimensions (after N / nnz).
struct Case {
  Shape u, e;
};
const Case kCases[] = {
    {{5}, {}},         // u [N, F], one value per entry
    {{6}, {6}},        // u [N, F], e [nnz, F]
    {{2, 3}, {2}},     // multi-head: e [nnz, H] scales each head
    {{2, 3}, {2, 1}},  // e [nnz, H, 1]
    {{2, 3}, {2, 3}},  // e [nnz, H, C]
    {{1}, {4}},        // u broadcast against e
};

// Inputs for one case: u [num_cols, ...], e [nnz, ...] with e in [0.5, 1.5] (u_div_e stays away from 0).
struct Inputs {
  Tensor u, e;
};
Inputs make_inputs(const Csr& g, const Case& c, uint32_t seed, DType dt = kFloat64) {
  return {random_tensor(rows_then(g.num_cols(), c.u), seed, -1, 1, dt),
          random_tensor(rows_then(g.nnz(), c.e), seed + 1, 0.5, 1.5, dt)};
}

std::vector<Csr> test_graphs() {
  return {testing::random_csr(11, 40, 40, 3),    // square: empty rows, isolated nodes, loops, duplicates, a hub
          testing::random_csr(12, 30, 17, 2),    // bipartite
          testing::to_csr(testing::empty_graph(9, 9)),
          testing::random_csr(13, 1500, 1500, 4)};  // hub of 1200 entries, many parallel tasks
}

// ---------------------------------------------------------------- forward against the reference
TEST(Gspmm, EveryPairMatchesTheReference) {
  const std::vector<Csr> graphs = test_graphs();
  for (size_t gi = 0; gi < graphs.size(); ++gi) {
    const Csr& g = graphs[gi];
    for (const Case& c : kCases) {
      const Inputs in = make_inputs(g, c, 100 + static_cast<uint32_t>(gi));
      for (Msg m : kMsgs) {
        for (Reduce r : kReduces) {
          Tensor out = mp::gspmm(g, m, r, in.u, in.e);
          Tensor ref = testing::gspmm_reference(g, m, r, in.u, in.e);
          ASSERT_EQ(out.shape(), ref.shape()) << op_name(m) << "/" << op_name(r) << " graph " << gi;
          EXPECT_LT(max_abs_diff(out, ref), 1e-12) << op_name(m) << "/" << op_name(r) << " graph " << gi << " u "
                                                    << shape_str(c.u) << " e " << shape_str(c.e);
          // float32 within float32 rounding
          Tensor out32 = mp::gspmm(g, m, r, in.u.to(kFloat32), in.e.to(kFloat32));
          EXPECT_TRUE(allclose(out32.to(kFloat64), ref, 1e-5, 1e-5)) << op_name(m) << "/" << op_name(r) << " float32";
        }
      }
    }
  }
}

TEST(Gspmm, HandComputedSmallGraph) {
  // Edges (src -> dst): 0->1, 2->1, 1->1 (a loop), 0->2, 0->2 (a duplicate); row 0 has none.
  Csr g = Csr::from_coo(from_vector<int64_t>({1, 1, 1, 2, 2}), from_vector<int64_t>({0, 2, 1, 0, 0}), 3, 3);
  Tensor u = from_vector<float>({1, 10, 2, 20, 3, 30}, {3, 2});
  EXPECT_EQ(mp::gspmm(g, mp::copy_u, mp::sum, u).to_vector<float>(), (std::vector<float>{0, 0, 6, 60, 2, 20}));
  EXPECT_EQ(mp::gspmm(g, mp::copy_u, mp::mean, u).to_vector<float>(), (std::vector<float>{0, 0, 2, 20, 1, 10}));
  EXPECT_EQ(mp::gspmm(g, mp::copy_u, mp::max, u).to_vector<float>(), (std::vector<float>{0, 0, 3, 30, 1, 10}));
  EXPECT_EQ(mp::gspmm(g, mp::copy_u, mp::min, u).to_vector<float>(), (std::vector<float>{0, 0, 1, 10, 1, 10}));
  // Entries sorted by (row, col): row 1 = cols 0, 1, 2; row 2 = cols 0, 0.
  Tensor w = from_vector<float>({1, 2, 3, 4, 5}, {5});
  EXPECT_EQ(mp::gspmm(g, mp::u_mul_e, mp::sum, u, w).to_vector<float>(),
            (std::vector<float>{0, 0, 1 + 4 + 9, 10 + 40 + 90, 9, 90}));
  EXPECT_EQ(mp::gspmm(g, mp::copy_e, mp::max, Tensor(), w).to_vector<float>(), (std::vector<float>{0, 3, 5}));
}

// ---------------------------------------------------------------- gradients
TEST(Gspmm, GradcheckEveryPair) {
  const Csr graphs[] = {testing::random_csr(21, 9, 9, 2), testing::random_csr(22, 7, 5, 2)};
  const Case cases[] = {kCases[0], kCases[2], kCases[4], kCases[5]};
  for (const Csr& g : graphs) {
    for (const Case& c : cases) {
      const Inputs in = make_inputs(g, c, 300);
      for (Msg m : kMsgs) {
        for (Reduce r : kReduces) {
          std::vector<Tensor> args;
          if (uses_u(m)) args.push_back(in.u);
          if (uses_e(m)) args.push_back(in.e);
          auto f = [&](const std::vector<Tensor>& x) {
            const Tensor u = uses_u(m) ? x[0] : Tensor();
            const Tensor e = uses_e(m) ? x[uses_u(m) ? 1 : 0] : Tensor();
            return mp::gspmm(g, m, r, u, e);
          };
          EXPECT_TRUE(testing::gradcheck(f, args))
              << op_name(m) << "/" << op_name(r) << " u " << shape_str(c.u) << " e "
                                                   << shape_str(c.e) << " " << g.str();
        }
      }
    }
  }
}

TEST(Gspmm, GradientsOnTheZeroEdgeGraphAreZero) {
  Csr g = testing::to_csr(testing::empty_graph(4, 3));
  Tensor u = random_tensor({3, 2}, 5).set_requires_grad(true);
  Tensor e = zeros({0, 2}, kFloat64).set_requires_grad(true);
  for (Reduce r : kReduces) {
    u.zero_grad();
    Tensor out = mp::gspmm(g, mp::u_mul_e, r, u, e);
    EXPECT_EQ(out.to_vector<double>(), std::vector<double>(8, 0.0));
    sum(out).backward();
    EXPECT_EQ(u.grad().to_vector<double>(), std::vector<double>(6, 0.0));
  }
}

// The fused path against the generic one (gather, elementwise ops, scatter), values and gradients.
TEST(Gspmm, FusedMatchesGatherScatter) {
  Csr g = testing::random_csr(23, 30, 30, 3);
  for (Reduce r : kReduces) {
    Tensor u1 = random_tensor({30, 2, 4}, 1).set_requires_grad(true), u2 = u1.detach().set_requires_grad(true);
    Tensor e1 = random_tensor({g.nnz(), 2}, 2).set_requires_grad(true), e2 = e1.detach().set_requires_grad(true);
    Tensor fused = mp::gspmm(g, mp::u_mul_e, r, u1, e1);
    Tensor generic = mp::scatter(g, mul(mp::gather_src(g, u2), e2.view({g.nnz(), 2, 1})), r);
    EXPECT_LT(max_abs_diff(fused, generic), 1e-12) << op_name(r);
    Tensor w = random_tensor(fused.shape(), 3);
    sum(mul(fused, w)).backward();
    sum(mul(generic, w)).backward();
    EXPECT_LT(max_abs_diff(u1.grad(), u2.grad()), 1e-12) << op_name(r);
    EXPECT_LT(max_abs_diff(e1.grad(), e2.grad()), 1e-12) << op_name(r);
  }
}

// de of u_mul_e / sum is gsddmm(u_dot_v, u, dy) (GUIDE 3.2).
TEST(Gspmm, EdgeGradientIsUDotV) {
  Csr g = testing::random_csr(24, 25, 20, 3);
  Tensor u = random_tensor({20, 2, 5}, 4);
  Tensor e = random_tensor({g.nnz(), 2}, 5).set_requires_grad(true);
  Tensor out = mp::gspmm(g, mp::u_mul_e, mp::sum, u, e);
  Tensor dy = random_tensor(out.shape(), 6);
  out.backward(dy);
  EXPECT_LT(max_abs_diff(e.grad(), mp::gsddmm(g, mp::u_dot_v, u, dy)), 1e-12);
}

// ---------------------------------------------------------------- determinism on the CPU
// {out, du, de} of sum(gspmm(...) * w) on the inputs' device.
std::vector<Tensor> forward_backward(const Csr& g, Msg m, Reduce r, const Inputs& in) {
  return testing::forward_backward([&](const std::vector<Tensor>& x) { return mp::gspmm(g, m, r, x[0], x[1]); },
                                   {in.u, in.e}, in.u.device());
}

TEST(Gspmm, CpuIsBitwiseDeterministicAcrossThreadCounts) {
  Csr g = testing::random_csr(31, 3000, 3000, 6);
  const Inputs in = make_inputs(g, {{2, 8}, {2}}, 400, kFloat32);
  for (Msg m : {mp::u_mul_e, mp::copy_e, mp::u_div_e}) {
    for (Reduce r : kReduces) {
      const std::vector<Tensor> base = forward_backward(g, m, r, in);
      EXPECT_TRUE(testing::bitwise_equal(forward_backward(g, m, r, in), base))
          << op_name(m) << "/" << op_name(r) << ": two runs differ";
      for (int threads : {1, 3, 8}) {
        const std::vector<Tensor> got = testing::with_threads(threads, [&] { return forward_backward(g, m, r, in); });
        EXPECT_TRUE(testing::bitwise_equal(got, base)) << op_name(m) << "/" << op_name(r) << " with " << threads
                                                       << " threads";
      }
    }
  }
}

// ---------------------------------------------------------------- CUDA
using mp::SpmmBackend;
const SpmmBackend kBackends[] = {SpmmBackend::kLoom, SpmmBackend::kCusparse};

// Forward and both gradients on CPU and CUDA (float32) agree within float32 rounding.
void expect_cuda_matches_cpu(const Csr& g, const Case& c, Msg m, Reduce r, SpmmBackend backend) {
  const Inputs in = make_inputs(g, c, 500, kFloat32);
  const Csr gd = g.to(kCUDA);
  auto f = [&](const std::vector<Tensor>& x) {
    return mp::gspmm(testing::device_of(x).is_cuda() ? gd : g, m, r, x[0], x[1]);
  };
  // Sums over the 2030-entry hub row are reordered by the chunked CUDA path: float32 rounding of that size.
  EXPECT_TRUE(testing::cuda_matches_cpu(
      f, {uses_u(m) ? in.u : Tensor(), uses_e(m) ? in.e : Tensor()}, testing::Parity().tol(1e-4, 1e-3)))
      << op_name(m) << "/" << op_name(r) << " backend " << mp::spmm_backend_name(backend) << " u " << shape_str(c.u)
      << " e " << shape_str(c.e);
}

// Both back ends against the CPU (itself checked against the float64 reference above); cuSPARSE only takes the
// pairs it can compute, the rest run Loom's kernel under either setting.
TEST(Gspmm, CudaMatchesCpuForEveryPairBothBackends) {
  LOOM_REQUIRE_CUDA();
  // 3000 nodes: the hub has 2030 entries, several chunks of the heavy-row path.
  const Csr graphs[] = {testing::random_csr(41, 3000, 3000, 5), testing::random_csr(42, 500, 200, 3),
                        testing::to_csr(testing::empty_graph(6, 6))};
  // Layouts: 16-byte loads with e broadcast ({64}, {4, 16} x {4}) or not ({2, 8} x {2, 8}); scalar loads elsewhere.
  // Per-head e [nnz, H] (the fast forward and the row-centric edge gradient): GAT's {4, 32}, e as [nnz, H, 1], H
  // not a power of two, several heads per lane pass ({5, 36}: 16 lanes a head), C not a multiple of 4 ({3, 6}:
  // generic forward, scalar-load dots); {160} x {} has heads wider than a warp of vectors (the fallback kernel).
  const Case cases[] = {kCases[0], kCases[1], kCases[2], kCases[4], kCases[5], {{64}, {}}, {{4, 16}, {4}},
                        {{2, 8}, {2, 8}}, {{3, 7}, {3, 7}}, {{4, 32}, {4}}, {{4, 16}, {4, 1}}, {{3, 8}, {3}},
                        {{5, 36}, {5}}, {{3, 6}, {3}}, {{160}, {}}};
  for (SpmmBackend backend : kBackends) {
    mp::SpmmBackendScope scope(backend);
    for (const Csr& g : graphs) {
      for (const Case& c : cases) {
        for (Msg m : kMsgs) {
          for (Reduce r : kReduces) expect_cuda_matches_cpu(g, c, m, r, backend);
        }
      }
    }
  }
}

TEST(Gspmm, CudaFloat64MatchesCpu) {
  LOOM_REQUIRE_CUDA();
  Csr g = testing::random_csr(46, 3000, 3000, 5);
  const Csr gd = g.to(kCUDA);
  for (const Case& c : {Case{{5}, {}}, Case{{2, 8}, {2}}, Case{{2, 8}, {2, 8}}, Case{{4, 32}, {4}},
                        Case{{3, 6}, {3}}, Case{{5, 36}, {5}}, Case{{64}, {}}}) {
    const Inputs in = make_inputs(g, c, 700);
    for (Msg m : kMsgs) {
      for (Reduce r : kReduces) {
        Tensor cpu = mp::gspmm(g, m, r, in.u, in.e);
        Tensor gpu = mp::gspmm(gd, m, r, in.u.cuda(), in.e.cuda());
        EXPECT_LT(max_abs_diff(gpu.cpu(), cpu), 1e-9) << op_name(m) << "/" << op_name(r) << " u " << shape_str(c.u);
      }
    }
    // The gradients of the weighted sum (the transposed gspmm for du, the row-centric dot for de).
    for (Reduce r : {mp::sum, mp::mean}) {
      Tensor grads[2][2];
      for (int dev = 0; dev < 2; ++dev) {
        Tensor u = in.u.to(dev == 0 ? kCPU : kCUDA).detach().set_requires_grad(true);
        Tensor e = in.e.to(dev == 0 ? kCPU : kCUDA).detach().set_requires_grad(true);
        Tensor out = mp::gspmm(dev == 0 ? g : gd, mp::u_mul_e, r, u, e);
        sum(mul(out, random_tensor(out.shape(), 8, -1, 1, kFloat64, out.device()))).backward();
        grads[dev][0] = u.grad().cpu();
        grads[dev][1] = e.grad().cpu();
      }
      EXPECT_LT(max_abs_diff(grads[1][0], grads[0][0]), 1e-9) << "du " << op_name(r) << " u " << shape_str(c.u);
      EXPECT_LT(max_abs_diff(grads[1][1], grads[0][1]), 1e-9) << "de " << op_name(r) << " u " << shape_str(c.u);
    }
  }
}

// Equal messages in a row longer than several CUDA chunks: max/min pick the first entry on both devices, so the
// whole gradient goes to it.
TEST(Gspmm, TiesGoToTheFirstEntryOnEveryDevice) {
  const int64_t n = 1000;
  std::vector<int64_t> rows(n, 0), cols(n);
  for (int64_t i = 0; i < n; ++i) cols[i] = n - 1 - i;  // input order reversed: entries sort by column
  Csr g = Csr::from_coo(from_vector<int64_t>(rows), from_vector<int64_t>(cols), 2, n);
  for (Device dev : testing::all_devices()) {
    if (dev.is_cuda() && !testing::has_cuda()) continue;
    const Csr gd = g.to(dev);
    for (Reduce r : {mp::max, mp::min}) {
      Tensor u = ones({n, 4}, kFloat32, dev).set_requires_grad(true);
      Tensor e = full({n}, 2.0, kFloat32, dev).set_requires_grad(true);
      Tensor out = mp::gspmm(gd, mp::u_mul_e, r, u, e);
      EXPECT_EQ(out.cpu().to_vector<float>(), (std::vector<float>{2, 2, 2, 2, 0, 0, 0, 0})) << dev.str();
      sum(out).backward();
      std::vector<float> du(static_cast<size_t>(n * 4), 0.0f), de(static_cast<size_t>(n), 0.0f);
      for (int j = 0; j < 4; ++j) du[static_cast<size_t>(j)] = 2.0f;  // entry 0 is column 0
      de[0] = 4.0f;
      EXPECT_EQ(u.grad().cpu().to_vector<float>(), du) << dev.str() << " " << op_name(r);
      EXPECT_EQ(e.grad().cpu().to_vector<float>(), de) << dev.str() << " " << op_name(r);
    }
  }
}

TEST(Gspmm, CudaLoomAndCusparseAgree) {
  LOOM_REQUIRE_CUDA();
  Csr g = testing::random_csr(43, 4000, 4000, 8, kCUDA);
  for (int64_t F : {1, 8, 64, 100}) {
    Tensor u = random_tensor({4000, F}, 1, -1, 1, kFloat32, kCUDA);
    Tensor e = random_tensor({g.nnz()}, 2, -1, 1, kFloat32, kCUDA);
    for (Msg m : {mp::copy_u, mp::u_mul_e}) {
      Tensor a, b;
      {
        mp::SpmmBackendScope s(SpmmBackend::kLoom);
        a = mp::gspmm(g, m, mp::sum, u, e);
      }
      {
        mp::SpmmBackendScope s(SpmmBackend::kCusparse);
        b = mp::gspmm(g, m, mp::sum, u, e);
      }
      EXPECT_TRUE(allclose(a.cpu(), b.cpu(), 1e-4, 1e-3)) << op_name(m) << " F " << F;
    }
  }
}

// Every row longer than the fast kernel's chunk (no light row at all), and a graph of light rows only next to
// empty ones: the fast path's row order and its items agree with the CPU.
TEST(Gspmm, CudaFastPathWithOnlyHeavyOrOnlyLightRows) {
  LOOM_REQUIRE_CUDA();
  std::vector<int64_t> rows, cols;
  for (int64_t r = 0; r < 3; ++r) {
    for (int64_t i = 0; i < 1500 + 700 * r; ++i) {
      rows.push_back(r);
      cols.push_back((i * 7 + r) % 4000);
    }
  }
  const Csr heavy = Csr::from_coo(from_vector<int64_t>(rows), from_vector<int64_t>(cols), 3, 4000);
  const Csr light = testing::random_csr(48, 2000, 4000, 3);  // short rows, some empty
  for (const Csr& g : {heavy, light}) {
    const Csr gd = g.to(kCUDA);
    for (int64_t F : {32, 128}) {
      Tensor u = random_tensor({4000, F}, 5, -1, 1, kFloat32);
      Tensor e = random_tensor({g.nnz()}, 6, -1, 1, kFloat32);
      for (Reduce r : {mp::sum, mp::mean}) {
        const Tensor cpu = mp::gspmm(g, mp::u_mul_e, r, u, e);
        const Tensor gpu = mp::gspmm(gd, mp::u_mul_e, r, u.cuda(), e.cuda()).cpu();
        EXPECT_TRUE(allclose(gpu, cpu, 1e-4, 1e-3)) << "F " << F << " " << op_name(r) << " rows " << g.num_rows()
                                                    << " max diff " << max_abs_diff(gpu, cpu);
      }
    }
  }
}

TEST(Gspmm, CudaIsBitwiseDeterministic) {
  LOOM_REQUIRE_CUDA();
  Csr g = testing::random_csr(44, 3000, 3000, 6, kCUDA);
  // cuSPARSE (opt-in) is not bitwise reproducible on the H100; its agreement is checked by the parity tests.
  {
    mp::SpmmBackendScope scope(SpmmBackend::kLoom);
    for (const Case& c : {Case{{64}, {}}, Case{{2, 8}, {2}}, Case{{4, 32}, {4}}, Case{{3, 6}, {3}}}) {
      const Inputs in = make_inputs(g, c, 600, kFloat32);
      const Inputs dev{in.u.cuda(), in.e.cuda()};
      for (Msg m : {mp::copy_u, mp::u_mul_e, mp::u_add_e}) {
        for (Reduce r : kReduces) {
          EXPECT_TRUE(testing::bitwise_equal(forward_backward(g, m, r, dev), forward_backward(g, m, r, dev)))
              << op_name(m) << "/" << op_name(r);
        }
      }
    }
  }
}

// The heavy-row schedules live in the Csr: a graph built after another one was freed (its arrays may reuse the
// old addresses) gets its own schedule, never the freed graph's. The old process-wide table keyed by the indptr
// tensor's address could hand a hub graph's heavy rows to the next graph.
TEST(Gspmm, CudaSchedulesLiveInTheCsr) {
  LOOM_REQUIRE_CUDA();
  mp::SpmmBackendScope scope(SpmmBackend::kLoom);
  for (int round = 0; round < 4; ++round) {
    // Alternate a hub graph (heavy rows, chunked) and a graph of short rows of the same size.
    const Csr g = round % 2 == 0 ? testing::random_csr(61, 3000, 3000, 5) : testing::random_csr(62, 3000, 3000, 2);
    const Csr gd = g.to(kCUDA);
    EXPECT_EQ(loom::detail::csr_cache_size(gd), 0u) << "round " << round;
    for (int64_t F : {16, 128}) {
      Tensor u = random_tensor({3000, F}, 9, -1, 1, kFloat32);
      Tensor e = random_tensor({g.nnz()}, 10, -1, 1, kFloat32);
      const Tensor cpu = mp::gspmm(g, mp::u_mul_e, mp::sum, u, e);
      const Tensor gpu = mp::gspmm(gd, mp::u_mul_e, mp::sum, u.cuda(), e.cuda()).cpu();
      EXPECT_TRUE(allclose(gpu, cpu, 1e-4, 1e-3)) << "round " << round << " F " << F;
    }
    EXPECT_GE(loom::detail::csr_cache_size(gd), 1u) << "the schedule is cached in the Csr";
  }
}

// ---------------------------------------------------------------- errors
TEST(Gspmm, ErrorsNameTheArgument) {
  Csr g = testing::random_csr(51, 6, 5, 2);
  const std::string nnz = std::to_string(g.nnz());
  Tensor u = ones({5, 3}, kFloat32);
  EXPECT_THAT([&] { mp::gspmm(g, mp::u_mul_e, mp::sum, u, ones({g.nnz() + 1}, kFloat32)); },
              ThrowsMessage<ShapeError>(HasSubstr("nnz = " + nnz)));
  EXPECT_THAT([&] { mp::gspmm(g, mp::copy_u, mp::sum, ones({6, 3}, kFloat32)); },
              ThrowsMessage<ShapeError>(HasSubstr("num_cols = 5")));
  EXPECT_THAT([&] { mp::gspmm(g, mp::u_mul_e, mp::sum, u, ones({g.nnz()}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("gspmm")));
  EXPECT_THAT([&] { mp::gspmm(g, mp::copy_u, mp::sum, ones({5, 3}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr("'u' must be float32 or float64")));
  EXPECT_THAT([&] { mp::gspmm(g, mp::u_mul_e, mp::sum, u, ones({g.nnz(), 2}, kFloat32)); },
              ThrowsMessage<ShapeError>(HasSubstr("do not broadcast")));
  EXPECT_THAT([&] { mp::gspmm(g, mp::u_add_e, mp::max, u, Tensor()); },
              ThrowsMessage<ValueError>(HasSubstr("'e' is an undefined tensor")));
  EXPECT_THAT([&] { mp::gspmm(Csr(), mp::copy_u, mp::sum, u); },
              ThrowsMessage<ValueError>(HasSubstr("undefined Csr")));
}

TEST(Gspmm, DeviceMismatchIsAnError) {
  LOOM_REQUIRE_CUDA();
  Csr g = testing::random_csr(52, 6, 5, 2);
  EXPECT_THAT([&] { mp::gspmm(g, mp::copy_u, mp::sum, ones({5, 3}, kFloat32, kCUDA)); },
              ThrowsMessage<DeviceError>(HasSubstr("'u' is on cuda:0 but the graph is on cpu")));
  EXPECT_THAT([&] { mp::gspmm(g.to(kCUDA), mp::copy_e, mp::sum, Tensor(), ones({g.nnz()}, kFloat32)); },
              ThrowsMessage<DeviceError>(HasSubstr("'e' is on cpu but the graph is on cuda:0")));
}

}  // namespace
}  // namespace loom
