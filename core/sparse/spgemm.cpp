// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Sparse products and conversions: spgemm, sparse_add, scale_rows/scale_cols and to_dense. Checks, the value
// dtype of the result, and dispatch to the CPU kernels or cuSPARSE.
#include "core/detail/check.h"
#include "core/detail/dispatch.h"
#include "core/detail/macros.h"
#include "core/detail/parallel.h"
#include "core/sparse/csr_impl.h"
#include "core/sparse/spgemm.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace {

void check_csr(const char* op, const char* arg, const Csr& a) {
  LOOM_CHECK(a.defined(), ValueError, op, ": '", arg, "' is an undefined Csr");
}

// Products take 1-D values only (one matrix); multi-head values would need one product per head.
void check_matrix_values(const char* op, const char* arg, const Csr& a) {
  const Tensor& v = a.values();
  LOOM_CHECK(!v.defined() || v.dim() == 1, ShapeError, op, ": '", arg,
             "' must be pattern-only or have values [nnz], got values ", v.shape_str());
}

// The dtype of a result: the operands' value dtype (they must agree), float32 when both are pattern-only.
DType result_dtype(const char* op, const Csr& a, const Csr& b) {
  const Tensor &va = a.values(), &vb = b.values();
  if (va.defined() && vb.defined()) {
    LOOM_CHECK(va.dtype() == vb.dtype(), DTypeError, op, ": 'a' has ", dtype_name(va.dtype()), " values but 'b' has ",
               dtype_name(vb.dtype()), " values");
  }
  return va.defined() ? va.dtype() : vb.defined() ? vb.dtype() : kFloat32;
}

Tensor values_or_ones(const Csr& a, DType dtype) {
  return a.values().defined() ? a.values().detach() : ones({a.nnz()}, dtype, a.device());
}

Csr from_result(detail::CsrArrays r, int64_t num_cols) {
  auto s = std::make_shared<CsrStructure>();
  s->num_rows = r.indptr.numel() - 1;
  s->num_cols = num_cols;
  s->indptr = std::move(r.indptr);
  s->indices = std::move(r.indices);
  s->edge_ids = arange(s->indices.numel(), kInt64, s->indptr.device());
  return CsrAccess::make(std::move(s), std::move(r.values));
}

}  // namespace

Csr spgemm(const Csr& a, const Csr& b) {
  const char* op = "spgemm";
  check_csr(op, "a", a);
  check_csr(op, "b", b);
  LOOM_CHECK(a.device() == b.device(), DeviceError, op, ": 'a' is on ", a.device().str(), " but 'b' is on ",
             b.device().str(), " (move one with .to(device))");
  LOOM_CHECK(a.num_cols() == b.num_rows(), ShapeError, op, ": 'a' is ", a.num_rows(), " x ", a.num_cols(),
             " but 'b' is ", b.num_rows(), " x ", b.num_cols(), " (a's columns must equal b's rows)");
  check_matrix_values(op, "a", a);
  check_matrix_values(op, "b", b);
  const DType dtype = result_dtype(op, a, b);
  NoGradGuard no_grad;
  if (a.device().is_cuda()) {
    if (a.nnz() == 0 || b.nnz() == 0) {
      return from_result({zeros({a.num_rows() + 1}, kInt64, a.device()), empty({0}, kInt32, a.device()),
                          empty({0}, dtype, a.device())},
                         b.num_cols());
    }
    // cuSPARSE assumes sorted columns without repeats: merge repeats (summing values) and sort first. A Csr from
    // from_coo is sorted already, but a kKeep multigraph or a from_arrays Csr may be neither.
    auto canonical = [&](const Csr& x) {
      return Csr::from_coo(x.row_index(), x.indices(), x.num_rows(), x.num_cols(), values_or_ones(x, dtype),
                           DupPolicy::kSum);
    };
    const Csr ca = canonical(a), cb = canonical(b);
    detail::CsrArrays r;
    LOOM_CUDA_ONLY(op, r = detail::spgemm_cuda({ca.indptr(), ca.indices(), ca.values(), ca.num_cols()},
                                               {cb.indptr(), cb.indices(), cb.values(), cb.num_cols()}));
    return from_result(std::move(r), b.num_cols());
  }
  const Tensor va = values_or_ones(a, dtype), vb = values_or_ones(b, dtype);
  return from_result(detail::spgemm_cpu({a.indptr(), a.indices(), va, a.num_cols()},
                                        {b.indptr(), b.indices(), vb, b.num_cols()}),
                     b.num_cols());
}

