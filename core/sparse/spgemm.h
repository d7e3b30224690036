// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to core/sparse: kernels of the sparse products. Operands arrive checked, with 1-D values of one floating
// dtype (ones for pattern-only operands), on one device.
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"

namespace loom::detail {

// The arrays of a result: indptr int64 [m + 1], indices int32 [nnz] sorted within rows, values [nnz].
struct CsrArrays {
  Tensor indptr, indices, values;
};
// One operand: int64 indptr, int32 indices, 1-D values of the result dtype.
struct CsrOperand {
  const Tensor& indptr;
  const Tensor& indices;
  const Tensor& values;
  int64_t num_cols;
};

CsrArrays spgemm_cpu(const CsrOperand& a, const CsrOperand& b);
// Operands must be canonical (columns sorted, no repeats): cuSPARSE assumes it.
CsrArrays spgemm_cuda(const CsrOperand& a, const CsrOperand& b);
CsrArrays sparse_add_cpu(const CsrOperand& a, const CsrOperand& b, double alpha, double beta);

}  // namespace loom::detail
