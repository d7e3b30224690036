// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Argument checks shared by every op. Messages name the op, the argument, what was expected and what was found.
#pragma once
#include <string>
#include <vector>

#include "loom/core/tensor.h"

namespace loom::detail {

inline void check_defined(const char* op, const char* arg, const Tensor& x) {
  LOOM_CHECK(x.defined(), ValueError, op, ": '", arg, "' is an undefined tensor");
}
inline void check_floating(const char* op, const char* arg, const Tensor& x) {
  check_defined(op, arg, x);
  LOOM_CHECK(is_floating(x.dtype()), DTypeError, op, ": '", arg, "' must be float32 or float64, got ",
             dtype_name(x.dtype()), " ", x.shape_str());
}
inline void check_index_dtype(const char* op, const char* arg, const Tensor& x) {
  check_defined(op, arg, x);
  LOOM_CHECK(x.dtype() == kInt32 || x.dtype() == kInt64, DTypeError, op, ": '", arg,
             "' must be int32 or int64, got ", dtype_name(x.dtype()));
}
inline void check_same_device(const char* op, const char* a_name, const Tensor& a, const char* b_name,
                              const Tensor& b) {
  LOOM_CHECK(a.device() == b.device(), DeviceError, op, ": '", a_name, "' is on ", a.device().str(), " but '", b_name,
             "' is on ", b.device().str(), " (move one with .to(device))");
}
inline void check_same_dtype(const char* op, const char* a_name, const Tensor& a, const char* b_name,
                             const Tensor& b) {
  LOOM_CHECK(a.dtype() == b.dtype(), DTypeError, op, ": '", a_name, "' is ", dtype_name(a.dtype()), " ",
             a.shape_str(), " but '", b_name, "' is ", dtype_name(b.dtype()), " ", b.shape_str());
}
inline void check_same_shape(const char* op, const char* a_name, const Tensor& a, const char* b_name,
                             const Tensor& b) {
  LOOM_CHECK(a.shape() == b.shape(), ShapeError, op, ": '", a_name, "' has shape ", a.shape_str(), " but '", b_name,
             "' has shape ", b.shape_str());
}
inline void check_rank(const char* op, const char* arg, const Tensor& x, int64_t rank) {
  LOOM_CHECK(x.dim() == rank, ShapeError, op, ": '", arg, "' must have rank ", rank, ", got shape ", x.shape_str());
}
// Normalises a possibly negative dimension index for a tensor of rank `rank`.
inline int64_t wrap_dim(const char* op, int64_t dim, int64_t rank) {
  int64_t d = dim < 0 ? dim + rank : dim;
  LOOM_CHECK(d >= 0 && d < (rank == 0 ? 1 : rank), IndexError, op, ": dimension ", dim,
             " is out of range for a tensor of rank ", rank);
  return d;
}

}  // namespace loom::detail
