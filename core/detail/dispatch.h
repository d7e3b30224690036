// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// dtype dispatch with C++20 template lambdas: dispatch_floating(x.dtype(), "op", [&]<class T>() { ... }).
#pragma once
#include <cstdint>

#include "loom/core/dtype.h"
#include "loom/core/error.h"

namespace loom::detail {

template <class F>
decltype(auto) dispatch_floating(DType t, const char* op, F&& f) {
  switch (t) {
    case DType::kFloat32: return f.template operator()<float>();
    case DType::kFloat64: return f.template operator()<double>();
    default: break;
  }
  throw DTypeError(str_cat(op, ": expected float32 or float64, got ", dtype_name(t)));
}

template <class F>
decltype(auto) dispatch_index(DType t, const char* op, F&& f) {
  switch (t) {
    case DType::kInt32: return f.template operator()<int32_t>();
    case DType::kInt64: return f.template operator()<int64_t>();
    default: break;
  }
  throw DTypeError(str_cat(op, ": expected int32 or int64, got ", dtype_name(t)));
}

template <class F>
decltype(auto) dispatch_all(DType t, const char* op, F&& f) {
  switch (t) {
    case DType::kFloat32: return f.template operator()<float>();
    case DType::kFloat64: return f.template operator()<double>();
    case DType::kInt32: return f.template operator()<int32_t>();
    case DType::kInt64: return f.template operator()<int64_t>();
  }
  throw DTypeError(str_cat(op, ": unknown dtype"));
}

}  // namespace loom::detail
