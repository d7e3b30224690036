// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::propagate: the fused update (root + bias + activation at the reduction's store) against the unfused
// composition (the float64 loop reference of the reduction, then add and the activation op) on graphs with empty
// rows, a hub row, duplicates and self loops; float64 gradchecks for u, e, bias and root under every activation;
// CPU against CUDA through the chunked heavy-row path; errors.
#include <gmock/gmock.h>

#include <string>
#include <vector>

#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "support/gradcheck.h"
#include "support/random_graph.h"
#include "support/reference.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using mp::Act;
using testing::random_tensor;

const Act kActs[] = {Act::kIdentity, Act::kRelu, Act::kLeakyRelu, Act::kSigmoid, Act::kTanh};

using testing::op_name;

// The update applied to z unfused: add(add(z, root), bias), then the activation op.
Tensor update(Tensor z, const Tensor& bias, Act a, double slope, const Tensor& root) {
  if (root.defined()) z = add(z, root);
  if (bias.defined()) z = add(z, bias);
  switch (a) {
    case Act::kRelu: return relu(z);
    case Act::kLeakyRelu: return leaky_relu(z, slope);
    case Act::kSigmoid: return sigmoid(z);
    case Act::kTanh: return tanh(z);
    default: return z;
  }
}

// The unfused composition propagate must equal, on the float64 loop reference of the reduction (support/reference.h),
// so that the fused kernels (the CPU fast sum included) are compared with loops, not with themselves.
Tensor unfused(const Csr& g, mp::Msg msg, mp::Reduce r, const Tensor& u, const Tensor& e, const Tensor& bias, Act a,
               double slope, const Tensor& root = Tensor()) {
  return update(testing::gspmm_reference(g, msg, r, u, e), bias, a, slope, root);
}

TEST(Propagate, MatchesGspmmThenBiasAndActivation) {
  // 3000 nodes: the hub row has 2030 entries (the chunked path on CUDA; the balanced cuts on CPU).
  const Csr graphs[] = {testing::random_csr(5, 60, 60, 4), testing::random_csr(6, 3000, 3000, 5),
                        testing::random_csr(7, 40, 25, 3), testing::to_csr(testing::empty_graph(4, 4))};
  for (const Csr& g : graphs)
    for (int64_t f : {128, 7}) {  // the CPU fast sum, and the generic rows
      const Tensor u = random_tensor({g.num_cols(), f}, 11, -1, 1).to(kFloat64);
      const Tensor e = random_tensor({g.nnz()}, 12, 0.2, 1.5).to(kFloat64);
      for (mp::Reduce r : {mp::sum, mp::mean, mp::max}) {
        const Tensor z = testing::gspmm_reference(g, mp::u_mul_e, r, u, e);
        for (Act a : kActs)
          for (bool with_bias : {true, false}) {
            const Tensor bias = with_bias ? random_tensor({f}, 13, -1, 1).to(kFloat64) : Tensor();
            const Tensor got = mp::propagate(g, {mp::u_mul_e, r, {bias, a, 0.1}}, u, e);
            const Tensor want = update(z, bias, a, 0.1, Tensor());
            EXPECT_LE(max_abs_diff(got, want), 1e-12)
                << op_name(a) << " F " << f << " bias " << with_bias << " " << g.str();
          }
      }
    }
}

TEST(Propagate, EmptyRowsGetTheActivatedBias) {
  const Csr g = testing::to_csr(testing::empty_graph(3, 2));
  const Tensor bias = from_vector<double>({-1.0, 0.5}, {2});
  const Tensor out = mp::propagate(g, {mp::copy_u, mp::sum, {bias, Act::kRelu}}, zeros({2, 2}, kFloat64));
  EXPECT_EQ(out.to_vector<double>(), (std::vector<double>{0, 0.5, 0, 0.5, 0, 0.5}));
}

TEST(Propagate, MultiHeadBias) {
  const Csr g = testing::random_csr(8, 30, 30, 3);
  const Tensor u = random_tensor({30, 2, 4}, 3, -1, 1).to(kFloat64);
  const Tensor e = random_tensor({g.nnz(), 2}, 4, 0.1, 1).to(kFloat64);
  const Tensor bias = random_tensor({2, 4}, 5, -1, 1).to(kFloat64);
  const Tensor got = mp::propagate(g, {mp::u_mul_e, mp::sum, {bias, Act::kTanh}}, u, e);
  EXPECT_LE(max_abs_diff(got, tanh(add(mp::gspmm(g, mp::u_mul_e, mp::sum, u, e), bias))), 1e-12);
}

