// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
#include "core/detail/env.h"

#include <cstdlib>

#include "loom/core/error.h"

namespace loom::detail {

std::optional<std::string> env_string(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  LOOM_CHECK(*v != '\0', ValueError, "environment variable ", name, " is set but empty: unset it or give a value");
  return std::string(v);
}

std::optional<int64_t> env_int(const char* name, int64_t lo, int64_t hi) {
  const std::optional<std::string> s = env_string(name);
  if (!s) return std::nullopt;
  int64_t value = 0;
  bool ok = s->size() <= 19;
  for (char c : *s) {
    if (c < '0' || c > '9' || __builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, c - '0', &value)) {
      ok = false;
      break;
    }
  }
  LOOM_CHECK(ok && value >= lo && value <= hi, ValueError, "environment variable ", name, "='", *s,
             "' is not a whole number in [", lo, ", ", hi, "]");
  return value;
}

}  // namespace loom::detail
