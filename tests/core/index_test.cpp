// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// index_select and index_add: values by hand (duplicates, empty index, int32/int64), errors naming the position and
// value, gradients, bitwise determinism across runs and thread counts, and CPU against CUDA.
#include <gmock/gmock.h>

#include <random>

#include "core/detail/int_bounds.h"
#include "core/ops/index.h"
#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::i32;
using testing::i64;
using testing::random_tensor;

TEST(Index, SelectHandComputed) {
  Tensor x = from_vector<float>({0, 1, 10, 11, 20, 21}, {3, 2});
  EXPECT_EQ(index_select(x, i64({2, 0, 2})).to_vector<float>(), (std::vector<float>{20, 21, 0, 1, 20, 21}));
  EXPECT_EQ(index_select(x, i32({1})).to_vector<float>(), (std::vector<float>{10, 11}));
  Tensor e = index_select(x, i64({}));
  EXPECT_EQ(e.shape(), (Shape{0, 2}));
  // Rank 1 and rank 3 inputs; integer values move too.
  EXPECT_EQ(index_select(from_vector<int64_t>({5, 6, 7}), i32({2, 2, 0})).to_vector<int64_t>(),
            (std::vector<int64_t>{7, 7, 5}));
  Tensor y = from_vector<double>({0, 1, 2, 3, 4, 5, 6, 7}, {2, 2, 2});
  EXPECT_EQ(index_select(y, i64({1})).shape(), (Shape{1, 2, 2}));
  EXPECT_EQ(index_select(y, i64({1})).to_vector<double>(), (std::vector<double>{4, 5, 6, 7}));
}

TEST(Index, AddHandComputedWithDuplicates) {
  Tensor x = from_vector<float>({1, 1, 2, 2, 3, 3}, {3, 2});
  Tensor src = from_vector<float>({10, 20, 30, 40, 50, 60, 70, 80}, {4, 2});
  // Row 0 gets src rows 1 and 3; row 2 gets src row 0; src row 2 goes to row 0 as well.
  Tensor out = index_add(x, i64({2, 0, 0, 0}), src);
  EXPECT_EQ(out.to_vector<float>(), (std::vector<float>{1 + 30 + 50 + 70, 1 + 40 + 60 + 80, 2, 2, 13, 23}));
  EXPECT_EQ(index_add(x, i32({2, 0, 0, 0}), src).to_vector<float>(), out.to_vector<float>());
  // x itself is unchanged; an empty index gives a copy of x.
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{1, 1, 2, 2, 3, 3}));
  EXPECT_EQ(index_add(x, i64({}), zeros({0, 2})).to_vector<float>(), x.to_vector<float>());
}

