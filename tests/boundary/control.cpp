// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Must compile: what a data source may include (its own private header, the sanctioned core/detail/parallel.h and
// every public header), built exactly as the probe in reach_core_detail.cpp is.
#include "core/detail/parallel.h"
#include "data/seeded.h"
#include "loom/core/tensor.h"

int loom_boundary_control() {
  int64_t total = 0;
  loom::detail::parallel_for(4, 1, [&](int64_t b, int64_t e) { total += e - b; });
  return static_cast<int>(total);
}
