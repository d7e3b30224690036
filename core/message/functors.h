// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The gspmm kernels' names for the message ops of the table in binary_ops.h (msg(u, e): lhs = u, rhs = e), and the
// reducers. The ops and their derivatives live in binary_ops.h only; these are aliases.
#pragma once
#include <cstdint>

#include "core/detail/macros.h"
#include "core/message/binary_ops.h"
#include "loom/core/message.h"

namespace loom::mp::detail {

using CopyUF = CopyLhs;
using CopyEF = CopyRhs;
using UMulEF = Mul;
using UAddEF = Add;
using USubEF = Sub;
using UDivEF = Div;

// Reducers. `better(m, acc)`: whether message m replaces the accumulator (max/min keep the first of equal values,
// so the arg entry of a tie is the first entry of the row). Sum and mean share SumR (mean scales at the end).
struct SumR {
  static constexpr bool has_arg = false;
  template <class T> LOOM_HOST_DEVICE static T combine(T acc, T m) { return acc + m; }
  template <class T> LOOM_HOST_DEVICE static bool better(T, T) { return false; }
};
struct MaxR {
  static constexpr bool has_arg = true;
  template <class T> LOOM_HOST_DEVICE static T combine(T acc, T m) { return m > acc ? m : acc; }
  template <class T> LOOM_HOST_DEVICE static bool better(T m, T acc) { return m > acc; }
};
struct MinR {
  static constexpr bool has_arg = true;
  template <class T> LOOM_HOST_DEVICE static T combine(T acc, T m) { return m < acc ? m : acc; }
  template <class T> LOOM_HOST_DEVICE static bool better(T m, T acc) { return m < acc; }
};

template <class F>
decltype(auto) with_reducer(Reduce r, F&& f) {
  switch (r) {
    case Reduce::kSum:
    case Reduce::kMean: return f(SumR{});
    case Reduce::kMax: return f(MaxR{});
    case Reduce::kMin: return f(MinR{});
  }
  return f(SumR{});
}

}  // namespace loom::mp::detail
