// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A one-row query (and a single-thread batch) allocates nothing once its thread's scratch is warm: this program counts every operator new
// (its own executable, so that the replacement touches no other suite).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "loom/runtime/runtime.h"
#include "model_writer.h"
#include "test_util.h"

namespace {
std::atomic<long> allocations{0};
}

void* operator new(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace loom::runtime::testing {
namespace {

TEST(RuntimeHotPath, OneRowQueriesDoNotAllocate) {
  const std::string path = temp_path("alloc.loom");
  write_file(path, serialize(Builder(128, 7, true).linear(128).act("relu").batch_norm().linear_int8(7).build()));
  const Model m = Model::load(path);
  const std::vector<float> x = random_input(16, 128);
  float logits[7], p[7];
  std::vector<float> batch(16 * 7);
  int32_t c = 0;
  m.predict(x.data(), 1, &c, p);  // warms this thread's scratch
  ASSERT_GT(allocations.load(), 0) << "the replacement operator new is not in use";
  const long before = allocations.load();
  for (int i = 0; i < 1000; ++i) {
    m.predict(x.data() + (i % 16) * 128, 1, &c, p);
    m.predict(x.data() + (i % 16) * 128, 1, &c, nullptr);
    m.logits(x.data() + (i % 16) * 128, 1, logits);
  }
  m.logits(x.data(), 16, batch.data());  // a single-thread batch reuses the same scratch
  EXPECT_EQ(allocations.load() - before, 0);
}

}  // namespace
}  // namespace loom::runtime::testing
