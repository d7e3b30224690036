// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The host block cache (core/tensor/host_cache.h): large blocks rounded up to 2 MiB, free lists by size, a bounded
// total ($LOOM_HOST_CACHE_MB, default 4096; 0 turns the cache off), loom::cpu::empty_cache() to give it all back.
#include "core/tensor/host_cache.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include "loom/core/device.h"
#include "core/detail/env.h"
#include "loom/core/error.h"

namespace loom::detail {

namespace {

constexpr size_t kMinBytes = size_t{1} << 20;  // below this glibc's own free lists do well
constexpr size_t kGranule = size_t{2} << 20;

// Read on the first allocation (which may throw), never first in host_free (which must not): a bad value is a
// ValueError naming the variable. 1 TiB is far above any host this runs on and keeps the shift in range.
size_t cache_limit() {
  static const size_t limit = static_cast<size_t>(env_int("LOOM_HOST_CACHE_MB", 0, int64_t{1} << 20).value_or(4096))
                              << 20;
  return limit;
}

struct Cache {
  std::mutex mutex;
  std::multimap<size_t, void*> free_blocks;  // rounded size -> block
  size_t cached = 0;
};
Cache& cache() {
  static Cache* c = new Cache;  // never destroyed: tensors freed during static destruction still find it
  return *c;
}

size_t rounded(size_t n) { return n >= kMinBytes ? (n + kGranule - 1) / kGranule * kGranule : (n + 63) / 64 * 64; }

}  // namespace

void* host_alloc(size_t nbytes) {
  (void)cache_limit();
  const size_t size = rounded(nbytes);
  if (size >= kMinBytes) {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    // The smallest cached block that fits and wastes at most a quarter of itself.
    auto it = c.free_blocks.lower_bound(size);
    if (it != c.free_blocks.end() && it->first <= size + size / 4) {
      void* p = it->second;
      c.cached -= it->first;
      c.free_blocks.erase(it);
      return p;
    }
  }
  void* p = std::aligned_alloc(64, size);
  LOOM_CHECK(p != nullptr, Error, "out of host memory allocating ", nbytes, " bytes");
  return p;
}

void host_free(void* ptr, size_t nbytes) noexcept {
  if (ptr == nullptr) return;
  const size_t size = rounded(nbytes);
  if (size >= kMinBytes) {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.cached + size <= cache_limit()) {
      // The block keeps its rounded size: a later request of up to that size may reuse it.
      c.free_blocks.emplace(size, ptr);
      c.cached += size;
      return;
    }
  }
  std::free(ptr);
}

}  // namespace loom::detail

namespace loom::cpu {

void empty_cache() {
  detail::Cache& c = detail::cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto& [size, p] : c.free_blocks) std::free(p);
  c.free_blocks.clear();
  c.cached = 0;
}

int64_t cached_bytes() {
  detail::Cache& c = detail::cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return static_cast<int64_t>(c.cached);
}

}  // namespace loom::cpu
