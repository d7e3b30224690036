// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA grouped product: one cuBLAS grouped-batched GEMM call for all non-empty groups (cuBLAS 12.5+; older toolkits
// issue one GEMM per group on the same stream). The weight gradient, whose reduction runs over a group's rows, is
// one GEMM per group instead: see grouped_gemm_weight_grad_cuda. Row-major operands are read as their column-major transposes, as in
// matmul_cuda.cu, so nothing is transposed in memory. The bias is written into y first and the GEMM accumulates
// onto it (beta = 1).
#include <climits>
#include <vector>

#include "core/detail/cuda_libs.h"
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/ops/grouped_matmul.h"

namespace loom::detail {

namespace {

int as_int(int64_t v, const char* what) {
  LOOM_CHECK(v <= INT_MAX, ValueError, "grouped_matmul: ", what, " = ", v, " exceeds the cuBLAS limit of ", INT_MAX);
  return static_cast<int>(v);
}

// y[i, :] = bias[g, :] for the group g holding row i (found by binary search over the device offsets).
template <class T>
__global__ void fill_group_bias_kernel(const int64_t* offsets, int64_t groups, const T* bias, T* y, int64_t n,
                                       int64_t m) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n * m;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t row = i / m;
    int64_t lo = 0, hi = groups;  // the last g with offsets[g] <= row
    while (hi - lo > 1) {
      const int64_t mid = (lo + hi) / 2;
      if (offsets[mid] <= row) lo = mid; else hi = mid;
    }
    y[i] = bias[lo * m + i % m];
  }
}

// One column-major GEMM problem: C[m, n] = alpha op(A) op(B) + beta C.
template <class T>
struct Problem {
  cublasOperation_t ta, tb;
  int m, n, k, lda, ldb, ldc;
  const T* a;
  const T* b;
  T* c;
};

cublasStatus_t gemm_one(cublasHandle_t h, const Problem<float>& p, float beta) {
  const float one = 1.0f;
  return cublasSgemm(h, p.ta, p.tb, p.m, p.n, p.k, &one, p.a, p.lda, p.b, p.ldb, &beta, p.c, p.ldc);
}
cublasStatus_t gemm_one(cublasHandle_t h, const Problem<double>& p, double beta) {
  const double one = 1.0;
  return cublasDgemm(h, p.ta, p.tb, p.m, p.n, p.k, &one, p.a, p.lda, p.b, p.ldb, &beta, p.c, p.ldc);
}
#if CUBLAS_VERSION >= 120500
cublasStatus_t gemm_grouped(cublasHandle_t h, const cublasOperation_t* ta, const cublasOperation_t* tb, const int* m,
                            const int* n, const int* k, const float* alpha, const float* const* a, const int* lda,
                            const float* const* b, const int* ldb, const float* beta, float* const* c,
                            const int* ldc, int count, const int* size) {
  return cublasSgemmGroupedBatched(h, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, count, size);
}
cublasStatus_t gemm_grouped(cublasHandle_t h, const cublasOperation_t* ta, const cublasOperation_t* tb, const int* m,
                            const int* n, const int* k, const double* alpha, const double* const* a, const int* lda,
                            const double* const* b, const int* ldb, const double* beta, double* const* c,
                            const int* ldc, int count, const int* size) {
  return cublasDgemmGroupedBatched(h, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, count, size);
}
#endif

// Runs every problem: one grouped call when cuBLAS has it and one_by_one is false, else one GEMM each on the same
// stream.
template <class T>
void run_problems(const std::vector<Problem<T>>& ps, T beta, bool one_by_one = false) {
  if (ps.empty()) return;
  const auto h = cublas_handle();
#if CUBLAS_VERSION >= 120500
  if (one_by_one) {
    for (const Problem<T>& p : ps) LOOM_CUBLAS_CHECK(gemm_one(h, p, beta));
    return;
  }
  const size_t n = ps.size();
  std::vector<cublasOperation_t> ta(n), tb(n);
  std::vector<int> m(n), nn(n), k(n), lda(n), ldb(n), ldc(n), size(n, 1);
  std::vector<T> alpha(n, T(1)), betas(n, beta);
  // The pointer arrays live on the device (cuBLAS reads them there); the rest are host arrays.
  std::vector<int64_t> ptrs(3 * n);
  for (size_t i = 0; i < n; ++i) {
    ta[i] = ps[i].ta; tb[i] = ps[i].tb;
    m[i] = ps[i].m; nn[i] = ps[i].n; k[i] = ps[i].k;
    lda[i] = ps[i].lda; ldb[i] = ps[i].ldb; ldc[i] = ps[i].ldc;
    ptrs[i] = reinterpret_cast<int64_t>(ps[i].a);
    ptrs[n + i] = reinterpret_cast<int64_t>(ps[i].b);
    ptrs[2 * n + i] = reinterpret_cast<int64_t>(ps[i].c);
  }
  const Tensor dptrs = from_vector<int64_t>(ptrs, {static_cast<int64_t>(3 * n)}).to(kCUDA);
  const auto* base = reinterpret_cast<T* const*>(dptrs.data<int64_t>());
  LOOM_CUBLAS_CHECK(gemm_grouped(h, ta.data(), tb.data(), m.data(), nn.data(), k.data(), alpha.data(),
                                 const_cast<const T* const*>(base), lda.data(), const_cast<const T* const*>(base + n),
                                 ldb.data(), betas.data(), base + 2 * n, ldc.data(), static_cast<int>(n), size.data()));
  // dptrs is freed into the stream-ordered caching allocator: reused only by later work on this stream.
#else
  (void)one_by_one;
  for (const Problem<T>& p : ps) LOOM_CUBLAS_CHECK(gemm_one(h, p, beta));
#endif
}

}  // namespace

