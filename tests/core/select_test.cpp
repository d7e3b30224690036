// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// topk and gather_last: values and indices against a naive stable sort (random inputs with many ties, largest and
// smallest, k = 0 and k = L, leading dimensions, -0/+0, infinities), gradients, errors, thread-count independence,
// and CPU against CUDA on both CUDA paths (short slices sorted whole, long slices by radix select).
#include <gmock/gmock.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>

#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::random_tensor;

// Random small integers (heavy ties), as float64 then cast.
Tensor random_ties(const Shape& shape, uint32_t seed, int range, DType dtype = kFloat64) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(-range, range);
  std::vector<double> v(static_cast<size_t>(shape_numel(shape)));
  for (double& x : v) x = dist(gen);
  return from_vector<double>(v, shape).to(dtype);
}

// The naive answer: every slice stably sorted (best first, ties in index order), the first k kept.
void naive_topk(const Tensor& x, int64_t k, bool largest, std::vector<double>& values, std::vector<int64_t>& idx) {
  const std::vector<double> v = x.to(kFloat64).cpu().to_vector<double>();
  const int64_t L = x.shape().back(), rows = L > 0 ? x.numel() / L : 0;
  values.clear();
  idx.clear();
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<int64_t> pos(static_cast<size_t>(L));
    std::iota(pos.begin(), pos.end(), int64_t{0});
    const double* s = v.data() + r * L;
    std::stable_sort(pos.begin(), pos.end(),
                     [&](int64_t a, int64_t b) { return largest ? s[a] > s[b] : s[a] < s[b]; });
    for (int64_t j = 0; j < k; ++j) {
      values.push_back(s[pos[static_cast<size_t>(j)]]);
      idx.push_back(pos[static_cast<size_t>(j)]);
    }
  }
}

void expect_matches_naive(const Tensor& x, int64_t k, bool largest) {
  TopK t = topk(x, k, largest);
  Shape want = x.shape();
  want.back() = k;
  ASSERT_EQ(t.values.shape(), want);
  ASSERT_EQ(t.indices.shape(), want);
  ASSERT_EQ(t.values.dtype(), x.dtype());
  ASSERT_EQ(t.indices.dtype(), kInt64);
  std::vector<double> nv;
  std::vector<int64_t> ni;
  naive_topk(x, k, largest, nv, ni);
  EXPECT_EQ(t.values.to(kFloat64).cpu().to_vector<double>(), nv) << x.str() << " k " << k << " largest " << largest;
  EXPECT_EQ(t.indices.cpu().to_vector<int64_t>(), ni) << x.str() << " k " << k << " largest " << largest;
}

TEST(Select, TopkHandComputed) {
  Tensor x = from_vector<float>({3, 1, 3, 2, 1, 5, 4, 6, 4, 0}, {2, 5});
  TopK a = topk(x, 3);
  EXPECT_EQ(a.values.to_vector<float>(), (std::vector<float>{3, 3, 2, 6, 5, 4}));
  EXPECT_EQ(a.indices.to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 3, 2, 0, 1}));
  TopK b = topk(x, 3, false);
  EXPECT_EQ(b.values.to_vector<float>(), (std::vector<float>{1, 1, 2, 0, 4, 4}));
  EXPECT_EQ(b.indices.to_vector<int64_t>(), (std::vector<int64_t>{1, 4, 3, 4, 1, 3}));
  // -0 and +0 are equal (the index decides); infinities order as usual.
  const float inf = std::numeric_limits<float>::infinity();
  Tensor z = from_vector<float>({0.0f, -0.0f, -inf, 0.0f, inf, -0.0f});
  EXPECT_EQ(topk(z, 4).indices.to_vector<int64_t>(), (std::vector<int64_t>{4, 0, 1, 3}));
  EXPECT_EQ(topk(z, 4, false).indices.to_vector<int64_t>(), (std::vector<int64_t>{2, 0, 1, 3}));
  EXPECT_TRUE(std::signbit(topk(z, 3).values.to_vector<float>()[2]));  // the value itself is kept (-0)
}

TEST(Select, TopkMatchesNaiveSortWithTies) {
  for (DType dt : {kFloat32, kFloat64}) {
    for (Shape s : {Shape{7, 50}, Shape{2, 3, 40}, Shape{1}, Shape{4, 1}, Shape{3, 3000}, Shape{2, 2, 2, 9}}) {
      const int64_t L = s.back();
      for (int64_t k : {int64_t{0}, int64_t{1}, int64_t{2}, L / 3, L / 2, L - 1, L}) {
        if (k < 0 || k > L) continue;
        for (bool largest : {true, false}) {
          expect_matches_naive(random_ties(s, static_cast<uint32_t>(L + k), 4, dt), k, largest);
          expect_matches_naive(random_tensor(s, static_cast<uint32_t>(3 * L + k), -1, 1, dt), k, largest);
        }
      }
    }
  }
}

