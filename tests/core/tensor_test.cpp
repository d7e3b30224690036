// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Tensor handles: factories, metadata, views, conversions, in-place updates and their errors.
#include <gmock/gmock.h>

#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(Tensor, FactoriesAndMetadata) {
  Tensor t = full({2, 3}, 1.5, kFloat64);
  EXPECT_EQ(t.dim(), 2);
  EXPECT_EQ(t.size(-1), 3);
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.nbytes(), 48u);
  EXPECT_EQ(t.str(), "float64[2, 3] on cpu");
  for (double v : t.to_vector<double>()) EXPECT_EQ(v, 1.5);
  EXPECT_EQ(arange(5).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(scalar_tensor(7.0, kInt32).item<int32_t>(), 7);
  EXPECT_EQ(zeros({0, 4}).numel(), 0);
}

TEST(Tensor, ErrorsNameWhatIsWrong) {
  EXPECT_THAT([] { empty({1, 2, 3, 4, 5}); }, ThrowsMessage<ShapeError>(HasSubstr("rank 5 exceeds")));
  Tensor t = zeros({2, 3});
  EXPECT_THAT([&] { t.data<double>(); }, ThrowsMessage<DTypeError>(HasSubstr("float32[2, 3]")));
  EXPECT_THAT([&] { t.view({4, 2}); }, ThrowsMessage<ShapeError>(HasSubstr("cannot view [2, 3]")));
  EXPECT_THAT([&] { t.item<float>(); }, ThrowsMessage<ShapeError>(HasSubstr("6 elements")));
  EXPECT_THAT([&] { t.narrow_rows(1, 3); }, ThrowsMessage<IndexError>(HasSubstr("out of range for 2 rows")));
  EXPECT_THAT([] { from_vector<float>({1, 2, 3}, {2, 2}); }, ThrowsMessage<ShapeError>(HasSubstr("3 values")));
  EXPECT_THAT([] { Device::parse("tpu"); }, ThrowsMessage<ValueError>(HasSubstr("unknown device 'tpu'")));
  Tensor a = zeros({2, 3}), b = zeros({2, 3}, kFloat64);
  EXPECT_THAT([&] { add(a, b); }, ThrowsMessage<DTypeError>(HasSubstr("'a' is float32 [2, 3] but 'b' is float64")));
}

TEST(Tensor, ViewsShareStorage) {
  Tensor t = from_vector<float>({0, 1, 2, 3, 4, 5}, {3, 2});
  Tensor v = t.view({-1});
  EXPECT_EQ(v.shape(), (Shape{6}));
  Tensor rows = t.narrow_rows(1, 3);
  EXPECT_EQ(rows.to_vector<float>(), (std::vector<float>{2, 3, 4, 5}));
  rows.fill_(9);
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{0, 1, 9, 9, 9, 9}));
}

TEST(Tensor, ConversionsAndInPlace) {
  Tensor t = from_vector<double>({1.25, -2.5, 3.0});
  EXPECT_EQ(t.to(kFloat32).to_vector<float>(), (std::vector<float>{1.25f, -2.5f, 3.0f}));
  EXPECT_EQ(t.to(kInt64).to_vector<int64_t>(), (std::vector<int64_t>{1, -2, 3}));
  Tensor c = t.clone();
  c.add_(t, 2.0);
  EXPECT_EQ(c.to_vector<double>(), (std::vector<double>{3.75, -7.5, 9.0}));
  c.mul_(2.0);
  EXPECT_EQ(c.to_vector<double>(), (std::vector<double>{7.5, -15.0, 18.0}));
  EXPECT_EQ(t.to_vector<double>(), (std::vector<double>{1.25, -2.5, 3.0}));  // clone did not alias
}

TEST(Tensor, LargeHostBlocksAreCachedAndReused) {
  cpu::empty_cache();
  EXPECT_EQ(cpu::cached_bytes(), 0);
  const void* first;
  {
    Tensor a = full({1 << 20, 3}, 1.5);  // 12 MiB: above the 1 MiB cache floor
    first = a.data<float>();
  }
  EXPECT_GE(cpu::cached_bytes(), 12 << 20);
  {
    Tensor b = zeros({3 << 20});  // the same size: the cached block comes back, and factories still fill it
    EXPECT_EQ(static_cast<const void*>(b.data<float>()), first);
    EXPECT_EQ(b.to_vector<float>()[12345], 0.0f);
    EXPECT_EQ(cpu::cached_bytes(), 0);
  }
  {
    Tensor small = ones({100});  // small blocks bypass the cache
    EXPECT_EQ(small.to_vector<float>()[99], 1.0f);
  }
  cpu::empty_cache();
  EXPECT_EQ(cpu::cached_bytes(), 0);
}

TEST(Tensor, CudaRoundTrip) {
  LOOM_REQUIRE_CUDA();
  Tensor t = testing::random_tensor({5, 7}, 1, -1, 1, kFloat32);
  Tensor g = t.cuda();
  EXPECT_TRUE(g.is_cuda());
  EXPECT_EQ(g.cpu().to_vector<float>(), t.to_vector<float>());
  EXPECT_EQ(g.to(kFloat64).cpu().to_vector<double>(), t.to(kFloat64).to_vector<double>());
  EXPECT_EQ(full({3}, 2.5, kFloat32, kCUDA).to_vector<float>(), (std::vector<float>{2.5f, 2.5f, 2.5f}));
  const auto before = cuda::memory_stats();
  { Tensor big = empty({1 << 20}, kFloat32, kCUDA); }
  { Tensor again = empty({1 << 20}, kFloat32, kCUDA); }  // reuses the cached block
  EXPECT_EQ(cuda::memory_stats().reserved - before.reserved, 4 << 20);
}

TEST(Tensor, DeviceMismatchIsAnError) {
  LOOM_REQUIRE_CUDA();
  Tensor a = zeros({2}), b = zeros({2}, kFloat32, kCUDA);
  EXPECT_THAT([&] { add(a, b); }, ThrowsMessage<DeviceError>(HasSubstr("'a' is on cpu but 'b' is on cuda:0")));
}

}  // namespace
}  // namespace loom
