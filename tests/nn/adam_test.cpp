// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Adam and AdamW against hand-computed updates and a scalar reference; coupled (L2) versus decoupled weight decay.
#include <gmock/gmock.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "loom/core/optim.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// The PyTorch update rule in plain doubles, for one scalar parameter with a fixed gradient function.
template <class GradFn>
double reference(double p, int steps, double lr, double b1, double b2, double eps, double wd, bool decoupled,
                 GradFn grad) {
  double m = 0, v = 0;
  for (int t = 1; t <= steps; ++t) {
    double g = grad(p);
    if (decoupled) {
      p *= 1 - lr * wd;
    } else {
      g += wd * p;
    }
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const double mhat = m / (1 - std::pow(b1, t)), vhat = v / (1 - std::pow(b2, t));
    p -= lr * mhat / (std::sqrt(vhat) + eps);
  }
  return p;
}

TEST(Adam, FirstStepIsLrTimesSignOfGradient) {
  Tensor p = from_vector<double>({1.0, -2.0, 0.5, 3.0}).set_requires_grad(true);
  p.set_grad(from_vector<double>({0.3, -4.0, 1e-3, -250.0}));
  optim::Adam adam({p}, optim::AdamOptions(0.01));
  adam.step();
  const std::vector<double> got = p.to_vector<double>();
  const std::vector<double> want = {0.99, -1.99, 0.49, 3.01};
  // The exact first step is lr * g / (|g| + eps): within lr * eps / |g| of lr * sign(g).
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-7) << i;
}

TEST(Adam, ThreeStepsWithL2MatchTheReference) {
  const std::vector<double> init = {0.8, -1.5, 2.2};
  const std::vector<double> c = {1.0, 0.2, 3.0};
  Tensor p = from_vector<double>(init).set_requires_grad(true);
  const Tensor ct = from_vector<double>(c);
  optim::Adam adam({p}, optim::AdamOptions(0.1).betas({0.8, 0.95}).eps(1e-6).weight_decay(0.05));
  for (int s = 0; s < 3; ++s) {
    adam.zero_grad();
    mul_scalar(sum(mul(ct, mul(p, p))), 0.5).backward();  // grad = c * p
    adam.step();
  }
  const std::vector<double> got = p.to_vector<double>();
  for (size_t i = 0; i < init.size(); ++i) {
    const double want = reference(init[i], 3, 0.1, 0.8, 0.95, 1e-6, 0.05, false, [&](double q) { return c[i] * q; });
    EXPECT_NEAR(got[i], want, 1e-12) << i;
  }
}

TEST(AdamW, DecoupledWeightDecay) {
  // With a zero gradient the moments stay zero: AdamW only shrinks p by (1 - lr * wd), while Adam's L2 term turns
  // into a gradient wd * p and moves p by about lr * sign(p).
  Tensor a = from_vector<double>({2.0, -4.0}).set_requires_grad(true);
  Tensor b = from_vector<double>({2.0, -4.0}).set_requires_grad(true);
  a.set_grad(zeros({2}, kFloat64));
  b.set_grad(zeros({2}, kFloat64));
  optim::AdamW adamw({a}, optim::AdamWOptions(0.1).weight_decay(0.5));
  optim::Adam adam({b}, optim::AdamOptions(0.1).weight_decay(0.5));
  adamw.step();
  adam.step();
  EXPECT_NEAR(a.to_vector<double>()[0], 2.0 * 0.95, 1e-15);
  EXPECT_NEAR(a.to_vector<double>()[1], -4.0 * 0.95, 1e-15);
  EXPECT_NEAR(b.to_vector<double>()[0], 1.9, 1e-7);
  EXPECT_NEAR(b.to_vector<double>()[1], -3.9, 1e-7);
  EXPECT_EQ(optim::AdamWOptions().weight_decay(), 1e-2);  // PyTorch's default
}

TEST(AdamW, ThreeStepsMatchTheReference) {
  const std::vector<double> init = {0.8, -1.5, 2.2};
  Tensor p = from_vector<double>(init).set_requires_grad(true);
  optim::AdamW adamw({p}, optim::AdamWOptions(0.05).weight_decay(0.2));
  for (int s = 0; s < 3; ++s) {
    adamw.zero_grad();
    sum(mul(p, mul(p, p))).backward();  // grad = 3 p^2
    adamw.step();
  }
  const std::vector<double> got = p.to_vector<double>();
  for (size_t i = 0; i < init.size(); ++i) {
    const double want = reference(init[i], 3, 0.05, 0.9, 0.999, 1e-8, 0.2, true, [](double q) { return 3 * q * q; });
    EXPECT_NEAR(got[i], want, 1e-12) << i;
  }
}

