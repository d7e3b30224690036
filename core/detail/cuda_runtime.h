// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Host-side declarations of the CUDA runtime pieces (implemented in core/tensor/cuda_runtime.cu), usable from
// plain .cpp files: the caching allocator and copies. Only meaningful when LOOM_WITH_CUDA.
#pragma once
#include <cstddef>

namespace loom::detail {

void* cuda_alloc(size_t nbytes);        // from the caching allocator; throws CudaError when out of memory
void cuda_free(void* ptr) noexcept;     // back to the cache
void cuda_copy_h2d(void* dst, const void* src, size_t nbytes);
void cuda_copy_d2h(void* dst, const void* src, size_t nbytes);  // synchronizes the stream
void cuda_copy_d2d(void* dst, const void* src, size_t nbytes);
void cuda_memset_zero(void* ptr, size_t nbytes);

}  // namespace loom::detail

#include <cstdint>

#include "loom/core/dtype.h"

namespace loom::detail {
// Kernels behind factories and conversions (core/tensor/copy_cuda.cu).
void cuda_fill(void* ptr, DType dtype, int64_t n, double value);
void cuda_cast(const void* src, DType src_dtype, void* dst, DType dst_dtype, int64_t n);
}  // namespace loom::detail
