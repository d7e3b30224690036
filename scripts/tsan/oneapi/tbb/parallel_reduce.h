// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// ThreadSanitizer builds only: a serial stand-in for oneTBB's parallel_reduce (see parallel_for.h here for why).
#pragma once
#include <oneapi/tbb/blocked_range.h>

// oneapi::tbb is an alias of ::tbb (oneapi/tbb/detail/_namespace_injection.h).
namespace tbb {
template <class Range, class Value, class RealBody, class Reduction>
Value parallel_reduce(const Range& range, const Value& identity, const RealBody& body, const Reduction&) {
  return body(range, identity);
}
}  // namespace tbb
