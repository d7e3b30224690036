// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// matmul/bmm: values by hand and against a naive product, gradients by central differences, shape errors, and
// CPU against CUDA (forward and backward).
#include <gmock/gmock.h>

#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::expect_near_all;
using testing::random_tensor;

// Naive reference of one [m, k] x [k, n] product in double.
std::vector<double> naive(const std::vector<double>& a, const std::vector<double>& b, int64_t m, int64_t k,
                          int64_t n) {
  std::vector<double> c(static_cast<size_t>(m * n), 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p) s += a[static_cast<size_t>(i * k + p)] * b[static_cast<size_t>(p * n + j)];
      c[static_cast<size_t>(i * n + j)] = s;
    }
  return c;
}

TEST(Matmul, HandComputed2x3By3x2) {
  Tensor a = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = from_vector<float>({7, 8, 9, 10, 11, 12}, {3, 2});
  Tensor c = matmul(a, b);
  EXPECT_EQ(c.shape(), (Shape{2, 2}));
  // [1 2 3; 4 5 6] x [7 8; 9 10; 11 12] = [58 64; 139 154]
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{58, 64, 139, 154}));
}

TEST(Matmul, LargeProductMatchesNaive) {
  // Sizes that are not multiples of the tile sizes, big enough to be split over many tiles.
  const int64_t m = 301, k = 67, n = 533;
  Tensor a = random_tensor({m, k}, 1);
  Tensor b = random_tensor({k, n}, 2);
  expect_near_all(matmul(a, b).to_vector<double>(), naive(a.to_vector<double>(), b.to_vector<double>(), m, k, n),
                  1e-11);
  Tensor c32 = matmul(a.to(kFloat32), b.to(kFloat32)).to(kFloat64);
  expect_near_all(c32.to_vector<double>(), naive(a.to_vector<double>(), b.to_vector<double>(), m, k, n), 1e-4);
}

TEST(Matmul, BatchedAndSharedRightMatchPerEntryProducts) {
  const int64_t B = 3, m = 5, k = 4, n = 6;
  Tensor a = random_tensor({B, m, k}, 3);
  Tensor b = random_tensor({B, k, n}, 4);
  Tensor w = random_tensor({k, n}, 5);
  const std::vector<double> av = a.to_vector<double>(), bv = b.to_vector<double>(), wv = w.to_vector<double>();
  Tensor batched = matmul(a, b), via_bmm = bmm(a, b), shared = matmul(a, w);
  EXPECT_EQ(batched.shape(), (Shape{B, m, n}));
  EXPECT_EQ(shared.shape(), (Shape{B, m, n}));
  const std::vector<double> cb = batched.to_vector<double>(), cm = via_bmm.to_vector<double>(),
                            cs = shared.to_vector<double>();
  EXPECT_EQ(cb, cm);
  for (int64_t i = 0; i < B; ++i) {
    std::vector<double> ai(av.begin() + i * m * k, av.begin() + (i + 1) * m * k);
    std::vector<double> bi(bv.begin() + i * k * n, bv.begin() + (i + 1) * k * n);
    expect_near_all(std::vector<double>(cb.begin() + i * m * n, cb.begin() + (i + 1) * m * n),
                    naive(ai, bi, m, k, n), 1e-12);
    expect_near_all(std::vector<double>(cs.begin() + i * m * n, cs.begin() + (i + 1) * m * n),
                    naive(ai, wv, m, k, n), 1e-12);
  }
}

TEST(Matmul, EmptyInnerDimensionGivesZeros) {
  Tensor c = matmul(zeros({2, 0}), zeros({0, 3}));
  EXPECT_EQ(c.shape(), (Shape{2, 3}));
  EXPECT_EQ(c.to_vector<float>(), std::vector<float>(6, 0.0f));
  EXPECT_EQ(matmul(zeros({0, 4}), zeros({4, 3})).shape(), (Shape{0, 3}));
}

TEST(Matmul, GradientsHandComputed) {
  // y = a b with dy = ones: da = ones b^T (row sums of b), db = a^T ones (column sums of a).
  Tensor a = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}).set_requires_grad(true);
  Tensor b = from_vector<float>({7, 8, 9, 10, 11, 12}, {3, 2}).set_requires_grad(true);
  sum(matmul(a, b)).backward();
  EXPECT_EQ(a.grad().to_vector<float>(), (std::vector<float>{15, 19, 23, 15, 19, 23}));
  EXPECT_EQ(b.grad().to_vector<float>(), (std::vector<float>{5, 5, 7, 7, 9, 9}));
}

