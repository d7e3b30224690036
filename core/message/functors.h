// Message functors and reducers of the message-passing engine, written once (LOOM_HOST_DEVICE) and called by the
// CPU and CUDA kernels of gspmm (forward and backward). use_lhs/use_rhs say which operand a message reads, so the
// kernels skip loads of the other one.
#pragma once
#include <cstdint>

#include "core/detail/macros.h"
#include "loom/core/message.h"

namespace loom::mp::detail {

// msg(u, e) and its partial derivatives d msg / du and d msg / de.
struct CopyUF {
  static constexpr bool use_lhs = true, use_rhs = false;
  template <class T> LOOM_HOST_DEVICE static T apply(T u, T) { return u; }
  template <class T> LOOM_HOST_DEVICE static T du(T, T) { return T(1); }
  template <class T> LOOM_HOST_DEVICE static T de(T, T) { return T(0); }
};
struct CopyEF {
  static constexpr bool use_lhs = false, use_rhs = true;
  template <class T> LOOM_HOST_DEVICE static T apply(T, T e) { return e; }
  template <class T> LOOM_HOST_DEVICE static T du(T, T) { return T(0); }
  template <class T> LOOM_HOST_DEVICE static T de(T, T) { return T(1); }
};
struct UMulEF {
  static constexpr bool use_lhs = true, use_rhs = true;
  template <class T> LOOM_HOST_DEVICE static T apply(T u, T e) { return u * e; }
  template <class T> LOOM_HOST_DEVICE static T du(T, T e) { return e; }
  template <class T> LOOM_HOST_DEVICE static T de(T u, T) { return u; }
};
struct UAddEF {
  static constexpr bool use_lhs = true, use_rhs = true;
  template <class T> LOOM_HOST_DEVICE static T apply(T u, T e) { return u + e; }
  template <class T> LOOM_HOST_DEVICE static T du(T, T) { return T(1); }
  template <class T> LOOM_HOST_DEVICE static T de(T, T) { return T(1); }
};
struct USubEF {
  static constexpr bool use_lhs = true, use_rhs = true;
  template <class T> LOOM_HOST_DEVICE static T apply(T u, T e) { return u - e; }
  template <class T> LOOM_HOST_DEVICE static T du(T, T) { return T(1); }
  template <class T> LOOM_HOST_DEVICE static T de(T, T) { return T(-1); }
};
struct UDivEF {
  static constexpr bool use_lhs = true, use_rhs = true;
  template <class T> LOOM_HOST_DEVICE static T apply(T u, T e) { return u / e; }
  template <class T> LOOM_HOST_DEVICE static T du(T, T e) { return T(1) / e; }
  template <class T> LOOM_HOST_DEVICE static T de(T u, T e) { return -u / (e * e); }
};

// Calls f(Functor{}) for a runtime Msg, so kernels are templates on the message (no branch in the inner loop).
template <class F>
decltype(auto) with_msg(Msg msg, F&& f) {
  switch (msg) {
    case Msg::kCopyU: return f(CopyUF{});
    case Msg::kCopyE: return f(CopyEF{});
    case Msg::kUMulE: return f(UMulEF{});
    case Msg::kUAddE: return f(UAddEF{});
    case Msg::kUSubE: return f(USubEF{});
    case Msg::kUDivE: return f(UDivEF{});
  }
  return f(CopyUF{});
}

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
