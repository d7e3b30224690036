// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to hetero/: the two passes of one meta-path product C = A B. The symbolic pass counts each row's distinct
// columns (and whether the diagonal is among them) without allocating C; the numeric pass fills C into arrays sized
// from those counts, applying the self-loop policy and the per-row top-k. Operands are CPU Csrs whose values are
// undefined (ones) or 1-D of the result dtype.
#pragma once
#include <cstdint>

#include "loom/core/sparse.h"
#include "loom/hetero/metapath.h"

namespace loom::hetero::detail {

// distinct[r]: distinct columns of row r of A B, the diagonal excluded when `split_diag` (then has_diag[r] says
// whether column r occurs); otherwise every column counts and has_diag is left alone.
void product_count_cpu(const Csr& a, const Csr& b, bool split_diag, int64_t* distinct, uint8_t* has_diag);

// The entries row r keeps under `policy` and top-k `k` (0: all), from the symbolic pass's counts.
inline int64_t kept_per_row(int64_t distinct, SelfLoops policy, int64_t k) {
  const int64_t n = k > 0 && distinct > k ? k : distinct;
  return policy == SelfLoops::kAdd ? n + 1 : n;
}

// Fills C: indptr int64 [m + 1] (from kept_per_row), indices int32 and values `dtype` of indptr[m] entries, columns
// sorted within rows. Row r keeps, of its distinct columns (the diagonal handled by `policy` when split), the k
// heaviest by path count with ties to the lower column id (all when k is 0).
struct ProductArrays {
  Tensor indptr, indices, values;
};
ProductArrays product_fill_cpu(const Csr& a, const Csr& b, const Tensor& indptr, SelfLoops policy, bool split_diag,
                               int64_t k, DType dtype);

}  // namespace loom::hetero::detail
