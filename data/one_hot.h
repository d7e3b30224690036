// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the graph-classification readers: integer label columns to one-hot float rows, as PyG's TUDataset
// builds x and edge_attr (each column shifted by its minimum, one-hot, the columns concatenated).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "loom/core/error.h"
#include "loom/core/tensor.h"

namespace loom::data::detail {

// values: rows x cols, row-major. float32 [rows, sum over columns of (max - min + 1)].
inline Tensor one_hot_columns(const std::vector<int64_t>& values, int64_t rows, int64_t cols) {
  std::vector<int64_t> lo(static_cast<size_t>(cols), 0), width(static_cast<size_t>(cols), 1);
  int64_t total = 0;
  for (int64_t c = 0; c < cols; ++c) {
    int64_t mn = INT64_MAX, mx = INT64_MIN;
    for (int64_t r = 0; r < rows; ++r) {
      mn = std::min(mn, values[r * cols + c]);
      mx = std::max(mx, values[r * cols + c]);
    }
    if (rows == 0) mn = mx = 0;
    // A label column spans few values; a huge span is a corrupt file, not something to allocate for.
    // The span in unsigned arithmetic: mx - mn itself overflows for labels near both ends of int64.
    LOOM_CHECK(static_cast<uint64_t>(mx) - static_cast<uint64_t>(mn) < (uint64_t{1} << 16), ValueError,
               "one-hot labels: column ", c, " spans ", mn, " .. ", mx, ", more than 65536 values");
    lo[c] = mn;
    width[c] = mx - mn + 1;
    total += width[c];
  }
  LOOM_CHECK(rows == 0 || total <= (int64_t{1} << 26) / std::max<int64_t>(rows, 1), ValueError,
             "one-hot labels: ", rows, " rows x ", total, " columns is too large");
  Tensor x = zeros({rows, total});
  float* p = x.data<float>();
  for (int64_t r = 0; r < rows; ++r) {
    int64_t off = 0;
    for (int64_t c = 0; c < cols; ++c) {
      p[r * total + off + values[r * cols + c] - lo[c]] = 1.0f;
      off += width[c];
    }
  }
  return x;
}

}  // namespace loom::data::detail
