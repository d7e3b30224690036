// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// nn::init: fans and gains, the ranges and spreads of each initialiser, and seeded determinism.
#include <gmock/gmock.h>

#include <algorithm>
#include <cmath>

#include "loom/core/nn.h"
#include "loom/core/random.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
namespace init = nn::init;

double max_abs(const Tensor& t) {
  double m = 0;
  for (double v : t.to(kFloat64).to_vector<double>()) m = std::max(m, std::abs(v));
  return m;
}
double host_mean(const Tensor& t) {
  const std::vector<double> v = t.to(kFloat64).to_vector<double>();
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}
double stddev(const Tensor& t) {
  const std::vector<double> v = t.to(kFloat64).to_vector<double>();
  double s = 0, s2 = 0;
  for (double x : v) s += x, s2 += x * x;
  const double n = static_cast<double>(v.size());
  return std::sqrt(s2 / n - (s / n) * (s / n));
}

TEST(Init, FansAndGains) {
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(empty({5, 3})), (std::pair<int64_t, int64_t>{3, 5}));
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(empty({4, 3, 2, 2})), (std::pair<int64_t, int64_t>{12, 16}));
  EXPECT_THAT([] { init::calculate_fan_in_and_fan_out(empty({5})); },
              ThrowsMessage<ShapeError>(HasSubstr("need a tensor of rank >= 2, got float32[5]")));
  EXPECT_DOUBLE_EQ(init::calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(init::calculate_gain("tanh"), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain("linear"), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain("leaky_relu", std::sqrt(5.0)), std::sqrt(1.0 / 3.0));
  EXPECT_THAT([] { init::calculate_gain("swish"); },
              ThrowsMessage<ValueError>(HasSubstr("unknown nonlinearity 'swish'")));
}

TEST(Init, UniformRangesFollowTheFans) {
  manual_seed(3);
  Tensor w = empty({64, 36});
  init::xavier_uniform_(w);
  const double b = std::sqrt(6.0 / (64 + 36));
  EXPECT_LE(max_abs(w), b);
  EXPECT_GT(max_abs(w), 0.95 * b);  // 2304 draws fill the range
  init::glorot_uniform_(w, 2.0);
  EXPECT_LE(max_abs(w), 2 * b);
  EXPECT_GT(max_abs(w), 1.9 * b);

  init::kaiming_uniform_(w, 0.0, init::FanMode::kFanIn, "relu");
  const double bk = std::sqrt(3.0) * std::sqrt(2.0) / std::sqrt(36.0);
  EXPECT_LE(max_abs(w), bk);
  EXPECT_GT(max_abs(w), 0.95 * bk);
  init::kaiming_uniform_(w, 0.0, init::FanMode::kFanOut, "relu");
  EXPECT_LE(max_abs(w), std::sqrt(3.0) * std::sqrt(2.0) / 8.0);

  Tensor u = empty({1000}, kFloat64);
  init::uniform_(u, 2.0, 3.0);
  const std::vector<double> v = u.to_vector<double>();
  EXPECT_GE(*std::min_element(v.begin(), v.end()), 2.0);
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 3.0);
}

TEST(Init, NormalSpreads) {
  manual_seed(4);
  Tensor w = empty({200, 100}, kFloat64);
  init::kaiming_normal_(w, 0.0, init::FanMode::kFanIn, "relu");
  EXPECT_NEAR(stddev(w), std::sqrt(2.0 / 100.0), 0.03 * std::sqrt(2.0 / 100.0));
  init::xavier_normal_(w);
  EXPECT_NEAR(stddev(w), std::sqrt(2.0 / 300.0), 0.03 * std::sqrt(2.0 / 300.0));
  init::normal_(w, 5.0, 0.5);
  EXPECT_NEAR(host_mean(w), 5.0, 0.02);
  EXPECT_NEAR(stddev(w), 0.5, 0.015);
}

TEST(Init, ConstantsAndErrors) {
  Tensor w = empty({2, 3});
  EXPECT_EQ(init::zeros_(w).to_vector<float>(), std::vector<float>(6, 0.0f));
  EXPECT_EQ(init::ones_(w).to_vector<float>(), std::vector<float>(6, 1.0f));
  init::constant_(w, 2.5);
  EXPECT_EQ(w.to_vector<float>(), std::vector<float>(6, 2.5f));
  Tensor ids = empty({2, 2}, kInt64);
  EXPECT_THAT([&] { init::xavier_uniform_(ids); },
              ThrowsMessage<DTypeError>(HasSubstr("init::uniform_: needs a float32 or float64 tensor, got int64")));
  EXPECT_THAT([&] { init::uniform_(w, 1.0, 0.0); },
              ThrowsMessage<ValueError>(HasSubstr("low 1 is greater than high 0")));
  Tensor none = empty({0, 4});
  EXPECT_NO_THROW(init::kaiming_uniform_(none));  // zero elements: nothing to draw
  // In place on a parameter, without entering the graph.
  Tensor p = zeros({3, 3}).set_requires_grad(true);
  init::xavier_uniform_(p);
  EXPECT_TRUE(p.is_leaf());
  EXPECT_GT(max_abs(p), 0.0);
}

TEST(Init, SameSeedSameValues) {
  auto draw = [](uint64_t seed) {
    manual_seed(seed);
    Tensor a = empty({8, 5}), b = empty({7}, kFloat64);
    init::kaiming_uniform_(a, std::sqrt(5.0));
    init::normal_(b);
    std::vector<double> out = a.to(kFloat64).to_vector<double>();
    for (double x : b.to_vector<double>()) out.push_back(x);
    return out;
  };
  EXPECT_EQ(draw(42), draw(42));
  EXPECT_NE(draw(42), draw(43));
}

TEST(Init, CudaDrawsMatchCpu) {
  LOOM_REQUIRE_CUDA();
  manual_seed(5);
  Tensor a = empty({16, 9});
  init::xavier_uniform_(a);
  manual_seed(5);
  Tensor b = empty({16, 9}, kFloat32, kCUDA);
  init::xavier_uniform_(b);
  EXPECT_TRUE(allclose(b.cpu(), a, 1e-6, 1e-7));
}

}  // namespace
}  // namespace loom
