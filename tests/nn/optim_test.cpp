// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// SGD against hand-computed steps, option validation, learning-rate schedules and gradient clipping.
// Needs only add/mul/sum (Adam, which needs sqrt, is in adam_test.cpp).
#include <gmock/gmock.h>

#include <cmath>
#include <numbers>

#include "loom/core/optim.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// f(p) = 0.5 * sum(c * p^2), so grad = c * p. Runs `steps` optimizer steps through autograd.
std::vector<double> run_quadratic(optim::Optimizer& opt, Tensor& p, const Tensor& c, int steps) {
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    mul_scalar(sum(mul(c, mul(p, p))), 0.5).backward();
    opt.step();
  }
  return p.to_vector<double>();
}

TEST(SGD, MomentumTwoStepsByHand) {
  Tensor p = from_vector<double>({1.0, -2.0}).set_requires_grad(true);
  const Tensor c = from_vector<double>({1.0, 3.0});
  optim::SGD sgd({p}, optim::SGDOptions(0.1).momentum(0.9));
  // Step 1: g = [1, -6], buf = g, p = [0.9, -1.4].
  // Step 2: g = [0.9, -4.2], buf = 0.9 * [1, -6] + g = [1.8, -9.6], p = [0.72, -0.44].
  const std::vector<double> got = run_quadratic(sgd, p, c, 2);
  EXPECT_NEAR(got[0], 0.72, 1e-12);
  EXPECT_NEAR(got[1], -0.44, 1e-12);
}

TEST(SGD, NesterovTwoStepsByHand) {
  Tensor p = from_vector<double>({1.0, -2.0}).set_requires_grad(true);
  const Tensor c = from_vector<double>({1.0, 3.0});
  optim::SGD sgd({p}, optim::SGDOptions(0.1).momentum(0.9).nesterov(true));
  // Step 1: g = [1, -6], buf = g, update g + 0.9 buf = [1.9, -11.4], p = [0.81, -0.86].
  // Step 2: g = [0.81, -2.58], buf = [1.71, -7.98], update = [2.349, -9.762], p = [0.5751, 0.1162].
  const std::vector<double> got = run_quadratic(sgd, p, c, 2);
  EXPECT_NEAR(got[0], 0.5751, 1e-12);
  EXPECT_NEAR(got[1], 0.1162, 1e-12);
}

TEST(SGD, WeightDecayAndDampeningMatchAScalarReference) {
  const double lr = 0.05, mom = 0.8, damp = 0.3, wd = 0.1;
  Tensor p = from_vector<double>({0.7, -1.3, 2.0}).set_requires_grad(true);
  const Tensor c = from_vector<double>({2.0, 0.5, 1.5});
  optim::SGD sgd({p}, optim::SGDOptions(lr).momentum(mom).dampening(damp).weight_decay(wd));
  const std::vector<double> got = run_quadratic(sgd, p, c, 4);
  const std::vector<double> cv = {2.0, 0.5, 1.5};
  std::vector<double> q = {0.7, -1.3, 2.0};
  for (size_t i = 0; i < q.size(); ++i) {
    double buf = 0;
    for (int s = 0; s < 4; ++s) {
      const double g = cv[i] * q[i] + wd * q[i];
      buf = s == 0 ? g : mom * buf + (1 - damp) * g;
      q[i] -= lr * buf;
    }
    EXPECT_NEAR(got[i], q[i], 1e-12) << i;
  }
}

TEST(SGD, SkipsParametersWithoutGradientAndWorksInFloat32) {
  Tensor a = from_vector<float>({1.0f, 2.0f}).set_requires_grad(true);
  Tensor b = from_vector<float>({5.0f}).set_requires_grad(true);
  optim::SGD sgd({a, b}, optim::SGDOptions(0.5));
  sum(mul(a, a)).backward();  // grad a = 2a; b gets none
  sgd.step();
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{0.0f, 0.0f}));
  EXPECT_EQ(b.to_vector<float>(), std::vector<float>{5.0f});
  sgd.zero_grad();
  EXPECT_FALSE(a.grad().defined());
  EXPECT_FALSE(a.grad_fn());  // the update did not enter the graph
  EXPECT_TRUE(a.is_leaf());
}

