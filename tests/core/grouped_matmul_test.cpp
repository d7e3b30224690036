// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// grouped_matmul: forward and gradients against a naive per-group loop (float64, host loops), with empty groups
// and one huge group; float64 central differences; the same bits for 1 and 4 threads; errors; CPU against CUDA.
#include <gmock/gmock.h>

#include <numeric>

#include "core/ops/grouped_matmul.h"
#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::random_tensor;

std::vector<int64_t> offsets_of(const std::vector<int64_t>& sizes) {
  std::vector<int64_t> off{0};
  for (int64_t s : sizes) off.push_back(off.back() + s);
  return off;
}

// The naive reference: for each group, each row, each output column, a dot product (float64 host loops), plus
// the gradients of sum(y * dy) for the given dy: dx = dy W^T, dW = x^T dy, db = column sums of dy.
struct Reference {
  std::vector<double> y, dx, dw, db;
};
Reference naive(const Tensor& x, const Tensor& w, const Tensor& b, const std::vector<int64_t>& off, const Tensor& dy) {
  const int64_t n = x.size(0), k = w.size(1), m = w.size(2), groups = w.size(0);
  const std::vector<double> xv = testing::host(x), wv = testing::host(w), dyv = testing::host(dy);
  const std::vector<double> bv = b.defined() ? testing::host(b) : std::vector<double>(groups * m, 0.0);
  Reference r{std::vector<double>(n * m), std::vector<double>(n * k, 0.0), std::vector<double>(groups * k * m, 0.0),
              std::vector<double>(groups * m, 0.0)};
  for (int64_t g = 0; g < groups; ++g) {
    for (int64_t i = off[g]; i < off[g + 1]; ++i) {
      for (int64_t j = 0; j < m; ++j) {
        double s = bv[g * m + j];
        for (int64_t p = 0; p < k; ++p) s += xv[i * k + p] * wv[(g * k + p) * m + j];
        r.y[i * m + j] = s;
        const double d = dyv[i * m + j];
        r.db[g * m + j] += d;
        for (int64_t p = 0; p < k; ++p) {
          r.dx[i * k + p] += d * wv[(g * k + p) * m + j];
          r.dw[(g * k + p) * m + j] += xv[i * k + p] * d;
        }
      }
    }
  }
  return r;
}

void expect_matches_naive(const std::vector<int64_t>& sizes, int64_t k, int64_t m, bool bias, double tol) {
  const std::vector<int64_t> off = offsets_of(sizes);
  const int64_t n = off.back(), groups = static_cast<int64_t>(sizes.size());
  Tensor x = random_tensor({n, k}, 1).set_requires_grad(true);
  Tensor w = random_tensor({groups, k, m}, 2).set_requires_grad(true);
  Tensor b = bias ? random_tensor({groups, m}, 3).set_requires_grad(true) : Tensor();
  const Tensor dy = random_tensor({n, m}, 4);
  const Tensor y = grouped_matmul(x, w, off, b);
  ASSERT_EQ(y.shape(), (Shape{n, m}));
  sum(mul(y, dy)).backward();
  const Reference r = naive(x, w, b, off, dy);
  testing::expect_near_all(testing::host(y), r.y, tol);
  testing::expect_near_all(testing::host(x.grad()), r.dx, tol);
  testing::expect_near_all(testing::host(w.grad()), r.dw, tol);
  if (bias) testing::expect_near_all(testing::host(b.grad()), r.db, tol);
}

TEST(GroupedMatmul, MatchesNaiveLoopWithEmptyGroups) {
  expect_matches_naive({0, 3, 0, 1, 17, 0}, 5, 4, /*bias=*/true, 1e-12);
  expect_matches_naive({2, 0, 7}, 3, 6, /*bias=*/false, 1e-12);
}

TEST(GroupedMatmul, AllGroupsEmpty) {
  // No rows at all: an empty output, and zero weight and bias gradients.
  Tensor x = zeros({0, 3}, kFloat64).set_requires_grad(true);
  Tensor w = random_tensor({2, 3, 4}, 5).set_requires_grad(true);
  Tensor b = random_tensor({2, 4}, 6).set_requires_grad(true);
  const Tensor y = grouped_matmul(x, w, {0, 0, 0}, b);
  EXPECT_EQ(y.shape(), (Shape{0, 4}));
  sum(y).backward();
  EXPECT_EQ(testing::host(w.grad()), std::vector<double>(24, 0.0));
  EXPECT_EQ(testing::host(b.grad()), std::vector<double>(8, 0.0));
}

TEST(GroupedMatmul, OneHugeGroupBesideTinyOnes) {
  // 20000 rows in one group crosses many row tiles and several gradient chunks.
  expect_matches_naive({1, 20000, 0, 2}, 6, 5, /*bias=*/true, 1e-9);
}

TEST(GroupedMatmul, Float32AgreesWithFloat64) {
  const std::vector<int64_t> off = offsets_of({40, 0, 300});
  const Tensor x = random_tensor({340, 16}, 7), w = random_tensor({3, 16, 8}, 8), b = random_tensor({3, 8}, 9);
  const Tensor y64 = grouped_matmul(x, w, off, b);
  const Tensor y32 = grouped_matmul(x.to(kFloat32), w.to(kFloat32), off, b.to(kFloat32));
  EXPECT_TRUE(testing::all_close(y32.to(kFloat64), y64, 1e-5, 1e-5));
}

