// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// layer_norm and batch_norm: values by hand and against a direct reference, running statistics, eval mode,
// gradients by central differences, argument errors, and CPU against CUDA.
#include <gmock/gmock.h>

#include <cmath>

#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::expect_near_all;
using testing::random_tensor;

// ---------------------------------------------------------------- layer norm

TEST(LayerNorm, HandComputed) {
  // Row [1, 2, 3, 4]: mean 2.5, biased variance 1.25. Row [2, 2, 2, 6]: mean 3, variance 3.
  Tensor x = from_vector<double>({1, 2, 3, 4, 2, 2, 2, 6}, {2, 4});
  Tensor w = from_vector<double>({1, 2, 1, -1}, {4});
  Tensor b = from_vector<double>({0, 0, 1, 0}, {4});
  const double s1 = std::sqrt(1.25), s2 = std::sqrt(3.0);
  expect_near_all(layer_norm(x, Tensor(), Tensor(), 0.0).to_vector<double>(),
                  {-1.5 / s1, -0.5 / s1, 0.5 / s1, 1.5 / s1, -1 / s2, -1 / s2, -1 / s2, 3 / s2}, 1e-12);
  expect_near_all(layer_norm(x, w, b, 0.0).to_vector<double>(),
                  {-1.5 / s1, -1.0 / s1, 1 + 0.5 / s1, -1.5 / s1, -1 / s2, -2 / s2, 1 - 1 / s2, -3 / s2}, 1e-12);
  // eps enters under the square root.
  EXPECT_NEAR(layer_norm(x, Tensor(), Tensor(), 0.75).to_vector<double>()[0], -1.5 / std::sqrt(2.0), 1e-12);
}

TEST(LayerNorm, NormalisesTheLastDimensionOfRank3) {
  Tensor x = random_tensor({3, 5, 7}, 1, -3, 3, kFloat32);
  const std::vector<float> y = layer_norm(x, Tensor(), Tensor()).to_vector<float>();
  for (int r = 0; r < 15; ++r) {
    double m = 0, v = 0;
    for (int c = 0; c < 7; ++c) m += y[static_cast<size_t>(r * 7 + c)];
    m /= 7;
    for (int c = 0; c < 7; ++c) v += std::pow(y[static_cast<size_t>(r * 7 + c)] - m, 2);
    EXPECT_NEAR(m, 0.0, 1e-6) << "row " << r;
    EXPECT_NEAR(v / 7, 1.0, 1e-4) << "row " << r;
  }
}

TEST(LayerNorm, Gradcheck) {
  Tensor x = random_tensor({4, 6}, 2, -2, 2), w = random_tensor({6}, 3, 0.5, 1.5), b = random_tensor({6}, 4);
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& in) { return layer_norm(in[0], in[1], in[2], 1e-5); }, {x, w, b}))
      << "weight and bias";
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& in) { return layer_norm(in[0], Tensor(), Tensor(), 1e-5); }, {x}))
      << "no weight";
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& in) { return layer_norm(in[0], in[1], Tensor(), 1e-5); }, {x, w}))
      << "weight only";
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& in) { return layer_norm(in[0], in[1], in[2], 1e-5); },
      {random_tensor({2, 3, 5}, 5, -2, 2), random_tensor({5}, 6), random_tensor({5}, 7)}))
      << "rank 3";
}

TEST(LayerNorm, ParameterGradientsOverManyRows) {
  // Enough rows for several chunks of the column sums (dw = sum dy xhat, db = sum dy), checked against a loop.
  const int64_t rows = 2600, cols = 5;
  Tensor x = random_tensor({rows, cols}, 8, -2, 2);
  Tensor w = random_tensor({cols}, 9).set_requires_grad(true), b = random_tensor({cols}, 10).set_requires_grad(true);
  Tensor dy = random_tensor({rows, cols}, 11);
  layer_norm(x, w, b).backward(dy);
  const std::vector<double> y0 = layer_norm(x, Tensor(), Tensor()).to_vector<double>(), g = dy.to_vector<double>();
  std::vector<double> dw(cols, 0.0), db(cols, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      dw[static_cast<size_t>(c)] += g[static_cast<size_t>(r * cols + c)] * y0[static_cast<size_t>(r * cols + c)];
      db[static_cast<size_t>(c)] += g[static_cast<size_t>(r * cols + c)];
    }
  expect_near_all(w.grad().to_vector<double>(), dw, 1e-9);
  expect_near_all(b.grad().to_vector<double>(), db, 1e-9);
}

