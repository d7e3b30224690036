// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// softmax and log_softmax: values by hand, stability with large inputs, gradients along every kind of dimension,
// long and many rows, and CPU against CUDA for forward and backward.
#include <gmock/gmock.h>

#include <cmath>

#include "support/gradcheck.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::random_tensor;

TEST(Softmax, HandComputed) {
  Tensor x = from_vector<double>({0, 1, 2, 1, 1, 1}, {2, 3});
  const double z = 1 + std::exp(1.0) + std::exp(2.0);
  std::vector<double> y = softmax(x, 1).to_vector<double>();
  const std::vector<double> want = {1 / z, std::exp(1.0) / z, std::exp(2.0) / z, 1.0 / 3, 1.0 / 3, 1.0 / 3};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(y[i], want[i], 1e-15) << i;
  std::vector<double> ly = log_softmax(x, -1).to_vector<double>();
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(ly[i], std::log(want[i]), 1e-14) << i;
  // Along dim 0: columns (0,1), (1,1), (2,1).
  std::vector<double> c = softmax(x, 0).to_vector<double>();
  EXPECT_NEAR(c[0], 1 / (1 + std::exp(1.0)), 1e-15);
  EXPECT_NEAR(c[1], 0.5, 1e-15);
  EXPECT_NEAR(c[2], std::exp(1.0) / (1 + std::exp(1.0)), 1e-15);
  EXPECT_NEAR(c[3] + c[0], 1.0, 1e-15);
}

TEST(Softmax, StableForLargeInputs) {
  // Without subtracting the max, exp(1000) overflows.
  Tensor x = from_vector<float>({1000, 1001, 1002, -1000, -1001, -1002}, {2, 3});
  std::vector<float> y = softmax(x, 1).to_vector<float>();
  std::vector<float> ly = log_softmax(x, 1).to_vector<float>();
  const double z = 1 + std::exp(1.0) + std::exp(2.0);
  EXPECT_NEAR(y[2], std::exp(2.0) / z, 1e-6);
  EXPECT_NEAR(y[3], std::exp(2.0) / z, 1e-6);
  EXPECT_NEAR(ly[0], -2 - std::log(1 + std::exp(-1.0) + std::exp(-2.0)), 1e-5);
  EXPECT_FALSE(has_nonfinite(softmax(x, 1)));
  EXPECT_FALSE(has_nonfinite(log_softmax(x, 1)));
  // -inf entries get probability 0 (a masked logit).
  Tensor m = from_vector<double>({0, -INFINITY, 0}, {3});
  EXPECT_EQ(softmax(m, 0).to_vector<double>(), (std::vector<double>{0.5, 0, 0.5}));
}

TEST(Softmax, RowsSumToOneOnEveryDim) {
  Tensor x = random_tensor({3, 4, 5}, 31, -5, 5);
  for (int64_t d : {0, 1, 2, -1, -3}) {
    Tensor s = sum(softmax(x, d), d);
    for (double v : s.to_vector<double>()) EXPECT_NEAR(v, 1.0, 1e-14) << "dim " << d;
  }
}

TEST(Softmax, Gradcheck) {
  for (int64_t d : {0, 1, 2, -1, -2}) {
    EXPECT_TRUE(testing::gradcheck([d](const std::vector<Tensor>& in) { return softmax(in[0], d); },
                                   {random_tensor({2, 3, 4}, 32, -2, 2)}))
        << "softmax dim " << d;
    EXPECT_TRUE(testing::gradcheck([d](const std::vector<Tensor>& in) { return log_softmax(in[0], d); },
                                   {random_tensor({2, 3, 4}, 33, -2, 2)}))
        << "log_softmax dim " << d;
  }
  // Column blocks wider than one task's strip (inner > 64), and a rank-1 input.
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return log_softmax(in[0], 0); },
                                 {random_tensor({3, 70}, 34, -2, 2)}));
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return softmax(in[0], 0); },
                                 {random_tensor({6}, 35, -2, 2)}));
}

