// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Out-of-line pieces of loom/core/error.h.
#include "loom/core/checked.h"
#include "loom/core/error.h"

namespace loom::detail {

void internal_assert_fail(const char* expr, const char* file, int line, const std::string& msg) {
  throw Error(str_cat("internal error (a Loom bug, please report): ", expr, " failed at ", file, ":", line,
                      msg.empty() ? "" : ": ", msg));
}

}  // namespace loom::detail

namespace loom {

int64_t checked_mul(int64_t a, int64_t b, const std::string& what) {
  int64_t r = 0;
  LOOM_CHECK(a >= 0 && b >= 0 && !__builtin_mul_overflow(a, b, &r), ValueError, what, ": ", a, " x ", b,
             a < 0 || b < 0 ? " is negative" : " overflows a 64-bit count");
  return r;
}

int64_t checked_add(int64_t a, int64_t b, const std::string& what) {
  int64_t r = 0;
  LOOM_CHECK(a >= 0 && b >= 0 && !__builtin_add_overflow(a, b, &r), ValueError, what, ": ", a, " + ", b,
             a < 0 || b < 0 ? " is negative" : " overflows a 64-bit count");
  return r;
}

}  // namespace loom