void grouped_gemm_cuda(const Tensor& x, const Tensor& w, bool trans_w, const Tensor& bias,
                       const std::vector<int64_t>& offsets, const Tensor& y) {
  const int64_t groups = w.size(0);
  const int k = as_int(w.size(1), "K"), m = as_int(w.size(2), "M");
  const int in = trans_w ? m : k, out = trans_w ? k : m;
  dispatch_floating(x.dtype(), "grouped_matmul", [&]<class T>() {
    const T* px = x.data<T>();
    const T* pw = w.data<T>();
    T* py = y.data<T>();
    if (bias.defined()) {
      const Tensor doff = from_vector<int64_t>(offsets, {groups + 1}).to(kCUDA);
      fill_group_bias_kernel<T><<<blocks_for(y.numel()), kThreads, 0, stream()>>>(
          doff.data<int64_t>(), groups, bias.data<T>(), py, y.size(0), m);
      LOOM_CUDA_CHECK_LAUNCH();
    }
    std::vector<Problem<T>> ps;
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t r0 = offsets[static_cast<size_t>(g)], rows = offsets[static_cast<size_t>(g) + 1] - r0;
      if (rows == 0) continue;
      // Column-major: Y_g^T [out, rows] = op(W_g)^T X_g^T. W_g row-major [K, M] is column-major [M, K] (ld M):
      // used as is for X W (Y^T = W^T X^T), transposed for X W^T (Y^T = W X^T).
      ps.push_back({trans_w ? CUBLAS_OP_T : CUBLAS_OP_N, CUBLAS_OP_N, out, as_int(rows, "group rows"), in, m, in, out,
                    pw + g * k * m, px + r0 * in, py + r0 * out});
    }
    run_problems<T>(ps, bias.defined() ? T(1) : T(0));
  });
}

void grouped_gemm_weight_grad_cuda(const Tensor& x, const Tensor& dy, const std::vector<int64_t>& offsets,
                                   const Tensor& dw) {
  const int64_t groups = dw.size(0);
  const int k = as_int(dw.size(1), "K"), m = as_int(dw.size(2), "M");
  LOOM_CUDA_CHECK(cudaMemsetAsync(dw.raw_data(), 0, dw.nbytes(), stream()));  // empty groups keep 0
  dispatch_floating(x.dtype(), "grouped_matmul", [&]<class T>() {
    std::vector<Problem<T>> ps;
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t r0 = offsets[static_cast<size_t>(g)], rows = offsets[static_cast<size_t>(g) + 1] - r0;
      if (rows == 0) continue;
      // dW_g row-major [K, M] is column-major dW_g^T [M, K] = dY_g^T X_g: dY_g column-major [M, rows] (ld M) as is,
      // X_g column-major [K, rows] (ld K) transposed.
      ps.push_back({CUBLAS_OP_N, CUBLAS_OP_T, m, k, as_int(rows, "group rows"), m, k, m, dy.data<T>() + r0 * m,
                    x.data<T>() + r0 * k, dw.data<T>() + g * k * m});
    }
    // One plain GEMM per group, not one grouped call: each problem is a small [M, K] output reduced over all of the
    // group's rows (a relation's 500k destination rows into 64 x 64, say). cuBLAS's grouped-batched GEMM gives such
    // a problem only its few output tiles, so a handful of blocks walk all the rows; a plain GEMM splits the
    // reduction (split-K) over the whole GPU. On the H100 this took the fused HeteroConv's forward+backward (1M
    // nodes, 20M edges) from 374.9 to 204.6 ms. The groups are relations or node types, so the launches are few.
    run_problems<T>(ps, T(0), /*one_by_one=*/true);
  });
}

}  // namespace loom::detail
