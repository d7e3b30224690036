// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Known integer bounds of storages (core/detail/int_bounds.h).
#include "core/detail/int_bounds.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"

namespace loom::detail {

namespace {

bool covers_storage(const Tensor& t) {
  const TensorImpl& impl = *t.impl();
  return impl.offset == 0 && t.nbytes() == impl.storage->nbytes;
}

}  // namespace

bool known_in_range(const Tensor& index, int64_t bound) {
  const int64_t b = index.impl()->storage->nonneg_below.load(std::memory_order_relaxed);
  return b > 0 && b <= bound;
}

void note_in_range(const Tensor& index, int64_t bound) {
  if (bound <= 0 || index.numel() == 0 || !covers_storage(index)) return;
  std::atomic<int64_t>& b = index.impl()->storage->nonneg_below;
  const int64_t old = b.load(std::memory_order_relaxed);
  if (old == 0 || bound < old) b.store(bound, std::memory_order_relaxed);
}

void record_host_bounds(const Tensor& device_copy, const void* host) {
  const DType t = device_copy.dtype();
  const int64_t n = device_copy.numel();
  if ((t != kInt64 && t != kInt32) || n == 0 || !covers_storage(device_copy)) return;
  const int64_t below = dispatch_index(t, "bounds", [&]<class I>() -> int64_t {
    const I* p = static_cast<const I*>(host);
    const int64_t block = 1 << 16, blocks = (n + block - 1) / block;
    std::vector<int64_t> lo(static_cast<size_t>(blocks)), hi(static_cast<size_t>(blocks));
    parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        const I* s = p + b * block;
        const auto [mn, mx] = std::minmax_element(s, p + std::min(n, (b + 1) * block));
        lo[static_cast<size_t>(b)] = static_cast<int64_t>(*mn);
        hi[static_cast<size_t>(b)] = static_cast<int64_t>(*mx);
      }
    });
    const int64_t top = *std::max_element(hi.begin(), hi.end());
    if (*std::min_element(lo.begin(), lo.end()) < 0 || top == INT64_MAX) return 0;  // no bound of this form
    return top + 1;
  });
  device_copy.impl()->storage->nonneg_below.store(below, std::memory_order_relaxed);
}

void forget_bounds(const Tensor& t) {
  if (t.defined()) t.impl()->storage->nonneg_below.store(0, std::memory_order_relaxed);
}

}  // namespace loom::detail
