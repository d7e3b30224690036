// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// ScoreMaskCache (loom/layers/score_mask.h): the attention layers' block-diagonal score matrix, built under a lock.
#include "loom/layers/score_mask.h"

#include <vector>

namespace loom::layers {

Tensor ScoreMaskCache::get(int64_t heads, int64_t channels, DType dtype, Device device) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const int64_t rows = heads * channels;
  if (!mask_.defined() || mask_.device() != device || mask_.dtype() != dtype || mask_.size(0) != rows ||
      mask_.size(1) != heads) {
    std::vector<double> m(static_cast<size_t>(rows * heads), 0.0);
    for (int64_t i = 0; i < rows; ++i) m[static_cast<size_t>(i * heads + i / channels)] = 1.0;
    mask_ = from_vector<double>(m, {rows, heads}).to(dtype).to(device);
  }
  return mask_;
}

}  // namespace loom::layers
