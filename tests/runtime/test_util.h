// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Shared by the runtime suites: scratch file paths and random inputs.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace loom::runtime::testing {

// A file in a per-process folder under the temp directory (parallel ctest runs do not collide); the folder is
// removed when the test process exits.
inline std::string temp_path(const std::string& name) {
  struct Dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("loom-runtime-" + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static Dir dir;
  return (dir.path / name).string();
}

inline std::vector<float> random_input(int64_t rows, int64_t width, uint32_t seed = 7) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 2.0f);
  std::vector<float> x(rows * width);
  for (float& v : x) v = d(rng);
  return x;
}

}  // namespace loom::runtime::testing
