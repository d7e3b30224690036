// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Csr: argument checks and validation (every index checked on its own device, the first bad entry named),
// device dispatch, and the lazily built transpose and row index.
#include <climits>

#include "core/detail/check.h"
#include "core/detail/dispatch.h"
#include "core/detail/macros.h"
#include "core/ops/index.h"
#include "core/sparse/csr_impl.h"
#include "loom/core/ops.h"

namespace loom {

namespace {

constexpr int64_t kMaxDim = INT32_MAX;  // column ids and row_index are int32

// Element `pos` of an index tensor, copied to the host.
int64_t read_index(const Tensor& t, int64_t pos) {
  Tensor one = t.narrow_rows(pos, pos + 1).cpu();
  return detail::dispatch_index(one.dtype(), "Csr", [&]<class I>() { return static_cast<int64_t>(one.item<I>()); });
}

detail::BadIndex find_bad(const char* op, const Tensor& index, int64_t bound) {
  if (index.numel() == 0) return {};
  if (index.is_cuda()) return detail::find_bad_index_device(op, index, bound);
  return detail::find_bad_index_cpu(index, bound);
}

void check_dims(const char* op, int64_t num_rows, int64_t num_cols) {
  LOOM_CHECK(num_rows >= 0 && num_rows <= kMaxDim, ValueError, op, ": num_rows must be in [0, 2^31 - 1], got ",
             num_rows);
  LOOM_CHECK(num_cols >= 0 && num_cols <= kMaxDim, ValueError, op, ": num_cols must be in [0, 2^31 - 1], got ",
             num_cols);
}

// values: undefined, or floating [nnz] / [nnz, H] on `device`.
void check_values(const char* op, const Tensor& values, int64_t nnz, Device device) {
  if (!values.defined()) return;
  detail::check_floating(op, "values", values);
  LOOM_CHECK(values.dim() == 1 || values.dim() == 2, ShapeError, op, ": 'values' must be [nnz] or [nnz, H] with nnz = ",
             nnz, ", got shape ", values.shape_str());
  LOOM_CHECK(values.size(0) == nnz, ShapeError, op, ": 'values' must have ", nnz, " rows (one per entry), got shape ",
             values.shape_str());
  LOOM_CHECK(values.device() == device, DeviceError, op, ": 'values' is on ", values.device().str(),
             " but the structure is on ", device.str(), " (move one with .to(device))");
}

}  // namespace

// ---------------------------------------------------------------- builders

Csr Csr::from_coo(const Tensor& rows, const Tensor& cols, int64_t num_rows, int64_t num_cols, const Tensor& values,
                  DupPolicy dup) {
  const char* op = "Csr::from_coo";
  detail::check_index_dtype(op, "rows", rows);
  detail::check_index_dtype(op, "cols", cols);
  detail::check_rank(op, "rows", rows, 1);
  detail::check_rank(op, "cols", cols, 1);
  LOOM_CHECK(rows.numel() == cols.numel(), ShapeError, op, ": 'rows' has ", rows.numel(), " entries but 'cols' has ",
             cols.numel());
  detail::check_same_device(op, "rows", rows, "cols", cols);
  check_dims(op, num_rows, num_cols);
  const int64_t n = rows.numel();
  check_values(op, values, n, rows.device());

  // The first entry with a bad row or column, in input order.
  const detail::BadIndex br = find_bad(op, rows, num_rows), bc = find_bad(op, cols, num_cols);
  if (br.pos >= 0 || bc.pos >= 0) {
    const bool row_bad = br.pos >= 0 && (bc.pos < 0 || br.pos <= bc.pos);
    const int64_t pos = row_bad ? br.pos : bc.pos;
    const int64_t r = row_bad ? br.value : read_index(rows, pos);
    const int64_t c = row_bad ? read_index(cols, pos) : bc.value;
    throw IndexError(detail::str_cat(op, ": edge ", pos, " (", r, " -> ", c, ") is out of range for ",
                                     row_bad ? num_rows : num_cols, row_bad ? " rows" : " columns"));
  }

  detail::CooBuild b;
  if (rows.is_cuda()) {
    LOOM_CUDA_ONLY(op, b = detail::build_coo_cuda(rows, cols, num_rows, num_cols, dup));
  } else {
    b = detail::build_coo_cpu(rows, cols, num_rows, num_cols, dup);
  }
  LOOM_CHECK(b.dup_second < 0, ValueError, op, ": edges ", b.dup_first, " and ", b.dup_second,
             " are the same entry (", b.dup_row, " -> ", b.dup_col,
             "); pass DupPolicy::kSum to merge duplicates or DupPolicy::kKeep to keep them");

  auto s = std::make_shared<CsrStructure>();
  s->num_rows = num_rows;
  s->num_cols = num_cols;
  s->indptr = b.indptr;
  s->indices = b.indices;
  s->edge_ids = b.edge_ids;
  Tensor v;
  if (values.defined()) {
    v = index_select(values, b.perm);
    if (b.group.defined()) {
      Shape shape = values.shape();
      shape[0] = s->nnz();
      // index_add adds in increasing sorted position, i.e. each merged value sums its copies in input order.
      v = index_add(zeros(shape, values.dtype(), values.device()), b.group, v);
    }
  }
  return CsrAccess::make(std::move(s), v);
}

Csr Csr::from_arrays(const Tensor& indptr, const Tensor& indices, int64_t num_cols, const Tensor& values) {
  const char* op = "Csr::from_arrays";
  detail::check_defined(op, "indptr", indptr);
  detail::check_defined(op, "indices", indices);
  LOOM_CHECK(indptr.dtype() == kInt64, DTypeError, op, ": 'indptr' must be int64, got ", dtype_name(indptr.dtype()));
  LOOM_CHECK(indices.dtype() == kInt32, DTypeError, op, ": 'indices' must be int32, got ",
             dtype_name(indices.dtype()));
  detail::check_rank(op, "indptr", indptr, 1);
  detail::check_rank(op, "indices", indices, 1);
  LOOM_CHECK(indptr.numel() >= 1, ShapeError, op, ": 'indptr' must have num_rows + 1 >= 1 entries, got shape ",
             indptr.shape_str());
  detail::check_same_device(op, "indptr", indptr, "indices", indices);
  const int64_t num_rows = indptr.numel() - 1, nnz = indices.numel();
  check_dims(op, num_rows, num_cols);
  check_values(op, values, nnz, indptr.device());

  const int64_t first = read_index(indptr, 0), last = read_index(indptr, num_rows);
  LOOM_CHECK(first == 0, ValueError, op, ": indptr[0] must be 0, got ", first);
  LOOM_CHECK(last == nnz, ValueError, op, ": indptr[", num_rows, "] must equal the number of indices (", nnz,
             "), got ", last);
  int64_t dec = -1;
  if (indptr.is_cuda()) {
    LOOM_CUDA_ONLY(op, dec = detail::first_decrease_cuda(indptr));
  } else {
    dec = detail::first_decrease_cpu(indptr);
  }
  if (dec >= 0) {
    throw ValueError(detail::str_cat(op, ": indptr must be non-decreasing, but indptr[", dec, "] = ",
                                     read_index(indptr, dec), " > indptr[", dec + 1, "] = ", read_index(indptr, dec + 1)));
  }
  const detail::BadIndex bad = find_bad(op, indices, num_cols);
  LOOM_CHECK(bad.pos < 0, IndexError, op, ": indices[", bad.pos, "] = ", bad.value, " is out of range for ", num_cols,
             " columns");

  auto s = std::make_shared<CsrStructure>();
  s->num_rows = num_rows;
  s->num_cols = num_cols;
  s->indptr = indptr;
  s->indices = indices;
  s->edge_ids = arange(nnz, kInt64, indptr.device());
  return CsrAccess::make(std::move(s), values);
}

// ---------------------------------------------------------------- accessors

int64_t Csr::num_rows() const { return CsrAccess::impl(*this).s->num_rows; }
int64_t Csr::num_cols() const { return CsrAccess::impl(*this).s->num_cols; }
int64_t Csr::nnz() const { return CsrAccess::impl(*this).s->nnz(); }
Device Csr::device() const { return CsrAccess::impl(*this).s->device(); }
const Tensor& Csr::indptr() const { return CsrAccess::impl(*this).s->indptr; }
const Tensor& Csr::indices() const { return CsrAccess::impl(*this).s->indices; }
const Tensor& Csr::values() const { return CsrAccess::impl(*this).values; }
const Tensor& Csr::edge_ids() const { return CsrAccess::impl(*this).s->edge_ids; }

std::string Csr::str() const {
  if (!impl_) return "Csr(undefined)";
  return detail::str_cat("Csr(", num_rows(), " x ", num_cols(), ", nnz ", nnz(), ", ", device().str(), ")");
}

// ---------------------------------------------------------------- copies and caches

Csr Csr::to(Device device) const {
  const Impl& im = CsrAccess::impl(*this);
  if (device == im.s->device()) return *this;
  auto copy = [&](const CsrStructure& from) {
    auto s = std::make_shared<CsrStructure>();
    s->num_rows = from.num_rows;
    s->num_cols = from.num_cols;
    s->indptr = from.indptr.to(device);
    s->indices = from.indices.to(device);
    s->edge_ids = from.edge_ids.to(device);
    return s;
  };
  auto s = copy(*im.s);
  // Caches already built travel along (the once_flags are consumed by setting them).
  if (im.s->transposed) {
    std::call_once(s->transpose_once, [&] { s->transposed = copy(*im.s->transposed); });
  }
  if (im.s->row_index.defined()) {
    std::call_once(s->row_index_once, [&] { s->row_index = im.s->row_index.to(device); });
  }
  Csr out = CsrAccess::make(std::move(s), im.values.defined() ? im.values.to(device) : Tensor());
  if (im.transposed) {
    Impl& o = *out.impl_;
    const Tensor& tv = im.transposed->values();
    std::call_once(o.transpose_once, [&] {
      o.transposed = std::make_unique<Csr>(CsrAccess::make(o.s->transpose_structure(),
                                                           tv.defined() ? tv.to(device) : Tensor()));
    });
  }
  return out;
}

Csr Csr::with_values(const Tensor& values) const {
  const Impl& im = CsrAccess::impl(*this);
  check_values("Csr::with_values", values, im.s->nnz(), im.s->device());
  return CsrAccess::make(im.s, values);
}

const std::shared_ptr<CsrStructure>& CsrStructure::transpose_structure() {
  std::call_once(transpose_once, [&] {
    detail::TransposeBuild t;
    if (device().is_cuda()) {
      LOOM_CUDA_ONLY("Csr::transpose", t = detail::transpose_cuda(indptr, indices, num_cols));
    } else {
      t = detail::transpose_cpu(indptr, indices, num_cols);
    }
    auto ts = std::make_shared<CsrStructure>();
    ts->num_rows = num_cols;
    ts->num_cols = num_rows;
    ts->indptr = t.indptr;
    ts->indices = t.indices;
    ts->edge_ids = t.edge_ids;
    transposed = std::move(ts);
  });
  return transposed;
}

const Tensor& CsrStructure::get_row_index() {
  std::call_once(row_index_once, [&] {
    if (device().is_cuda()) {
      LOOM_CUDA_ONLY("Csr::row_index", row_index = detail::row_index_cuda(indptr, nnz()));
    } else {
      row_index = detail::row_index_cpu(indptr, nnz());
    }
  });
  return row_index;
}

const Csr& Csr::transpose() const {
  Impl& im = CsrAccess::impl(*this);
  std::call_once(im.transpose_once, [&] {
    const auto& ts = im.s->transpose_structure();
    im.transposed = std::make_unique<Csr>(
        CsrAccess::make(ts, im.values.defined() ? index_select(im.values, ts->edge_ids) : Tensor()));
  });
  return *im.transposed;
}

const Tensor& Csr::row_index() const { return CsrAccess::impl(*this).s->get_row_index(); }

Tensor Csr::row_degrees() const {
  const Impl& im = CsrAccess::impl(*this);
  if (im.s->device().is_cuda()) {
    Tensor d;
    LOOM_CUDA_ONLY("Csr::row_degrees", d = detail::row_degrees_cuda(im.s->indptr));
    return d;
  }
  return detail::row_degrees_cpu(im.s->indptr);
}

}  // namespace loom
