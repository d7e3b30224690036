// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Reductions (sum, mean, max, argmax): values by hand, gradients, ties, errors, determinism across thread counts,
// and CPU against CUDA.
#include <gmock/gmock.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "core/ops/reduce.h"
#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::random_tensor;

TEST(Reduce, SumHandComputed) {
  Tensor x = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(sum(x, 0).to_vector<float>(), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(sum(x, -1).to_vector<float>(), (std::vector<float>{6, 15}));
  EXPECT_EQ(sum(x, 1, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(sum(x).item<float>(), 21.0f);
  EXPECT_EQ(sum(x).dim(), 0);
  EXPECT_EQ(sum(zeros({0, 3}), 0).to_vector<float>(), (std::vector<float>{0, 0, 0}));
}

TEST(Reduce, SumLongAxisUsesChunksAndStaysExact) {
  // 10007 ones along a long axis (several chunks and a partial one), with inner > 1 and inner == 1.
  Tensor x = ones({10007, 3}, kFloat64);
  EXPECT_EQ(sum(x, 0).to_vector<double>(), (std::vector<double>{10007, 10007, 10007}));
  EXPECT_EQ(sum(ones({2, 10007}, kFloat64), 1).to_vector<double>(), (std::vector<double>{10007, 10007}));
}

TEST(Reduce, SumGradcheck) {
  for (int64_t d : {0, 1, 2}) {
    EXPECT_TRUE(testing::gradcheck([d](const std::vector<Tensor>& in) { return sum(in[0], d, d == 1); },
                                   {random_tensor({2, 3, 4}, 7)}));
  }
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return sum(in[0]); }, {random_tensor({3, 5}, 8)}));
}

TEST(Reduce, SumIsBitwiseDeterministicAcrossThreadCounts) {
  Tensor x = random_tensor({50000, 5}, 9, -1, 1, kFloat32);
  const std::vector<float> one = testing::with_threads(1, [&] { return sum(x, 0).to_vector<float>(); });
  const std::vector<float> many = sum(x, 0).to_vector<float>();
  EXPECT_EQ(one, many);
  EXPECT_EQ(sum(x).item<float>(), sum(x).item<float>());
}

TEST(Reduce, SumCpuMatchesCudaAndIsDeterministic) {
  LOOM_REQUIRE_CUDA();
  for (Shape s : {Shape{100003}, Shape{3000, 17}, Shape{7, 5000}, Shape{4, 2500, 3}}) {
    Tensor x = random_tensor(s, 10, -1, 1, kFloat32);
    for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d) {
      Tensor c = sum(x, d), g = sum(x.cuda(), d);
      EXPECT_TRUE(allclose(g.cpu(), c, 1e-4, 1e-3)) << shape_str(s) << " dim " << d;
      EXPECT_EQ(g.cpu().to_vector<float>(), sum(x.cuda(), d).cpu().to_vector<float>());
    }
  }
}

// Short and long rows over the last dimension: one-element rows, lanes per row of every power of two, a warp with
// several elements per lane, the block path and several chunks.
const std::vector<int64_t> kRowLengths = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 32, 33, 100, 511, 512, 513, 1000, 1024, 1025, 4097};

// Small integers: every summation order gives the exact same float, so devices can be compared bit for bit.
Tensor random_integers(const Shape& shape, uint32_t seed, DType dtype) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(-8, 8);
  std::vector<double> v(static_cast<size_t>(shape_numel(shape)));
  for (double& x : v) x = dist(gen);
  return from_vector<double>(v, shape).to(dtype);
}