TEST(SGD, OptionsValidated) {
  Tensor p = zeros({2}).set_requires_grad(true);
  using optim::SGDOptions;
  EXPECT_THAT([&] { optim::SGD({p}, SGDOptions(-0.1)); },
              ThrowsMessage<ValueError>(HasSubstr("SGD: invalid learning rate -0.1")));
  EXPECT_THAT([&] { optim::SGD({p}, SGDOptions(0.1).momentum(-0.5)); },
              ThrowsMessage<ValueError>(HasSubstr("SGD: invalid momentum -0.5")));
  EXPECT_THAT([&] { optim::SGD({p}, SGDOptions(0.1).weight_decay(-1)); },
              ThrowsMessage<ValueError>(HasSubstr("SGD: invalid weight_decay -1")));
  EXPECT_THAT([&] { optim::SGD({p}, SGDOptions(0.1).dampening(-2)); },
              ThrowsMessage<ValueError>(HasSubstr("SGD: invalid dampening -2")));
  EXPECT_THAT([&] { optim::SGD({p}, SGDOptions(0.1).nesterov(true)); },
              ThrowsMessage<ValueError>(HasSubstr("nesterov needs momentum > 0 and dampening 0, got momentum 0")));
  EXPECT_THAT([&] { optim::SGD({p}, SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true)); },
              ThrowsMessage<ValueError>(HasSubstr("dampening 0.1")));
  EXPECT_THAT([&] { optim::SGD({}, SGDOptions(0.1)); }, ThrowsMessage<ValueError>(HasSubstr("empty parameter list")));
  EXPECT_THAT([&] { optim::SGD({p, zeros({2}, kInt64)}, SGDOptions(0.1)); },
              ThrowsMessage<DTypeError>(HasSubstr("parameter 1 must be float32 or float64, got int64")));
  EXPECT_THAT([&] { optim::SGD({add(p, p)}, SGDOptions(0.1)); },
              ThrowsMessage<ValueError>(HasSubstr("parameter 0 is not a leaf")));
  EXPECT_THAT([&] { optim::SGD({p, p}, SGDOptions(0.1)); },
              ThrowsMessage<ValueError>(HasSubstr("parameter 1 appears more than once")));
  optim::SGD ok({p}, SGDOptions(0.1));
  EXPECT_THAT([&] { ok.set_lr(NAN); }, ThrowsMessage<ValueError>(HasSubstr("invalid learning rate")));
  ok.set_lr(0.25);
  EXPECT_EQ(ok.lr(), 0.25);
}

TEST(SGD, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  const Tensor init = testing::random_tensor({4, 3}, 3, -1, 1, kFloat32);
  const Tensor c = testing::random_tensor({4, 3}, 4, 0.5, 2, kFloat32);
  Tensor pc = init.clone().set_requires_grad(true);
  Tensor pg = init.cuda().set_requires_grad(true);
  optim::SGD a({pc}, optim::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(0.01));
  optim::SGD b({pg}, optim::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(0.01));
  for (int s = 0; s < 3; ++s) {  // float32 on both devices (run_quadratic reads float64 back)
    a.zero_grad();
    mul_scalar(sum(mul(c, mul(pc, pc))), 0.5).backward();
    a.step();
    b.zero_grad();
    mul_scalar(sum(mul(c.cuda(), mul(pg, pg))), 0.5).backward();
    b.step();
  }
  EXPECT_TRUE(allclose(pg.cpu(), pc, 1e-5, 1e-6));
}

// ---------------------------------------------------------------- schedules

std::vector<double> lr_sequence(optim::LRScheduler& sched, int n) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    sched.step();
    out.push_back(sched.get_last_lr());
  }
  return out;
}

