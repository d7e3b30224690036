// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The seeded generator: reproducibility, the counter contract, distributions, permutations, thread safety, dropout
// (mask, scale, gradient, eval mode) and identical numbers on CPU and CUDA.
#include <gmock/gmock.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <set>
#include <thread>

#include "loom/core/random.h"
#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::host;
using testing::random_tensor;

double mean_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); }
double var_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / double(v.size());
}

TEST(Random, SameSeedSameNumbers) {
  auto draw = [] {
    std::vector<double> out = host(rand({100}));
    for (double x : host(randn({50}, kFloat64))) out.push_back(x);
    for (double x : host(uniform({20}, -2, 3))) out.push_back(x);
    for (int64_t x : randperm(30).to_vector<int64_t>()) out.push_back(double(x));
    out.push_back(rand_double());
    out.push_back(double(rand_int(1000)));
    return out;
  };
  manual_seed(1234);
  const std::vector<double> a = draw();
  manual_seed(1234);
  EXPECT_EQ(draw(), a);
  manual_seed(1235);
  const std::vector<double> b = draw();
  int same = 0;
  for (size_t i = 0; i < 100; ++i) same += a[i] == b[i];
  EXPECT_LT(same, 3);
  // Consecutive calls advance the counter: no repeats without reseeding.
  EXPECT_NE(host(rand({10})), host(rand({10})));
}

TEST(Random, CounterContract) {
  manual_seed(77);
  EXPECT_EQ(current_seed(), 77u);
  EXPECT_EQ(random_offset(10), 0u);
  EXPECT_EQ(random_offset(3), 10u);
  // rand(shape) reserves numel counters; element i is the top 53 bits of random_bits(seed, offset + i) / 2^53.
  const uint64_t off = random_offset(0);
  const std::vector<double> r = rand({2, 4}, kFloat64).to_vector<double>();
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r[i], std::ldexp(double(random_bits(77, off + i) >> 11), -53)) << i;
  }
  const std::vector<float> rf = rand({3}).to_vector<float>();
  for (size_t i = 0; i < rf.size(); ++i) {
    EXPECT_EQ(rf[i], std::ldexp(float(random_bits(77, off + 8 + i) >> 40), -24)) << i;
  }
  EXPECT_EQ(random_offset(0), off + 11);
  manual_seed(77);
  EXPECT_EQ(random_offset(0), 0u);
}

// Read at static initialisation, before any test reseeds: the generator's starting seed.
const uint64_t kSeedAtStartup = current_seed();

TEST(Random, DefaultSeedIsFixed) {
  // Without manual_seed the generator starts from a fixed constant ("LOOM"), never from the clock, so unseeded runs
  // repeat; reseeding with it replays the stream.
  EXPECT_EQ(kSeedAtStartup, 0x4C4F4F4DULL);
  manual_seed(kSeedAtStartup);
  const std::vector<double> a = host(rand({5}));
  manual_seed(kSeedAtStartup);
  EXPECT_EQ(host(rand({5})), a);
}

TEST(Random, BitsAreWellMixed) {
  // Each output bit is set about half the time over consecutive counters, and neighbouring seeds/counters differ in
  // about 32 bits.
  constexpr int kN = 20000;
  std::vector<int> ones(64, 0);
  double flips_counter = 0, flips_seed = 0;
  for (int i = 0; i < kN; ++i) {
    const uint64_t b = random_bits(5, uint64_t(i));
    for (int k = 0; k < 64; ++k) ones[k] += int((b >> k) & 1);
    flips_counter += std::popcount(b ^ random_bits(5, uint64_t(i) + 1));
    flips_seed += std::popcount(random_bits(uint64_t(i), 0) ^ random_bits(uint64_t(i) + 1, 0));
  }
  for (int k = 0; k < 64; ++k) EXPECT_NEAR(ones[k] / double(kN), 0.5, 0.02) << "bit " << k;
  EXPECT_NEAR(flips_counter / kN, 32.0, 0.3);
  EXPECT_NEAR(flips_seed / kN, 32.0, 0.3);
  EXPECT_NE(random_bits(0, 0), random_bits(1, 0));
  EXPECT_NE(random_bits(0, 0), random_bits(0, 1));
}