Csr sparse_add(const Csr& a, const Csr& b, double alpha, double beta) {
  const char* op = "sparse_add";
  check_csr(op, "a", a);
  check_csr(op, "b", b);
  LOOM_CHECK(a.device() == b.device(), DeviceError, op, ": 'a' is on ", a.device().str(), " but 'b' is on ",
             b.device().str(), " (move one with .to(device))");
  LOOM_CHECK(a.num_rows() == b.num_rows() && a.num_cols() == b.num_cols(), ShapeError, op, ": 'a' is ", a.num_rows(),
             " x ", a.num_cols(), " but 'b' is ", b.num_rows(), " x ", b.num_cols(), " (shapes must be equal)");
  check_matrix_values(op, "a", a);
  check_matrix_values(op, "b", b);
  const DType dtype = result_dtype(op, a, b);
  NoGradGuard no_grad;
  if (a.device().is_cuda()) {
    // No CUDA kernel: the union is built on the host and copied back (sparse_add is for setup, not training).
    return sparse_add(a.to(kCPU), b.to(kCPU), alpha, beta).to(a.device());
  }
  const Tensor va = values_or_ones(a, dtype), vb = values_or_ones(b, dtype);
  return from_result(detail::sparse_add_cpu({a.indptr(), a.indices(), va, a.num_cols()},
                                            {b.indptr(), b.indices(), vb, b.num_cols()}, alpha, beta),
                     a.num_cols());
}

namespace {

// values * s[index] per entry (s[index] broadcast over the heads of [nnz, H] values); s[index] alone when
// pattern-only. Runs on the Csr's device through index_select and mul, so it is differentiable in s and values.
Csr scale_entries(const char* op, const Csr& a, const Tensor& s, int64_t expected, const char* what,
                  const Tensor& index) {
  check_csr(op, "a", a);
  detail::check_floating(op, "s", s);
  LOOM_CHECK(s.dim() == 1 && s.numel() == expected, ShapeError, op, ": 's' must have shape [", expected, "] (one per ",
             what, "), got ", s.shape_str());
  LOOM_CHECK(s.device() == a.device(), DeviceError, op, ": 's' is on ", s.device().str(), " but 'a' is on ",
             a.device().str(), " (move one with .to(device))");
  const Tensor& v = a.values();
  if (v.defined()) detail::check_same_dtype(op, "a.values()", v, "s", s);
  Tensor per_entry = index_select(s, index);
  if (!v.defined()) return a.with_values(per_entry);
  if (v.dim() == 2) per_entry = per_entry.view({a.nnz(), 1});
  return a.with_values(mul(v, per_entry));
}

}  // namespace

Csr scale_rows(const Csr& a, const Tensor& s) {
  check_csr("scale_rows", "a", a);
  return scale_entries("scale_rows", a, s, a.num_rows(), "row", a.row_index());
}

Csr scale_cols(const Csr& a, const Tensor& s) {
  check_csr("scale_cols", "a", a);
  return scale_entries("scale_cols", a, s, a.num_cols(), "column", a.indices());
}

Tensor to_dense(const Csr& a, DType dtype) {
  check_csr("to_dense", "a", a);
  LOOM_CHECK(is_floating(dtype), DTypeError, "to_dense: dtype must be float32 or float64, got ", dtype_name(dtype));
  if (a.device().is_cuda()) {
    // A test and small-matrix helper: built on the host and copied back.
    return to_dense(a.to(kCPU), dtype).to(a.device());
  }
  NoGradGuard no_grad;
  const Tensor& v = a.values();
  const int64_t h = v.defined() && v.dim() == 2 ? v.size(1) : 1;
  Shape shape{a.num_rows(), a.num_cols()};
  if (v.defined() && v.dim() == 2) shape.push_back(h);  // [nnz, H] values give [num_rows, num_cols, H]
  Tensor out = zeros(shape, dtype);
  const Tensor vals = v.defined() ? v.to(dtype) : ones({a.nnz()}, dtype);
  const int64_t* ip = a.indptr().data<int64_t>();
  const int32_t* ix = a.indices().data<int32_t>();
  const int64_t cols = a.num_cols();
  detail::dispatch_floating(dtype, "to_dense", [&]<class T>() {
    const T* pv = vals.data<T>();
    T* po = out.data<T>();
    detail::parallel_for(a.num_rows(), 64, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t k = ip[r]; k < ip[r + 1]; ++k)
          for (int64_t j = 0; j < h; ++j) po[(r * cols + ix[k]) * h + j] += pv[k * h + j];
    });
  });
  return out;
}

}  // namespace loom
