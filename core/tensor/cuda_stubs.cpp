// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Built only without CUDA: the runtime queries answer "no CUDA", and anything that would need a device says so.
#include "core/detail/cuda_runtime.h"
#include "loom/core/cuda_device.h"
#include "loom/core/device.h"
#include "loom/core/error.h"

namespace loom {
namespace cuda {
bool is_available() { return false; }
int device_count() { return 0; }
void select_device(int index) {
  throw DeviceError(detail::str_cat("cuda:", index, " is not available: this Loom was built without CUDA"));
}
bool is_built() { return false; }
void set_stream(void*) {}
void* current_stream() { return nullptr; }
void synchronize() {}
MemoryStats memory_stats() { return {}; }
void reset_peak_memory() {}
void empty_cache() {}
}  // namespace cuda

namespace detail {
namespace {
[[noreturn]] void no_cuda(const char* what) {
  throw NotImplementedError(str_cat(what, ": this Loom was built without CUDA (configure with -DLOOM_CUDA=ON)"));
}
}  // namespace
void* cuda_alloc(size_t) { no_cuda("cuda_alloc"); }
void cuda_free(void*) noexcept {}
void cuda_copy_h2d(void*, const void*, size_t) { no_cuda("copy to cuda"); }
void cuda_copy_d2h(void*, const void*, size_t) { no_cuda("copy from cuda"); }
void cuda_copy_d2d(void*, const void*, size_t) { no_cuda("copy on cuda"); }
void cuda_memset_zero(void*, size_t) { no_cuda("memset on cuda"); }
void cuda_fill(void*, DType, int64_t, double) { no_cuda("fill on cuda"); }
void cuda_cast(const void*, DType, void*, DType, int64_t) { no_cuda("cast on cuda"); }
}  // namespace detail
}  // namespace loom