TEST(LayerNorm, Errors) {
  EXPECT_THAT([] { layer_norm(zeros({2, 4}), zeros({3}), Tensor()); },
              ThrowsMessage<ShapeError>(
                  HasSubstr("layer_norm: 'weight' must have shape [4] to match x [2, 4], got [3]")));
  EXPECT_THAT([] { layer_norm(zeros({2, 4}), Tensor(), zeros({4}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("layer_norm: 'x' is float32 [2, 4] but 'bias' is float64 [4]")));
  EXPECT_THAT([] { layer_norm(zeros({2, 4}, kInt64), Tensor(), Tensor()); },
              ThrowsMessage<DTypeError>(HasSubstr("layer_norm: 'x' must be float32 or float64, got int64")));
  EXPECT_THAT([] { layer_norm(zeros({2, 0}), Tensor(), Tensor()); },
              ThrowsMessage<ShapeError>(HasSubstr("layer_norm: 'x' has an empty last dimension")));
}

// ---------------------------------------------------------------- batch norm

TEST(BatchNorm, TrainingValuesAndRunningStats) {
  // Channel 0: 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3); channel 1: 0, 0, 4, 4 (mean 2, var 4, 16/3).
  Tensor x = from_vector<double>({1, 0, 2, 0, 3, 4, 6, 4}, {4, 2});
  Tensor w = from_vector<double>({2, 1}, {2}), b = from_vector<double>({0, -1}, {2});
  Tensor rm = zeros({2}, kFloat64), rv = ones({2}, kFloat64);
  Tensor y = batch_norm(x, w, b, rm, rv, /*training=*/true, 0.1, 0.0);
  const double s0 = std::sqrt(3.5);
  expect_near_all(y.to_vector<double>(),
                  {2 * -2 / s0, -1 - 1, 2 * -1 / s0, -1 - 1, 2 * 0 / s0, -1 + 1, 2 * 3 / s0, -1 + 1}, 1e-12);
  expect_near_all(rm.to_vector<double>(), {0.1 * 3, 0.1 * 2}, 1e-12);
  expect_near_all(rv.to_vector<double>(), {0.9 + 0.1 * 14.0 / 3, 0.9 + 0.1 * 16.0 / 3}, 1e-12);
  // A second step moves the running stats again from where they are.
  batch_norm(x, w, b, rm, rv, true, 0.5, 0.0);
  expect_near_all(rm.to_vector<double>(), {0.5 * 0.3 + 0.5 * 3, 0.5 * 0.2 + 0.5 * 2}, 1e-12);
}

TEST(BatchNorm, EvalUsesRunningStatsAndLeavesThem) {
  Tensor x = from_vector<float>({1, 0, 2, 8}, {2, 2});
  Tensor w = from_vector<float>({2, 1}, {2}), b = from_vector<float>({0, 1}, {2});
  Tensor rm = from_vector<float>({1, 2}, {2}), rv = from_vector<float>({4, 16}, {2});
  Tensor y = batch_norm(x, w, b, rm, rv, /*training=*/false, 0.1, 0.0);
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0, 0.5f, 1, 2.5f}));
  EXPECT_EQ(rm.to_vector<float>(), (std::vector<float>{1, 2}));
  EXPECT_EQ(rv.to_vector<float>(), (std::vector<float>{4, 16}));
}

