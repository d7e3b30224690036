// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The CUDA runtime side of Loom: the caching device allocator, the user-settable stream and host/device copies.
// The allocator keeps freed blocks for reuse so ops never call cudaMalloc in steady state. Reuse is safe because
// every Loom kernel runs on one stream, in order; set_stream() synchronizes the old stream before switching.
#include <cuda_runtime.h>

#include <map>
#include <mutex>
#include <unordered_map>

#include "core/detail/cuda_runtime.h"
#include "loom/core/cuda_device.h"
#include "core/detail/cuda_utils.cuh"

namespace loom {
namespace {

cudaStream_t g_stream = nullptr;

class CachingAllocator {
 public:
  void* alloc(size_t nbytes) {
    const size_t size = round(nbytes);
    std::lock_guard<std::mutex> lock(mu_);
    // Best fit among cached blocks, but never more than twice the request (keeps waste bounded).
    auto it = free_.lower_bound(size);
    if (it != free_.end() && it->first <= 2 * size) {
      void* p = it->second;
      used_[p] = it->first;
      stats_.allocated += static_cast<int64_t>(it->first);
      free_.erase(it);
      bump_peak();
      return p;
    }
    void* p = nullptr;
    cudaError_t err = cudaMalloc(&p, size);
    if (err != cudaSuccess) {
      (void)cudaGetLastError();
      release_cached_locked();
      err = cudaMalloc(&p, size);
    }
    if (err != cudaSuccess) {
      (void)cudaGetLastError();
      throw CudaError(detail::str_cat("CUDA out of memory allocating ", nbytes, " bytes (", stats_.allocated,
                                      " bytes in use by Loom tensors): ", cudaGetErrorString(err)));
    }
    used_[p] = size;
    stats_.allocated += static_cast<int64_t>(size);
    stats_.reserved += static_cast<int64_t>(size);
    bump_peak();
    return p;
  }

  void free(void* p) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = used_.find(p);
    if (it == used_.end()) return;
    stats_.allocated -= static_cast<int64_t>(it->second);
    free_.emplace(it->second, p);
    used_.erase(it);
  }

  void release_cached() {
    std::lock_guard<std::mutex> lock(mu_);
    release_cached_locked();
  }
  cuda::MemoryStats stats() {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }
  void reset_peak() {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.peak = stats_.allocated;
  }

 private:
  static size_t round(size_t n) {
    if (n < (1u << 20)) return (n + 511) / 512 * 512;  // small: 512-byte granules
    return (n + (1u << 20) - 1) / (1u << 20) * (1u << 20);  // large: whole MiB
  }
  void bump_peak() {
    if (stats_.allocated > stats_.peak) stats_.peak = stats_.allocated;
  }
  void release_cached_locked() {
    cudaStreamSynchronize(g_stream);
    for (auto& [size, p] : free_) {
      cudaFree(p);
      stats_.reserved -= static_cast<int64_t>(size);
    }
    free_.clear();
  }

  std::mutex mu_;
  std::multimap<size_t, void*> free_;
  std::unordered_map<void*, size_t> used_;
  cuda::MemoryStats stats_;
};

// Never destroyed: tensors held in static objects may be freed after other statics are gone.
CachingAllocator& allocator() {
  static auto* a = new CachingAllocator();
  return *a;
}

}  // namespace

namespace cuda {
bool is_built() { return true; }
bool is_available() {
  static const bool available = [] {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      (void)cudaGetLastError();
      return false;
    }
    return n > 0;
  }();
  return available;
}
void set_stream(void* s) {
  if (is_available()) LOOM_CUDA_CHECK(cudaStreamSynchronize(g_stream));
  g_stream = static_cast<cudaStream_t>(s);
}
void* current_stream() { return g_stream; }
void synchronize() { LOOM_CUDA_CHECK(cudaStreamSynchronize(g_stream)); }
MemoryStats memory_stats() { return allocator().stats(); }
void reset_peak_memory() { allocator().reset_peak(); }
void empty_cache() { allocator().release_cached(); }

int device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return n;
}
void select_device(int index) {
  const int n = device_count();
  LOOM_CHECK(n > 0, DeviceError, "cuda:", index, " does not exist: no CUDA device is visible");
  LOOM_CHECK(index >= 0 && index < n, DeviceError, "cuda:", index, " does not exist: ", n, " CUDA device",
             n == 1 ? " is" : "s are", " visible (cuda:0 to cuda:", n - 1, ")");
  int current = 0;
  LOOM_CUDA_CHECK(cudaGetDevice(&current));
  if (current == index) return;
  // The caching allocator's blocks belong to the device they were allocated on.
  LOOM_CHECK(allocator().stats().reserved == 0, DeviceError, "cuda::select_device(", index,
             "): CUDA memory was already allocated on cuda:", current, "; choose the device before the first CUDA op");
  LOOM_CUDA_CHECK(cudaSetDevice(index));
}
}  // namespace cuda

namespace detail {
void* cuda_alloc(size_t nbytes) {
  LOOM_CHECK(cuda::is_available(), DeviceError, "cannot allocate on cuda: no CUDA device is available");
  return allocator().alloc(nbytes);
}
void cuda_free(void* ptr) noexcept { allocator().free(ptr); }
void cuda_copy_h2d(void* dst, const void* src, size_t n) {
  if (n == 0) return;
  LOOM_CUDA_CHECK(cudaMemcpyAsync(dst, src, n, cudaMemcpyHostToDevice, g_stream));
  // The host buffer may be freed right after we return: wait for the (pageable) copy.
  LOOM_CUDA_CHECK(cudaStreamSynchronize(g_stream));
}
void cuda_copy_d2h(void* dst, const void* src, size_t n) {
  if (n == 0) return;
  LOOM_CUDA_CHECK(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToHost, g_stream));
  LOOM_CUDA_CHECK(cudaStreamSynchronize(g_stream));
}
void cuda_copy_d2d(void* dst, const void* src, size_t n) {
  if (n == 0) return;
  LOOM_CUDA_CHECK(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToDevice, g_stream));
}
void cuda_memset_zero(void* ptr, size_t n) {
  if (n == 0) return;
  LOOM_CUDA_CHECK(cudaMemsetAsync(ptr, 0, n, g_stream));
}
}  // namespace detail
}  // namespace loom