TEST(Select, TopkEmptyShapes) {
  TopK a = topk(zeros({3, 0}), 0);
  EXPECT_EQ(a.values.shape(), (Shape{3, 0}));
  TopK b = topk(zeros({0, 5}), 2);
  EXPECT_EQ(b.indices.shape(), (Shape{0, 2}));
  TopK c = topk(ones({2, 4}), 0);
  EXPECT_EQ(c.values.shape(), (Shape{2, 0}));
}

TEST(Select, TopkGradcheck) {
  for (bool largest : {true, false}) {
    for (Shape s : {Shape{9}, Shape{3, 8}, Shape{2, 2, 7}}) {
      for (int64_t k : {int64_t{1}, int64_t{3}, s.back()}) {
        EXPECT_TRUE(testing::gradcheck(
            [k, largest](const std::vector<Tensor>& in) { return topk(in[0], k, largest).values; },
            {random_tensor(s, 40 + static_cast<uint32_t>(k))}))
            << shape_str(s) << " k " << k;
      }
    }
  }
}

TEST(Select, TopkGradientFloat32ScattersToPickedPositions) {
  Tensor x = from_vector<float>({0.5f, 2.0f, -1.0f, 2.0f, 7.0f, 3.0f}, {2, 3});
  x.set_requires_grad(true);
  TopK t = topk(x, 2);
  t.values.backward(from_vector<float>({10, 20, 30, 40}, {2, 2}));
  // Row 0: 2.0 at 1, then 0.5 at 0; row 1: 7 at 1, 3 at 2.
  EXPECT_EQ(x.grad().dtype(), kFloat32);
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{20, 10, 0, 0, 30, 40}));
}

TEST(Select, GatherLastHandComputedAndGradientAccumulates) {
  Tensor x = from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor idx = from_vector<int64_t>({2, 2, 0, 1, 1, 1, 0, 2}, {2, 4});
  Tensor y = gather_last(x, idx);
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{3, 3, 1, 2, 5, 5, 4, 6}));
  EXPECT_EQ(gather_last(x, idx.to(kInt32)).to_vector<double>(), y.to_vector<double>());
  // Integer tensors gather too (no gradient).
  EXPECT_EQ(gather_last(from_vector<int64_t>({7, 8, 9}), from_vector<int32_t>({2, 0})).to_vector<int64_t>(),
            (std::vector<int64_t>{9, 7}));
  Tensor xg = x.clone().detach().set_requires_grad(true);
  gather_last(xg, idx).backward(from_vector<double>({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4}));
  EXPECT_EQ(xg.grad().to_vector<double>(), (std::vector<double>{3, 4, 3, 7, 11, 8}));
}

TEST(Select, GatherLastGradcheck) {
  std::mt19937 gen(5);
  for (Shape xs : {Shape{6}, Shape{3, 5}, Shape{2, 2, 4}}) {
    Shape is = xs;
    is.back() = 9;  // more picks than positions: repeats
    std::uniform_int_distribution<int64_t> d(0, xs.back() - 1);
    std::vector<int64_t> v(static_cast<size_t>(shape_numel(is)));
    for (auto& e : v) e = d(gen);
    Tensor idx = from_vector<int64_t>(v, is);
    EXPECT_TRUE(testing::gradcheck([idx](const std::vector<Tensor>& in) { return gather_last(in[0], idx); },
                                   {random_tensor(xs, 50)}));
  }
}

