// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::gspmm_act (SINC-GCN's fused "add, activate, reduce"): every activation and reduction, with and without
// per-entry weights, against a float64 loop reference on graphs with empty rows, isolated nodes, self loops,
// duplicates, a hub row, no edges and two sides; gradchecks; the unfused gather/scatter composition; ties;
// determinism; errors; CPU against CUDA.
#include <gmock/gmock.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

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
using mp::Act;
using mp::Reduce;
using testing::random_tensor;

const Act kActs[] = {Act::kIdentity, Act::kRelu, Act::kLeakyRelu, Act::kSigmoid, Act::kTanh};
const Reduce kReduces[] = {mp::sum, mp::mean, mp::max};
constexpr double kSlope = 0.15;

using testing::op_name;
double ref_act(Act a, double z) { return testing::ref_act(a, z, kSlope); }

// out[r, f] = reduce over the entries k of row r of w[k] act(u[col k, f] + v[r, f]), explicit float64 loops.
Tensor reference(const Csr& g, Act act, Reduce red, const Tensor& u, const Tensor& v, const Tensor& w) {
  const Csr gc = g.to(kCPU);
  const auto ptr = gc.indptr().to_vector<int64_t>();
  const auto col = gc.indices().to_vector<int32_t>();
  const auto uv = u.cpu().to(kFloat64).to_vector<double>();
  const auto vv = v.cpu().to(kFloat64).to_vector<double>();
  const auto wv = w.defined() ? w.cpu().to(kFloat64).to_vector<double>() : std::vector<double>();
  const int64_t F = v.numel() / std::max<int64_t>(1, v.size(0));
  std::vector<double> out(static_cast<size_t>(gc.num_rows() * F), 0.0);
  for (int64_t r = 0; r < gc.num_rows(); ++r) {
    for (int64_t f = 0; f < F; ++f) {
      double acc = 0;
      for (int64_t k = ptr[r]; k < ptr[r + 1]; ++k) {
        const double m = (w.defined() ? wv[k] : 1.0) * ref_act(act, uv[col[k] * F + f] + vv[r * F + f]);
        if (k == ptr[r]) acc = m;
        else if (red == Reduce::kMax) acc = std::max(acc, m);
        else acc += m;
      }
      if (red == Reduce::kMean && ptr[r + 1] > ptr[r]) acc /= static_cast<double>(ptr[r + 1] - ptr[r]);
      out[r * F + f] = acc;
    }
  }
  return from_vector<double>(out, v.shape()).to(v.dtype());
}

std::vector<Csr> test_graphs() {
  return {testing::random_csr(11, 40, 40, 3),   // square: empty rows, isolated nodes, loops, duplicates, a hub
          testing::random_csr(12, 30, 17, 2),   // bipartite: 30 destinations, 17 sources
          testing::to_csr(testing::empty_graph(9, 9)),
          testing::random_csr(13, 1500, 1500, 4)};  // hub of 1200 entries (a block team on CUDA)
}

// ---------------------------------------------------------------- forward against the reference
TEST(GspmmAct, EveryActivationAndReductionMatchesTheReference) {
  const std::vector<Csr> graphs = test_graphs();
  for (size_t gi = 0; gi < graphs.size(); ++gi) {
    const Csr& g = graphs[gi];
    for (const Shape& fs : {Shape{5}, Shape{2, 3}}) {
      Shape us{g.num_cols()}, vs{g.num_rows()};
      us.insert(us.end(), fs.begin(), fs.end());
      vs.insert(vs.end(), fs.begin(), fs.end());
      const Tensor u = random_tensor(us, 100 + gi, -1, 1), v = random_tensor(vs, 200 + gi, -1, 1);
      const Tensor w = random_tensor({g.nnz()}, 300 + gi, -1.5, 1.5);
      for (Act a : kActs) {
        for (Reduce r : kReduces) {
          for (bool weighted : {false, true}) {
            const Tensor ww = weighted ? w : Tensor();
            const Tensor out = mp::gspmm_act(g, a, r, u, v, ww, kSlope);
            const Tensor ref = reference(g, a, r, u, v, ww);
            ASSERT_EQ(out.shape(), v.shape());
            EXPECT_LT(max_abs_diff(out, ref), 1e-12)
                << op_name(a) << "/" << op_name(r) << " weighted " << weighted << " graph " << gi;
            const Tensor out32 = mp::gspmm_act(g, a, r, u.to(kFloat32), v.to(kFloat32),
                                               weighted ? w.to(kFloat32) : Tensor(), kSlope);
            EXPECT_TRUE(allclose(out32.to(kFloat64), ref, 1e-5, 1e-5))
                << op_name(a) << "/" << op_name(r) << " float32, graph " << gi;
          }
        }
      }
    }
  }
}

