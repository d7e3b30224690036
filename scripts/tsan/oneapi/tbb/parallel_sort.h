// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// ThreadSanitizer builds only: a serial stand-in for oneTBB's parallel_sort (see parallel_for.h here for why).
#pragma once
#include <algorithm>

// oneapi::tbb is an alias of ::tbb (oneapi/tbb/detail/_namespace_injection.h).
namespace tbb {
template <class It>
void parallel_sort(It begin, It end) {
  std::sort(begin, end);
}
template <class It, class Compare>
void parallel_sort(It begin, It end, const Compare& compare) {
  std::sort(begin, end, compare);
}
}  // namespace tbb