TEST(Random, RandIsUniformOnZeroOne) {
  manual_seed(3);
  for (DType t : {kFloat32, kFloat64}) {
    Tensor r = rand({100000}, t);
    EXPECT_EQ(r.dtype(), t);
    const std::vector<double> v = host(r);
    EXPECT_GE(*std::min_element(v.begin(), v.end()), 0.0);
    EXPECT_LT(*std::max_element(v.begin(), v.end()), 1.0);
    EXPECT_NEAR(mean_of(v), 0.5, 0.005);
    EXPECT_NEAR(var_of(v), 1.0 / 12.0, 0.002);
    // Ten equal bins hold about a tenth each.
    std::vector<int> bins(10, 0);
    for (double x : v) ++bins[size_t(x * 10)];
    for (int b : bins) EXPECT_NEAR(b / 100000.0, 0.1, 0.005);
  }
}

TEST(Random, UniformRangeAndShape) {
  manual_seed(4);
  Tensor u = uniform({200, 50}, -3.0, 5.0, kFloat64);
  EXPECT_EQ(u.shape(), (Shape{200, 50}));
  const std::vector<double> v = host(u);
  EXPECT_GE(*std::min_element(v.begin(), v.end()), -3.0);
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 5.0);
  EXPECT_NEAR(mean_of(v), 1.0, 0.05);
  EXPECT_EQ(host(uniform({3}, 2.0, 2.0)), (std::vector<double>{2, 2, 2}));
  EXPECT_EQ(rand({0, 3}).shape(), (Shape{0, 3}));
}

TEST(Random, RandnIsStandardNormal) {
  manual_seed(5);
  for (DType t : {kFloat32, kFloat64}) {
    const std::vector<double> v = host(randn({100000}, t));
    EXPECT_NEAR(mean_of(v), 0.0, 0.015);
    EXPECT_NEAR(std::sqrt(var_of(v)), 1.0, 0.01);
    double within1 = 0, within2 = 0;
    for (double x : v) {
      EXPECT_TRUE(std::isfinite(x));
      within1 += std::abs(x) < 1.0;
      within2 += std::abs(x) < 2.0;
    }
    EXPECT_NEAR(within1 / 1e5, 0.6826894921370859, 0.006);
    EXPECT_NEAR(within2 / 1e5, 0.9544997361036416, 0.003);
  }
}

TEST(Random, BadArguments) {
  EXPECT_THAT([] { rand({3}, kInt64); },
              ThrowsMessage<DTypeError>(HasSubstr("rand: 'dtype' must be float32 or float64, got int64")));
  EXPECT_THAT([] { randn({3}, kInt32); },
              ThrowsMessage<DTypeError>(HasSubstr("randn: 'dtype' must be float32 or float64, got int32")));
  EXPECT_THAT([] { uniform({3}, 2.0, 1.0); },
              ThrowsMessage<ValueError>(HasSubstr("uniform: 'low' must not exceed 'high', got low=2, high=1")));
  EXPECT_THAT([] { uniform({3}, 0.0, INFINITY); }, ThrowsMessage<ValueError>(HasSubstr("must be finite")));
  EXPECT_THAT([] { randperm(-1); }, ThrowsMessage<ValueError>(HasSubstr("randperm: 'n' must be non-negative, got -1")));
  EXPECT_THAT([] { rand_int(0); }, ThrowsMessage<ValueError>(HasSubstr("rand_int: 'n' must be positive, got 0")));
}

TEST(Random, RandpermIsAPermutation) {
  manual_seed(6);
  for (int64_t n : {0, 1, 2, 17, 1000}) {
    Tensor p = randperm(n);
    EXPECT_EQ(p.dtype(), kInt64);
    EXPECT_EQ(p.shape(), (Shape{n}));
    std::vector<int64_t> v = p.to_vector<int64_t>();
    std::sort(v.begin(), v.end());
    std::vector<int64_t> want(static_cast<size_t>(n));
    std::iota(want.begin(), want.end(), int64_t{0});
    EXPECT_EQ(v, want) << n;
  }
  std::vector<int64_t> id(1000);
  std::iota(id.begin(), id.end(), int64_t{0});
  EXPECT_NE(randperm(1000).to_vector<int64_t>(), id);  // identity has probability 1/1000!
  // Every position of a 4-permutation takes each value about a quarter of the time.
  std::vector<std::vector<int>> count(4, std::vector<int>(4, 0));
  for (int r = 0; r < 8000; ++r) {
    const std::vector<int64_t> v = randperm(4).to_vector<int64_t>();
    for (size_t i = 0; i < 4; ++i) ++count[i][size_t(v[i])];
  }
  for (const auto& row : count)
    for (int c : row) EXPECT_NEAR(c / 8000.0, 0.25, 0.025);
}