TEST(Propagate, GradcheckEveryActivation) {
  const Csr g = testing::random_csr(21, 9, 9, 2);
  for (Act a : kActs)
    for (mp::Reduce r : {mp::sum, mp::mean, mp::max}) {
      const Tensor u = random_tensor({9, 3}, 31).set_requires_grad(true);
      const Tensor e = random_tensor({g.nnz()}, 32, 0.3, 1.5).to(kFloat64).set_requires_grad(true);
      const Tensor bias = random_tensor({3}, 33, -1, 1).to(kFloat64).set_requires_grad(true);
      auto f = [&](const std::vector<Tensor>& x) {
        return mp::propagate(g, {mp::u_mul_e, r, {x[2], a, 0.1}}, x[0], x[1]);
      };
      EXPECT_TRUE(testing::gradcheck(f, {u, e, bias})) << op_name(a);
    }
}

TEST(Propagate, ErrorsNameTheArgument) {
  const Csr g = testing::random_csr(3, 5, 5, 2);
  const Tensor u = random_tensor({5, 4}, 1, -1, 1, kFloat32);
  EXPECT_THAT([&] { mp::propagate(g, {mp::copy_u, mp::sum, {zeros({3}), Act::kRelu}}, u); },
              ThrowsMessage<ShapeError>(HasSubstr("propagate: 'bias' must have the output's trailing shape [4], got [3]")));
  EXPECT_THAT([&] { mp::propagate(g, {mp::copy_u, mp::sum, {zeros({4}, kFloat64), Act::kRelu}}, u); },
              ThrowsMessage<DTypeError>(HasSubstr("bias")));
  EXPECT_THAT([&] { mp::propagate(g, {mp::copy_u, mp::sum, {Tensor(), Act::kLeakyRelu, -0.5}}, u); },
              ThrowsMessage<ValueError>(HasSubstr("negative_slope >= 0")));
}

TEST(Propagate, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  const Csr g = testing::random_csr(41, 3000, 3000, 5);
  const Csr gd = g.to(kCUDA);
  for (int64_t f : {128, 6})  // the fast kernel (16-byte loads), and the generic one
    for (Act a : kActs)
      for (mp::Reduce r : {mp::sum, mp::mean, mp::max}) {
        const Tensor u = random_tensor({3000, f}, 1, -1, 1, kFloat32).set_requires_grad(true);
        const Tensor e = random_tensor({g.nnz()}, 2, 0.2, 1.2, kFloat32).set_requires_grad(true);
        const Tensor bias = random_tensor({f}, 3, -1, 1, kFloat32).set_requires_grad(true);
        const Tensor ud = u.detach().to(kCUDA).set_requires_grad(true);
        const Tensor ed = e.detach().to(kCUDA).set_requires_grad(true);
        const Tensor bd = bias.detach().to(kCUDA).set_requires_grad(true);
        const Tensor y = mp::propagate(g, {mp::u_mul_e, r, {bias, a, 0.1}}, u, e);
        const Tensor yd = mp::propagate(gd, {mp::u_mul_e, r, {bd, a, 0.1}}, ud, ed);
        const Tensor dy = random_tensor(y.shape(), 4, -1, 1, kFloat32);
        y.backward(dy);
        yd.backward(dy.to(kCUDA));
        const std::string what = op_name(a) + " F " + std::to_string(f);
        EXPECT_TRUE(allclose(yd.cpu(), y, 1e-4, 1e-4)) << what << " " << max_abs_diff(yd.cpu(), y);
        EXPECT_TRUE(allclose(ud.grad().cpu(), u.grad(), 1e-4, 1e-3)) << what;
        EXPECT_TRUE(allclose(ed.grad().cpu(), e.grad(), 1e-4, 1e-3)) << what;
        EXPECT_TRUE(allclose(bd.grad().cpu(), bias.grad(), 1e-4, 1e-2)) << what;
      }
}

// ---- the per-row root term

