// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: the IDX reader, plain and gzip (the first byte chooses; zlib reads either from a .gz name).
#include "fuzz_common.h"
#include "loom/data/images.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool gz = data[0] & 1;
  const std::string path = loom::fuzz::write_temp(data + 1, size - 1, gz ? "in-idx3-ubyte.gz" : "in-idx3-ubyte");
  return loom::fuzz::accept_typed_errors([&] { loom::data::read_idx(path); });
}