TEST(GspmmAct, HandComputedSmallGraph) {
  // Edges (src -> dst): 0->1, 2->1, 1->1 (a loop), 0->2, 0->2 (a duplicate); row 0 has none.
  // Entries sorted by (row, col): row 1 = cols 0, 1, 2; row 2 = cols 0, 0.
  Csr g = Csr::from_coo(from_vector<int64_t>({1, 1, 1, 2, 2}), from_vector<int64_t>({0, 2, 1, 0, 0}), 3, 3);
  Tensor u = from_vector<float>({1, -4, 2, 0, -3, 1}, {3, 2});
  Tensor v = from_vector<float>({5, 5, 1, 1, -2, 3}, {3, 2});
  // Row 1: z = u[0]+v[1] = (2,-3), u[1]+v[1] = (3,1), u[2]+v[1] = (-2,2). Row 2: z = u[0]+v[2] = (-1,-1) twice.
  EXPECT_EQ(mp::gspmm_act(g, Act::kRelu, mp::sum, u, v).to_vector<float>(), (std::vector<float>{0, 0, 5, 3, 0, 0}));
  EXPECT_EQ(mp::gspmm_act(g, Act::kIdentity, mp::mean, u, v).to_vector<float>(),
            (std::vector<float>{0, 0, 1, 0, -1, -1}));
  EXPECT_EQ(mp::gspmm_act(g, Act::kIdentity, mp::max, u, v).to_vector<float>(),
            (std::vector<float>{0, 0, 3, 2, -1, -1}));
  Tensor w = from_vector<float>({1, 2, 3, 4, 5}, {5});
  EXPECT_EQ(mp::gspmm_act(g, Act::kLeakyRelu, mp::sum, u, v, w, 0.5).to_vector<float>(),
            (std::vector<float>{0, 0, 2 + 6 - 3, -1.5f + 2 + 6, -2 - 2.5f, -2 - 2.5f}));
}

// ---------------------------------------------------------------- gradients
// Inputs away from relu's kink: |u| in [0.5, 1] with random signs, |v| < 0.2, so |u + v| >= 0.3.
Tensor away_from_zero(const Shape& s, uint32_t seed) {
  Tensor mag = random_tensor(s, seed, 0.5, 1.0);
  Tensor sign = random_tensor(s, seed + 7, -1, 1);
  auto m = mag.to_vector<double>(), sg = sign.to_vector<double>();
  for (size_t i = 0; i < m.size(); ++i) m[i] = sg[i] < 0 ? -m[i] : m[i];
  return from_vector<double>(m, s);
}

TEST(GspmmAct, GradcheckEveryActivationAndReduction) {
  const Csr graphs[] = {testing::random_csr(21, 9, 9, 2), testing::random_csr(22, 7, 5, 2)};
  for (const Csr& g : graphs) {
    const Tensor u = away_from_zero({g.num_cols(), 3}, 31);
    const Tensor v = random_tensor({g.num_rows(), 3}, 32, -0.2, 0.2);
    const Tensor w = random_tensor({g.nnz()}, 33, 0.5, 1.5);
    for (Act a : kActs) {
      for (Reduce r : kReduces) {
        EXPECT_TRUE(testing::gradcheck(
            [&](const std::vector<Tensor>& x) { return mp::gspmm_act(g, a, r, x[0], x[1], Tensor(), kSlope); },
            {u, v}))
            << op_name(a) << "/" << op_name(r) << " unweighted " << g.str();
        EXPECT_TRUE(testing::gradcheck(
            [&](const std::vector<Tensor>& x) { return mp::gspmm_act(g, a, r, x[0], x[1], x[2], kSlope); },
            {u, v, w}))
            << op_name(a) << "/" << op_name(r) << " weighted " << g.str();
      }
    }
  }
}

