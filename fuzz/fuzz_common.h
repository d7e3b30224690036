// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Shared by the libFuzzer harnesses (fuzz/*_fuzz.cpp): a reader may refuse its input only with a loom::Error (a
// typed error naming the problem). Anything else escaping (std::bad_alloc, std::out_of_range, ...) and every crash,
// leak or undefined behaviour found by the sanitizers is a finding: libFuzzer stops and saves the input.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "loom/core/error.h"

namespace loom::fuzz {

// Writes the input to a per-process file for the readers that take a path (IDX, safetensors, folders).
inline std::string write_temp(const uint8_t* data, size_t size, const std::string& name) {
  const std::string path = "/tmp/loom-fuzz-" + std::to_string(::getpid()) + "-" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) __builtin_trap();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) __builtin_trap();
  std::fclose(f);
  return path;
}

// Runs `read`, accepting a loom::Error as a clean refusal.
template <class F>
int accept_typed_errors(F&& read) {
  try {
    read();
  } catch (const loom::Error&) {
  }
  return 0;
}

}  // namespace loom::fuzz