TEST(Adam, OptionsValidated) {
  Tensor p = zeros({2}).set_requires_grad(true);
  EXPECT_THAT([&] { optim::Adam({p}, optim::AdamOptions(0.1).betas({1.0, 0.9})); },
              ThrowsMessage<ValueError>(HasSubstr("Adam: invalid beta1 1")));
  EXPECT_THAT([&] { optim::Adam({p}, optim::AdamOptions(0.1).betas({0.9, -0.1})); },
              ThrowsMessage<ValueError>(HasSubstr("Adam: invalid beta2 -0.1")));
  EXPECT_THAT([&] { optim::Adam({p}, optim::AdamOptions(0.1).eps(-1e-8)); },
              ThrowsMessage<ValueError>(HasSubstr("Adam: invalid eps -1e-08")));
  EXPECT_THAT([&] { optim::AdamW({p}, optim::AdamWOptions(0.1).weight_decay(-0.1)); },
              ThrowsMessage<ValueError>(HasSubstr("AdamW: invalid weight_decay -0.1")));
  EXPECT_THAT([&] { optim::AdamW({p}, optim::AdamWOptions(-1)); },
              ThrowsMessage<ValueError>(HasSubstr("AdamW: invalid learning rate -1")));
}

// The fused update against the double reference, element by element, on a tensor large enough for the CPU loop to
// split into parallel chunks; both weight-decay modes and both dtypes (float32 within its rounding).
TEST(Adam, FusedUpdateMatchesTheReferenceElementwise) {
  const int64_t n = 3 * (int64_t{1} << 14) + 17;
  const Tensor init = testing::random_tensor({n}, 21, -2, 2, kFloat64);
  const std::vector<double> x0 = init.to_vector<double>();
  for (const DType dtype : {kFloat64, kFloat32}) {
    for (const bool decoupled : {false, true}) {
      SCOPED_TRACE(std::string(dtype == kFloat64 ? "float64" : "float32") + (decoupled ? " AdamW" : " Adam"));
      Tensor p = init.clone().to(dtype).set_requires_grad(true);
      std::unique_ptr<optim::Adam> opt =
          decoupled ? std::make_unique<optim::AdamW>(std::vector<Tensor>{p}, optim::AdamWOptions(0.03).weight_decay(0.1))
                    : std::make_unique<optim::Adam>(std::vector<Tensor>{p},
                                                    optim::AdamOptions(0.03).betas({0.85, 0.99}).weight_decay(0.1));
      const double b1 = decoupled ? 0.9 : 0.85, b2 = decoupled ? 0.999 : 0.99;
      for (int s = 0; s < 4; ++s) {
        opt->zero_grad();
        mul_scalar(sum(mul(p, mul(p, p))), 0.25).backward();  // grad = 0.75 p^2
        opt->step();
      }
      const std::vector<double> got = p.to(kFloat64).to_vector<double>();
      const double tol = dtype == kFloat64 ? 1e-12 : 2e-5;
      for (int64_t i = 0; i < n; i += 97) {
        const double want = reference(x0[static_cast<size_t>(i)], 4, 0.03, b1, b2, 1e-8, 0.1, decoupled,
                                      [](double q) { return 0.75 * q * q; });
        ASSERT_NEAR(got[static_cast<size_t>(i)], want, tol) << i;
      }
    }
  }
}

TEST(Adam, GradientUnlikeItsParameterIsRefused) {
  Tensor p = zeros({3}).set_requires_grad(true);
  p.set_grad(zeros({4}));
  optim::Adam adam({p}, optim::AdamOptions(0.1));
  EXPECT_THAT([&] { adam.step(); }, ThrowsMessage<ValueError>(HasSubstr("Adam.step: parameter 0 is")));
  p.set_grad(zeros({3}, kFloat64));
  EXPECT_THAT([&] { adam.step(); }, ThrowsMessage<ValueError>(HasSubstr("but its gradient is")));
}

// CUDA against CPU over several steps, both weight-decay modes, on a size with a partial last block and a grid-stride
// remainder, and on an empty parameter.
TEST(Adam, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  for (const bool decoupled : {false, true}) {
    SCOPED_TRACE(decoupled ? "AdamW" : "Adam");
    const Tensor init = testing::random_tensor({301, 257}, 11, -1, 1, kFloat32);
    Tensor pc = init.clone().set_requires_grad(true);
    Tensor pg = init.cuda().set_requires_grad(true);
    Tensor ec = zeros({0}).set_requires_grad(true);
    Tensor eg = zeros({0}).cuda().set_requires_grad(true);
    auto make = [&](std::vector<Tensor> ps) -> std::unique_ptr<optim::Adam> {
      if (decoupled) return std::make_unique<optim::AdamW>(std::move(ps), optim::AdamWOptions(0.01));
      return std::make_unique<optim::Adam>(std::move(ps), optim::AdamOptions(0.01).weight_decay(0.05));
    };
    auto a = make({pc, ec});
    auto b = make({pg, eg});
    for (int s = 0; s < 5; ++s) {
      const Tensor g = testing::random_tensor({301, 257}, 100 + static_cast<uint32_t>(s), -1, 1, kFloat32);
      pc.set_grad(g.clone());
      pg.set_grad(g.cuda());
      ec.set_grad(zeros({0}));
      eg.set_grad(zeros({0}).cuda());
      a->step();
      b->step();
    }
    EXPECT_TRUE(allclose(pg.cpu(), pc, 1e-5, 1e-6));
    const NamedTensors sa = a->state_dict(), sb = b->state_dict();
    EXPECT_TRUE(allclose(sb.at("exp_avg.0").cpu(), sa.at("exp_avg.0"), 1e-5, 1e-7));
    EXPECT_TRUE(allclose(sb.at("exp_avg_sq.0").cpu(), sa.at("exp_avg_sq.0"), 1e-5, 1e-9));
  }
}

}  // namespace
}  // namespace loom
