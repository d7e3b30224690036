// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Compressed sparse rows: the one structure under graphs, hypergraphs and sparse matrices.
// A Csr lives on one device. Row offsets are int64 (more than 2^31 entries work), column ids int32. Graph
// convention (the message-passing engine): rows are destinations, columns are sources, so row v lists v's in-edges.
// Edge tensors ([nnz, ...]) are always in the order of the Csr they are used with.
#pragma once
#include <cstdint>
#include <memory>

#include "loom/core/tensor.h"

namespace loom {

// What from_coo does with repeated (row, col) pairs: throw naming both positions, merge them (values summed), or
// keep every copy (multigraphs).
enum class DupPolicy : uint8_t { kError, kSum, kKeep };

class Csr {
 public:
  Csr() = default;

  // Builds from coordinates: rows and cols are int32 or int64 [nnz] on one device (the Csr is built there);
  // values, when given, are float32/float64 [nnz] or [nnz, H] on the same device. Entries are sorted by
  // (row, col); equal pairs keep their input order. Every index is validated against the shape: an out-of-range
  // id is an IndexError naming the entry, e.g. "Csr::from_coo: edge 17 (3 -> 9000) is out of range for 2708
  // columns". edge_ids() maps each entry back to its input position (the first one, for merged duplicates).
  static Csr from_coo(const Tensor& rows, const Tensor& cols, int64_t num_rows, int64_t num_cols,
                      const Tensor& values = Tensor(), DupPolicy dup = DupPolicy::kKeep);
  // Adopts built arrays: indptr int64 [num_rows + 1] (non-decreasing, from 0 to nnz), indices int32 [nnz] in
  // [0, num_cols). Validated; rows need not be sorted within. edge_ids() is the identity.
  static Csr from_arrays(const Tensor& indptr, const Tensor& indices, int64_t num_cols, const Tensor& values = Tensor());

  bool defined() const { return impl_ != nullptr; }
  int64_t num_rows() const;
  int64_t num_cols() const;
  int64_t nnz() const;
  Device device() const;
  const Tensor& indptr() const;    // int64 [num_rows + 1]
  const Tensor& indices() const;   // int32 [nnz]
  const Tensor& values() const;    // undefined, or floating [nnz] / [nnz, H]
  const Tensor& edge_ids() const;  // int64 [nnz]: input position (from_coo) or parent position (transpose)
  std::string str() const;         // "Csr(2708 x 2708, nnz 10556, cpu)"

  // Copies structure, values and (when built) the transpose to `device`.
  Csr to(Device device) const;
  // The same pattern with other values (shares the structure and the cached transpose).
  Csr with_values(const Tensor& values) const;
  // The transpose (this matrix's CSC, as a Csr), built on first use and cached; thread-safe. Its edge_ids() give,
  // for each of its entries, that entry's position in *this* Csr; its values are this Csr's values permuted.
  const Csr& transpose() const;
  // int32 [nnz]: the row of each entry (the COO row index), built on first use and cached.
  const Tensor& row_index() const;
  // int64 [num_rows]: entries per row (in-degree in the graph convention).
  Tensor row_degrees() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  friend struct CsrAccess;
};

// Sparse x sparse: C = A B (A [m, k], B [k, n]); pattern-only operands count as ones. cuSPARSE on CUDA, a
// oneTBB row-parallel two-pass product on CPU. The result has values (same dtype as the operands, float32 when
// both are pattern-only), no explicit zeros removed, columns sorted within rows.
Csr spgemm(const Csr& a, const Csr& b);
// alpha A + beta B with equal shapes; union of the patterns, columns sorted.
Csr sparse_add(const Csr& a, const Csr& b, double alpha = 1.0, double beta = 1.0);
// diag(s) A and A diag(s): values scaled per row / per column (pattern-only operands become valued).
Csr scale_rows(const Csr& a, const Tensor& s);
Csr scale_cols(const Csr& a, const Tensor& s);
// Dense [num_rows, num_cols] (duplicates summed) for tests and small matrices.
Tensor to_dense(const Csr& a, DType dtype = kFloat32);

}  // namespace loom