TEST(Random, ShuffleRandIntRandDouble) {
  manual_seed(8);
  std::vector<int64_t> v = {5, 5, 9, -1, 3, 7, 7, 0};
  std::vector<int64_t> s = v;
  shuffle(s);
  std::multiset<int64_t> a(v.begin(), v.end()), b(s.begin(), s.end());
  EXPECT_EQ(a, b);
  std::vector<int64_t> empty_v;
  shuffle(empty_v);
  EXPECT_TRUE(empty_v.empty());

  std::vector<int> hist(7, 0);
  for (int i = 0; i < 70000; ++i) {
    const int64_t k = rand_int(7);
    ASSERT_GE(k, 0);
    ASSERT_LT(k, 7);
    ++hist[size_t(k)];
  }
  for (int h : hist) EXPECT_NEAR(h / 70000.0, 1.0 / 7, 0.006);
  EXPECT_EQ(rand_int(1), 0);
  const int64_t big = int64_t{1} << 62;
  const int64_t r = rand_int(big);
  EXPECT_TRUE(r >= 0 && r < big);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    const double d = rand_double();
    ASSERT_GE(d, 0.0);
    ASSERT_LT(d, 1.0);
    sum += d;
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.015);
}

TEST(Random, ThreadSafeReservations) {
  // Concurrent reservations never hand out the same counter twice.
  manual_seed(9);
  constexpr int kThreads = 4, kEach = 2000;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&got, t] {
      for (int i = 0; i < kEach; ++i) got[size_t(t)].push_back(random_offset(3));
      for (int i = 0; i < 100; ++i) rand_int(10);
    });
  }
  for (auto& t : ts) t.join();
  std::vector<uint64_t> all;
  for (const auto& g : got) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), size_t(kThreads * kEach));
  for (size_t i = 1; i < all.size(); ++i) ASSERT_GE(all[i] - all[i - 1], 3u) << "overlapping reservations";
  // 8000 reservations of 3 and 400 single draws (plus rare rejections): nothing lost, nothing doubled.
  EXPECT_GE(random_offset(0), uint64_t(kThreads * (kEach * 3 + 100)));
  EXPECT_LE(random_offset(0), uint64_t(kThreads * (kEach * 3 + 100)) + 10);
}

// ---------------------------------------------------------------- dropout

TEST(Dropout, KeepsAboutOneMinusPAndScales) {
  manual_seed(10);
  for (double p : {0.1, 0.5, 0.9}) {
    const std::vector<float> y = dropout(ones({100000}), p, true).to_vector<float>();
    double kept = 0;
    for (float v : y) {
      if (v != 0.0f) {
        ++kept;
        EXPECT_FLOAT_EQ(v, float(1.0 / (1.0 - p)));
      }
    }
    EXPECT_NEAR(kept / 1e5, 1 - p, 0.006) << p;
  }
}

TEST(Dropout, EvalModeAndZeroPAreIdentity) {
  Tensor x = random_tensor({4, 5}, 1, -1, 1, kFloat32);
  EXPECT_TRUE(dropout(x, 0.5, false).is_same(x));
  EXPECT_TRUE(dropout(x, 0.0, true).is_same(x));
  const uint64_t before = random_offset(0);
  dropout(x, 0.5, false);
  EXPECT_EQ(random_offset(0), before);  // eval mode draws nothing
}

TEST(Dropout, PEqualOneGivesZeros) {
  Tensor x = random_tensor({3, 4}, 2).set_requires_grad(true);
  Tensor y = dropout(x, 1.0, true);
  EXPECT_EQ(host(y), std::vector<double>(12, 0.0));
  sum(y).backward();
  EXPECT_EQ(host(x.grad()), std::vector<double>(12, 0.0));
}

TEST(Dropout, BadArguments) {
  for (double p : {-0.1, 1.5, double(NAN)}) {
    EXPECT_THAT([p] { dropout(ones({3}), p, true); },
                ThrowsMessage<ValueError>(HasSubstr("dropout: 'p' must be in [0, 1], got")));
  }
  EXPECT_THAT([] { dropout(ones({3}, kInt64), 0.5, true); },
              ThrowsMessage<DTypeError>(HasSubstr("dropout: 'x' must be float32 or float64, got int64")));
}

