// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// cuSPARSE SpGEMM (C = A B, CSR, 32-bit offsets and indices) on loom's stream, with buffers from loom's caching
// allocator. Our int64 offsets are narrowed to int32 for it (more than 2^31 - 1 entries is NotImplementedError).
// The result's columns are then sorted within rows with a CUB segmented sort, so the order never depends on the
// cuSPARSE algorithm.
#include <cub/device/device_segmented_sort.cuh>

#include <climits>

#include "core/detail/cuda_libs.h"
#include "core/detail/cuda_runtime.h"
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/sparse/spgemm.h"

namespace loom::detail {
namespace {

// Descriptors released on every path, exceptions included.
struct MatGuard {
  cusparseSpMatDescr_t m = nullptr;
  ~MatGuard() {
    if (m) cusparseDestroySpMat(m);
  }
};
struct GemmGuard {
  cusparseSpGEMMDescr_t d = nullptr;
  ~GemmGuard() {
    if (d) cusparseSpGEMM_destroyDescr(d);
  }
};

void check_size(int64_t n, const char* what) {
  LOOM_CHECK(n <= INT_MAX, NotImplementedError, "spgemm: ", what, " has ", n,
             " entries; cuSPARSE SpGEMM runs with 32-bit offsets (at most 2^31 - 1)");
}

Tensor bytes_buffer(size_t bytes, Device dev) { return empty({static_cast<int64_t>((bytes + 7) / 8) + 1}, kInt64, dev); }

}  // namespace

CsrArrays spgemm_cuda(const CsrOperand& a, const CsrOperand& b) {
  const Device dev = a.indptr.device();
  const int64_t m = a.indptr.numel() - 1, k = a.num_cols, n = b.num_cols;
  check_size(a.indices.numel(), "'a'");
  check_size(b.indices.numel(), "'b'");
  check_size(std::max({m, k, n}), "a dimension");
  const Tensor a_ptr = a.indptr.to(kInt32), b_ptr = b.indptr.to(kInt32);
  const DType dtype = a.values.dtype();
  const cudaDataType vt = dtype == kFloat64 ? CUDA_R_64F : CUDA_R_32F;

  const auto h = cusparse_handle();  // this device's, on the current stream, locked until we return
  MatGuard ma, mb, mc;
  LOOM_CUSPARSE_CHECK(cusparseCreateCsr(&ma.m, m, k, a.indices.numel(), a_ptr.raw_data(), a.indices.raw_data(),
                                        a.values.raw_data(), CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I,
                                        CUSPARSE_INDEX_BASE_ZERO, vt));
  LOOM_CUSPARSE_CHECK(cusparseCreateCsr(&mb.m, k, n, b.indices.numel(), b_ptr.raw_data(), b.indices.raw_data(),
                                        b.values.raw_data(), CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I,
                                        CUSPARSE_INDEX_BASE_ZERO, vt));
  LOOM_CUSPARSE_CHECK(cusparseCreateCsr(&mc.m, m, n, 0, nullptr, nullptr, nullptr, CUSPARSE_INDEX_32I,
                                        CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO, vt));
  GemmGuard gd;
  LOOM_CUSPARSE_CHECK(cusparseSpGEMM_createDescr(&gd.d));
  const cusparseOperation_t opn = CUSPARSE_OPERATION_NON_TRANSPOSE;
  const cusparseSpGEMMAlg_t alg = CUSPARSE_SPGEMM_DEFAULT;
  const double one64 = 1.0, zero64 = 0.0;
  const float one32 = 1.0f, zero32 = 0.0f;
  const void* alpha = dtype == kFloat64 ? static_cast<const void*>(&one64) : static_cast<const void*>(&one32);
  const void* beta = dtype == kFloat64 ? static_cast<const void*>(&zero64) : static_cast<const void*>(&zero32);

  size_t bytes1 = 0, bytes2 = 0;
  LOOM_CUSPARSE_CHECK(cusparseSpGEMM_workEstimation(h, opn, opn, alpha, ma.m, mb.m, beta, mc.m, vt, alg, gd.d,
                                                    &bytes1, nullptr));
  Tensor buf1 = bytes_buffer(bytes1, dev);
  LOOM_CUSPARSE_CHECK(cusparseSpGEMM_workEstimation(h, opn, opn, alpha, ma.m, mb.m, beta, mc.m, vt, alg, gd.d,
                                                    &bytes1, buf1.raw_data()));
  LOOM_CUSPARSE_CHECK(cusparseSpGEMM_compute(h, opn, opn, alpha, ma.m, mb.m, beta, mc.m, vt, alg, gd.d, &bytes2,
                                             nullptr));
  Tensor buf2 = bytes_buffer(bytes2, dev);
  LOOM_CUSPARSE_CHECK(cusparseSpGEMM_compute(h, opn, opn, alpha, ma.m, mb.m, beta, mc.m, vt, alg, gd.d, &bytes2,
                                             buf2.raw_data()));
  int64_t rows_c = 0, cols_c = 0, nnz_c = 0;
  LOOM_CUSPARSE_CHECK(cusparseSpMatGetSize(mc.m, &rows_c, &cols_c, &nnz_c));
  check_size(nnz_c, "the product");
  Tensor c_ptr = empty({m + 1}, kInt32, dev), c_idx = empty({nnz_c}, kInt32, dev), c_val = empty({nnz_c}, dtype, dev);
  LOOM_CUSPARSE_CHECK(cusparseCsrSetPointers(mc.m, c_ptr.raw_data(), c_idx.raw_data(), c_val.raw_data()));
  LOOM_CUSPARSE_CHECK(cusparseSpGEMM_copy(h, opn, opn, alpha, ma.m, mb.m, beta, mc.m, vt, alg, gd.d));

  CsrArrays out;
  out.indptr = c_ptr.to(kInt64);
  out.indices = empty({nnz_c}, kInt32, dev);
  out.values = empty({nnz_c}, dtype, dev);
  if (nnz_c == 0) return out;
  dispatch_floating(dtype, "spgemm", [&]<class T>() {
    const int* offs = c_ptr.data<int32_t>();
    size_t bytes = 0;
    LOOM_CUDA_CHECK(cub::DeviceSegmentedSort::StableSortPairs(nullptr, bytes, c_idx.data<int32_t>(),
                                                              out.indices.data<int32_t>(), c_val.data<T>(),
                                                              out.values.data<T>(), nnz_c, m, offs, offs + 1,
                                                              stream()));
    Tensor temp = bytes_buffer(bytes, dev);
    LOOM_CUDA_CHECK(cub::DeviceSegmentedSort::StableSortPairs(temp.raw_data(), bytes, c_idx.data<int32_t>(),
                                                              out.indices.data<int32_t>(), c_val.data<T>(),
                                                              out.values.data<T>(), nnz_c, m, offs, offs + 1,
                                                              stream()));
  });
  return out;
}

}  // namespace loom::detail