TEST(PropagateRoot, MatchesGspmmThenRootBiasAndActivation) {
  // Square graphs (empty rows, self loops, a 2030-entry hub at 3000 nodes), a bipartite one (40 rows, 25 columns:
  // the root follows the rows) and the edgeless one (every row is act(root + bias)).
  const Csr graphs[] = {testing::random_csr(5, 60, 60, 4), testing::random_csr(6, 3000, 3000, 5),
                        testing::random_csr(7, 40, 25, 3), testing::to_csr(testing::empty_graph(4, 4))};
  for (const Csr& g : graphs)
    for (int64_t f : {128, 7}) {  // the CPU fast sum, and the generic rows
      const Tensor u = random_tensor({g.num_cols(), f}, 11, -1, 1).to(kFloat64);
      const Tensor e = random_tensor({g.nnz()}, 12, 0.2, 1.5).to(kFloat64);
      const Tensor root = random_tensor({g.num_rows(), f}, 14, -2, 2).to(kFloat64);
      for (mp::Reduce r : {mp::sum, mp::mean, mp::max}) {
        const Tensor z = testing::gspmm_reference(g, mp::u_mul_e, r, u, e);
        for (Act a : kActs)
          for (bool with_bias : {true, false}) {
            const Tensor bias = with_bias ? random_tensor({f}, 13, -1, 1).to(kFloat64) : Tensor();
            const Tensor got = mp::propagate(g, {mp::u_mul_e, r, {bias, a, 0.1, root}}, u, e);
            const Tensor want = update(z, bias, a, 0.1, root);
            EXPECT_LE(max_abs_diff(got, want), 1e-12)
                << op_name(a) << " F " << f << " bias " << with_bias << " " << g.str();
          }
      }
    }
}

TEST(PropagateRoot, HandComputedRows) {
  // Row 0 has the entries (0, 0) and (0, 1), row 1 none: relu(mean + root + bias) and relu(root + bias).
  testing::RandomGraph rg;
  rg.src = from_vector<int64_t>({0, 1}, {2});
  rg.dst = from_vector<int64_t>({0, 0}, {2});
  rg.num_src = rg.num_dst = 2;
  const Csr g = testing::to_csr(rg);
  const Tensor u = from_vector<double>({1, -2, 3, 4}, {2, 2});
  const Tensor root = from_vector<double>({0.5, 1, -3, 2}, {2, 2});
  const Tensor bias = from_vector<double>({0.25, -0.5}, {2});
  const Tensor out = mp::propagate(g, {mp::copy_u, mp::mean, {.bias = bias, .act = Act::kRelu, .root = root}}, u);
  // row 0: mean (2, 1) + (0.5, 1) + (0.25, -0.5) = (2.75, 1.5); row 1: relu((-3, 2) + (0.25, -0.5)) = (0, 1.5).
  EXPECT_EQ(out.to_vector<double>(), (std::vector<double>{2.75, 1.5, 0, 1.5}));
}

TEST(PropagateRoot, MultiHead) {
  const Csr g = testing::random_csr(8, 30, 30, 3);
  const Tensor u = random_tensor({30, 2, 4}, 3, -1, 1).to(kFloat64);
  const Tensor e = random_tensor({g.nnz(), 2}, 4, 0.1, 1).to(kFloat64);
  const Tensor bias = random_tensor({2, 4}, 5, -1, 1).to(kFloat64);
  const Tensor root = random_tensor({30, 2, 4}, 6, -1, 1).to(kFloat64);
  for (mp::Reduce r : {mp::sum, mp::mean, mp::max}) {
    const Tensor got = mp::propagate(g, {mp::u_mul_e, r, {bias, Act::kTanh, 0.2, root}}, u, e);
    EXPECT_LE(max_abs_diff(got, unfused(g, mp::u_mul_e, r, u, e, bias, Act::kTanh, 0.2, root)), 1e-12);
  }
  // Root without a bias, e [nnz, H, C] (no head broadcast).
  const Tensor e3 = random_tensor({g.nnz(), 2, 4}, 7, 0.1, 1).to(kFloat64);
  const Tensor got = mp::propagate(g, {mp::u_mul_e, mp::sum, {.root = root}}, u, e3);
  EXPECT_LE(max_abs_diff(got, add(mp::gspmm(g, mp::u_mul_e, mp::sum, u, e3), root)), 1e-12);
}

