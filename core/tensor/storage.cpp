// Storage: raw bytes on the CPU (64-byte aligned, for vector loads) or from the CUDA caching allocator.
#include <cstdlib>
#include <new>

#include "core/detail/cuda_runtime.h"
#include "core/detail/macros.h"
#include "loom/core/tensor.h"

namespace loom {

Storage::Storage(size_t n, Device d) : nbytes(n), device(d) {
  if (n == 0) return;
  if (d.is_cpu()) {
    const size_t rounded = (n + 63) / 64 * 64;
    ptr = std::aligned_alloc(64, rounded);
    LOOM_CHECK(ptr != nullptr, Error, "out of host memory allocating ", n, " bytes");
  } else {
    LOOM_CUDA_ONLY("allocate on cuda", ptr = detail::cuda_alloc(n));
  }
}

Storage::~Storage() {
  if (ptr == nullptr) return;
  if (device.is_cpu()) {
    std::free(ptr);
  } else {
#if LOOM_WITH_CUDA
    detail::cuda_free(ptr);
#endif
  }
}

}  // namespace loom
