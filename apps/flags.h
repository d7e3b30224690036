// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Checks for the command line's numeric flags. CLI11's Range and PositiveNumber let NaN through (every comparison
// with NaN is false) and print ranges as 309-digit doubles; these refuse NaN and infinities and say the range
// the way a person writes it. CLI11 puts the flag's name in front of the message.
#pragma once
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

namespace loom::cli {

// A finite number in [lo, hi] (lo excluded when lo_open).
inline CLI::Validator finite_in(double lo, double hi, bool lo_open = false) {
  std::ostringstream range;
  range << (lo_open ? "(" : "[") << lo << ", " << hi << "]";
  const std::string r = range.str();
  return CLI::Validator(
      [lo, hi, lo_open, r](std::string& s) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size()) return "'" + s + "' is not a number";
        if (!std::isfinite(v) || v < lo || v > hi || (lo_open && v == lo))
          return "must be a finite number in " + r + ", got " + s;
        return {};
      },
      "in " + r);
}

// A whole number in [lo, hi].
inline CLI::Validator whole_in(int64_t lo, int64_t hi) {
  const std::string r = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, r](std::string& s) -> std::string {
        char* end = nullptr;
        errno = 0;
        const long long v = std::strtoll(s.c_str(), &end, 10);
        if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE) return "'" + s + "' is not a whole number in " + r;
        if (v < lo || v > hi) return "must be a whole number in " + r + ", got " + s;
        return {};
      },
      "in " + r);
}

// --device: cpu, cuda, or cuda:N (N a whole number; whether GPU N exists is checked when the run starts).
inline CLI::Validator device_name() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        if (s == "cpu" || s == "cuda") return {};
        const bool indexed = s.size() > 5 && s.rfind("cuda:", 0) == 0 && s.size() <= 8 &&
                             s.find_first_not_of("0123456789", 5) == std::string::npos;
        return indexed ? std::string() : "expected cpu, cuda or cuda:N, got '" + s + "'";
      },
      "cpu|cuda|cuda:N");
}

}  // namespace loom::cli