TEST(Index, OutOfRangeAndBadArguments) {
  Tensor x = zeros({5, 2});
  EXPECT_THAT([&] { index_select(x, i64({0, 4, 5, -1})); },
              ThrowsMessage<IndexError>(HasSubstr("index_select: index[2] = 5 is out of range for 'x' with 5 rows")));
  EXPECT_THAT([&] { index_select(x, i32({1, -1})); },
              ThrowsMessage<IndexError>(HasSubstr("index_select: index[1] = -1 is out of range")));
  EXPECT_THAT([&] { index_add(x, i64({7}), zeros({1, 2})); },
              ThrowsMessage<IndexError>(HasSubstr("index_add: index[0] = 7 is out of range for 'x' with 5 rows")));
  EXPECT_THAT([&] { index_select(zeros({0, 2}), i64({0})); },
              ThrowsMessage<IndexError>(HasSubstr("index[0] = 0 is out of range for 'x' with 0 rows")));
  EXPECT_THAT([&] { index_select(x, from_vector<float>({1, 2})); },
              ThrowsMessage<DTypeError>(HasSubstr("index_select: 'index' must be int32 or int64, got float32")));
  EXPECT_THAT([&] { index_select(x, from_vector<int64_t>({1, 2}, {1, 2})); },
              ThrowsMessage<ShapeError>(HasSubstr("'index' must have rank 1, got shape [1, 2]")));
  EXPECT_THAT([&] { index_add(x, i64({1, 2}), zeros({3, 2})); },
              ThrowsMessage<ShapeError>(HasSubstr("index_add: 'src' must have shape [2, 2] (one row of x per index), got [3, 2]")));
  EXPECT_THAT([&] { index_add(x, i64({1}), zeros({1, 2}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("index_add: 'x' is float32 [5, 2] but 'src' is float64 [1, 2]")));
  // A bad index far into a long index (past the first validation block).
  std::vector<int64_t> many(200000, 1);
  many[150001] = 99;
  EXPECT_THAT([&] { index_select(x, i64(many)); },
              ThrowsMessage<IndexError>(HasSubstr("index[150001] = 99 is out of range")));
}

TEST(Index, Gradchecks) {
  Tensor x = random_tensor({5, 3}, 71);
  for (Tensor index : {i64({4, 0, 4, 2, 4}), i32({1, 1}), i64({})}) {
    EXPECT_TRUE(testing::gradcheck([index](const std::vector<Tensor>& in) { return index_select(in[0], index); }, {x}));
    Tensor src = random_tensor({index.numel(), 3}, 72);
    EXPECT_TRUE(testing::gradcheck(
        [index](const std::vector<Tensor>& in) { return index_add(in[0], index, in[1]); }, {x, src}));
  }
  Tensor x3 = random_tensor({4, 2, 3}, 73);
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return index_select(in[0], i64({3, 3, 0})); },
                                 {x3}));
}

// A large index with heavy duplication: many sources per destination, in scrambled order.
struct Big {
  Tensor x, src, index;
};
Big make_big(DType index_dtype) {
  std::mt19937 gen(74);
  std::uniform_int_distribution<int64_t> pick(0, 99);
  std::vector<int64_t> v(50000);
  for (auto& i : v) i = pick(gen);
  Tensor index = from_vector<int64_t>(v, {50000});
  if (index_dtype == kInt32) {
    std::vector<int32_t> w(v.begin(), v.end());
    index = from_vector<int32_t>(w, {50000});
  }
  return {random_tensor({100, 8}, 75, -1, 1, kFloat32), random_tensor({50000, 8}, 76, -1, 1, kFloat32), index};
}

TEST(Index, AddIsBitwiseDeterministicAcrossRunsAndThreadCounts) {
  Big b = make_big(kInt64);
  const std::vector<float> one =
      testing::with_threads(1, [&] { return index_add(b.x, b.index, b.src).to_vector<float>(); });
  EXPECT_EQ(one, index_add(b.x, b.index, b.src).to_vector<float>());
  EXPECT_EQ(one, index_add(b.x, b.index, b.src).to_vector<float>());
  // Sources are added in increasing position: the same as a sequential loop.
  std::vector<float> want = b.x.to_vector<float>(), s = b.src.to_vector<float>();
  std::vector<int64_t> iv = b.index.to_vector<int64_t>();
  for (size_t i = 0; i < iv.size(); ++i)
    for (size_t c = 0; c < 8; ++c) want[static_cast<size_t>(iv[i]) * 8 + c] += s[i * 8 + c];
  EXPECT_EQ(one, want);
  Big b32 = make_big(kInt32);
  EXPECT_EQ(index_add(b32.x, b32.index, b32.src).to_vector<float>(), one);
}