TEST(GspmmAct, GradientsOnTheZeroEdgeGraphAreZero) {
  Csr g = testing::to_csr(testing::empty_graph(4, 3));
  for (Reduce r : kReduces) {
    Tensor u = random_tensor({3, 2}, 5).set_requires_grad(true);
    Tensor v = random_tensor({4, 2}, 6).set_requires_grad(true);
    Tensor w = zeros({0}, kFloat64).set_requires_grad(true);
    Tensor out = mp::gspmm_act(g, Act::kSigmoid, r, u, v, w);
    EXPECT_EQ(out.to_vector<double>(), std::vector<double>(8, 0.0));
    sum(out).backward();
    EXPECT_EQ(u.grad().to_vector<double>(), std::vector<double>(6, 0.0));
    EXPECT_EQ(v.grad().to_vector<double>(), std::vector<double>(8, 0.0));
  }
}

// The unfused composition: gather both ends, add, activate, weight, scatter. Values and gradients on the big graph
// (hub row, duplicates, loops) must agree.
Tensor act_op(Act a, const Tensor& z) {
  switch (a) {
    case Act::kIdentity: return z;
    case Act::kRelu: return relu(z);
    case Act::kLeakyRelu: return leaky_relu(z, kSlope);
    case Act::kSigmoid: return sigmoid(z);
    case Act::kTanh: return tanh(z);
  }
  return z;
}

TEST(GspmmAct, FusedMatchesGatherScatter) {
  Csr g = testing::random_csr(23, 1500, 1500, 4);
  for (Act a : kActs) {
    for (Reduce r : kReduces) {
      Tensor u1 = random_tensor({1500, 6}, 1).set_requires_grad(true), u2 = u1.detach().set_requires_grad(true);
      Tensor v1 = random_tensor({1500, 6}, 2).set_requires_grad(true), v2 = v1.detach().set_requires_grad(true);
      Tensor w1 = random_tensor({g.nnz()}, 3).set_requires_grad(true), w2 = w1.detach().set_requires_grad(true);
      Tensor fused = mp::gspmm_act(g, a, r, u1, v1, w1, kSlope);
      Tensor msg = mul(act_op(a, add(mp::gather_src(g, u2), mp::gather_dst(g, v2))), w2.view({g.nnz(), 1}));
      Tensor generic = mp::scatter(g, msg, r);
      EXPECT_LT(max_abs_diff(fused, generic), 1e-12) << op_name(a) << "/" << op_name(r);
      Tensor dy = random_tensor(fused.shape(), 4);
      sum(mul(fused, dy)).backward();
      sum(mul(generic, dy)).backward();
      EXPECT_LT(max_abs_diff(u1.grad(), u2.grad()), 1e-11) << "du " << op_name(a) << "/" << op_name(r);
      EXPECT_LT(max_abs_diff(v1.grad(), v2.grad()), 1e-11) << "dv " << op_name(a) << "/" << op_name(r);
      EXPECT_LT(max_abs_diff(w1.grad(), w2.grad()), 1e-11) << "dw " << op_name(a) << "/" << op_name(r);
    }
  }
}

// Only the inputs that require a gradient get one; w without requires_grad is a constant.
TEST(GspmmAct, GradientsOnlyWhereRequested) {
  Csr g = testing::random_csr(24, 12, 12, 3);
  Tensor u = random_tensor({12, 4}, 1);
  Tensor v = random_tensor({12, 4}, 2).set_requires_grad(true);
  Tensor w = random_tensor({g.nnz()}, 3);
  sum(mp::gspmm_act(g, Act::kTanh, mp::sum, u, v, w)).backward();
  EXPECT_TRUE(v.grad().defined());
  EXPECT_FALSE(u.grad().defined());
  EXPECT_FALSE(w.grad().defined());
}

