// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MatrixMarket coordinate files (real, integer or pattern; general or symmetric) read into COO tensors.
#pragma once
#include <cstdint>
#include <string>

#include "loom/core/tensor.h"

namespace loom::data {

// A sparse matrix in coordinate form: entry k is (rows[k], cols[k]) = values[k], 0-based, in file order
// (symmetric files: each off-diagonal entry is followed by its mirror). Duplicates are kept as written.
struct CooMatrix {
  Tensor rows;    // int64 [nnz]
  Tensor cols;    // int64 [nnz]
  Tensor values;  // float32 or float64 [nnz]; 1 for pattern files
  int64_t n_rows = 0;
  int64_t n_cols = 0;
  int64_t nnz() const { return rows.defined() ? rows.numel() : 0; }
};

// Reads `%%MatrixMarket matrix coordinate real|integer|pattern general|symmetric` (1-based indices, `%` comment
// lines, blank lines ignored). Symmetric files must be square and list entries on or below the diagonal; the
// off-diagonal ones are mirrored. `value_dtype` is float32 or float64.
// Throws FormatError naming the file and line for a missing or unsupported banner (array format, complex,
// hermitian, skew-symmetric), a bad size line, an index out of range, non-numeric tokens, or an entry count
// different from the one declared; loom::Error when the file cannot be opened.
CooMatrix read_mtx(const std::string& path, DType value_dtype = kFloat32);

// Parses MatrixMarket text already in memory; `name` is used in error messages.
CooMatrix parse_mtx(const std::string& text, const std::string& name = "<memory>", DType value_dtype = kFloat32);

// A dense float32 [n_rows, n_cols] CPU tensor of `m` (duplicate entries are summed).
Tensor coo_to_dense(const CooMatrix& m);

}  // namespace loom::data
