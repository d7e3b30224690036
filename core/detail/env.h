// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Environment variables Loom reads, parsed and validated in one place: a bad value is a ValueError naming the
// variable, what it holds and what is allowed (never std::stoull's bare exception escaping a noexcept path).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace loom::detail {

// The variable's value, or nullopt when it is unset. A set but empty variable is an error: it is almost always a
// script that meant to set it and did not.
std::optional<std::string> env_string(const char* name);

// A whole number in [lo, hi] (decimal digits only), or nullopt when unset.
std::optional<int64_t> env_int(const char* name, int64_t lo, int64_t hi);

}  // namespace loom::detail
