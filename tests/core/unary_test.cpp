// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Elementwise unary ops: values by hand, float64 gradchecks, IEEE edge cases, dtype errors, CPU against CUDA.
#include <gmock/gmock.h>

#include <limits>

#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::host;
using testing::random_tensor;

struct UnaryCase {
  const char* name;
  std::function<Tensor(const Tensor&)> f;
  double lo, hi;      // input range for gradchecks and parity
  bool avoid_zero;    // a kink at 0: keep inputs at least 0.1 away from it
};

// Every op of the family, with an input range where it is smooth.
std::vector<UnaryCase> all_ops() {
  return {
      {"neg", [](const Tensor& x) { return neg(x); }, -2, 2, false},
      {"add_scalar", [](const Tensor& x) { return add_scalar(x, 1.5); }, -2, 2, false},
      {"mul_scalar", [](const Tensor& x) { return mul_scalar(x, -3.0); }, -2, 2, false},
      {"relu", [](const Tensor& x) { return relu(x); }, -2, 2, true},
      {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.2); }, -2, 2, true},
      {"elu", [](const Tensor& x) { return elu(x, 1.3); }, -2, 2, true},
      {"gelu", [](const Tensor& x) { return gelu(x); }, -3, 3, false},
      {"sigmoid", [](const Tensor& x) { return sigmoid(x); }, -4, 4, false},
      {"tanh", [](const Tensor& x) { return tanh(x); }, -2, 2, false},
      {"exp", [](const Tensor& x) { return exp(x); }, -2, 2, false},
      {"log", [](const Tensor& x) { return log(x); }, 0.3, 3, false},
      {"sqrt", [](const Tensor& x) { return sqrt(x); }, 0.3, 3, false},
      {"pow3", [](const Tensor& x) { return pow(x, 3.0); }, -2, 2, false},
      {"pow0.5", [](const Tensor& x) { return pow(x, 0.5); }, 0.3, 3, false},
      {"pow-1.5", [](const Tensor& x) { return pow(x, -1.5); }, 0.3, 3, false},
      {"pow0", [](const Tensor& x) { return pow(x, 0.0); }, 0.3, 3, false},
  };
}

// Random inputs in [lo, hi); with avoid_zero, values within 0.1 of 0 are pushed out to +-0.1.. (kinks at 0).
Tensor case_input(const UnaryCase& c, const Shape& shape, uint32_t seed, DType dtype = kFloat64) {
  std::vector<double> v = random_tensor(shape, seed, c.lo, c.hi).to_vector<double>();
  if (c.avoid_zero) {
    for (double& x : v) x = x >= 0 ? x + 0.1 : x - 0.1;
  }
  return from_vector<double>(v, {static_cast<int64_t>(v.size())}).view(shape).to(dtype);
}

TEST(Unary, HandComputedActivations) {
  Tensor x = from_vector<double>({-1, 0, 2}, {3});
  EXPECT_EQ(host(relu(x)), (std::vector<double>{0, 0, 2}));
  EXPECT_EQ(host(leaky_relu(x)), (std::vector<double>{-0.01, 0, 2}));
  EXPECT_EQ(host(leaky_relu(x, 0.2)), (std::vector<double>{-0.2, 0, 2}));
  const std::vector<double> e = host(elu(x, 2.0));
  EXPECT_DOUBLE_EQ(e[0], 2.0 * (0.36787944117144233 - 1.0));
  EXPECT_EQ(e[1], 0.0);
  EXPECT_EQ(e[2], 2.0);
  EXPECT_DOUBLE_EQ(host(elu(x))[0], -0.6321205588285577);

  const std::vector<double> g = host(gelu(from_vector<double>({1, -1, 0, 2}, {4})));
  EXPECT_DOUBLE_EQ(g[0], 0.8413447460685429);
  EXPECT_DOUBLE_EQ(g[1], -0.15865525393145707);
  EXPECT_EQ(g[2], 0.0);
  EXPECT_DOUBLE_EQ(g[3], 1.9544997361036416);

  const std::vector<double> s = host(sigmoid(from_vector<double>({0, 2, -2}, {3})));
  EXPECT_EQ(s[0], 0.5);
  EXPECT_DOUBLE_EQ(s[1], 0.8807970779778823);
  EXPECT_DOUBLE_EQ(s[2], 0.11920292202211755);
  EXPECT_DOUBLE_EQ(host(tanh(from_vector<double>({0.5}, {1})))[0], 0.46211715726000974);
}

