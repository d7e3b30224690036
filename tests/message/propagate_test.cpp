// mp::propagate: the fused update (bias + activation at the reduction's store) against the unfused composition
// (gspmm, then add and the activation op) on graphs with empty rows, a hub row, duplicates and self loops; float64
// gradchecks for u, e and bias under every activation; CPU against CUDA through the chunked heavy-row path; errors.
#include <gmock/gmock.h>

#include <string>
#include <vector>

#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using mp::Act;
using testing::random_tensor;

const Act kActs[] = {Act::kIdentity, Act::kRelu, Act::kLeakyRelu, Act::kSigmoid, Act::kTanh};

std::string name(Act a) {
  const char* n[] = {"identity", "relu", "leaky_relu", "sigmoid", "tanh"};
  return n[static_cast<int>(a)];
}

// The unfused composition propagate must equal.
Tensor unfused(const Csr& g, mp::Msg msg, mp::Reduce r, const Tensor& u, const Tensor& e, const Tensor& bias, Act a,
               double slope) {
  Tensor z = mp::gspmm(g, msg, r, u, e);
  if (bias.defined()) z = add(z, bias);
  switch (a) {
    case Act::kRelu: return relu(z);
    case Act::kLeakyRelu: return leaky_relu(z, slope);
    case Act::kSigmoid: return sigmoid(z);
    case Act::kTanh: return tanh(z);
    default: return z;
  }
}

TEST(Propagate, MatchesGspmmThenBiasAndActivation) {
  // 3000 nodes: the hub row has 2030 entries (the chunked path on CUDA; the balanced cuts on CPU).
  const Csr graphs[] = {testing::random_csr(5, 60, 60, 4), testing::random_csr(6, 3000, 3000, 5),
                        testing::random_csr(7, 40, 25, 3), testing::to_csr(testing::empty_graph(4, 4))};
  for (const Csr& g : graphs)
    for (int64_t f : {128, 7})  // the CPU fast sum, and the generic rows
      for (Act a : kActs)
        for (mp::Reduce r : {mp::sum, mp::mean, mp::max})
          for (bool with_bias : {true, false}) {
            const Tensor u = random_tensor({g.num_cols(), f}, 11, -1, 1).to(kFloat64);
            const Tensor e = random_tensor({g.nnz()}, 12, 0.2, 1.5).to(kFloat64);
            const Tensor bias = with_bias ? random_tensor({f}, 13, -1, 1).to(kFloat64) : Tensor();
            const Tensor got = mp::propagate(g, {mp::u_mul_e, r, {bias, a, 0.1}}, u, e);
            const Tensor want = unfused(g, mp::u_mul_e, r, u, e, bias, a, 0.1);
            EXPECT_LE(max_abs_diff(got, want), 1e-12)
                << name(a) << " F " << f << " bias " << with_bias << " " << g.str();
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
      EXPECT_TRUE(testing::gradcheck(f, {u, e, bias})) << name(a);
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
        const std::string what = name(a) + " F " + std::to_string(f);
        EXPECT_TRUE(allclose(yd.cpu(), y, 1e-4, 1e-4)) << what << " " << max_abs_diff(yd.cpu(), y);
        EXPECT_TRUE(allclose(ud.grad().cpu(), u.grad(), 1e-4, 1e-3)) << what;
        EXPECT_TRUE(allclose(ed.grad().cpu(), e.grad(), 1e-4, 1e-3)) << what;
        EXPECT_TRUE(allclose(bd.grad().cpu(), bias.grad(), 1e-4, 1e-2)) << what;
      }
}

}  // namespace
}  // namespace loom
