// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU parallel loops on oneTBB. Each index range is written by exactly one task, so results never depend on the
// schedule; reductions that cross tasks use fixed blocks (deterministic_sum) so they do not depend on it either.
#pragma once
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include <cstdint>
#include <vector>

namespace loom::detail {

// f(begin, end) over [0, n) in chunks of at least `grain` elements; runs inline when n is small.
template <class F>
void parallel_for(int64_t n, int64_t grain, F&& f) {
  if (n <= 0) return;
  if (n <= grain) {
    f(int64_t{0}, n);
    return;
  }
  oneapi::tbb::parallel_for(oneapi::tbb::blocked_range<int64_t>(0, n, grain),
                            [&](const oneapi::tbb::blocked_range<int64_t>& r) { f(r.begin(), r.end()); });
}

// Sum of g(i) for i in [0, n) with a fixed blocking: bitwise identical for any thread count.
template <class Acc, class G>
Acc deterministic_sum(int64_t n, G&& g) {
  constexpr int64_t kBlock = 4096;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<Acc> partial(static_cast<size_t>(blocks), Acc(0));
  parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      Acc s(0);
      const int64_t end = (b + 1) * kBlock < n ? (b + 1) * kBlock : n;
      for (int64_t i = b * kBlock; i < end; ++i) s += g(i);
      partial[static_cast<size_t>(b)] = s;
    }
  });
  Acc total(0);
  for (Acc p : partial) total += p;
  return total;
}

}  // namespace loom::detail