TEST(Matmul, Gradcheck) {
  auto mm = [](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); };
  EXPECT_TRUE(testing::gradcheck(mm, {random_tensor({3, 4}, 1), random_tensor({4, 5}, 2)})) << "2D";
  EXPECT_TRUE(testing::gradcheck(mm, {random_tensor({2, 3, 4}, 3), random_tensor({2, 4, 5}, 4)})) << "batched";
  EXPECT_TRUE(testing::gradcheck(mm, {random_tensor({3, 2, 4}, 5), random_tensor({4, 3}, 6)})) << "shared right";
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return bmm(in[0], in[1]); },
                                 {random_tensor({2, 5, 3}, 7), random_tensor({2, 3, 2}, 8)}))
      << "bmm";
  // Only one side requiring grad.
  Tensor a = random_tensor({3, 4}, 9).set_requires_grad(true);
  Tensor b = random_tensor({4, 2}, 10);
  sum(matmul(a, b)).backward();
  EXPECT_EQ(a.grad().shape(), (Shape{3, 4}));
  EXPECT_FALSE(b.grad().defined());
}

TEST(Matmul, ShapeAndDtypeErrors) {
  EXPECT_THAT([] { matmul(zeros({3, 4}), zeros({5, 6})); },
              ThrowsMessage<ShapeError>(HasSubstr("matmul: [3, 4] x [5, 6]: inner dimensions 4 and 5 differ")));
  EXPECT_THAT([] { matmul(zeros({2, 3, 4}), zeros({3, 4, 5})); },
              ThrowsMessage<ShapeError>(HasSubstr("matmul: [2, 3, 4] x [3, 4, 5]: batch sizes 2 and 3 differ")));
  EXPECT_THAT([] { matmul(zeros({4}), zeros({4, 2})); },
              ThrowsMessage<ShapeError>(HasSubstr("matmul: [4] x [4, 2]: expected [M, K] x [K, N]")));
  EXPECT_THAT([] { matmul(zeros({4, 2}), zeros({3, 2, 5})); },
              ThrowsMessage<ShapeError>(HasSubstr("matmul: [4, 2] x [3, 2, 5]")));
  EXPECT_THAT([] { bmm(zeros({2, 3}), zeros({3, 2})); },
              ThrowsMessage<ShapeError>(HasSubstr("bmm: [2, 3] x [3, 2]: expected [B, M, K] x [B, K, N]")));
  EXPECT_THAT([] { bmm(zeros({2, 2, 3}), zeros({2, 4, 2})); },
              ThrowsMessage<ShapeError>(HasSubstr("bmm: [2, 2, 3] x [2, 4, 2]: inner dimensions 3 and 4 differ")));
  EXPECT_THAT([] { matmul(zeros({2, 3}), zeros({3, 2}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("matmul: 'a' is float32 [2, 3] but 'b' is float64 [3, 2]")));
  EXPECT_THAT([] { matmul(zeros({2, 3}, kInt64), zeros({3, 2}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr("matmul: 'a' must be float32 or float64, got int64")));
}

TEST(Matmul, DeviceMismatch) {
  LOOM_REQUIRE_CUDA();
  EXPECT_THAT([] { matmul(zeros({2, 3}), zeros({3, 2}, kFloat32, kCUDA)); },
              ThrowsMessage<DeviceError>(HasSubstr("matmul: 'a' is on cpu but 'b' is on cuda:0")));
}

// Forward and both gradients of one product on CPU and CUDA.
void expect_parity(const Shape& sa, const Shape& sb, DType dtype, double tol, bool use_bmm = false) {
  auto f = [use_bmm](const std::vector<Tensor>& x) { return use_bmm ? bmm(x[0], x[1]) : matmul(x[0], x[1]); };
  const std::vector<Tensor> in = {random_tensor(sa, 11, -1, 1, dtype), random_tensor(sb, 12, -1, 1, dtype)};
  EXPECT_TRUE(testing::cuda_matches_cpu(f, in, testing::Parity().tol(tol, tol).weights(13)))
      << shape_str(sa) << " x " << shape_str(sb);
}

TEST(Matmul, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  expect_parity({67, 45}, {45, 29}, kFloat32, 1e-4);
  expect_parity({300, 257}, {257, 513}, kFloat32, 1e-3);
  expect_parity({4, 17, 9}, {4, 9, 13}, kFloat32, 1e-4);
  expect_parity({4, 17, 9}, {9, 13}, kFloat32, 1e-4);
  expect_parity({3, 8, 5}, {3, 5, 7}, kFloat32, 1e-4, /*use_bmm=*/true);
  expect_parity({33, 21}, {21, 10}, kFloat64, 1e-12);
  expect_parity({2, 33, 21}, {21, 10}, kFloat64, 1e-12);
}

}  // namespace
}  // namespace loom