// Equal messages in a row longer than a CUDA block team's share: max picks the first entry on every device, so the
// whole gradient goes to it.
TEST(GspmmAct, MaxTiesGoToTheFirstEntryOnEveryDevice) {
  const int64_t n = 3000;
  std::vector<int64_t> rows(n, 0), cols(n);
  for (int64_t i = 0; i < n; ++i) cols[i] = n - 1 - i;  // input order reversed: entries sort by column
  Csr g = Csr::from_coo(from_vector<int64_t>(rows), from_vector<int64_t>(cols), 2, n);
  for (Device dev : testing::all_devices()) {
    if (dev.is_cuda() && !testing::has_cuda()) continue;
    const Csr gd = g.to(dev);
    Tensor u = ones({n, 3}, kFloat32, dev).set_requires_grad(true);
    Tensor v = full({2, 3}, 0.5, kFloat32, dev).set_requires_grad(true);
    Tensor w = full({n}, 2.0, kFloat32, dev).set_requires_grad(true);
    Tensor out = mp::gspmm_act(gd, Act::kRelu, mp::max, u, v, w);
    EXPECT_EQ(out.cpu().to_vector<float>(), (std::vector<float>{3, 3, 3, 0, 0, 0})) << dev.str();
    sum(out).backward();
    std::vector<float> du(static_cast<size_t>(n * 3), 0.0f), dw(static_cast<size_t>(n), 0.0f);
    for (int j = 0; j < 3; ++j) du[static_cast<size_t>(j)] = 2.0f;  // entry 0 is column 0
    dw[0] = 4.5f;
    EXPECT_EQ(u.grad().cpu().to_vector<float>(), du) << dev.str();
    EXPECT_EQ(w.grad().cpu().to_vector<float>(), dw) << dev.str();
    EXPECT_EQ(v.grad().cpu().to_vector<float>(), (std::vector<float>{2, 2, 2, 0, 0, 0})) << dev.str();
  }
}

// ---------------------------------------------------------------- determinism on the CPU
// {out, du, dv, dw} of sum(gspmm_act(...) * w) on the inputs' device.
std::vector<Tensor> forward_backward(const Csr& g, Act a, Reduce r, const Tensor& u0, const Tensor& v0,
                                     const Tensor& w0) {
  return testing::forward_backward(
      [&](const std::vector<Tensor>& x) { return mp::gspmm_act(g, a, r, x[0], x[1], x[2]); }, {u0, v0, w0},
      u0.device());
}

TEST(GspmmAct, CpuIsBitwiseDeterministicAcrossThreadCounts) {
  Csr g = testing::random_csr(31, 3000, 3000, 6);
  const Tensor u = random_tensor({3000, 16}, 1, -1, 1, kFloat32), v = random_tensor({3000, 16}, 2, -1, 1, kFloat32);
  const Tensor w = random_tensor({g.nnz()}, 3, -1, 1, kFloat32);
  for (Reduce r : kReduces) {
    const std::vector<Tensor> base = forward_backward(g, Act::kLeakyRelu, r, u, v, w);
    for (int threads : {1, 3, 8}) {
      const std::vector<Tensor> got =
          testing::with_threads(threads, [&] { return forward_backward(g, Act::kLeakyRelu, r, u, v, w); });
      EXPECT_TRUE(testing::bitwise_equal(got, base)) << op_name(r) << " with " << threads << " threads";
    }
  }
}

// ---------------------------------------------------------------- errors
TEST(GspmmAct, ErrorsNameTheArgument) {
  Csr g = testing::random_csr(51, 6, 5, 2);
  const std::string nnz = std::to_string(g.nnz());
  Tensor u = ones({5, 3}, kFloat32), v = ones({6, 3}, kFloat32);
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kRelu, mp::sum, ones({6, 3}, kFloat32), v); },
              ThrowsMessage<ShapeError>(HasSubstr("'u' has 6 rows")));
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kRelu, mp::sum, u, ones({5, 3}, kFloat32)); },
              ThrowsMessage<ShapeError>(HasSubstr("num_rows = 6")));
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kRelu, mp::sum, u, ones({6, 4}, kFloat32)); },
              ThrowsMessage<ShapeError>(HasSubstr("same feature shape")));
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kRelu, mp::sum, ones({5}, kFloat32), v); },
              ThrowsMessage<ShapeError>(HasSubstr("'u' must have rank >= 2")));
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kRelu, mp::sum, u, ones({6, 3}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("'v' is float64")));
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kRelu, mp::sum, ones({5, 3}, kInt64), v); },
              ThrowsMessage<DTypeError>(HasSubstr("'u' must be float32 or float64")));
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kRelu, mp::sum, u, Tensor()); },
              ThrowsMessage<ValueError>(HasSubstr("'v' is an undefined tensor")));
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kRelu, mp::sum, u, v, ones({g.nnz() + 1}, kFloat32)); },
              ThrowsMessage<ShapeError>(HasSubstr("'w' must be [nnz] = [" + nnz + "]")));
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kRelu, mp::sum, u, v, ones({g.nnz(), 1}, kFloat32)); },
              ThrowsMessage<ShapeError>(HasSubstr("'w' must be [nnz]")));
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kRelu, mp::sum, u, v, ones({g.nnz()}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("'w' is float64")));
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kRelu, mp::min, u, v); },
              ThrowsMessage<ValueError>(HasSubstr("'reduce' must be sum, mean or max, got min")));
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kLeakyRelu, mp::sum, u, v, Tensor(), NAN); },
              ThrowsMessage<ValueError>(HasSubstr("'negative_slope' must be finite")));
  EXPECT_THAT([&] { mp::gspmm_act(Csr(), Act::kRelu, mp::sum, u, v); },
              ThrowsMessage<ValueError>(HasSubstr("undefined Csr")));
}