TEST(Index, CpuMatchesCudaForwardAndBackward) {
  LOOM_REQUIRE_CUDA();
  for (DType it : {kInt64, kInt32}) {
    Big b = make_big(it);
    Tensor xg = b.x.cuda(), sg = b.src.cuda(), ig = b.index.cuda();
    Tensor cpu = index_add(b.x, b.index, b.src), gpu = index_add(xg, ig, sg);
    // Same order of additions on both devices: bitwise equal, and across runs.
    EXPECT_EQ(gpu.cpu().to_vector<float>(), cpu.to_vector<float>());
    EXPECT_EQ(index_add(xg, ig, sg).cpu().to_vector<float>(), gpu.cpu().to_vector<float>());
    Tensor sel = index_select(b.x, b.index);
    EXPECT_EQ(index_select(xg, ig).cpu().to_vector<float>(), sel.to_vector<float>());
    EXPECT_EQ(index_select(xg, i32({}, kCUDA)).shape(), (Shape{0, 8}));
    EXPECT_EQ(index_add(xg, i32({}, kCUDA), zeros({0, 8}, kFloat32, kCUDA)).cpu().to_vector<float>(),
              b.x.to_vector<float>());
    // Gradients of index_select (an index_add) and of index_add (an index_select).
    Tensor xc = b.x.clone().detach().set_requires_grad(true), xgg = xg.detach().set_requires_grad(true);
    Tensor dy = random_tensor({50000, 8}, 77, -1, 1, kFloat32);
    index_select(xc, b.index).backward(dy);
    index_select(xgg, ig).backward(dy.cuda());
    EXPECT_EQ(xgg.grad().cpu().to_vector<float>(), xc.grad().to_vector<float>());
    Tensor sc = b.src.clone().detach().set_requires_grad(true), sgg = sg.detach().set_requires_grad(true);
    Tensor dz = random_tensor({100, 8}, 78, -1, 1, kFloat32);
    index_add(b.x, b.index, sc).backward(dz);
    index_add(xg, ig, sgg).backward(dz.cuda());
    EXPECT_EQ(sgg.grad().cpu().to_vector<float>(), sc.grad().to_vector<float>());
    // Device-side validation names the first bad position and its value.
    std::vector<int64_t> bad(300000, 3);
    bad[123457] = -2;
    bad[200000] = 1000;
    Tensor bad_index = i64(bad).to(kCUDA);
    if (it == kInt32) bad_index = from_vector<int32_t>(std::vector<int32_t>(bad.begin(), bad.end()), {300000}, kCUDA);
    EXPECT_THAT([&] { index_select(xg, bad_index); },
                ThrowsMessage<IndexError>(HasSubstr("index_select: index[123457] = -2 is out of range for 'x' with 100 rows")));
    EXPECT_THAT([&] { index_add(xg, i64({100}, kCUDA), zeros({1, 8}, kFloat32, kCUDA)); },
                ThrowsMessage<IndexError>(HasSubstr("index_add: index[0] = 100 is out of range")));
    EXPECT_THAT([&] { index_select(xg, b.index); }, ThrowsMessage<DeviceError>(HasSubstr("'x' is on cuda")));
  }
}

// Known bounds (core/detail/int_bounds.h): remembered over a whole storage, shared by its views, dropped by writes.
TEST(IndexBounds, RememberedSharedAndDropped) {
  Tensor a = from_vector<int64_t>({3, 0, 7});
  EXPECT_FALSE(detail::known_in_range(a, 100));  // nothing known until a check passes
  detail::note_in_range(a, 8);
  EXPECT_TRUE(detail::known_in_range(a, 8));
  EXPECT_TRUE(detail::known_in_range(a, 100));
  EXPECT_FALSE(detail::known_in_range(a, 7));
  EXPECT_TRUE(detail::known_in_range(a.narrow_rows(1, 3), 8));  // a view's values are some of the storage's
  detail::note_in_range(a, 100);  // a looser bound never replaces a tighter one
  EXPECT_FALSE(detail::known_in_range(a, 7));
  a.copy_(from_vector<int64_t>({9, 9, 9}));
  EXPECT_FALSE(detail::known_in_range(a, 100));
  detail::note_in_range(a, 10);
  a.fill_(-1);
  EXPECT_FALSE(detail::known_in_range(a, 100));
  // A check of part of a storage says nothing of the rest.
  Tensor b = from_vector<int64_t>({1, 2, 300, 4});
  detail::note_in_range(b.narrow_rows(0, 2), 3);
  EXPECT_FALSE(detail::known_in_range(b, 1000));
  EXPECT_FALSE(detail::known_in_range(b.narrow_rows(0, 2), 3));
}

