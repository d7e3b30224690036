// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Shared by the runtime suites: scratch file paths and random inputs.
#pragma once
#include "../support/scratch.h"

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace loom::runtime::testing {

// A scratch file (tests/support/scratch.h).
inline std::string temp_path(const std::string& name) { return loom::testing::scratch_path("runtime", name); }

inline std::vector<float> random_input(int64_t rows, int64_t width, uint32_t seed = 7) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 2.0f);
  std::vector<float> x(rows * width);
  for (float& v : x) v = d(rng);
  return x;
}

}  // namespace loom::runtime::testing