TEST(Dropout, MaskIsUniformAtLeastP) {
  // Element i is kept iff the float64 uniform drawn for the same counter is >= p (the documented contract).
  constexpr double kP = 0.35;
  manual_seed(11);
  const std::vector<double> u = rand({5000}, kFloat64).to_vector<double>();
  manual_seed(11);
  const std::vector<double> y = dropout(ones({5000}, kFloat64), kP, true).to_vector<double>();
  for (size_t i = 0; i < u.size(); ++i) ASSERT_EQ(y[i] != 0.0, u[i] >= kP) << i;
}

TEST(Dropout, ReproducibleWithManualSeed) {
  Tensor x = random_tensor({64, 33}, 3, -1, 1, kFloat32);
  manual_seed(12);
  const std::vector<float> a = dropout(x, 0.4, true).to_vector<float>();
  manual_seed(12);
  EXPECT_EQ(dropout(x, 0.4, true).to_vector<float>(), a);
  EXPECT_NE(dropout(x, 0.4, true).to_vector<float>(), a);  // the next call draws a fresh mask
}

TEST(Dropout, GradientIsMaskOverKeep) {
  manual_seed(13);
  constexpr double kP = 0.3;
  Tensor x = random_tensor({50, 40}, 4, 0.5, 1.5).set_requires_grad(true);  // nonzero: y != 0 marks kept
  Tensor y = dropout(x, kP, true);
  Tensor dy = random_tensor({50, 40}, 5);
  y.backward(dy);
  const std::vector<double> yv = host(y), xv = host(x), dyv = host(dy), g = host(x.grad());
  for (size_t i = 0; i < yv.size(); ++i) {
    const bool kept = yv[i] != 0.0;
    if (kept) {
      EXPECT_DOUBLE_EQ(yv[i], xv[i] / (1 - kP));
    }
    EXPECT_DOUBLE_EQ(g[i], kept ? dyv[i] / (1 - kP) : 0.0) << i;
  }
  // A gradcheck with the mask pinned by reseeding inside the function.
  EXPECT_TRUE(testing::gradcheck(
      [](const std::vector<Tensor>& in) {
        manual_seed(14);
        return dropout(in[0], 0.5, true);
      },
      {random_tensor({6, 7}, 6)}));
}

// ---------------------------------------------------------------- CUDA

TEST(Random, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  for (DType t : {kFloat32, kFloat64}) {
    manual_seed(20);
    Tensor rc = rand({1000, 77}, t);
    Tensor nc = randn({333, 5}, t);
    Tensor uc = uniform({4097}, -2.0, 3.0, t);
    manual_seed(20);
    Tensor rg = rand({1000, 77}, t, kCUDA);
    Tensor ng = randn({333, 5}, t, kCUDA);
    Tensor ug = uniform({4097}, -2.0, 3.0, t, kCUDA);
    ASSERT_TRUE(rg.is_cuda() && ng.is_cuda() && ug.is_cuda());
    EXPECT_EQ(host(rg), host(rc)) << dtype_name(t);  // exact: k / 2^24 or k / 2^53 on both
    const double tol = t == kFloat32 ? 1e-6 : 1e-13;
    EXPECT_TRUE(allclose(ng.cpu(), nc, tol, tol)) << dtype_name(t);
    EXPECT_TRUE(allclose(ug.cpu(), uc, tol, tol)) << dtype_name(t);
    const std::vector<double> v = host(ug);
    EXPECT_GE(*std::min_element(v.begin(), v.end()), -2.0);
    EXPECT_LT(*std::max_element(v.begin(), v.end()), 3.0);
  }
}

TEST(Dropout, SameMaskOnCpuAndCuda) {
  LOOM_REQUIRE_CUDA();
  for (DType t : {kFloat32, kFloat64}) {
    Tensor x = random_tensor({300, 129}, 30, 0.5, 1.5, t);
    Tensor dy = random_tensor({300, 129}, 31, -1, 1, t);
    Tensor xc = x.clone().set_requires_grad(true), xg = x.cuda().set_requires_grad(true);
    manual_seed(21);
    Tensor yc = dropout(xc, 0.45, true);
    manual_seed(21);
    Tensor yg = dropout(xg, 0.45, true);
    ASSERT_TRUE(yg.is_cuda());
    EXPECT_EQ(host(yg), host(yc)) << dtype_name(t);  // same mask, same single multiply
    yc.backward(dy);
    yg.backward(dy.cuda());
    EXPECT_EQ(host(xg.grad()), host(xc.grad())) << dtype_name(t);
  }
}

}  // namespace
}  // namespace loom