TEST(Unary, HandComputedMaths) {
  EXPECT_DOUBLE_EQ(host(exp(from_vector<double>({1}, {1})))[0], 2.718281828459045);
  EXPECT_DOUBLE_EQ(host(log(from_vector<double>({2}, {1})))[0], 0.6931471805599453);
  EXPECT_DOUBLE_EQ(host(sqrt(from_vector<double>({2}, {1})))[0], 1.4142135623730951);
  EXPECT_EQ(host(pow(from_vector<double>({2, 3, -2}, {3}), 3.0)), (std::vector<double>{8, 27, -8}));
  EXPECT_EQ(host(pow(from_vector<double>({4, 0.25}, {2}), 0.5)), (std::vector<double>{2, 0.5}));
  EXPECT_EQ(host(pow(from_vector<double>({2, 4}, {2}), -1.0)), (std::vector<double>{0.5, 0.25}));
  EXPECT_EQ(host(neg(from_vector<double>({1, -2}, {2}))), (std::vector<double>{-1, 2}));
  EXPECT_EQ(host(add_scalar(from_vector<double>({1, -2}, {2}), 0.5)), (std::vector<double>{1.5, -1.5}));
  EXPECT_EQ(host(mul_scalar(from_vector<double>({1, -2}, {2}), 3)), (std::vector<double>{3, -6}));
  EXPECT_EQ(host(from_vector<double>({1, -2}, {2}) / 4.0), (std::vector<double>{0.25, -0.5}));
}

TEST(Unary, Float32MatchesFloat64) {
  for (const UnaryCase& c : all_ops()) {
    Tensor x64 = case_input(c, {5, 7}, 3);
    Tensor y32 = c.f(x64.to(kFloat32));
    EXPECT_EQ(y32.dtype(), kFloat32) << c.name;
    EXPECT_TRUE(allclose(y32.to(kFloat64), c.f(x64), 1e-6, 1e-6)) << c.name;
  }
}

TEST(Unary, IeeeEdgeCases) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> l = host(log(from_vector<double>({0, -1}, {2})));
  EXPECT_EQ(l[0], -inf);
  EXPECT_TRUE(std::isnan(l[1]));
  EXPECT_TRUE(std::isnan(host(sqrt(from_vector<double>({-1}, {1})))[0]));
  // The stable sigmoid neither overflows nor produces NaN at the extremes, in float32 too.
  for (DType t : {kFloat32, kFloat64}) {
    const std::vector<double> s = host(sigmoid(from_vector<double>({-1000, 1000, -80}, {3}).to(t)));
    EXPECT_EQ(s[0], 0.0);
    EXPECT_EQ(s[1], 1.0);
    EXPECT_GT(s[2], 0.0);  // e^-80 is representable in both
  }
  EXPECT_EQ(host(exp(from_vector<double>({-inf}, {1})))[0], 0.0);
  EXPECT_EQ(host(tanh(from_vector<double>({50, -50}, {2}))), (std::vector<double>{1, -1}));
}

TEST(Unary, GradcheckEveryOp) {
  for (const UnaryCase& c : all_ops()) {
    for (const Shape& s : {Shape{3, 4}, Shape{}, Shape{2, 1, 3}}) {
      Tensor x = case_input(c, s, 11);
      EXPECT_TRUE(testing::gradcheck([f = c.f](const std::vector<Tensor>& in) { return f(in[0]); }, {x}))
          << c.name << " " << shape_str(s);
    }
  }
}

