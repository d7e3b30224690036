// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Portability macros shared by CPU and CUDA code.
#pragma once
#include "loom/core/config.h"

// Functors written once for both back ends (message functors, elementwise maps) carry this.
#ifdef __CUDACC__
#define LOOM_HOST_DEVICE __host__ __device__
#else
#define LOOM_HOST_DEVICE
#endif

// Calls a CUDA back-end function. In a build without CUDA no tensor can live on a CUDA device, so the branch is
// unreachable; the macro keeps the link whole without one stub per kernel.
#if LOOM_WITH_CUDA
#define LOOM_CUDA_ONLY(op, expr) expr
#else
#define LOOM_CUDA_ONLY(op, expr) \
  throw ::loom::NotImplementedError(std::string(op) + ": this Loom was built without CUDA")
#endif