TEST(Softmax, BackwardFormulas) {
  // softmax: dx = y * (dy - sum(dy * y)); log_softmax: dx = dy - exp(y) * sum(dy).
  Tensor x = from_vector<double>({0.5, -1, 2}, {3});
  Tensor dy = from_vector<double>({1, 2, -1}, {3});
  Tensor xs = x.clone().detach().set_requires_grad(true);
  Tensor y = softmax(xs, 0);
  y.backward(dy);
  std::vector<double> yv = y.to_vector<double>(), g = xs.grad().to_vector<double>();
  const double s = yv[0] * 1 + yv[1] * 2 + yv[2] * -1;
  const std::vector<double> dyv = {1, 2, -1};
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(g[i], yv[i] * (dyv[i] - s), 1e-15);
  Tensor xl = x.clone().detach().set_requires_grad(true);
  log_softmax(xl, 0).backward(dy);
  std::vector<double> gl = xl.grad().to_vector<double>();
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(gl[i], dyv[i] - yv[i] * 2.0, 1e-15);
}

TEST(Softmax, BadArguments) {
  EXPECT_THAT([] { softmax(zeros({2, 3}), 2); },
              ThrowsMessage<IndexError>(HasSubstr("softmax: dimension 2 is out of range for a tensor of rank 2")));
  EXPECT_THAT([] { log_softmax(zeros({2}, kInt32), 0); },
              ThrowsMessage<DTypeError>(HasSubstr("log_softmax: 'x' must be float32 or float64, got int32")));
  EXPECT_THAT([] { softmax(scalar_tensor(1.0), 0); }, ThrowsMessage<ShapeError>(HasSubstr("softmax: needs a tensor")));
  EXPECT_EQ(softmax(zeros({0, 4}), 1).shape(), (Shape{0, 4}));
}

TEST(Softmax, LongRowAndManyRows) {
  // 1 x 100000: float32 sums stay accurate; 100000 x 7: every row sums to one.
  Tensor big = random_tensor({1, 100000}, 36, -10, 10, kFloat32);
  Tensor ref = softmax(big.to(kFloat64), 1);
  EXPECT_TRUE(allclose(softmax(big, 1).to(kFloat64), ref, 1e-4, 1e-9));
  EXPECT_TRUE(allclose(log_softmax(big, 1).to(kFloat64), log_softmax(big.to(kFloat64), 1), 1e-5, 1e-4));
  Tensor many = random_tensor({100000, 7}, 37, -3, 3, kFloat32);
  for (float v : sum(softmax(many, 1), 1).to_vector<float>()) ASSERT_NEAR(v, 1.0f, 1e-5f);
}

TEST(Softmax, CpuMatchesCudaForwardAndBackward) {
  LOOM_REQUIRE_CUDA();
  // Shapes reaching every CUDA path: thread per row, warp per row, chunked rows, thread per column, chunked columns.
  const std::vector<Shape> shapes = {{100000, 7}, {300, 100}, {1, 100000}, {3, 5000}, {100, 3000},
                                     {4, 300, 50}, {20000, 3}, {8, 9, 2000}};
  for (const Shape& s : shapes) {
    for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d) {
      for (bool log_ : {false, true}) {
        auto f = [log_](const Tensor& x, int64_t dim) { return log_ ? log_softmax(x, dim) : softmax(x, dim); };
        Tensor x = random_tensor(s, 38, -4, 4, kFloat32);
        Tensor dy = random_tensor(s, 39, -1, 1, kFloat32);
        Tensor xc = x.clone().detach().set_requires_grad(true), xg = x.cuda().detach().set_requires_grad(true);
        Tensor yc = f(xc, d), yg = f(xg, d);
        EXPECT_TRUE(allclose(yg.cpu(), yc, 1e-4, 1e-6)) << shape_str(s) << " dim " << d << " log " << log_
                                                       << " max diff " << max_abs_diff(yg.cpu(), yc);
        yc.backward(dy);
        yg.backward(dy.cuda());
        EXPECT_TRUE(allclose(xg.grad().cpu(), xc.grad(), 1e-4, 1e-5))
            << "backward " << shape_str(s) << " dim " << d << " log " << log_ << " max diff "
            << max_abs_diff(xg.grad().cpu(), xc.grad());
        // Bitwise reproducible on the device.
        EXPECT_EQ(f(x.cuda(), d).cpu().to_vector<float>(), yg.cpu().to_vector<float>());
      }
    }
  }
  Tensor dbl = random_tensor({5, 2000}, 40, -4, 4);
  EXPECT_TRUE(allclose(softmax(dbl.cuda(), 1).cpu(), softmax(dbl, 1), 1e-12, 1e-15));
}

}  // namespace
}  // namespace loom