TEST(PropagateRoot, GradcheckEveryActivation) {
  const Csr g = testing::random_csr(21, 9, 7, 2);  // bipartite: root has the rows' count, u the columns'
  for (Act a : kActs)
    for (mp::Reduce r : {mp::sum, mp::mean, mp::max}) {
      const Tensor u = random_tensor({7, 3}, 31).set_requires_grad(true);
      const Tensor e = random_tensor({g.nnz()}, 32, 0.3, 1.5).to(kFloat64).set_requires_grad(true);
      const Tensor bias = random_tensor({3}, 33, -1, 1).to(kFloat64).set_requires_grad(true);
      const Tensor root = random_tensor({9, 3}, 34, -1, 1).to(kFloat64).set_requires_grad(true);
      auto f = [&](const std::vector<Tensor>& x) {
        return mp::propagate(g, {mp::u_mul_e, r, {x[2], a, 0.1, x[3]}}, x[0], x[1]);
      };
      EXPECT_TRUE(testing::gradcheck(f, {u, e, bias, root})) << op_name(a);
    }
}

TEST(PropagateRoot, GradientIsTheUpdatesInputGradient) {
  // Only the root needs a gradient: d root = dy act'(out), the same tensor the bias sums over rows.
  const Csr g = testing::random_csr(22, 12, 12, 3);
  const Tensor u = random_tensor({12, 5}, 1).to(kFloat64);
  const Tensor bias = random_tensor({5}, 2).to(kFloat64).set_requires_grad(true);
  const Tensor root = random_tensor({12, 5}, 3).to(kFloat64).set_requires_grad(true);
  const Tensor y = mp::propagate(g, {mp::copy_u, mp::mean, {bias, Act::kSigmoid, 0.2, root}}, u);
  const Tensor dy = random_tensor({12, 5}, 4).to(kFloat64);
  y.backward(dy);
  const Tensor y0 = y.detach();
  const Tensor want = mul(dy, mul(y0, sub(ones_like(y0), y0)));
  EXPECT_LE(max_abs_diff(root.grad(), want), 1e-14);
  EXPECT_LE(max_abs_diff(bias.grad(), sum(want, 0)), 1e-12);
  // copy_e takes its dtype and device from e; the root still follows the rows.
  const Tensor ev = random_tensor({g.nnz(), 2}, 5).to(kFloat64).set_requires_grad(true);
  const Tensor r2 = random_tensor({12, 2}, 6).to(kFloat64).set_requires_grad(true);
  EXPECT_TRUE(testing::gradcheck(
      [&](const std::vector<Tensor>& x) { return mp::propagate(g, {mp::copy_e, mp::sum, {.root = x[1]}}, u, x[0]); },
      {ev, r2}));
}

TEST(PropagateRoot, ErrorsNameTheArgument) {
  const Csr g = testing::random_csr(3, 6, 5, 2);  // 6 rows, 5 columns
  const Tensor u = random_tensor({5, 4}, 1, -1, 1, kFloat32);
  EXPECT_THAT([&] { mp::propagate(g, {mp::copy_u, mp::sum, {.root = zeros({5, 4})}}, u); },
              ThrowsMessage<ShapeError>(HasSubstr(
                  "propagate: 'root' must have the output's shape [6, 4] ([num_rows, trailing...]), got [5, 4]")));
  EXPECT_THAT([&] { mp::propagate(g, {mp::copy_u, mp::sum, {.root = zeros({6})}}, u); },
              ThrowsMessage<ShapeError>(HasSubstr("'root' must have the output's shape [6, 4]")));
  EXPECT_THAT([&] { mp::propagate(g, {mp::copy_u, mp::sum, {.root = zeros({6, 4}, kFloat64)}}, u); },
              ThrowsMessage<DTypeError>(HasSubstr("root")));
  EXPECT_THAT([&] { mp::propagate(g, {mp::copy_u, mp::sum, {.root = zeros({6, 4}, kInt64)}}, u); },
              ThrowsMessage<DTypeError>(HasSubstr("root")));
  // Multi-head: the root is [rows, H, C], not [rows, H * C].
  const Tensor uh = random_tensor({5, 2, 3}, 2, -1, 1, kFloat32);
  EXPECT_THAT([&] { mp::propagate(g, {mp::copy_u, mp::sum, {.root = zeros({6, 6})}}, uh); },
              ThrowsMessage<ShapeError>(HasSubstr("'root' must have the output's shape [6, 2, 3]")));
}