TEST(Schedules, StepLR) {
  Tensor p = zeros({1}).set_requires_grad(true);
  optim::SGD sgd({p}, optim::SGDOptions(1.0));
  optim::StepLR sched(sgd, 3, 0.5);
  const std::vector<double> lrs = lr_sequence(sched, 7);
  const std::vector<double> want = {1, 1, 0.5, 0.5, 0.5, 0.25, 0.25};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_DOUBLE_EQ(lrs[i], want[i]) << i;
  EXPECT_EQ(sched.last_epoch(), 7);
  EXPECT_DOUBLE_EQ(sgd.lr(), 0.25);  // the optimizer itself was updated
  EXPECT_THAT([&] { optim::StepLR(sgd, 0); }, ThrowsMessage<ValueError>(HasSubstr("step_size must be positive, got 0")));
  EXPECT_THAT([&] { optim::StepLR(sgd, 2, -1.0); }, ThrowsMessage<ValueError>(HasSubstr("gamma must be positive")));
}

TEST(Schedules, CosineAnnealingLR) {
  Tensor p = zeros({1}).set_requires_grad(true);
  optim::SGD sgd({p}, optim::SGDOptions(1.1));
  optim::CosineAnnealingLR sched(sgd, 4, 0.1);
  const std::vector<double> lrs = lr_sequence(sched, 4);
  const double h = std::numbers::sqrt2 / 2;
  const std::vector<double> want = {0.1 + (1 + h) / 2, 0.6, 0.1 + (1 - h) / 2, 0.1};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(lrs[i], want[i], 1e-12) << i;
  EXPECT_THAT([&] { optim::CosineAnnealingLR(sgd, 0); }, ThrowsMessage<ValueError>(HasSubstr("T_max must be positive")));
  EXPECT_THAT([&] { optim::CosineAnnealingLR(sgd, 5, -0.1); },
              ThrowsMessage<ValueError>(HasSubstr("eta_min must be >= 0, got -0.1")));
}

// ---------------------------------------------------------------- clipping

TEST(ClipGradNorm, ScalesToMaxNormAndReturnsTheTotal) {
  Tensor a = zeros({2}).set_requires_grad(true);
  Tensor b = zeros({1}, kFloat64).set_requires_grad(true);
  Tensor none = zeros({3}).set_requires_grad(true);
  a.set_grad(from_vector<float>({3.0f, 4.0f}));
  b.set_grad(from_vector<double>({12.0}));
  // Below the threshold: the norm (sqrt(9 + 16 + 144) = 13) comes back and nothing changes.
  EXPECT_NEAR(optim::clip_grad_norm({a, b, none}, 20.0), 13.0, 1e-6);
  EXPECT_EQ(a.grad().to_vector<float>(), (std::vector<float>{3.0f, 4.0f}));
  // Above: every gradient is scaled by max_norm / norm, in place.
  EXPECT_NEAR(optim::clip_grad_norm({a, b, none}, 6.5), 13.0, 1e-6);
  EXPECT_NEAR(a.grad().to_vector<float>()[0], 1.5, 1e-5);
  EXPECT_NEAR(a.grad().to_vector<float>()[1], 2.0, 1e-5);
  EXPECT_NEAR(b.grad().item<double>(), 6.0, 1e-6);
  EXPECT_NEAR(optim::clip_grad_norm({a, b}, 100.0), 6.5, 1e-5);
  EXPECT_FALSE(none.grad().defined());
  EXPECT_EQ(optim::clip_grad_norm({none}, 1.0), 0.0);
}

TEST(ClipGradNorm, NonFiniteAndBadArguments) {
  Tensor a = zeros({2}).set_requires_grad(true);
  a.set_grad(from_vector<float>({INFINITY, 1.0f}));
  EXPECT_TRUE(std::isinf(optim::clip_grad_norm({a}, 1.0)));
  EXPECT_EQ(a.grad().to_vector<float>()[1], 1.0f);  // left untouched
  EXPECT_THAT([&] { optim::clip_grad_norm({a}, 1.0, /*error_if_nonfinite=*/true); },
              ThrowsMessage<ValueError>(HasSubstr("the total gradient norm is inf")));
  EXPECT_THAT([&] { optim::clip_grad_norm({a}, -1.0); },
              ThrowsMessage<ValueError>(HasSubstr("max_norm must be >= 0, got -1")));
}

}  // namespace
}  // namespace loom