// ---------------------------------------------------------------- CUDA
TEST(GspmmAct, DeviceMismatchIsAnError) {
  LOOM_REQUIRE_CUDA();
  Csr g = testing::random_csr(52, 6, 5, 2);
  EXPECT_THAT([&] { mp::gspmm_act(g, Act::kRelu, mp::sum, ones({5, 3}, kFloat32, kCUDA), ones({6, 3}, kFloat32)); },
              ThrowsMessage<DeviceError>(HasSubstr("'u' is on cuda:0 but the graph is on cpu")));
  EXPECT_THAT(
      [&] {
        mp::gspmm_act(g.to(kCUDA), Act::kRelu, mp::sum, ones({5, 3}, kFloat32, kCUDA), ones({6, 3}, kFloat32, kCUDA),
                      ones({g.nnz()}, kFloat32));
      },
      ThrowsMessage<DeviceError>(HasSubstr("'w' is on cpu but the graph is on cuda:0")));
}

// Forward and all three gradients, float32 and float64, CPU against CUDA. Widths cover one lane group (3), a full
// warp (32) and several column chunks (70); the 3000-node graph has a 2030-entry hub (a block team).
TEST(GspmmAct, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  const Csr graphs[] = {testing::random_csr(41, 3000, 3000, 5), testing::random_csr(42, 500, 200, 3),
                        testing::to_csr(testing::empty_graph(6, 6))};
  for (const Csr& g : graphs) {
    const Csr gd = g.to(kCUDA);
    for (int64_t F : {3, 32, 70}) {
      for (DType dt : {kFloat32, kFloat64}) {
        const Tensor u0 = random_tensor({g.num_cols(), F}, 1, -1, 1, dt);
        const Tensor v0 = random_tensor({g.num_rows(), F}, 2, -1, 1, dt);
        const Tensor w0 = random_tensor({g.nnz()}, 3, -1, 1, dt);
        for (Act a : kActs) {
          for (Reduce r : kReduces) {
            for (bool weighted : {false, true}) {
              auto f = [&](const std::vector<Tensor>& x) {
                return mp::gspmm_act(x[0].is_cuda() ? gd : g, a, r, x[0], x[1], x[2], kSlope);
              };
              const double tol = dt == kFloat32 ? 1e-3 : 1e-9;
              EXPECT_TRUE(testing::cuda_matches_cpu(f, {u0, v0, weighted ? w0 : Tensor()},
                                                    testing::Parity().tol(tol, tol)))
                  << op_name(a) << "/" << op_name(r) << " F " << F << " " << dtype_name(dt) << " weighted "
                  << weighted << " " << g.str();
            }
          }
        }
      }
    }
  }
}

TEST(GspmmAct, CudaIsBitwiseDeterministic) {
  LOOM_REQUIRE_CUDA();
  Csr g = testing::random_csr(44, 3000, 3000, 6, kCUDA);
  const Tensor u = random_tensor({3000, 16}, 1, -1, 1, kFloat32, kCUDA);
  const Tensor v = random_tensor({3000, 16}, 2, -1, 1, kFloat32, kCUDA);
  const Tensor w = random_tensor({g.nnz()}, 3, -1, 1, kFloat32, kCUDA);
  for (Reduce r : kReduces) {
    EXPECT_TRUE(testing::bitwise_equal(forward_backward(g, Act::kTanh, r, u, v, w),
                                       forward_backward(g, Act::kTanh, r, u, v, w)))
        << op_name(r);
  }
}

}  // namespace
}  // namespace loom
