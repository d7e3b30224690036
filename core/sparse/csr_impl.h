// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to core/sparse: what a Csr holds (a shared structure plus values, with lazily built caches) and the
// per-device kernels behind from_coo, from_arrays, transpose and row_index.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>

#include "core/sparse/csr_cache.h"
#include "loom/core/sparse.h"

namespace loom {

// The pattern of a Csr, shared by every Csr with the same structure (with_values, copies of the handle). Its
// transpose pattern and row index are built once, on first use, under once_flags; other derived data (kernel
// schedules, narrowed offsets) lives in `cache` (csr_cache.h) and dies with the structure.
struct CsrStructure {
  int64_t num_rows = 0, num_cols = 0;
  Tensor indptr;    // int64 [num_rows + 1]
  Tensor indices;   // int32 [nnz]
  Tensor edge_ids;  // int64 [nnz]
  std::once_flag transpose_once, row_index_once;
  std::shared_ptr<CsrStructure> transposed;  // edge_ids: positions in this structure
  Tensor row_index;                          // int32 [nnz]
  detail::CsrCache cache;

  int64_t nnz() const { return indices.numel(); }
  Device device() const { return indptr.device(); }
  const std::shared_ptr<CsrStructure>& transpose_structure();
  const Tensor& get_row_index();
};

struct Csr::Impl {
  std::shared_ptr<CsrStructure> s;
  Tensor values;
  std::once_flag transpose_once;
  std::unique_ptr<Csr> transposed;
};

// Friend access for the sparse sources: build a Csr from an Impl, reach an Impl.
struct CsrAccess {
  static Csr make(std::shared_ptr<CsrStructure> s, Tensor values) {
    Csr c;
    c.impl_ = std::make_shared<Csr::Impl>();
    c.impl_->s = std::move(s);
    c.impl_->values = std::move(values);
    return c;
  }
  static Csr::Impl& impl(const Csr& c) {
    LOOM_CHECK(c.impl_ != nullptr, ValueError, "Csr: this Csr is undefined (default-constructed)");
    return *c.impl_;
  }
};

}  // namespace loom

namespace loom::detail {

// from_coo's structure: entries sorted by (row, col, input position), duplicates handled per policy.
//   perm     int64 [n]: input position of each sorted entry (before merging)
//   group    int64 [n]: for kSum when something merged, the output entry of each sorted entry; else undefined
//   dup_*    for kError: the earliest repeated input position and the first position of its pair (-1: none)
struct CooBuild {
  Tensor indptr, indices, edge_ids, perm, group;
  int64_t dup_first = -1, dup_second = -1, dup_row = 0, dup_col = 0;
};
// rows/cols are validated int32/int64 [n] on one device; num_rows/num_cols fit int32.
CooBuild build_coo_cpu(const Tensor& rows, const Tensor& cols, int64_t num_rows, int64_t num_cols, DupPolicy dup);
CooBuild build_coo_cuda(const Tensor& rows, const Tensor& cols, int64_t num_rows, int64_t num_cols, DupPolicy dup);

// The transpose pattern of (indptr, indices): entries grouped by column, each column in increasing parent position.
struct TransposeBuild {
  Tensor indptr, indices, edge_ids;
};
TransposeBuild transpose_cpu(const Tensor& indptr, const Tensor& indices, int64_t num_cols);
TransposeBuild transpose_cuda(const Tensor& indptr, const Tensor& indices, int64_t num_cols);

Tensor row_index_cpu(const Tensor& indptr, int64_t nnz);   // int32 [nnz]
Tensor row_index_cuda(const Tensor& indptr, int64_t nnz);
Tensor row_degrees_cpu(const Tensor& indptr);              // int64 [num_rows]
Tensor row_degrees_cuda(const Tensor& indptr);

// from_arrays: the first i with indptr[i] > indptr[i + 1], or -1.
int64_t first_decrease_cpu(const Tensor& indptr);
int64_t first_decrease_cuda(const Tensor& indptr);

}  // namespace loom::detail
