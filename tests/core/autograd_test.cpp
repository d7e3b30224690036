// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The autograd engine: accumulation, shared subexpressions, NoGradGuard, detach, freed graphs and views.
#include <gmock/gmock.h>

#include "support/gradcheck.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(Autograd, ChainAndSharedSubexpressions) {
  Tensor x = from_vector<double>({1.0, 2.0, 3.0}).set_requires_grad(true);
  Tensor y = mul(x, x);        // x^2
  Tensor z = sum(add(y, y));   // 2 sum x^2 -> grad 4x
  z.backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{4.0, 8.0, 12.0}));
}

TEST(Autograd, GradientsAccumulateAcrossBackwardCalls) {
  Tensor x = from_vector<double>({1.0, -1.0}).set_requires_grad(true);
  sum(mul(x, x)).backward();
  sum(mul(x, x)).backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{4.0, -4.0}));
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
}

TEST(Autograd, NoGradAndDetach) {
  Tensor x = from_vector<double>({1.0}).set_requires_grad(true);
  {
    NoGradGuard g;
    EXPECT_FALSE(mul(x, x).requires_grad());
  }
  Tensor d = mul(x, x).detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
  EXPECT_THAT([&] { sum(d).backward(); }, ThrowsMessage<ValueError>(HasSubstr("does not require grad")));
}

TEST(Autograd, FreedGraphIsAnError) {
  Tensor x = from_vector<double>({1.0, 2.0}).set_requires_grad(true);
  Tensor y = sum(mul(x, x));
  y.backward();
  EXPECT_THAT([&] { y.backward(); }, ThrowsMessage<ValueError>(HasSubstr("already freed")));
}

TEST(Autograd, NonScalarNeedsGradient) {
  Tensor x = from_vector<double>({1.0, 2.0}).set_requires_grad(true);
  Tensor y = mul(x, x);
  EXPECT_THAT([&] { y.backward(); }, ThrowsMessage<ShapeError>(HasSubstr("non-scalar")));
  y.backward(from_vector<double>({1.0, 10.0}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{2.0, 40.0}));
}

TEST(Autograd, LeafGradsNeverAlias) {
  Tensor a = from_vector<double>({1.0}).set_requires_grad(true);
  Tensor b = from_vector<double>({2.0}).set_requires_grad(true);
  sum(add(a, b)).backward();
  a.grad().mul_(5.0);
  EXPECT_EQ(b.grad().item<double>(), 1.0);
}

TEST(Autograd, ViewsSlicesAndConversionsAreDifferentiable) {
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& in) { return in[0].view({3, 2}).narrow_rows(1, 3); },
      {testing::random_tensor({2, 3}, 3)}));
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& in) { return in[0].to(kFloat32).to(kFloat64).clone(); },
      {testing::random_tensor({4}, 4)}, 1e-3, 1e-3));
}

}  // namespace
}  // namespace loom
