// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: the pair-list reader of `loom predict --pairs` (loom/data/pairs.h), text or .npy by its first
// bytes. What it accepts must be int64 [2, k] with one line number per text pair.
#include "fuzz_common.h"
#include "loom/data/pairs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = loom::fuzz::write_temp(data, size, "pairs");
  return loom::fuzz::accept_typed_errors([&] {
    const loom::data::PairList list = loom::data::read_pairs(path);
    if (list.pairs.dim() != 2 || list.pairs.size(0) != 2 || list.pairs.dtype() != loom::kInt64) __builtin_trap();
    if (!list.lines.empty() && static_cast<int64_t>(list.lines.size()) != list.pairs.size(1)) __builtin_trap();
  });
}