TEST(PropagateRoot, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  const Csr g = testing::random_csr(41, 3000, 3000, 5);  // a 2030-entry hub: the chunked path and its combine
  const Csr gd = g.to(kCUDA);
  EXPECT_THAT([&] {
    mp::propagate(gd, {mp::copy_u, mp::sum, {.root = zeros({3000, 4})}}, zeros({3000, 4}, kFloat32, kCUDA));
  }, ThrowsMessage<DeviceError>(HasSubstr("propagate: 'root' is on cpu")));
  // [3000, 128]: the fast kernel (16-byte loads); [3000, 6]: the generic one; [3000, 4, 32] with e [nnz, 4]: the
  // fast kernel's per-head weights.
  const Shape shapes[] = {{3000, 128}, {3000, 6}, {3000, 4, 32}};
  for (const Shape& us : shapes)
    for (Act a : kActs)
      for (mp::Reduce r : {mp::sum, mp::mean, mp::max})
        for (bool with_bias : {true, false}) {
          const Shape ts(us.begin() + 1, us.end());
          const Shape es = us.size() == 3 ? Shape{g.nnz(), us[1]} : Shape{g.nnz()};
          const Tensor u = random_tensor(us, 1, -1, 1, kFloat32).set_requires_grad(true);
          const Tensor e = random_tensor(es, 2, 0.2, 1.2, kFloat32).set_requires_grad(true);
          const Tensor bias = with_bias ? random_tensor(ts, 3, -1, 1, kFloat32).set_requires_grad(true) : Tensor();
          const Tensor root = random_tensor(us, 5, -1, 1, kFloat32).set_requires_grad(true);
          const Tensor ud = u.detach().to(kCUDA).set_requires_grad(true);
          const Tensor ed = e.detach().to(kCUDA).set_requires_grad(true);
          const Tensor bd = with_bias ? bias.detach().to(kCUDA).set_requires_grad(true) : Tensor();
          const Tensor rd = root.detach().to(kCUDA).set_requires_grad(true);
          const Tensor y = mp::propagate(g, {mp::u_mul_e, r, {bias, a, 0.1, root}}, u, e);
          const Tensor yd = mp::propagate(gd, {mp::u_mul_e, r, {bd, a, 0.1, rd}}, ud, ed);
          const Tensor dy = random_tensor(y.shape(), 4, -1, 1, kFloat32);
          y.backward(dy);
          yd.backward(dy.to(kCUDA));
          const std::string what = op_name(a) + " " + shape_str(us) + " bias " + std::to_string(with_bias);
          EXPECT_TRUE(allclose(yd.cpu(), y, 1e-4, 1e-4)) << what << " " << max_abs_diff(yd.cpu(), y);
          EXPECT_TRUE(allclose(ud.grad().cpu(), u.grad(), 1e-4, 1e-3)) << what;
          EXPECT_TRUE(allclose(ed.grad().cpu(), e.grad(), 1e-4, 1e-3)) << what;
          EXPECT_TRUE(allclose(rd.grad().cpu(), root.grad(), 1e-4, 1e-4)) << what;
          if (with_bias) {
            EXPECT_TRUE(allclose(bd.grad().cpu(), bias.grad(), 1e-4, 1e-2)) << what;
          }
        }
  // The hub row itself (row mode skips it; the combine applies the update): against the CPU in float64.
  const Tensor u64 = random_tensor({3000, 8}, 9, -1, 1).to(kFloat64);
  const Tensor r64 = random_tensor({3000, 8}, 10, -1, 1).to(kFloat64);
  const Tensor y = mp::propagate(g, {mp::copy_u, mp::mean, {.act = Act::kTanh, .root = r64}}, u64);
  const Tensor yd = mp::propagate(gd, {mp::copy_u, mp::mean, {.act = Act::kTanh, .root = r64.to(kCUDA)}},
                                  u64.to(kCUDA));
  EXPECT_LE(max_abs_diff(yd.cpu(), y), 1e-12);
}

}  // namespace
}  // namespace loom
