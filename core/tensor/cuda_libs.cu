// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// cuBLAS and cuSPARSE handles: one per device and library, created on first use, lent bound to Loom's current
// stream under the handle's lock (see core/detail/cuda_libs.h).
#include "core/detail/cuda_libs.h"

#include <memory>

#include "core/detail/cuda_utils.cuh"

namespace loom::detail {
namespace {

template <class H>
struct Slot {
  std::once_flag created;
  std::mutex mu;  // held by a lease: the handle's stream is shared state
  H handle = nullptr;
};

// One slot per device, sized on first use. Never destroyed: static destructors may run after the CUDA runtime is
// gone, and destroying a handle then fails.
template <class H>
struct Table {
  std::once_flag sized;
  std::unique_ptr<Slot<H>[]> slots;
  int count = 0;
};

template <class H, class Create, class SetStream>
CudaLibLease<H> lend(Table<H>& table, Create create, SetStream set_stream) {
  std::call_once(table.sized, [&] {  // a throw leaves the flag unset: the next call tries again
    int n = 0;
    LOOM_CUDA_CHECK(cudaGetDeviceCount(&n));
    table.slots = std::make_unique<Slot<H>[]>(static_cast<size_t>(n));
    table.count = n;
  });
  int dev = 0;
  LOOM_CUDA_CHECK(cudaGetDevice(&dev));
  LOOM_CHECK(dev >= 0 && dev < table.count, DeviceError, "CUDA library handle: current device ", dev,
             " is not one of the ", table.count, " devices found");
  Slot<H>& s = table.slots[static_cast<size_t>(dev)];
  std::call_once(s.created, [&] { s.handle = create(); });
  std::unique_lock<std::mutex> lock(s.mu);
  set_stream(s.handle, stream());
  return CudaLibLease<H>(s.handle, std::move(lock));
}

}  // namespace

CudaLibLease<cublasHandle_t> cublas_handle() {
  static auto* table = new Table<cublasHandle_t>();
  return lend(
      *table,
      [] {
        cublasHandle_t h = nullptr;
        LOOM_CUBLAS_CHECK(cublasCreate(&h));
        return h;
      },
      [](cublasHandle_t h, cudaStream_t st) { LOOM_CUBLAS_CHECK(cublasSetStream(h, st)); });
}

CudaLibLease<cusparseHandle_t> cusparse_handle() {
  static auto* table = new Table<cusparseHandle_t>();
  return lend(
      *table,
      [] {
        cusparseHandle_t h = nullptr;
        LOOM_CUSPARSE_CHECK(cusparseCreate(&h));
        return h;
      },
      [](cusparseHandle_t h, cudaStream_t st) { LOOM_CUSPARSE_CHECK(cusparseSetStream(h, st)); });
}

}  // namespace loom::detail
