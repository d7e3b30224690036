// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: the .npy reader (data::parse_npy, the same parser read_npy uses after reading the file).
#include "fuzz_common.h"
#include "loom/data/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return loom::fuzz::accept_typed_errors(
      [&] { loom::data::parse_npy(std::string(reinterpret_cast<const char*>(data), size)); });
}
