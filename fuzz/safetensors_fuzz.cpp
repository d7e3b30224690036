// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: the safetensors reader (models, checkpoints).
#include "fuzz_common.h"
#include "loom/core/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = loom::fuzz::write_temp(data, size, "in.safetensors");
  return loom::fuzz::accept_typed_errors([&] { loom::read_safetensors(path); });
}