template <class T>
void expect_row_sums_in_order(DType dtype) {
  for (int64_t len : kRowLengths) {
    const int64_t rows = len > 1000 ? 5 : 300;
    Tensor x = random_tensor({rows, len}, static_cast<uint32_t>(len), -1, 1, dtype);
    const std::vector<T> v = x.to_vector<T>();
    std::vector<T> want(static_cast<size_t>(rows));
    std::vector<T> want_max(static_cast<size_t>(rows));
    std::vector<int64_t> want_arg(static_cast<size_t>(rows));
    for (int64_t r = 0; r < rows; ++r) {
      // The CPU sums each chunk of kSumChunkCpu in order, then the chunk partials in order.
      T total(0);
      for (int64_t c0 = 0; c0 < len; c0 += detail::kSumChunkCpu) {
        T part(0);
        for (int64_t a = c0; a < std::min(len, c0 + detail::kSumChunkCpu); ++a) part += v[static_cast<size_t>(r * len + a)];
        total += part;
      }
      want[static_cast<size_t>(r)] = total;
      const auto* row = v.data() + r * len;
      const auto it = std::max_element(row, row + len);
      want_max[static_cast<size_t>(r)] = *it;
      want_arg[static_cast<size_t>(r)] = it - row;
    }
    EXPECT_EQ(sum(x, 1).to_vector<T>(), want) << "len " << len;
    EXPECT_EQ(max(x, 1).to_vector<T>(), want_max) << "len " << len;
    EXPECT_EQ(argmax(x, 1).to_vector<int64_t>(), want_arg) << "len " << len;
  }
}

TEST(Reduce, RowSumsOfEveryLengthMatchAnInOrderLoopFloat32) { expect_row_sums_in_order<float>(kFloat32); }
TEST(Reduce, RowSumsOfEveryLengthMatchAnInOrderLoopFloat64) { expect_row_sums_in_order<double>(kFloat64); }

TEST(Reduce, RowSumsCpuMatchesCudaForEveryLength) {
  LOOM_REQUIRE_CUDA();
  for (DType dtype : {kFloat32, kFloat64}) {
    for (int64_t len : kRowLengths) {
      const int64_t rows = len > 1000 ? 37 : 1001;
      const std::string what = std::string(dtype_name(dtype)) + " len " + std::to_string(len);
      // Exact on integers (any order), within rounding on random values.
      Tensor xi = random_integers({rows, len}, static_cast<uint32_t>(len), dtype);
      EXPECT_EQ(sum(xi.cuda(), 1).cpu().to(kFloat64).to_vector<double>(), sum(xi, 1).to(kFloat64).to_vector<double>())
          << what;
      Tensor x = random_tensor({rows, len}, static_cast<uint32_t>(len) + 1, -1, 1, dtype);
      Tensor g = sum(x.cuda(), 1).cpu();
      EXPECT_TRUE(allclose(g, sum(x, 1), 1e-4, 1e-3)) << what;
      EXPECT_TRUE(allclose(mean(x.cuda(), 1).cpu(), mean(x, 1), 1e-5, 1e-5)) << what;
      // Deterministic: the same bits again, and a row's sum does not depend on how many rows come with it.
      EXPECT_TRUE(allclose(sum(x.cuda(), 1).cpu(), g, 0, 0)) << what;
      for (int64_t r : {int64_t{0}, rows / 2, rows - 1}) {
        Tensor one = sum(x.narrow_rows(r, r + 1).cuda(), 1).cpu();
        EXPECT_TRUE(allclose(one, g.narrow_rows(r, r + 1), 0, 0)) << what << " row " << r;
      }
      EXPECT_TRUE(allclose(max(x.cuda(), 1).cpu(), max(x, 1), 0, 0)) << what;
      EXPECT_EQ(argmax(x.cuda(), 1).cpu().to_vector<int64_t>(), argmax(x, 1).to_vector<int64_t>()) << what;
      // Ties (integers repeat) go to the first index on both devices.
      EXPECT_EQ(argmax(xi.cuda(), 1).cpu().to_vector<int64_t>(), argmax(xi, 1).to_vector<int64_t>()) << what;
    }
  }
}

// ---------------------------------------------------------------- mean

