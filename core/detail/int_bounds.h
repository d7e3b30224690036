// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Known bounds of the integers in a storage (Storage::nonneg_below), which let a CUDA index check skip its device
// pass. That pass ends in a copy the host must wait for, so checking an op's indices on every call drained the stream
// on every call: twelve times in a LightGCN step (three gathers and their reg terms, forward and backward), which is
// what kept small-graph training launch-bound. A check still runs wherever nothing is known.
//
// Who sets a bound: Tensor::to and from_vector when they put host integers on a GPU (the host scan is one pass over
// data already being copied), and a device check that passed over a whole storage. Who drops it: every write through
// Tensor (copy_, fill_, add_, mul_, and so every optimizer update). Views share their storage, so a row slice of a
// checked tensor is checked too. The one way around it is a kernel writing raw pointers into an existing integer
// tensor; Loom's kernels write only into tensors they have just allocated.
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"

namespace loom::detail {

// True when every integer in index's storage is known to lie in [0, bound).
bool known_in_range(const Tensor& index, int64_t bound);
// After a check found every element of `index` in [0, bound): remember it when index covers its whole storage.
void note_in_range(const Tensor& index, int64_t bound);
// Records on device_copy (a fresh tensor) the bounds of the host array it was copied from, numel elements of its
// dtype: nothing for floating dtypes, empty tensors, or arrays holding a negative value.
void record_host_bounds(const Tensor& device_copy, const void* host);
void forget_bounds(const Tensor& t);

}  // namespace loom::detail
