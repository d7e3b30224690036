// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// add/sub/mul/div with broadcasting: values by hand, gradients by central differences, CPU against CUDA.
#include <gmock/gmock.h>

#include "core/detail/elementwise.h"
#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::host;
using testing::random_tensor;

TEST(Binary, HandComputedBroadcast) {
  Tensor a = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = from_vector<float>({10, 20, 30}, {3});
  Tensor c = from_vector<float>({100, 200}, {2, 1});
  EXPECT_EQ((a + b).to_vector<float>(), (std::vector<float>{11, 22, 33, 14, 25, 36}));
  EXPECT_EQ((a * c).to_vector<float>(), (std::vector<float>{100, 200, 300, 800, 1000, 1200}));
  EXPECT_EQ((b - a).to_vector<float>(), (std::vector<float>{9, 18, 27, 6, 15, 24}));
  EXPECT_EQ((c / a).shape(), (Shape{2, 3}));
  EXPECT_FLOAT_EQ((c / a).to_vector<float>()[5], 200.0f / 6.0f);
  EXPECT_EQ((b + c).shape(), (Shape{2, 3}));  // both sides stretch
}

TEST(Binary, BadShapesAndDtypes) {
  EXPECT_THAT([] { add(zeros({2, 3}), zeros({2})); },
              ThrowsMessage<ShapeError>(HasSubstr("add: shapes [2, 3] and [2] do not broadcast")));
  EXPECT_THAT([] { mul(zeros({2}, kInt64), zeros({2}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr("must be float32 or float64, got int64")));
}

struct Case {
  const char* name;
  Shape a, b;
};

TEST(Binary, GradcheckWithBroadcasting) {
  const std::vector<Case> cases = {{"same", {3, 4}, {3, 4}},       {"row", {3, 4}, {4}},
                                   {"col", {3, 1}, {1, 4}},        {"scalar", {2, 3, 2}, {}},
                                   {"lead", {2, 1, 3, 2}, {4, 1, 2}},
                                   {"rowscalar", {3, 2, 4}, {3, 2, 1}}, {"heads", {3, 2, 4}, {2, 4}},
                                   {"rowscalar_left", {3, 1}, {3, 4}}};
  using F = Tensor (*)(const Tensor&, const Tensor&);
  const std::vector<std::pair<const char*, F>> ops = {{"add", add}, {"sub", sub}, {"mul", mul}, {"div", div}};
  for (const auto& c : cases) {
    for (const auto& [name, op] : ops) {
      Tensor a = random_tensor(c.a, 1, -2, 2);
      Tensor b = random_tensor(c.b, 2, 0.5, 2);  // away from 0 for div
      EXPECT_TRUE(testing::gradcheck([op](const std::vector<Tensor>& in) { return op(in[0], in[1]); }, {a, b}))
          << name << " " << c.name;
    }
  }
}

TEST(Binary, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  Tensor a = random_tensor({33, 1, 7}, 5, -2, 2, kFloat32);
  Tensor b = random_tensor({5, 7}, 6, 0.5, 2, kFloat32);
  for (auto op : {add, sub, mul, div}) {
    Tensor cpu = op(a, b);
    Tensor gpu = op(a.cuda(), b.cuda());
    EXPECT_TRUE(allclose(gpu.cpu(), cpu, 1e-6, 1e-6));
  }
  // Gradients of a broadcast product on both devices.
  Tensor ac = a.clone().set_requires_grad(true), bc = b.clone().set_requires_grad(true);
  Tensor ag = a.cuda().set_requires_grad(true), bg = b.cuda().set_requires_grad(true);
  sum(mul(ac, bc)).backward();
  sum(mul(ag, bg)).backward();
  EXPECT_TRUE(allclose(ag.grad().cpu(), ac.grad(), 1e-5, 1e-5));
  EXPECT_TRUE(allclose(bg.grad().cpu(), bc.grad(), 1e-5, 1e-5));
}

// ---------------------------------------------------------------- broadcast fast paths

using detail::BroadcastPattern;

TEST(Binary, IndexerPicksTheFastPatterns) {
  auto pick = [](const Shape& a, const Shape& b) {
    return detail::make_broadcast_indexer(a, b, broadcast_shapes("test", a, b));
  };
  auto ix = pick({6, 5}, {5});  // bias: b repeats every 5
  EXPECT_EQ(ix.pattern, BroadcastPattern::kModulo);
  EXPECT_TRUE(ix.a_full);
  EXPECT_EQ(ix.period, 5);
  ix = pick({4, 3}, {6, 4, 3});  // a repeats every 12
  EXPECT_EQ(ix.pattern, BroadcastPattern::kModulo);
  EXPECT_FALSE(ix.a_full);
  EXPECT_EQ(ix.period, 12);
  ix = pick({2, 1, 3}, {1, 3});  // out [2, 1, 3]: size-1 dimensions do not matter
  EXPECT_EQ(ix.pattern, BroadcastPattern::kModulo);
  EXPECT_EQ(ix.period, 3);
  ix = pick({6, 4, 8}, {6, 4, 1});  // one value per run of 8
  EXPECT_EQ(ix.pattern, BroadcastPattern::kDivide);
  EXPECT_TRUE(ix.a_full);
  EXPECT_EQ(ix.period, 8);
  ix = pick({6, 1, 1}, {6, 4, 8});
  EXPECT_EQ(ix.pattern, BroadcastPattern::kDivide);
  EXPECT_FALSE(ix.a_full);
  EXPECT_EQ(ix.period, 32);
  ix = pick({}, {3, 7});  // a scalar: one run covering everything, its period rounded up to a multiple of 16
  EXPECT_EQ(ix.pattern, BroadcastPattern::kDivide);
  EXPECT_GE(ix.period, 21);
  EXPECT_EQ(ix.period % 16, 0);
  ix = pick({1, 3}, {3});
  EXPECT_EQ(ix.pattern, BroadcastPattern::kSame);
  EXPECT_TRUE(ix.same);
  EXPECT_EQ(pick({6, 1, 8}, {6, 4, 8}).pattern, BroadcastPattern::kGeneral);  // stretched in the middle
  EXPECT_EQ(pick({6, 1}, {1, 8}).pattern, BroadcastPattern::kGeneral);        // both stretch
  EXPECT_EQ(pick({1, 4, 1}, {6, 4, 8}).pattern, BroadcastPattern::kGeneral);  // stretched on both sides
}

// out = a op b by an explicit walk over coordinates, independent of the library's indexer.
template <class T>
std::vector<T> naive_binary(char op, const Tensor& a, const Tensor& b) {
  const Shape so = broadcast_shapes("naive", a.shape(), b.shape());
  const std::vector<T> va = a.to_vector<T>(), vb = b.to_vector<T>();
  const int64_t n = shape_numel(so), rank = static_cast<int64_t>(so.size());
  auto offset = [&](const Shape& s, const std::vector<int64_t>& coord) {
    int64_t off = 0;
    for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d) {
      const int64_t size = s[static_cast<size_t>(d)];
      off = off * size + (size == 1 ? 0 : coord[static_cast<size_t>(d + rank - static_cast<int64_t>(s.size()))]);
    }
    return off;
  };
  std::vector<T> out(static_cast<size_t>(n));
  std::vector<int64_t> coord(static_cast<size_t>(rank));
  for (int64_t i = 0; i < n; ++i) {
    int64_t r = i;
    for (int64_t d = rank - 1; d >= 0; --d) {
      coord[static_cast<size_t>(d)] = r % so[static_cast<size_t>(d)];
      r /= so[static_cast<size_t>(d)];
    }
    const T x = va[static_cast<size_t>(offset(a.shape(), coord))], y = vb[static_cast<size_t>(offset(b.shape(), coord))];
    out[static_cast<size_t>(i)] = op == '+' ? x + y : op == '-' ? x - y : op == '*' ? x * y : x / y;
  }
  return out;
}

// Shapes hitting every pattern: odd periods (no packs), periods and sizes around the CPU grain (16384, so runs
// cross task boundaries) and around multiples of 4 (pack tails on the GPU), both operand orders, scalars.
const std::vector<Case>& pattern_cases() {
  static const std::vector<Case> cases = {
      {"mod_odd", {7, 5}, {5}},
      {"mod_left", {5}, {7, 5}},
      {"mod_crosses_tasks", {4099, 5}, {5}},
      {"mod_long_period", {3, 16387}, {16387}},
      {"mod_heads_packed", {1000, 4, 32}, {4, 32}},
      {"mod_period_4", {4097, 4}, {4}},
      {"mod_unit_dims", {2, 1, 3}, {1, 3}},
      {"div_heads_packed", {1000, 4, 32}, {1000, 4, 1}},
      {"div_left", {1000, 4, 1}, {1000, 4, 32}},
      {"div_odd_crosses_tasks", {2051, 3, 7}, {2051, 3, 1}},
      {"div_long_run", {3, 16389}, {3, 1}},
      {"div_two_dims", {17, 1, 1}, {17, 4, 8}},
      {"scalar", {5, 3}, {}},
      {"scalar_left", {1}, {4097, 5}},
      {"scalar_large", {16385}, {1}},
      {"same_packed", {4099, 4}, {4099, 4}},
      {"same_odd", {4097, 3}, {4097, 3}},
      {"same_unit_dims", {1, 3}, {3}},
      {"single", {1}, {1}},
      {"general_middle", {6, 1, 7}, {6, 5, 7}},
      {"general_both", {33, 1, 7}, {5, 7}},
  };
  return cases;
}

template <class T>
void expect_matches_naive(DType dtype) {
  using F = Tensor (*)(const Tensor&, const Tensor&);
  const std::vector<std::pair<char, F>> ops = {{'+', add}, {'-', sub}, {'*', mul}, {'/', div}};
  uint32_t seed = 100;
  for (const auto& c : pattern_cases()) {
    Tensor a = random_tensor(c.a, ++seed, -2, 2, dtype), b = random_tensor(c.b, ++seed, 0.5, 2, dtype);
    for (const auto& [ch, op] : ops) {
      // Bitwise: the fast paths do the same arithmetic per element as the naive loop.
      EXPECT_EQ(op(a, b).template to_vector<T>(), naive_binary<T>(ch, a, b)) << c.name << " " << ch;
      EXPECT_EQ(op(b, a).template to_vector<T>(), naive_binary<T>(ch, b, a)) << c.name << " swapped " << ch;
    }
  }
}

TEST(Binary, FastPathsMatchNaiveLoopFloat32) { expect_matches_naive<float>(kFloat32); }
TEST(Binary, FastPathsMatchNaiveLoopFloat64) { expect_matches_naive<double>(kFloat64); }

// A view starting one element into its storage: the GPU must leave the 16-byte packs for the scalar path.
Tensor unaligned(const Tensor& x) {
  Tensor big = empty({x.numel() + 1}, x.dtype(), x.device());
  Tensor v = big.narrow_rows(1, x.numel() + 1).view(x.shape());
  v.copy_(x);
  return v;
}

TEST(Binary, UnalignedOperandsMatchNaiveLoop) {
  Tensor a = random_tensor({1000, 4, 32}, 1, -2, 2, kFloat32), b = random_tensor({4, 32}, 2, 0.5, 2, kFloat32);
  Tensor r = random_tensor({1000, 4, 1}, 3, 0.5, 2, kFloat32);
  EXPECT_EQ(mul(unaligned(a), b).to_vector<float>(), naive_binary<float>('*', a, b));
  EXPECT_EQ(mul(a, unaligned(b)).to_vector<float>(), naive_binary<float>('*', a, b));
  EXPECT_EQ(div(unaligned(a), r).to_vector<float>(), naive_binary<float>('/', a, r));
  EXPECT_EQ(add(unaligned(a), a).to_vector<float>(), naive_binary<float>('+', a, a));
  uint32_t seed = 300;
  for (const auto& c : pattern_cases()) {
    Tensor x = random_tensor(c.a, ++seed, -2, 2), y = random_tensor(c.b, ++seed, 0.5, 2);
    EXPECT_EQ(sub(unaligned(x), y).to_vector<double>(), naive_binary<double>('-', x, y)) << c.name;
    EXPECT_EQ(sub(x, unaligned(y)).to_vector<double>(), naive_binary<double>('-', x, y)) << c.name;
  }
}

// Bitwise equality of two tensors of one dtype through host() (float32 widens to float64 exactly).
TEST(Binary, FastPathsCpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  using F = Tensor (*)(const Tensor&, const Tensor&);
  uint32_t seed = 200;
  for (DType dtype : {kFloat32, kFloat64}) {
    for (const auto& c : pattern_cases()) {
      Tensor a = random_tensor(c.a, ++seed, -2, 2, dtype), b = random_tensor(c.b, ++seed, 0.5, 2, dtype);
      for (F op : {add, sub, mul, div}) {
        // IEEE add/sub/mul/div round the same on both devices, so the results agree bit for bit.
        EXPECT_EQ(host(op(a.cuda(), b.cuda())), host(op(a, b))) << c.name;
        EXPECT_EQ(host(op(b.cuda(), a.cuda())), host(op(b, a))) << c.name << " swapped";
        EXPECT_EQ(host(op(unaligned(a.cuda()), b.cuda())), host(op(a, b))) << c.name << " unaligned a";
        EXPECT_EQ(host(op(a.cuda(), unaligned(b.cuda()))), host(op(a, b))) << c.name << " unaligned b";
      }
    }
  }
}

}  // namespace
}  // namespace loom
