// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: loom::runtime's model reader (exported .loom files), then one inference on what it accepts. It
// links the runtime alone, so it cannot use fuzz_common.h (loom::Error); a refusal here is a loom::runtime::Error.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "loom/runtime/runtime.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = "/tmp/loom-fuzz-" + std::to_string(::getpid()) + "-model.loom";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) __builtin_trap();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) __builtin_trap();
  std::fclose(f);
  try {
    const loom::runtime::Model model = loom::runtime::Model::load(path);
    // Widths are bounded by the file (weights and class names are in it), so these buffers are small.
    const int64_t rows = 3;
    std::vector<float> x(rows * model.input_width(), 0.5f);
    std::vector<int32_t> classes(rows);
    std::vector<float> p(rows * model.num_classes());
    model.predict(x.data(), rows, classes.data(), p.data());
  } catch (const loom::runtime::Error&) {
  }
  return 0;
}