TEST(Unary, GradientsByHand) {
  auto grad_of = [](const std::function<Tensor(const Tensor&)>& f, std::vector<double> v) {
    Tensor x = from_vector<double>(v, {static_cast<int64_t>(v.size())}).set_requires_grad(true);
    sum(f(x)).backward();
    return x.grad().to_vector<double>();
  };
  EXPECT_EQ(grad_of([](const Tensor& x) { return relu(x); }, {-1, 2}), (std::vector<double>{0, 1}));
  EXPECT_EQ(grad_of([](const Tensor& x) { return leaky_relu(x, 0.3); }, {-1, 2}), (std::vector<double>{0.3, 1}));
  EXPECT_EQ(grad_of([](const Tensor& x) { return sigmoid(x); }, {0})[0], 0.25);
  EXPECT_EQ(grad_of([](const Tensor& x) { return tanh(x); }, {0})[0], 1.0);
  EXPECT_EQ(grad_of([](const Tensor& x) { return sqrt(x); }, {4})[0], 0.25);
  EXPECT_EQ(grad_of([](const Tensor& x) { return log(x); }, {4})[0], 0.25);
  EXPECT_EQ(grad_of([](const Tensor& x) { return pow(x, 3.0); }, {2})[0], 12.0);
  EXPECT_EQ(grad_of([](const Tensor& x) { return pow(x, 0.0); }, {0})[0], 0.0);  // not 0 * inf
  EXPECT_DOUBLE_EQ(grad_of([](const Tensor& x) { return gelu(x); }, {1})[0], 1.0833154705876864);
  EXPECT_DOUBLE_EQ(grad_of([](const Tensor& x) { return elu(x, 2.0); }, {-1})[0], 2.0 * 0.36787944117144233);
}

TEST(Unary, ChainsAndNoGrad) {
  // A chain of saved-output ops: d/dx sigmoid(exp(x)) = s(1-s) e^x.
  Tensor x = from_vector<double>({0.3}, {1}).set_requires_grad(true);
  sum(sigmoid(exp(x))).backward();
  const double e = std::exp(0.3), s = 1.0 / (1.0 + std::exp(-e));
  EXPECT_DOUBLE_EQ(x.grad().to_vector<double>()[0], s * (1 - s) * e);
  // Nothing is recorded for inputs that do not require grad, or under NoGradGuard.
  EXPECT_FALSE(gelu(ones({3})).requires_grad());
  NoGradGuard guard;
  EXPECT_FALSE(tanh(ones({3}).set_requires_grad(true)).requires_grad());
}

TEST(Unary, RejectsIntegerTensors) {
  for (const UnaryCase& c : all_ops()) {
    for (DType t : {kInt32, kInt64}) {
      EXPECT_THAT([&] { c.f(zeros({2, 3}, t)); },
                  ThrowsMessage<DTypeError>(HasSubstr(std::string("'x' must be float32 or float64, got ") + dtype_name(t))))
          << c.name;
    }
  }
  EXPECT_THAT([] { gelu(zeros({2}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr("gelu: 'x' must be float32 or float64, got int64 [2]")));
  EXPECT_THAT([] { pow(Tensor(), 2.0); }, ThrowsMessage<ValueError>(HasSubstr("pow: 'x' is an undefined tensor")));
}

TEST(Unary, EmptyTensors) {
  Tensor x = zeros({0, 3});
  EXPECT_EQ(gelu(x).shape(), (Shape{0, 3}));
  Tensor xg = zeros({0, 3}, kFloat64).set_requires_grad(true);
  sum(log(xg)).backward();
  EXPECT_EQ(xg.grad().shape(), (Shape{0, 3}));
}

TEST(Unary, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  for (const UnaryCase& c : all_ops()) {
    for (DType t : {kFloat32, kFloat64}) {
      Tensor x = case_input(c, {37, 129}, 21, t);  // several blocks, a ragged tail
      Tensor dy = random_tensor({37, 129}, 22, -1, 1, t);
      Tensor xc = x.clone().set_requires_grad(true);
      Tensor xg = x.cuda().set_requires_grad(true);
      Tensor yc = c.f(xc), yg = c.f(xg);
      ASSERT_TRUE(yg.is_cuda()) << c.name;
      const double tol = t == kFloat32 ? 1e-5 : 1e-12;
      EXPECT_TRUE(allclose(yg.cpu(), yc, tol, tol)) << c.name << " " << dtype_name(t) << " forward";
      yc.backward(dy);
      yg.backward(dy.cuda());
      EXPECT_TRUE(allclose(xg.grad().cpu(), xc.grad(), tol, tol)) << c.name << " " << dtype_name(t) << " backward";
    }
  }
}

}  // namespace
}  // namespace loom
