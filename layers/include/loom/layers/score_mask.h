// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The block-diagonal ones [H C, H] that turn H per-head dot products <att[h], f[., h, :]> into one GEMM
// (GATConv, HypergraphAttentionConv), built once per dtype and device and then shared.
#pragma once
#include <cstdint>
#include <mutex>

#include "loom/core/tensor.h"

namespace loom::layers {

// Why a mutex: a layer in eval mode may be served from many threads at once (docs/threads.md), and every forward
// asks for the mask. The cache used to be a plain member rebuilt in forward, which two threads could write at the
// same time (a data race on the Tensor handle). get() returns a copy of the handle taken under the lock, so a
// rebuild for another dtype or device never invalidates a mask another thread is using.
class ScoreMaskCache {
 public:
  Tensor get(int64_t heads, int64_t channels, DType dtype, Device device) const;

 private:
  mutable std::mutex mutex_;
  mutable Tensor mask_;
};

}  // namespace loom::layers
