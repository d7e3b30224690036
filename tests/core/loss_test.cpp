// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Losses: values by hand, gradients by central differences (every differentiable input, label smoothing
// included), target and shape errors, and CPU against CUDA.
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
using testing::random_labels;
using testing::random_tensor;

Tensor labels(const std::vector<int64_t>& v) { return from_vector<int64_t>(v, {static_cast<int64_t>(v.size())}); }

// ---------------------------------------------------------------- values by hand

TEST(Loss, CrossEntropyHandValues) {
  Tensor x = from_vector<double>({1, 2, 3, 1, 1, 1}, {2, 3});
  Tensor t = labels({2, 0});
  const double lse0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)), lse1 = 1 + std::log(3.0);
  Tensor l = cross_entropy(x, t);
  EXPECT_EQ(l.dim(), 0);
  EXPECT_NEAR(l.item<double>(), ((lse0 - 3) + (lse1 - 1)) / 2, 1e-12);
  EXPECT_NEAR(l.item<double>(), 0.7531091266, 1e-9);
  // Label smoothing 0.3: target distribution 0.7 one-hot + 0.1 everywhere.
  const double s = 0.3;
  EXPECT_NEAR(cross_entropy(x, t, s).item<double>(),
              ((lse0 - 0.7 * 3 - 0.1 * 6) + (lse1 - 0.7 * 1 - 0.1 * 3)) / 2, 1e-12);
  // Gradient: (softmax - one-hot) / N.
  Tensor xg = x.clone().set_requires_grad(true);
  cross_entropy(xg, t).backward();
  const double e = std::exp(lse0);
  expect_near_all(xg.grad().to_vector<double>(),
                  {std::exp(1.0) / e / 2, std::exp(2.0) / e / 2, (std::exp(3.0) / e - 1) / 2, (1.0 / 3 - 1) / 2,
                   1.0 / 6, 1.0 / 6},
                  1e-12);
}

TEST(Loss, CrossEntropyIsStableForLargeLogits) {
  Tensor x = from_vector<float>({1000, 1000, -1000, 0}, {2, 2});  // row 0: log 2; row 1: ~0
  const float l = cross_entropy(x, labels({0, 1})).item<float>();
  EXPECT_TRUE(std::isfinite(l));
  EXPECT_NEAR(l, std::log(2.0) / 2, 1e-6);
}

TEST(Loss, NllHandValues) {
  Tensor lp = from_vector<double>({-0.5, -1, -2, -3, -0.1, -1}, {2, 3});
  EXPECT_NEAR(nll_loss(lp, labels({0, 1})).item<double>(), (0.5 + 0.1) / 2, 1e-12);
  Tensor g = lp.clone().set_requires_grad(true);
  nll_loss(g, labels({2, 1})).backward();
  EXPECT_EQ(g.grad().to_vector<double>(), (std::vector<double>{0, 0, -0.5, 0, -0.5, 0}));
}

TEST(Loss, BceWithLogitsHandValues) {
  Tensor x = from_vector<double>({0, 2, -1}, {3});
  Tensor t = from_vector<double>({0, 1, 0.5}, {3});
  const double want = (std::log(2.0) + std::log1p(std::exp(-2.0)) + 0.5 + std::log1p(std::exp(-1.0))) / 3;
  EXPECT_NEAR(binary_cross_entropy_with_logits(x, t).item<double>(), want, 1e-12);
  // Saturated logits stay finite: a confident correct answer costs ~0, a confident wrong one ~|x|.
  Tensor big = from_vector<float>({100, -100}, {2});
  EXPECT_NEAR(binary_cross_entropy_with_logits(big, from_vector<float>({1, 0}, {2})).item<float>(), 0.0f, 1e-6);
  EXPECT_NEAR(binary_cross_entropy_with_logits(big, from_vector<float>({0, 1}, {2})).item<float>(), 100.0f, 1e-3);
  // Gradient: (sigmoid(x) - t) / n.
  Tensor xg = x.clone().set_requires_grad(true);
  binary_cross_entropy_with_logits(xg, t).backward();
  auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  expect_near_all(xg.grad().to_vector<double>(), {(0.5 - 0) / 3, (sig(2) - 1) / 3, (sig(-1) - 0.5) / 3}, 1e-12);
}