TEST(BatchNorm, ManyRowsAndChannelsMatchReference) {
  // More rows than one chunk and more channels than one column block of the CPU sums.
  const int64_t n = 2500, c = 300;
  Tensor x = random_tensor({n, c}, 20, -3, 5);
  Tensor rm = zeros({c}, kFloat64), rv = ones({c}, kFloat64);
  const std::vector<double> y = batch_norm(x, Tensor(), Tensor(), rm, rv, true).to_vector<double>();
  const std::vector<double> xv = x.to_vector<double>();
  std::vector<double> want(xv.size()), want_rv(static_cast<size_t>(c));
  for (int64_t j = 0; j < c; ++j) {
    double m = 0, v = 0;
    for (int64_t i = 0; i < n; ++i) m += xv[static_cast<size_t>(i * c + j)];
    m /= n;
    for (int64_t i = 0; i < n; ++i) v += std::pow(xv[static_cast<size_t>(i * c + j)] - m, 2);
    for (int64_t i = 0; i < n; ++i)
      want[static_cast<size_t>(i * c + j)] = (xv[static_cast<size_t>(i * c + j)] - m) / std::sqrt(v / n + 1e-5);
    want_rv[static_cast<size_t>(j)] = 0.9 + 0.1 * v / (n - 1);
  }
  expect_near_all(y, want, 1e-10);
  expect_near_all(rv.to_vector<double>(), want_rv, 1e-10);
}

TEST(BatchNorm, GradcheckTraining) {
  Tensor rm = zeros({5}, kFloat64), rv = ones({5}, kFloat64);
  auto full = [&](const std::vector<Tensor>& in) { return batch_norm(in[0], in[1], in[2], rm, rv, true); };
  EXPECT_TRUE(testing::gradcheck(full, {random_tensor({6, 5}, 21, -2, 2), random_tensor({5}, 22, 0.5, 1.5),
                                        random_tensor({5}, 23)}))
      << "weight and bias";
  Tensor rm3 = zeros({3}, kFloat64), rv3 = ones({3}, kFloat64);
  auto bare = [&](const std::vector<Tensor>& in) { return batch_norm(in[0], Tensor(), Tensor(), rm3, rv3, true); };
  EXPECT_TRUE(testing::gradcheck(bare, {random_tensor({4, 3}, 24, -2, 2)})) << "no weight";
  Tensor none;
  auto untracked = [&](const std::vector<Tensor>& in) {
    return batch_norm(in[0], in[1], Tensor(), none, none, true);
  };
  EXPECT_TRUE(testing::gradcheck(untracked, {random_tensor({3, 4}, 25, -2, 2), random_tensor({4}, 26)}))
      << "no running stats";
}

TEST(BatchNorm, GradcheckEval) {
  Tensor rm = random_tensor({4}, 27), rv = random_tensor({4}, 28, 0.5, 2);
  auto f = [&](const std::vector<Tensor>& in) { return batch_norm(in[0], in[1], in[2], rm, rv, false); };
  EXPECT_TRUE(
      testing::gradcheck(f, {random_tensor({5, 4}, 29, -2, 2), random_tensor({4}, 30), random_tensor({4}, 31)}));
}

TEST(BatchNorm, Errors) {
  Tensor rm = zeros({3}), rv = ones({3}), none;
  EXPECT_THAT([&] { batch_norm(zeros({2, 3, 1}), Tensor(), Tensor(), rm, rv, true); },
              ThrowsMessage<ShapeError>(HasSubstr("batch_norm: 'x' must be [N, C], got shape [2, 3, 1]")));
  EXPECT_THAT([&] { batch_norm(zeros({2, 4}), Tensor(), Tensor(), rm, rv, true); },
              ThrowsMessage<ShapeError>(
                  HasSubstr("batch_norm: 'running_mean' must have shape [4] to match x [2, 4], got [3]")));
  EXPECT_THAT([&] { batch_norm(zeros({1, 3}), Tensor(), Tensor(), rm, rv, true); },
              ThrowsMessage<ValueError>(HasSubstr("batch_norm: training needs more than 1 value per channel")));
  EXPECT_THAT([&] { batch_norm(zeros({2, 3}), Tensor(), Tensor(), none, none, false); },
              ThrowsMessage<ValueError>(HasSubstr("batch_norm: eval mode (training = false) needs 'running_mean'")));
  EXPECT_THAT([&] { batch_norm(zeros({2, 3}), zeros({3}, kFloat64), Tensor(), rm, rv, true); },
              ThrowsMessage<DTypeError>(HasSubstr("batch_norm: 'x' is float32 [2, 3] but 'weight' is float64 [3]")));
  EXPECT_THAT([&] { batch_norm(zeros({2, 3}), Tensor(), Tensor(), rm, rv, true, 1.5); },
              ThrowsMessage<ValueError>(HasSubstr("batch_norm: momentum must be in [0, 1], got 1.5")));
}