TEST(Reduce, MeanHandComputed) {
  Tensor x = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(mean(x, 0).to_vector<float>(), (std::vector<float>{2.5f, 3.5f, 4.5f}));
  EXPECT_EQ(mean(x, -1).to_vector<float>(), (std::vector<float>{2, 5}));
  EXPECT_EQ(mean(x, 1, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(mean(x).item<float>(), 3.5f);
  EXPECT_EQ(mean(x).dim(), 0);
}

TEST(Reduce, MeanGradcheck) {
  for (int64_t d : {0, 1, 2, -1}) {
    for (bool keep : {false, true}) {
      EXPECT_TRUE(testing::gradcheck([d, keep](const std::vector<Tensor>& in) { return mean(in[0], d, keep); },
                                     {random_tensor({2, 3, 4}, 17)}))
          << "dim " << d << " keepdim " << keep;
    }
  }
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return mean(in[0]); }, {random_tensor({3, 5}, 18)}));
}

// ---------------------------------------------------------------- max / argmax

TEST(Reduce, MaxAndArgmaxHandComputed) {
  Tensor x = from_vector<float>({1, 7, 3, 9, -2, 4}, {2, 3});
  EXPECT_EQ(max(x, 0).to_vector<float>(), (std::vector<float>{9, 7, 4}));
  EXPECT_EQ(max(x, 1).to_vector<float>(), (std::vector<float>{7, 9}));
  EXPECT_EQ(max(x, -1, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(max(x).item<float>(), 9.0f);
  EXPECT_EQ(max(x).dim(), 0);
  Tensor a0 = argmax(x, 0);
  EXPECT_EQ(a0.dtype(), kInt64);
  EXPECT_EQ(a0.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(argmax(x, 1).to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(argmax(x, 1, true).shape(), (Shape{2, 1}));
  // Rank 3, middle dimension: x[o, a, i] = values below; max over a.
  Tensor y = from_vector<double>({1, 5, 4, 2, 3, 3, /**/ -1, -5, -4, -2, -3, -3}, {2, 3, 2});
  EXPECT_EQ(max(y, 1).to_vector<double>(), (std::vector<double>{4, 5, -1, -2}));
  EXPECT_EQ(argmax(y, 1).to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 0, 1}));
}

TEST(Reduce, MaxTiesGoToTheFirst) {
  // Row 0: 3 at positions 1 and 3; row 1: all equal.
  Tensor x = from_vector<double>({1, 3, 2, 3, 5, 5, 5, 5}, {2, 4});
  EXPECT_EQ(argmax(x, 1).to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
  Tensor xg = x.clone().detach().set_requires_grad(true);
  max(xg, 1).backward(from_vector<double>({10, 20}, {2}));
  EXPECT_EQ(xg.grad().to_vector<double>(), (std::vector<double>{0, 10, 0, 0, 20, 0, 0, 0}));
  // Along dim 0 (inner > 1) and over everything.
  Tensor z = from_vector<double>({4, 1, 4, 1}, {2, 2});
  Tensor zg = z.clone().detach().set_requires_grad(true);
  max(zg, 0).backward(from_vector<double>({1, 2}, {2}));
  EXPECT_EQ(zg.grad().to_vector<double>(), (std::vector<double>{1, 2, 0, 0}));
  Tensor wg = z.clone().detach().set_requires_grad(true);
  max(wg).backward();
  EXPECT_EQ(wg.grad().to_vector<double>(), (std::vector<double>{1, 0, 0, 0}));
}

TEST(Reduce, MaxTiesAcrossChunksGoToTheFirst) {
  // A long axis (several chunks of the two-pass max) whose maximum appears in chunk 0 and chunk 2.
  std::vector<double> v(10000, 0.0);
  v[123] = 2.0;
  v[9000] = 2.0;
  Tensor x = from_vector<double>(v, {10000});
  EXPECT_EQ(argmax(x, 0).item<int64_t>(), 123);
  Tensor col = from_vector<double>(v, {10000, 1});
  EXPECT_EQ(argmax(col, 0).item<int64_t>(), 123);
}

TEST(Reduce, MaxPropagatesNaN) {
  Tensor x = from_vector<double>({1, std::nan(""), 3, 2}, {4});
  EXPECT_TRUE(std::isnan(max(x).item<double>()));
  EXPECT_EQ(argmax(x, 0).item<int64_t>(), 1);
}

TEST(Reduce, MaxGradcheck) {
  // Random values are distinct, so the arg-max is stable under the small perturbation.
  for (int64_t d : {0, 1, 2, -1}) {
    for (bool keep : {false, true}) {
      EXPECT_TRUE(testing::gradcheck([d, keep](const std::vector<Tensor>& in) { return max(in[0], d, keep); },
                                     {random_tensor({3, 4, 5}, 19)}))
          << "dim " << d << " keepdim " << keep;
    }
  }
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return max(in[0]); }, {random_tensor({4, 6}, 20)}));
}