TEST(Loss, MseHandValues) {
  Tensor a = from_vector<double>({1, 2, 3}, {3}).set_requires_grad(true);
  Tensor b = from_vector<double>({1, 0, 0}, {3}).set_requires_grad(true);
  Tensor l = mse_loss(a, b);
  EXPECT_NEAR(l.item<double>(), 13.0 / 3, 1e-12);
  l.backward();
  expect_near_all(a.grad().to_vector<double>(), {0, 4.0 / 3, 2.0}, 1e-12);
  expect_near_all(b.grad().to_vector<double>(), {0, -4.0 / 3, -2.0}, 1e-12);
}

TEST(Loss, KlWithTemperatureHandValues) {
  Tensor s = from_vector<double>({1, 2, 0, 0}, {2, 2});
  Tensor t = from_vector<double>({2, 0, 0, 0}, {2, 2});
  const double T = 2.0;
  double want = 0;
  for (int r = 0; r < 2; ++r) {
    const double s0 = s.to_vector<double>()[r * 2] / T, s1 = s.to_vector<double>()[r * 2 + 1] / T;
    const double t0 = t.to_vector<double>()[r * 2] / T, t1 = t.to_vector<double>()[r * 2 + 1] / T;
    const double ls = std::log(std::exp(s0) + std::exp(s1)), lt = std::log(std::exp(t0) + std::exp(t1));
    want += std::exp(t0 - lt) * ((t0 - lt) - (s0 - ls)) + std::exp(t1 - lt) * ((t1 - lt) - (s1 - ls));
  }
  want *= T * T / 2;
  EXPECT_NEAR(kl_div_with_temperature(s, t, T).item<double>(), want, 1e-12);
  EXPECT_GT(want, 0.01);  // the example is not degenerate
  // Identical distributions: zero loss.
  EXPECT_NEAR(kl_div_with_temperature(t, t, 3.0).item<double>(), 0.0, 1e-12);
  // Gradient goes to the student only.
  Tensor sg = s.clone().set_requires_grad(true), tg = t.clone().set_requires_grad(true);
  kl_div_with_temperature(sg, tg, T).backward();
  EXPECT_TRUE(sg.grad().defined());
  EXPECT_FALSE(tg.grad().defined());
}

// ---------------------------------------------------------------- gradients

TEST(Loss, Gradcheck) {
  Tensor x = random_tensor({5, 4}, 1, -3, 3);
  Tensor t = random_labels(5, 4, 2);
  for (double s : {0.0, 0.2}) {
    EXPECT_TRUE(testing::gradcheck([s](const std::vector<Tensor>& in) { return cross_entropy(in[0], in[1], s); },
                                   {x, t}))
        << "cross_entropy smoothing " << s;
  }
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return nll_loss(in[0], in[1]); }, {x, t}))
      << "nll_loss";
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& in) { return binary_cross_entropy_with_logits(in[0], in[1]); },
      {random_tensor({3, 4}, 3, -4, 4), random_tensor({3, 4}, 4, 0, 1)}))
      << "bce logits and target";
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return mse_loss(in[0], in[1]); },
                                 {random_tensor({2, 3, 2}, 5), random_tensor({2, 3, 2}, 6)}))
      << "mse input and target";
  Tensor teacher = random_tensor({4, 6}, 7, -3, 3);
  for (double T : {1.0, 2.5}) {
    EXPECT_TRUE(testing::gradcheck(
        [&](const std::vector<Tensor>& in) { return kl_div_with_temperature(in[0], teacher, T); },
        {random_tensor({4, 6}, 8, -3, 3)}))
        << "kl temperature " << T;
  }
}

// ---------------------------------------------------------------- errors

TEST(Loss, TargetErrors) {
  Tensor x = zeros({4, 3});
  EXPECT_THAT([&] { cross_entropy(x, labels({0, 1, 5, 2})); },
              ThrowsMessage<IndexError>(HasSubstr("cross_entropy: target[2] = 5 is out of range for 3 classes")));
  EXPECT_THAT([&] { cross_entropy(x, labels({0, -1, 1, 2})); },
              ThrowsMessage<IndexError>(HasSubstr("cross_entropy: target[1] = -1 is out of range")));
  EXPECT_THAT([&] { nll_loss(x, labels({0, 1, 2, 3})); },
              ThrowsMessage<IndexError>(HasSubstr("nll_loss: target[3] = 3 is out of range for 3 classes")));
  EXPECT_THAT([&] { cross_entropy(x, from_vector<int32_t>({0, 1, 2, 0}, {4})); },
              ThrowsMessage<DTypeError>(HasSubstr("cross_entropy: 'target' must be int64 class ids, got int32")));
  EXPECT_THAT([&] { cross_entropy(x, from_vector<int64_t>({0, 1, 2, 0}, {4, 1})); },
              ThrowsMessage<ShapeError>(
                  HasSubstr("cross_entropy: 'target' must have shape [4] to match 'logits' [4, 3], got [4, 1]")));
  EXPECT_THAT([&] { cross_entropy(zeros({4}), labels({0})); },
              ThrowsMessage<ShapeError>(HasSubstr("cross_entropy: 'logits' must be [N, C], got shape [4]")));
  EXPECT_THAT([&] { cross_entropy(x, labels({0, 1, 2, 0}), 1.5); },
              ThrowsMessage<ValueError>(HasSubstr("cross_entropy: label_smoothing must be in [0, 1], got 1.5")));
}

