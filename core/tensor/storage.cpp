// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Storage: raw bytes from the host block cache (64-byte aligned, for vector loads) or the CUDA caching allocator.

#include "core/detail/cuda_runtime.h"
#include "core/detail/macros.h"
#include "core/tensor/host_cache.h"
#include "loom/core/tensor.h"

namespace loom {

Storage::Storage(size_t n, Device d) : nbytes(n), device(d) {
  if (n == 0) return;
  if (d.is_cpu()) {
    ptr = detail::host_alloc(n);
  } else {
    LOOM_CUDA_ONLY("allocate on cuda", ptr = detail::cuda_alloc(n));
  }
}

Storage::~Storage() {
  if (ptr == nullptr) return;
  if (device.is_cpu()) {
    detail::host_free(ptr, nbytes);
  } else {
#if LOOM_WITH_CUDA
    detail::cuda_free(ptr);
#endif
  }
}

}  // namespace loom
