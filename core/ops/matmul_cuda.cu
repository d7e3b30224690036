// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA product on cuBLAS. cuBLAS is column-major; a row-major [m, n] matrix is its column-major transpose, so
// C = op(A) op(B) is computed as C^T = op(B)^T op(A)^T with the operands swapped: no data is transposed.
#include <climits>

#include "core/detail/cuda_libs.h"
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/ops/matmul.h"

namespace loom::detail {

namespace {

int as_int(int64_t v, const char* what) {
  LOOM_CHECK(v <= INT_MAX, ValueError, "matmul: ", what, " = ", v, " exceeds the cuBLAS limit of ", INT_MAX);
  return static_cast<int>(v);
}

cublasStatus_t gemm_call(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                         const float* a, int lda, long long sa, const float* b, int ldb, long long sb, float* c,
                         int ldc, long long sc, int batch) {
  const float one = 1.0f, zero = 0.0f;
  if (batch == 1) return cublasSgemm(h, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, ldc);
  return cublasSgemmStridedBatched(h, ta, tb, m, n, k, &one, a, lda, sa, b, ldb, sb, &zero, c, ldc, sc, batch);
}
cublasStatus_t gemm_call(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                         const double* a, int lda, long long sa, const double* b, int ldb, long long sb, double* c,
                         int ldc, long long sc, int batch) {
  const double one = 1.0, zero = 0.0;
  if (batch == 1) return cublasDgemm(h, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, ldc);
  return cublasDgemmStridedBatched(h, ta, tb, m, n, k, &one, a, lda, sa, b, ldb, sb, &zero, c, ldc, sc, batch);
}

}  // namespace

void gemm_cuda(const GemmArgs& g, const Tensor& a, const Tensor& b, const Tensor& c) {
  const auto h = cublas_handle();  // this device's, on the current stream, locked until we return
  const int m = as_int(g.m, "m"), n = as_int(g.n, "n"), k = as_int(g.k, "k"), batch = as_int(g.batch, "batch");
  // Column-major view: the first cuBLAS operand is op(B)^T [n, k], the second op(A)^T [k, m], the result C^T [n, m].
  // B stored [k, n] row-major is B^T column-major with leading dimension n (no transpose needed); B stored [n, k]
  // (trans_b) is column-major [k, n] with leading dimension k and must be transposed. Likewise for A.
  const cublasOperation_t op_b = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_a = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int ldb = g.trans_b ? k : n;
  const int lda = g.trans_a ? m : k;
  dispatch_floating(a.dtype(), "matmul", [&]<class T>() {
    LOOM_CUBLAS_CHECK(gemm_call(h, op_b, op_a, n, m, k, b.data<T>(), ldb, g.stride_b, a.data<T>(), lda, g.stride_a,
                                c.data<T>(), n, g.stride_c, batch));
  });
}

}  // namespace loom::detail