TEST(Loss, OperandErrors) {
  EXPECT_THAT([] { binary_cross_entropy_with_logits(zeros({2, 3}), zeros({3, 2})); },
              ThrowsMessage<ShapeError>(HasSubstr(
                  "binary_cross_entropy_with_logits: 'logits' has shape [2, 3] but 'target' has shape [3, 2]")));
  EXPECT_THAT([] { mse_loss(zeros({2}), zeros({2}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("mse_loss: 'input' is float32 [2] but 'target' is float64 [2]")));
  EXPECT_THAT([] { kl_div_with_temperature(zeros({2, 3}), zeros({2, 3}), 0.0); },
              ThrowsMessage<ValueError>(HasSubstr("kl_div_with_temperature: temperature must be > 0, got 0")));
  EXPECT_THAT([] { kl_div_with_temperature(zeros({2, 3}), zeros({2, 4}), 1.0); },
              ThrowsMessage<ShapeError>(HasSubstr("'student_logits' has shape [2, 3] but 'teacher_logits' has shape")));
}

// ---------------------------------------------------------------- CPU against CUDA

// Forward value (within 1e-5 (1 + |value|)) and the gradient of every floating input (backward of the loss
// itself), on both devices.
void expect_parity(const char* name, const testing::Fn& f, const std::vector<Tensor>& inputs) {
  EXPECT_TRUE(
      testing::cuda_matches_cpu(f, inputs, testing::Parity().out_tol(1e-5, 1e-5).grad_tol(1e-4, 1e-7).weights(0)))
      << name;
}

TEST(Loss, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  const int64_t n = 300, c = 70;
  Tensor x = random_tensor({n, c}, 10, -4, 4, kFloat32), y = random_tensor({n, c}, 11, -4, 4, kFloat32);
  Tensor t = random_labels(n, c, 12);
  expect_parity("cross_entropy", [](const auto& in) { return cross_entropy(in[0], in[1]); }, {x, t});
  expect_parity("cross_entropy smoothed", [](const auto& in) { return cross_entropy(in[0], in[1], 0.1); }, {x, t});
  expect_parity("nll_loss", [](const auto& in) { return nll_loss(in[0], in[1]); }, {x, t});
  expect_parity("bce", [](const auto& in) { return binary_cross_entropy_with_logits(in[0], in[1]); },
                {x, random_tensor({n, c}, 13, 0, 1, kFloat32)});
  expect_parity("mse", [](const auto& in) { return mse_loss(in[0], in[1]); }, {x, y});
  expect_parity("kl", [](const auto& in) { return kl_div_with_temperature(in[0], in[1], 2.0); }, {x, y});
  expect_parity("cross_entropy float64", [](const auto& in) { return cross_entropy(in[0], in[1]); },
                {x.to(kFloat64), t});
}

TEST(Loss, CudaTargetErrors) {
  LOOM_REQUIRE_CUDA();
  Tensor x = zeros({4, 3}, kFloat32, kCUDA);
  EXPECT_THAT([&] { cross_entropy(x, labels({0, 1, 2, 7}).cuda()); },
              ThrowsMessage<IndexError>(HasSubstr("cross_entropy: target[3] = 7 is out of range for 3 classes")));
  EXPECT_THAT([&] { nll_loss(x, labels({0, -2, 2, 9}).cuda()); },
              ThrowsMessage<IndexError>(HasSubstr("nll_loss: target[1] = -2 is out of range")));
  EXPECT_THAT([&] { cross_entropy(x, labels({0, 1, 2, 0})); },
              ThrowsMessage<DeviceError>(HasSubstr("cross_entropy: 'logits' is on cuda:0 but 'target' is on cpu")));
}

}  // namespace
}  // namespace loom
