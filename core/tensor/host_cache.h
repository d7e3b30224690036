// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A cache of large host blocks for CPU tensors. glibc serves blocks above its mmap threshold (at most 32 MiB) with
// fresh mmap calls, so every large temporary of a training step page-faults its memory in again (on 16 cores
// that was a quarter of a GraphSAGE step). Blocks of at least kMinBytes are kept on free and handed out again.
#pragma once
#include <cstddef>

namespace loom::detail {

void* host_alloc(size_t nbytes);                  // 64-byte aligned; throws Error when out of memory
void host_free(void* ptr, size_t nbytes) noexcept;  // nbytes as passed to host_alloc

}  // namespace loom::detail