// ---------------------------------------------------------------- CPU against CUDA

TEST(Norm, LayerNormCpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  for (const Shape& s : {Shape{37, 19}, Shape{3, 300, 70}, Shape{5, 1500}}) {
    const int64_t c = s.back();
    Tensor x = random_tensor(s, 40, -2, 2, kFloat32), w = random_tensor({c}, 41, 0.5, 1.5, kFloat32),
           b = random_tensor({c}, 42, -1, 1, kFloat32), dy = random_tensor(s, 43, -1, 1, kFloat32);
    Tensor xc = x.clone().set_requires_grad(true), wc = w.clone().set_requires_grad(true),
           bc = b.clone().set_requires_grad(true);
    Tensor xg = x.cuda().set_requires_grad(true), wg = w.cuda().set_requires_grad(true),
           bg = b.cuda().set_requires_grad(true);
    Tensor yc = layer_norm(xc, wc, bc), yg = layer_norm(xg, wg, bg);
    EXPECT_TRUE(allclose(yg.cpu(), yc, 1e-4, 1e-5)) << shape_str(s);
    yc.backward(dy);
    yg.backward(dy.cuda());
    EXPECT_TRUE(allclose(xg.grad().cpu(), xc.grad(), 1e-3, 1e-4)) << shape_str(s) << " dx";
    EXPECT_TRUE(allclose(wg.grad().cpu(), wc.grad(), 1e-3, 1e-3)) << shape_str(s) << " dw";
    EXPECT_TRUE(allclose(bg.grad().cpu(), bc.grad(), 1e-3, 1e-3)) << shape_str(s) << " db";
  }
}

TEST(Norm, BatchNormCpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  for (bool training : {true, false}) {
    const int64_t n = 1100, c = 33;
    Tensor x = random_tensor({n, c}, 50, -2, 3, kFloat32), w = random_tensor({c}, 51, 0.5, 1.5, kFloat32),
           b = random_tensor({c}, 52, -1, 1, kFloat32), dy = random_tensor({n, c}, 53, -1, 1, kFloat32);
    Tensor rm = random_tensor({c}, 54, -1, 1, kFloat32), rv = random_tensor({c}, 55, 0.5, 2, kFloat32);
    Tensor rmg = rm.cuda(), rvg = rv.cuda();
    Tensor xc = x.clone().set_requires_grad(true), wc = w.clone().set_requires_grad(true),
           bc = b.clone().set_requires_grad(true);
    Tensor xg = x.cuda().set_requires_grad(true), wg = w.cuda().set_requires_grad(true),
           bg = b.cuda().set_requires_grad(true);
    Tensor yc = batch_norm(xc, wc, bc, rm, rv, training), yg = batch_norm(xg, wg, bg, rmg, rvg, training);
    EXPECT_TRUE(allclose(yg.cpu(), yc, 1e-4, 1e-5)) << "training " << training;
    EXPECT_TRUE(allclose(rmg.cpu(), rm, 1e-5, 1e-6)) << "training " << training;
    EXPECT_TRUE(allclose(rvg.cpu(), rv, 1e-5, 1e-6)) << "training " << training;
    yc.backward(dy);
    yg.backward(dy.cuda());
    EXPECT_TRUE(allclose(xg.grad().cpu(), xc.grad(), 1e-3, 1e-4)) << "training " << training << " dx";
    EXPECT_TRUE(allclose(wg.grad().cpu(), wc.grad(), 1e-3, 1e-3)) << "training " << training << " dw";
    EXPECT_TRUE(allclose(bg.grad().cpu(), bc.grad(), 1e-3, 1e-3)) << "training " << training << " db";
  }
}

}  // namespace
}  // namespace loom
