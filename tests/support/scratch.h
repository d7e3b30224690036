// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Scratch files for suites that write many: `name` in a per-process folder under the temp directory (parallel ctest
// runs do not collide), removed when the test process exits. Standard library only, so standalone suites (the
// runtime's, which link no Loom module) include it too.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace loom::testing {

inline std::string scratch_path(const std::string& suite, const std::string& name) {
  struct Dir {
    std::filesystem::path path;
    explicit Dir(const std::string& suite)
        : path(std::filesystem::temp_directory_path() / ("loom-" + suite + "-" + std::to_string(::getpid()))) {
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static Dir dir(suite);  // one folder per process: a suite binary asks with one suite name
  return (dir.path / name).string();
}

}  // namespace loom::testing