TEST(GroupedMatmul, Gradcheck) {
  const std::vector<int64_t> off = offsets_of({2, 0, 3, 1});
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return grouped_matmul(in[0], in[1], off, in[2]); },
                                 {random_tensor({6, 3}, 10), random_tensor({4, 3, 2}, 11), random_tensor({4, 2}, 12)}));
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return grouped_matmul(in[0], in[1], off); },
                                 {random_tensor({6, 3}, 13), random_tensor({4, 3, 2}, 14)}));
}

TEST(GroupedMatmul, SameBitsForAnyThreadCount) {
  const std::vector<int64_t> off = offsets_of({5000, 3, 0, 9000});
  const Tensor x = random_tensor({14003, 8}, 15, -1, 1, kFloat32), w = random_tensor({4, 8, 8}, 16, -1, 1, kFloat32);
  auto run = [&] {
    const std::vector<Tensor> r = testing::forward_backward(
        [&](const std::vector<Tensor>& in) { return grouped_matmul(in[0], in[1], off); }, {x, w}, kCPU);
    return r;
  };
  EXPECT_TRUE(testing::bitwise_equal(testing::with_threads(1, run), testing::with_threads(4, run)));
}

TEST(GroupedMatmul, ErrorsNameTheProblem) {
  const Tensor x = zeros({5, 3}), w = zeros({2, 3, 4});
  EXPECT_THAT([&] { grouped_matmul(x, w, {0, 5}); },
              ThrowsMessage<ShapeError>(HasSubstr("grouped_matmul: 'offsets' has 2 entries but 'w' has 2 groups (expected 3)")));
  EXPECT_THAT([&] { grouped_matmul(x, w, {0, 2, 4}); },
              ThrowsMessage<ValueError>(HasSubstr("'offsets' must run from 0 to the 5 rows of 'x', got 0 .. 4")));
  EXPECT_THAT([&] { grouped_matmul(x, w, {0, 4, 3, 5}); }, ThrowsMessage<ShapeError>(HasSubstr("expected 3")));
  EXPECT_THAT([&] { grouped_matmul(x, zeros({3, 3, 4}), {0, 4, 3, 5}); },
              ThrowsMessage<ValueError>(HasSubstr("non-decreasing, but group 1 runs from 4 to 3")));
  EXPECT_THAT([&] { grouped_matmul(zeros({5, 2}), w, {0, 2, 5}); },
              ThrowsMessage<ShapeError>(HasSubstr("x has 2 columns but each weight has 3 rows")));
  EXPECT_THAT([&] { grouped_matmul(x, w, {0, 2, 5}, zeros({2, 3})); },
              ThrowsMessage<ShapeError>(HasSubstr("'bias' must be [G, M] = [2, 4], got [2, 3]")));
}

// group_column_sums (the bias gradient of the CUDA path, built from core ops so that it runs here too) against the CPU
// kernel's fused column sums and a naive loop: an empty group first, a one-row group, a long group, an empty group
// last; float32 and float64.
TEST(GroupedMatmul, GroupColumnSumsMatchTheCpuKernelAndALoop) {
  const std::vector<int64_t> off = offsets_of({0, 1, 5000, 3, 0});
  for (const DType dt : {kFloat32, kFloat64}) {
    const Tensor dy = random_tensor({5004, 7}, 21, -1, 1, dt), x = random_tensor({5004, 3}, 22, -1, 1, dt);
    const Tensor got = detail::group_column_sums(dy, off);
    Tensor dw = empty({5, 3, 7}, dt), db = empty({5, 7}, dt);
    detail::grouped_gemm_weight_grad_cpu(x, dy, off, dw, db);
    const std::vector<double> v = testing::host(dy);
    std::vector<double> want(5 * 7, 0.0);
    for (int64_t g = 0; g < 5; ++g)
      for (int64_t i = off[static_cast<size_t>(g)]; i < off[static_cast<size_t>(g) + 1]; ++i)
        for (int64_t j = 0; j < 7; ++j) want[static_cast<size_t>(g * 7 + j)] += v[static_cast<size_t>(i * 7 + j)];
    ASSERT_EQ(got.shape(), (Shape{5, 7}));
    EXPECT_EQ(got.dtype(), dt);
    const double tol = dt == kFloat32 ? 1e-3 : 1e-10;
    testing::expect_near_all(testing::host(got), want, tol);
    EXPECT_TRUE(testing::all_close(got, db, dt == kFloat32 ? 1e-5 : 1e-12, dt == kFloat32 ? 1e-4 : 1e-10));
  }
}

TEST(GroupedMatmul, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  const std::vector<int64_t> off = offsets_of({0, 7, 3000, 0, 1});
  EXPECT_TRUE(testing::cuda_matches_cpu(
      [&](const std::vector<Tensor>& in) { return grouped_matmul(in[0], in[1], off, in[2]); },
      {random_tensor({3008, 24}, 17, -1, 1, kFloat32), random_tensor({5, 24, 12}, 18, -1, 1, kFloat32),
       random_tensor({5, 12}, 19, -1, 1, kFloat32)},
      testing::Parity().tol(1e-4, 1e-4)));
}

}  // namespace
}  // namespace loom