TEST(IndexBounds, FromHostArrays) {
  std::vector<int64_t> v(200000, 5);
  v[199999] = 70000;  // the maximum in the last block of the scan
  Tensor d = empty({200000}, kInt64);
  detail::record_host_bounds(d, v.data());
  EXPECT_TRUE(detail::known_in_range(d, 70001));
  EXPECT_FALSE(detail::known_in_range(d, 70000));
  v[3] = -1;  // a negative value: no bound of the form [0, B)
  Tensor n = empty({200000}, kInt64);
  detail::record_host_bounds(n, v.data());
  EXPECT_FALSE(detail::known_in_range(n, INT64_MAX));
  std::vector<int64_t> top{0, INT64_MAX};
  Tensor t = empty({2}, kInt64);
  detail::record_host_bounds(t, top.data());
  EXPECT_FALSE(detail::known_in_range(t, INT64_MAX));
  std::vector<int32_t> w{4, 2};
  Tensor d32 = empty({2}, kInt32);
  detail::record_host_bounds(d32, w.data());
  EXPECT_TRUE(detail::known_in_range(d32, 5));
  EXPECT_FALSE(detail::known_in_range(d32, 4));
  std::vector<float> f{1.0f, 2.0f};
  Tensor df = empty({2}, kFloat32);
  detail::record_host_bounds(df, f.data());
  EXPECT_FALSE(detail::known_in_range(df, 100));
  // Only a fresh, whole tensor takes the bounds of the array it was copied from.
  Tensor whole = empty({4}, kInt64);
  detail::record_host_bounds(whole.narrow_rows(0, 2), v.data() + 10);
  EXPECT_FALSE(detail::known_in_range(whole, 100));
}

// On the GPU: an index uploaded from the host is never searched on the device again (no wait for the host), a
// device-made one once, and a write in place brings the search back, so a bad value is still named.
TEST(IndexBounds, CudaUploadsSkipTheDeviceSearch) {
  LOOM_REQUIRE_CUDA();
  Tensor x = random_tensor({100, 8}, 5, -1, 1, kFloat32).cuda().set_requires_grad(true);
  Tensor up = from_vector<int64_t>({0, 99, 5, 5}).to(kCUDA), vec = from_vector<int64_t>({1, 2}, {2}, kCUDA);
  EXPECT_TRUE(detail::known_in_range(up, 100));
  EXPECT_TRUE(detail::known_in_range(vec, 3));
  const int64_t before = detail::device_index_passes();
  for (int i = 0; i < 5; ++i) {
    index_select(x, up).backward(ones({4, 8}, kFloat32, kCUDA));  // forward, and index_add in the backward
    index_select(x, up.narrow_rows(1, 3));
    index_select(x, vec);
  }
  EXPECT_EQ(detail::device_index_passes(), before);
  EXPECT_EQ(x.grad().cpu().to_vector<float>()[99 * 8], 5.0f);  // the skipped checks changed no result
  // Made on the device: searched on first use, remembered after.
  Tensor made = topk(random_tensor({1, 100}, 6, -1, 1, kFloat32).cuda(), 10).indices.reshape({10}).detach();
  index_select(x, made);
  EXPECT_EQ(detail::device_index_passes(), before + 1);
  index_select(x, made);
  EXPECT_EQ(detail::device_index_passes(), before + 1);
  // Writes in place drop what was known.
  up.copy_(from_vector<int64_t>({0, 1, 2, 100}).to(kCUDA));
  EXPECT_THAT([&] { index_select(x, up); },
              ThrowsMessage<IndexError>(HasSubstr("index_select: index[3] = 100 is out of range for 'x' with 100 rows")));
  made.fill_(-3);
  EXPECT_THAT([&] { index_select(x, made); }, ThrowsMessage<IndexError>(HasSubstr("index[0] = -3")));
  // A bound known for more rows than x has is no excuse: the search runs and names the value.
  Tensor wide = from_vector<int64_t>({1, 99}).to(kCUDA);
  EXPECT_TRUE(detail::known_in_range(wide, 100));
  EXPECT_THAT([&] { index_select(x.detach().narrow_rows(0, 50), wide); },
              ThrowsMessage<IndexError>(HasSubstr("index[1] = 99 is out of range for 'x' with 50 rows")));
}

}  // namespace
}  // namespace loom
