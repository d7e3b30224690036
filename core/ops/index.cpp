// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Row indexing: index_select and index_add along dimension 0. Checks (every index validated against the row
// count), dispatch, and gradients built from each other.
#include "core/ops/index.h"

#include <atomic>

#include "core/detail/check.h"
#include "core/detail/int_bounds.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace {

// Elements per row of x (the product of its trailing dimensions).
int64_t row_size(const Tensor& x) {
  int64_t row = 1;
  for (size_t k = 1; k < x.shape().size(); ++k) row *= x.shape()[k];
  return row;
}

void check_index(const char* op, const Tensor& x, const Tensor& index) {
  detail::check_defined(op, "x", x);
  detail::check_index_dtype(op, "index", index);
  detail::check_same_device(op, "x", x, "index", index);
  LOOM_CHECK(x.dim() >= 1, ShapeError, op, ": 'x' must have rank >= 1 (rows along dimension 0), got a rank-0 tensor");
  LOOM_CHECK(index.dim() == 1, ShapeError, op, ": 'index' must have rank 1, got shape ", index.shape_str());
  const int64_t rows = x.shape()[0];
  detail::BadIndex bad;
  if (index.numel() > 0) {
    if (index.is_cuda()) {
      bad = detail::find_bad_index_device(op, index, rows);
    } else {
      bad = detail::find_bad_index_cpu(index, rows);
    }
  }
  LOOM_CHECK(bad.pos < 0, IndexError, op, ": index[", bad.pos, "] = ", bad.value, " is out of range for 'x' with ",
             rows, " rows (expected 0 <= index < ", rows, ")");
}

}  // namespace

namespace detail {

namespace {
std::atomic<int64_t> g_device_passes{0};
}  // namespace

int64_t device_index_passes() { return g_device_passes.load(std::memory_order_relaxed); }

BadIndex find_bad_index_device(const char* op, const Tensor& index, int64_t rows) {
  BadIndex bad;
  if (known_in_range(index, rows)) return bad;
  g_device_passes.fetch_add(1, std::memory_order_relaxed);
  LOOM_CUDA_ONLY(op, bad = find_bad_index_cuda(index, rows));
  if (bad.pos < 0) note_in_range(index, rows);
  return bad;
}

}  // namespace detail

Tensor index_select(const Tensor& x, const Tensor& index) {
  check_index("index_select", x, index);
  Shape out_shape = x.shape();
  out_shape[0] = index.numel();
  Tensor out = empty(out_shape, x.dtype(), x.device());
  const int64_t row = row_size(x);
  if (out.numel() > 0) {
    if (x.is_cuda()) {
      LOOM_CUDA_ONLY("index_select", detail::index_select_cuda(x, index, row, out));
    } else {
      detail::index_select_cpu(x, index, row, out);
    }
  }
  autograd::record("index_select", {x}, out, [xs = x.shape(), index = index.detach()](const Tensor& dy) {
    return std::vector<Tensor>{index_add(zeros(xs, dy.dtype(), dy.device()), index, dy)};
  });
  return out;
}

Tensor index_add(const Tensor& x, const Tensor& index, const Tensor& src) {
  detail::check_floating("index_add", "x", x);
  detail::check_floating("index_add", "src", src);
  check_index("index_add", x, index);
  detail::check_same_device("index_add", "x", x, "src", src);
  detail::check_same_dtype("index_add", "x", x, "src", src);
  Shape want = x.shape();
  want[0] = index.numel();
  LOOM_CHECK(src.shape() == want, ShapeError, "index_add: 'src' must have shape ", shape_str(want),
             " (one row of x per index), got ", src.shape_str());
  Tensor out = empty_like(x);
  const int64_t row = row_size(x);
  if (out.numel() > 0) {
    if (x.is_cuda()) {
      LOOM_CUDA_ONLY("index_add", detail::index_add_cuda(x, index, src, row, out));
    } else {
      detail::index_add_cpu(x, index, src, row, out);
    }
  }
  const bool gx = x.requires_grad(), gs = src.requires_grad();
  autograd::record("index_add", {x, src}, out, [index = index.detach(), gx, gs](const Tensor& dy) {
    return std::vector<Tensor>{gx ? dy : Tensor(), gs ? index_select(dy, index) : Tensor()};
  });
  return out;
}

}  // namespace loom
