// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: the MatrixMarket reader and its dense conversion (as the data-set loader uses them).
#include "fuzz_common.h"
#include "loom/data/mtx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return loom::fuzz::accept_typed_errors([&] {
    const loom::data::CooMatrix m = loom::data::parse_mtx(std::string(reinterpret_cast<const char*>(data), size));
    // Dense conversion only for matrices a real file could hold: the point is its checks, not allocating memory.
    // (Each side is bounded first, so the product cannot overflow: the harness must not have UB of its own.)
    if (m.n_rows < (int64_t{1} << 20) && m.n_cols < (int64_t{1} << 20) && m.n_rows * m.n_cols <= (int64_t{1} << 20))
      loom::data::coo_to_dense(m);
  });
}