TEST(Select, Errors) {
  Tensor x = zeros({2, 5});
  EXPECT_THAT([&] { topk(x, 6); }, ThrowsMessage<ValueError>(HasSubstr(
                                       "topk: k = 6 is out of range for a last dimension of size L = 5")));
  EXPECT_THAT([&] { topk(x, -1); }, ThrowsMessage<ValueError>(HasSubstr("topk: k = -1 is out of range")));
  Tensor n = from_vector<float>({1, 2, 3, 4, std::nanf(""), 6}, {3, 2});
  EXPECT_THAT([&] { topk(n, 1); }, ThrowsMessage<ValueError>(HasSubstr("topk: 'x' [3, 2] contains NaN (slice 2")));
  EXPECT_THAT([&] { topk(zeros({4}, kInt64), 1); },
              ThrowsMessage<DTypeError>(HasSubstr("topk: 'x' must be float32 or float64, got int64")));
  EXPECT_THAT([&] { topk(scalar_tensor(1.0), 0); },
              ThrowsMessage<ShapeError>(HasSubstr("topk: 'x' must have rank >= 1")));
  EXPECT_THAT([&] { gather_last(x, from_vector<int64_t>({0, 4, 5, 1}, {2, 2})); },
              ThrowsMessage<IndexError>(HasSubstr(
                  "gather_last: index[1, 0] = 5 is out of range for a last dimension of size 5")));
  EXPECT_THAT([&] { gather_last(x, from_vector<int32_t>({0, -1}, {2, 1})); },
              ThrowsMessage<IndexError>(HasSubstr("gather_last: index[1, 0] = -1 is out of range")));
  EXPECT_THAT([&] { gather_last(x, from_vector<float>({0, 1}, {2, 1})); },
              ThrowsMessage<DTypeError>(HasSubstr("gather_last: 'index' must be int32 or int64, got float32")));
  EXPECT_THAT([&] { gather_last(x, from_vector<int64_t>({0, 1, 2}, {3, 1})); },
              ThrowsMessage<ShapeError>(HasSubstr("gather_last: 'index' must have x's leading dimensions")));
  EXPECT_THAT([&] { gather_last(x, from_vector<int64_t>({0, 1})); },
              ThrowsMessage<ShapeError>(HasSubstr("got [2]")));
}

TEST(Select, TopkIndependentOfThreadCount) {
  Tensor x = random_ties({300, 700}, 9, 20, kFloat32);
  const std::vector<int64_t> one = testing::with_threads(1, [&] { return topk(x, 30).indices.to_vector<int64_t>(); });
  EXPECT_EQ(topk(x, 30).indices.to_vector<int64_t>(), one);
}

// ---------------------------------------------------------------- CUDA against CPU (bit for bit)

void expect_parity(const Tensor& x, int64_t k, bool largest) {
  TopK c = topk(x, k, largest), g = topk(x.cuda(), k, largest);
  ASSERT_TRUE(g.values.is_cuda());
  EXPECT_EQ(g.indices.cpu().to_vector<int64_t>(), c.indices.to_vector<int64_t>())
      << x.str() << " k " << k << " largest " << largest;
  EXPECT_EQ(g.values.cpu().to(kFloat64).to_vector<double>(), c.values.to(kFloat64).to_vector<double>())
      << x.str() << " k " << k << " largest " << largest;
}

TEST(Select, TopkCpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  for (DType dt : {kFloat32, kFloat64}) {
    for (int64_t L : {1, 2, 16, 17, 33, 64, 100, 1023, 1024, 1025, 5000}) {
      const int64_t rows = L > 1000 ? 40 : 300;
      for (int64_t k : {int64_t{1}, int64_t{5}, std::min<int64_t>(L / 2, 1024), std::min<int64_t>(L, 1024)}) {  // CUDA: k <= 1024
        if (k < 1 || k > L) continue;
        for (bool largest : {true, false}) {
          expect_parity(random_ties({rows, L}, static_cast<uint32_t>(L * 7 + k), 3, dt), k, largest);
          expect_parity(random_tensor({rows, L}, static_cast<uint32_t>(L * 11 + k), -1, 1, dt), k, largest);
        }
      }
    }
  }
  // Leading dimensions, k = 0 and signed zeros / infinities on both paths.
  expect_parity(random_ties({2, 3, 50}, 3, 2, kFloat32), 7, true);
  EXPECT_EQ(topk(zeros({3, 5000}).cuda(), 0).values.shape(), (Shape{3, 0}));
  const float inf = std::numeric_limits<float>::infinity();
  for (int64_t L : {40, 3000}) {
    std::vector<float> v(static_cast<size_t>(L));
    const float cycle[4] = {0.0f, -0.0f, inf, -inf};
    for (int64_t i = 0; i < L; ++i) v[static_cast<size_t>(i)] = cycle[i % 4];
    for (bool largest : {true, false}) expect_parity(from_vector<float>(v, {1, L}), 25, largest);
  }
}

