// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA-only: the one place that owns cuBLAS and cuSPARSE handles and turns their statuses into loom errors.
//
// A handle is created lazily per device, once, and never destroyed (static destructors may run after the CUDA
// runtime is gone). cublas_handle() / cusparse_handle() lend the current device's handle bound to Loom's current
// stream (loom::cuda::current_stream()) and hold that handle's lock until the lease is dropped: a handle's stream is
// shared state, so two threads must not set it and enqueue work through it at once.
#pragma once
#include <cublas_v2.h>
#include <cusparse.h>

#include <mutex>

#include "loom/core/error.h"

// Wraps every cuBLAS call: reports the call, the status name and its description, and file:line as loom::CudaError.
#define LOOM_CUBLAS_CHECK(expr)                                                                                  \
  do {                                                                                                           \
    const cublasStatus_t loom_st_ = (expr);                                                                      \
    if (loom_st_ != CUBLAS_STATUS_SUCCESS)                                                                       \
      throw ::loom::CudaError(::loom::detail::str_cat(#expr, " failed: ", cublasGetStatusName(loom_st_), " (",  \
                                                      cublasGetStatusString(loom_st_), ") at ", __FILE__, ":",  \
                                                      __LINE__));                                                \
  } while (0)

// Wraps every cuSPARSE call, likewise.
#define LOOM_CUSPARSE_CHECK(expr)                                                                                \
  do {                                                                                                           \
    const cusparseStatus_t loom_st_ = (expr);                                                                    \
    if (loom_st_ != CUSPARSE_STATUS_SUCCESS)                                                                     \
      throw ::loom::CudaError(::loom::detail::str_cat(#expr, " failed: ", cusparseGetErrorName(loom_st_), " (", \
                                                      cusparseGetErrorString(loom_st_), ") at ", __FILE__, ":", \
                                                      __LINE__));                                                \
  } while (0)

namespace loom::detail {

// A handle lent for one call sequence: usable as the handle itself, its lock released when the lease ends.
template <class H>
class CudaLibLease {
 public:
  CudaLibLease(H handle, std::unique_lock<std::mutex> lock) : handle_(handle), lock_(std::move(lock)) {}
  H get() const { return handle_; }
  operator H() const { return handle_; }  // NOLINT(google-explicit-constructor): pass the lease where H is taken

 private:
  H handle_;
  std::unique_lock<std::mutex> lock_;
};

// The current device's handle, on the current stream, locked for the lease's lifetime. Throws CudaError when the
// handle cannot be created (e.g. no device) naming the library call that failed.
CudaLibLease<cublasHandle_t> cublas_handle();
CudaLibLease<cusparseHandle_t> cusparse_handle();

}  // namespace loom::detail
