// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// ThreadSanitizer builds only (scripts/test-tsan.sh puts scripts/tsan/ first on the include path): a serial stand-in
// for oneTBB's parallel_for, so each loop runs inline on the thread that called it. Debian's libtbb is not
// instrumented; TSan cannot see how TBB hands task objects and output rows between threads and reports hundreds of
// false races inside TBB's scheduler (even with one calling thread). With this header the only threads are the
// ones the tests start, and what TSan checks is the sharing between them: models, graphs, caches.
#pragma once
#include <oneapi/tbb/blocked_range.h>

// oneapi::tbb is an alias of ::tbb (oneapi/tbb/detail/_namespace_injection.h).
namespace tbb {
template <class Range, class Body>
void parallel_for(const Range& range, const Body& body) {
  body(range);
}
template <class Range, class Body, class Partitioner>
void parallel_for(const Range& range, const Body& body, const Partitioner&) {
  body(range);
}
}  // namespace tbb