TEST(Reduce, MaxBadArguments) {
  EXPECT_THAT([] { max(zeros({2, 3}), 2); },
              ThrowsMessage<IndexError>(HasSubstr("max: dimension 2 is out of range for a tensor of rank 2")));
  EXPECT_THAT([] { max(zeros({2, 0}), 1); }, ThrowsMessage<ShapeError>(HasSubstr("max: cannot reduce dimension 1 of size 0")));
  EXPECT_THAT([] { max(zeros({0})); }, ThrowsMessage<ShapeError>(HasSubstr("max: cannot reduce an empty tensor")));
  EXPECT_THAT([] { argmax(zeros({3}, kInt64), 0); },
              ThrowsMessage<DTypeError>(HasSubstr("argmax: 'x' must be float32 or float64, got int64")));
  EXPECT_THAT([] { mean(scalar_tensor(1.0), 0); }, ThrowsMessage<ShapeError>(HasSubstr("mean: cannot reduce")));
}

TEST(Reduce, MaxIsBitwiseDeterministicAcrossThreadCounts) {
  Tensor x = random_tensor({20000, 3}, 21, -1, 1, kFloat32);
  const std::vector<int64_t> one = testing::with_threads(1, [&] { return argmax(x, 0).to_vector<int64_t>(); });
  EXPECT_EQ(one, argmax(x, 0).to_vector<int64_t>());
}

TEST(Reduce, MeanMaxArgmaxCpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  for (Shape s : {Shape{100003}, Shape{3000, 17}, Shape{7, 5000}, Shape{4, 2500, 3}, Shape{50000, 7}, Shape{3, 9}}) {
    Tensor x = random_tensor(s, 22, -1, 1, kFloat32);
    for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d) {
      EXPECT_TRUE(allclose(mean(x.cuda(), d).cpu(), mean(x, d), 1e-4, 1e-5)) << shape_str(s) << " dim " << d;
      EXPECT_EQ(max(x.cuda(), d).cpu().to_vector<float>(), max(x, d).to_vector<float>()) << shape_str(s) << " dim " << d;
      EXPECT_EQ(argmax(x.cuda(), d).cpu().to_vector<int64_t>(), argmax(x, d).to_vector<int64_t>())
          << shape_str(s) << " dim " << d;
      // Backward: the same routing on both devices.
      Tensor xc = x.clone().detach().set_requires_grad(true), xg = x.cuda().detach().set_requires_grad(true);
      Tensor dy = random_tensor(max(x, d).shape(), 23, -1, 1, kFloat32);
      max(xc, d).backward(dy);
      max(xg, d).backward(dy.cuda());
      EXPECT_EQ(xg.grad().cpu().to_vector<float>(), xc.grad().to_vector<float>()) << shape_str(s) << " dim " << d;
      Tensor mc = x.clone().detach().set_requires_grad(true), mg = x.cuda().detach().set_requires_grad(true);
      mean(mc, d).backward(dy);
      mean(mg, d).backward(dy.cuda());
      EXPECT_TRUE(allclose(mg.grad().cpu(), mc.grad(), 1e-5, 1e-7)) << shape_str(s) << " dim " << d;
    }
    EXPECT_EQ(max(x.cuda()).cpu().item<float>(), max(x).item<float>());
    EXPECT_NEAR(mean(x.cuda()).cpu().item<float>(), mean(x).item<float>(), 1e-5);
  }
  // Ties on the device: the first index wins, also across chunks.
  std::vector<float> v(5000, 1.0f);
  Tensor t = from_vector<float>(v, {5000}).cuda();
  EXPECT_EQ(argmax(t, 0).cpu().item<int64_t>(), 0);
}

}  // namespace
}  // namespace loom