TEST(Select, TopkCpuMatchesCudaLongRowAndManyShortRows) {
  LOOM_REQUIRE_CUDA();
  for (DType dt : {kFloat32, kFloat64}) {
    for (int64_t k : {1, 16, 1000, 1024}) {
      for (bool largest : {true, false}) {
        expect_parity(random_tensor({2, 200000}, 21 + static_cast<uint32_t>(k), -1, 1, dt), k, largest);
        // Rows of an odd length: unaligned starts, so the filter reads entry by entry instead of in 16-byte packs.
        expect_parity(random_tensor({3, 200003}, 26 + static_cast<uint32_t>(k), -1, 1, dt), k, largest);
        expect_parity(random_ties({1, 200000}, 22 + static_cast<uint32_t>(k), 50, dt), k, largest);
      }
    }
    // k <= 256 first tries a threshold filter; these rows make it collect many candidates (the best entries all in
    // one thread's stride) or more than it can hold (one value repeated), which hands over to the radix select.
    std::vector<double> v = random_tensor({1, 300000}, 25, -1, 1, kFloat64).to_vector<double>();
    for (size_t i = 0; i < v.size(); i += 512) v[i] = 2.0 + static_cast<double>(i) * 1e-6;
    std::vector<double> flat(300000, 0.5);
    flat[7] = 0.75;
    for (int64_t k : {1, 100, 256, 257}) {
      for (bool largest : {true, false}) {
        expect_parity(from_vector<double>(v, {1, 300000}).to(dt), k, largest);
        expect_parity(from_vector<double>(flat, {1, 300000}).to(dt), k, largest);
      }
    }
    for (int64_t L : {16, 32, 64}) {
      expect_parity(random_ties({200000, L}, 23 + static_cast<uint32_t>(L), 5, dt), 8, false);
      expect_parity(random_tensor({200000, L}, 24 + static_cast<uint32_t>(L), -1, 1, dt), 3, true);
    }
  }
}

TEST(Select, GradientsAndGatherCpuMatchCuda) {
  LOOM_REQUIRE_CUDA();
  std::mt19937 gen(8);
  for (int64_t K : {4, 256, 257, 3000}) {  // one thread per row / sorted-run scatter
    const int64_t rows = 30, L = 500;
    std::uniform_int_distribution<int64_t> d(0, L - 1);
    std::vector<int64_t> v(static_cast<size_t>(rows * K));
    for (auto& e : v) e = d(gen);
    Tensor idx = from_vector<int64_t>(v, {rows, K});
    Tensor x = random_tensor({rows, L}, 60, -1, 1, kFloat32);
    Tensor dy = random_tensor({rows, K}, 61, -1, 1, kFloat32);
    EXPECT_EQ(gather_last(x.cuda(), idx.cuda()).cpu().to_vector<float>(), gather_last(x, idx).to_vector<float>());
    EXPECT_EQ(gather_last(x.cuda(), idx.to(kInt32).cuda()).cpu().to_vector<float>(),
              gather_last(x, idx).to_vector<float>());
    Tensor xc = x.clone().detach().set_requires_grad(true), xg = x.cuda().detach().set_requires_grad(true);
    gather_last(xc, idx).backward(dy);
    gather_last(xg, idx.cuda()).backward(dy.cuda());
    EXPECT_EQ(xg.grad().cpu().to_vector<float>(), xc.grad().to_vector<float>()) << "K " << K;
  }
  Tensor x = random_tensor({64, 2000}, 62, -1, 1, kFloat64);
  Tensor dy = random_tensor({64, 10}, 63, -1, 1, kFloat64);
  Tensor xc = x.clone().detach().set_requires_grad(true), xg = x.cuda().detach().set_requires_grad(true);
  topk(xc, 10, false).values.backward(dy);
  topk(xg, 10, false).values.backward(dy.cuda());
  EXPECT_EQ(xg.grad().cpu().to_vector<double>(), xc.grad().to_vector<double>());
}

TEST(Select, CudaErrors) {
  LOOM_REQUIRE_CUDA();
  EXPECT_THAT([&] { topk(zeros({2, 3000}).cuda(), 1025); },
              ThrowsMessage<ValueError>(HasSubstr("topk: k = 1025 is larger than the CUDA limit of 1024")));
  for (int64_t L : {10, 3000}) {
    std::vector<float> v(static_cast<size_t>(3 * L), 1.0f);
    v[static_cast<size_t>(L + 7)] = std::nanf("");
    EXPECT_THAT([&] { topk(from_vector<float>(v, {3, L}).cuda(), 2); },
                ThrowsMessage<ValueError>(HasSubstr("contains NaN (slice 1")));
  }
  EXPECT_THAT([&] { gather_last(zeros({2, 5}).cuda(), from_vector<int64_t>({0, 4, 5, 1}, {2, 2}).cuda()); },
              ThrowsMessage<IndexError>(HasSubstr("gather_last: index[1, 0] = 5 is out of range")));
}

}  // namespace
}  // namespace loom
