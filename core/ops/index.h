// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the index family: range validation of row indices (also of the loss family's class targets), and the
// index_select / index_add kernels.
// x is seen as [rows, row] (row = elements per row); index is rank 1, int32 or int64, on x's device.
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"

namespace loom::detail {

// The first position of `index` whose value lies outside [0, rows), or pos = -1 when all are valid.
struct BadIndex {
  int64_t pos = -1, value = 0;
};
BadIndex find_bad_index_cpu(const Tensor& index, int64_t rows);
// Device-side search (a block-wise min of the bad positions), then one small copy back to the host.
BadIndex find_bad_index_cuda(const Tensor& index, int64_t rows);
// For a CUDA index: nothing to search when its storage is known to lie in [0, rows) (core/detail/int_bounds.h);
// otherwise find_bad_index_cuda, remembered when it passes over a whole storage.
BadIndex find_bad_index_device(const char* op, const Tensor& index, int64_t rows);
int64_t device_index_passes();  // how many device searches find_bad_index_device has run (tests count the waits)

// out[i, :] = x[index[i], :] for every dtype (elements move by size). Indices are already validated.
void index_select_cpu(const Tensor& x, const Tensor& index, int64_t row, const Tensor& out);
void index_select_cuda(const Tensor& x, const Tensor& index, int64_t row, const Tensor& out);

// out[r, :] = x[r, :] + sum of src[i, :] over i with index[i] == r, added in increasing i. Deterministic without
// atomics: the sources are grouped by destination (a stable counting sort on CPU, a stable radix sort on CUDA).
void index_add_cpu(const Tensor& x, const Tensor& index, const Tensor& src, int64_t row, const Tensor& out);
void index_add_cuda(const Tensor& x, const Tensor& index, const Tensor& src, int64_t row, const Tensor& out);

}  // namespace loom::detail
