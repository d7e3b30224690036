// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The binary message ops of the engine, written once (LOOM_HOST_DEVICE, constexpr) for the CPU and CUDA kernels of
// gspmm (msg(u, e), lhs = u, rhs = e) and gsddmm (op(u, v), lhs = u, rhs = v), forward and backward. Every
// gradient the engine computes for a message comes from this table: a new op added here is differentiated
// everywhere, and one that a path cannot differentiate makes that path throw (never a silent wrong gradient).
// docs/engine.md has the algebra and the gradient table.
//
// Each op is a struct with
//   use_lhs, use_rhs          which operands apply() reads (kernels skip the loads of the other)
//   apply(l, r)               the value (Dot: one product; the kernel sums the products of the last dimension)
//   d_lhs(l, r), d_rhs(l, r)  the partial derivatives
//   grad_lhs(dy, l, r), grad_rhs(dy, l, r)   dy * d_lhs, dy * d_rhs in the form the kernels round (dy / r, not
//                             dy * (1 / r)); every backward kernel calls these
//   d_lhs_reads_lhs, d_lhs_reads_rhs, d_rhs_reads_lhs, d_rhs_reads_rhs   which operands each derivative reads, so
//                             that the backward keeps (and loads) only those
//   LhsGradMsg                the op G with G::apply(dy, r) == grad_lhs(dy, l, r) for every l (void when none):
//                             the sum/mean gradient to the lhs is then gspmm(transpose, G, sum, dy, e)
//   RhsGradMsg                the op G with G::apply(dy, l) == grad_rhs(dy, l, r) for every r (void when none)
// check_op<Op>() verifies these claims at compile time; the ops below all pass it.
#pragma once
#include <cstdint>
#include <string>
#include <type_traits>

#include "core/detail/macros.h"
#include "loom/core/error.h"
#include "loom/core/message.h"

namespace loom::mp::detail {

struct CopyLhs;
struct Mul;
struct Div;

struct Add {
  static constexpr const char* name = "add";
  static constexpr bool use_lhs = true, use_rhs = true;
  static constexpr bool d_lhs_reads_lhs = false, d_lhs_reads_rhs = false;
  static constexpr bool d_rhs_reads_lhs = false, d_rhs_reads_rhs = false;
  using LhsGradMsg = CopyLhs;  // dy
  using RhsGradMsg = CopyLhs;  // dy
  template <class T> LOOM_HOST_DEVICE static constexpr T apply(T l, T r) { return l + r; }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_lhs(T, T) { return T(1); }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_rhs(T, T) { return T(1); }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_lhs(T dy, T, T) { return dy; }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_rhs(T dy, T, T) { return dy; }
};
struct Sub {
  static constexpr const char* name = "sub";
  static constexpr bool use_lhs = true, use_rhs = true;
  static constexpr bool d_lhs_reads_lhs = false, d_lhs_reads_rhs = false;
  static constexpr bool d_rhs_reads_lhs = false, d_rhs_reads_rhs = false;
  using LhsGradMsg = CopyLhs;
  using RhsGradMsg = void;  // -dy: the table has no negation
  template <class T> LOOM_HOST_DEVICE static constexpr T apply(T l, T r) { return l - r; }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_lhs(T, T) { return T(1); }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_rhs(T, T) { return T(-1); }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_lhs(T dy, T, T) { return dy; }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_rhs(T dy, T, T) { return -dy; }
};
struct Mul {
  static constexpr const char* name = "mul";
  static constexpr bool use_lhs = true, use_rhs = true;
  static constexpr bool d_lhs_reads_lhs = false, d_lhs_reads_rhs = true;
  static constexpr bool d_rhs_reads_lhs = true, d_rhs_reads_rhs = false;
  using LhsGradMsg = Mul;  // dy * r
  using RhsGradMsg = Mul;  // dy * l
  template <class T> LOOM_HOST_DEVICE static constexpr T apply(T l, T r) { return l * r; }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_lhs(T, T r) { return r; }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_rhs(T l, T) { return l; }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_lhs(T dy, T, T r) { return dy * r; }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_rhs(T dy, T l, T) { return dy * l; }
};
struct Div {
  static constexpr const char* name = "div";
  static constexpr bool use_lhs = true, use_rhs = true;
  static constexpr bool d_lhs_reads_lhs = false, d_lhs_reads_rhs = true;
  static constexpr bool d_rhs_reads_lhs = true, d_rhs_reads_rhs = true;
  using LhsGradMsg = Div;  // dy / r
  using RhsGradMsg = void;
  template <class T> LOOM_HOST_DEVICE static constexpr T apply(T l, T r) { return l / r; }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_lhs(T, T r) { return T(1) / r; }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_rhs(T l, T r) { return -l / (r * r); }
  // dy / r rounds once where dy * (1 / r) rounds twice.
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_lhs(T dy, T, T r) { return dy / r; }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_rhs(T dy, T l, T r) { return -dy * l / (r * r); }
};
// One product of a dot product: gsddmm's kDot sums apply() over the last feature dimension (in float64 on the
// CPU); each product's derivatives are Mul's.
struct Dot {
  static constexpr const char* name = "dot";
  static constexpr bool use_lhs = true, use_rhs = true;
  static constexpr bool d_lhs_reads_lhs = false, d_lhs_reads_rhs = true;
  static constexpr bool d_rhs_reads_lhs = true, d_rhs_reads_rhs = false;
  using LhsGradMsg = Mul;
  using RhsGradMsg = Mul;
  template <class T> LOOM_HOST_DEVICE static constexpr T apply(T l, T r) { return l * r; }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_lhs(T, T r) { return r; }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_rhs(T l, T) { return l; }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_lhs(T dy, T, T r) { return dy * r; }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_rhs(T dy, T l, T) { return dy * l; }
};
struct CopyLhs {
  static constexpr const char* name = "copy_lhs";
  static constexpr bool use_lhs = true, use_rhs = false;
  static constexpr bool d_lhs_reads_lhs = false, d_lhs_reads_rhs = false;
  static constexpr bool d_rhs_reads_lhs = false, d_rhs_reads_rhs = false;
  using LhsGradMsg = CopyLhs;
  using RhsGradMsg = void;  // rhs is not read: its gradient is 0, and no kernel asks for it
  template <class T> LOOM_HOST_DEVICE static constexpr T apply(T l, T) { return l; }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_lhs(T, T) { return T(1); }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_rhs(T, T) { return T(0); }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_lhs(T dy, T, T) { return dy; }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_rhs(T, T, T) { return T(0); }
};
struct CopyRhs {
  static constexpr const char* name = "copy_rhs";
  static constexpr bool use_lhs = false, use_rhs = true;
  static constexpr bool d_lhs_reads_lhs = false, d_lhs_reads_rhs = false;
  static constexpr bool d_rhs_reads_lhs = false, d_rhs_reads_rhs = false;
  using LhsGradMsg = void;
  using RhsGradMsg = CopyLhs;  // dy, whatever the lhs
  template <class T> LOOM_HOST_DEVICE static constexpr T apply(T, T r) { return r; }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_lhs(T, T) { return T(0); }
  template <class T> LOOM_HOST_DEVICE static constexpr T d_rhs(T, T) { return T(1); }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_lhs(T, T, T) { return T(0); }
  template <class T> LOOM_HOST_DEVICE static constexpr T grad_rhs(T dy, T, T) { return dy; }
};

// ---- compile-time checks of an op's claims, at a few points where every derivative is finite and distinct
namespace check {
constexpr double kL[] = {1.5, -2.25}, kR[] = {4.0, -0.5}, kDy = 3.0;

template <class Op, class G>
constexpr bool lhs_grad_msg_matches() {
  if constexpr (std::is_void_v<G>) {
    return true;
  } else {
    for (double l : kL)
      for (double r : kR)
        if (G::apply(kDy, r) != Op::grad_lhs(kDy, l, r)) return false;
    return true;
  }
}
template <class Op, class G>
constexpr bool rhs_grad_msg_matches() {
  if constexpr (std::is_void_v<G>) {
    return true;
  } else {
    for (double l : kL)
      for (double r : kR)
        if (G::apply(kDy, l) != Op::grad_rhs(kDy, l, r)) return false;
    return true;
  }
}
// A derivative that claims not to read an operand gives the same value at both sample values of it.
template <class D>
constexpr bool independent_of_lhs(D d) { return d(kL[0], kR[0]) == d(kL[1], kR[0]) && d(kL[0], kR[1]) == d(kL[1], kR[1]); }
template <class D>
constexpr bool independent_of_rhs(D d) { return d(kL[0], kR[0]) == d(kL[0], kR[1]) && d(kL[1], kR[0]) == d(kL[1], kR[1]); }
// grad_x(dy, l, r) is dy * d_x(l, r) up to rounding (exact at these points, which are powers-of-two friendly).
template <class Op>
constexpr bool grads_match_derivatives() {
  for (double l : kL)
    for (double r : kR)
      if (Op::grad_lhs(kDy, l, r) != kDy * Op::d_lhs(l, r) || Op::grad_rhs(kDy, l, r) != kDy * Op::d_rhs(l, r))
        return false;
  return true;
}
}  // namespace check

template <class Op>
constexpr bool check_op() {
  using namespace check;
  static_assert(Op::use_lhs || Op::use_rhs, "a message op reads at least one operand");
  static_assert(Op::use_lhs || (!Op::d_lhs_reads_lhs && !Op::d_rhs_reads_lhs),
                "a derivative reads the lhs of an op that does not use it");
  static_assert(Op::use_rhs || (!Op::d_lhs_reads_rhs && !Op::d_rhs_reads_rhs),
                "a derivative reads the rhs of an op that does not use it");
  static_assert(!Op::d_lhs_reads_lhs || std::is_void_v<typename Op::LhsGradMsg>,
                "LhsGradMsg needs d_lhs independent of the lhs (the op linear in the lhs)");
  static_assert(!Op::d_rhs_reads_rhs || std::is_void_v<typename Op::RhsGradMsg>,
                "RhsGradMsg needs d_rhs independent of the rhs (the op linear in the rhs)");
  static_assert(lhs_grad_msg_matches<Op, typename Op::LhsGradMsg>(), "LhsGradMsg::apply(dy, r) != grad_lhs");
  static_assert(rhs_grad_msg_matches<Op, typename Op::RhsGradMsg>(), "RhsGradMsg::apply(dy, l) != grad_rhs");
  static_assert(grads_match_derivatives<Op>(), "grad_lhs/grad_rhs disagree with d_lhs/d_rhs");
  constexpr auto dl = [](double l, double r) { return Op::d_lhs(l, r); };
  constexpr auto dr = [](double l, double r) { return Op::d_rhs(l, r); };
  static_assert(Op::d_lhs_reads_lhs || independent_of_lhs(dl), "d_lhs reads the lhs but d_lhs_reads_lhs is false");
  static_assert(Op::d_lhs_reads_rhs || independent_of_rhs(dl), "d_lhs reads the rhs but d_lhs_reads_rhs is false");
  static_assert(Op::d_rhs_reads_lhs || independent_of_lhs(dr), "d_rhs reads the lhs but d_rhs_reads_lhs is false");
  static_assert(Op::d_rhs_reads_rhs || independent_of_rhs(dr), "d_rhs reads the rhs but d_rhs_reads_rhs is false");
  return true;
}
static_assert(check_op<Add>() && check_op<Sub>() && check_op<Mul>() && check_op<Div>() && check_op<Dot>() &&
              check_op<CopyLhs>() && check_op<CopyRhs>());

// ---- the runtime enums mapped onto the table (one switch each; -Wswitch flags a missing case)

// gspmm's messages msg(u, e).
template <class F>
decltype(auto) with_msg(Msg msg, F&& f) {
  switch (msg) {
    case Msg::kCopyU: return f(CopyLhs{});
    case Msg::kCopyE: return f(CopyRhs{});
    case Msg::kUMulE: return f(Mul{});
    case Msg::kUAddE: return f(Add{});
    case Msg::kUSubE: return f(Sub{});
    case Msg::kUDivE: return f(Div{});
  }
  throw ValueError("gspmm: unknown message value " + std::to_string(static_cast<int>(msg)));
}

// gsddmm's ops op(u, v).
template <class F>
decltype(auto) with_binary(Binary op, F&& f) {
  switch (op) {
    case Binary::kDot: return f(Dot{});
    case Binary::kAdd: return f(Add{});
    case Binary::kSub: return f(Sub{});
    case Binary::kMul: return f(Mul{});
    case Binary::kDiv: return f(Div{});
    case Binary::kCopyU: return f(CopyLhs{});
    case Binary::kCopyV: return f(CopyRhs{});
  }
  throw ValueError("gsddmm: unknown op value " + std::to_string(static_cast<int>(op)));
}

// The gspmm message of a table op (the inverse of with_msg). A static_assert rejects ops that are no gspmm message.
template <class Op>
constexpr Msg msg_of() {
  if constexpr (std::is_same_v<Op, CopyLhs>) return Msg::kCopyU;
  else if constexpr (std::is_same_v<Op, CopyRhs>) return Msg::kCopyE;
  else if constexpr (std::is_same_v<Op, Mul>) return Msg::kUMulE;
  else if constexpr (std::is_same_v<Op, Add>) return Msg::kUAddE;
  else if constexpr (std::is_same_v<Op, Sub>) return Msg::kUSubE;
  else if constexpr (std::is_same_v<Op, Div>) return Msg::kUDivE;
  else static_assert(sizeof(Op) == 0, "this op is not a gspmm message (add it to Msg and with_msg)");
}

inline const char* msg_name(Msg msg) {
  switch (msg) {
    case Msg::kCopyU: return "copy_u";
    case Msg::kCopyE: return "copy_e";
    case Msg::kUMulE: return "u_mul_e";
    case Msg::kUAddE: return "u_add_e";
    case Msg::kUSubE: return "u_sub_e";
    case Msg::kUDivE: return "u_div_e";
  }
  return "unknown message";
}
inline const char* reduce_name(Reduce r) {
  switch (r) {
    case Reduce::kSum: return "sum";
    case Reduce::kMean: return "mean";
    case Reduce::kMax: return "max";
    case Reduce::kMin: return "min";
  }
  return "unknown reduction";
}

// The message whose gspmm over the transpose gives the sum/mean gradient to the lhs (u): LhsGradMsg. An op without
// one (its lhs derivative depends on the lhs itself) cannot take that path: it throws, naming the op and reduction.
template <class Op>
Msg lhs_grad_msg(const char* op_name, const char* reduce) {
  if constexpr (std::is_void_v<typename Op::LhsGradMsg>) {
    throw NotImplementedError(std::string("gspmm: the gradient to 'u' of ") + op_name + " with reduction " + reduce +
                              " is not implemented (the op's lhs derivative is not a message of (dy, e); add a "
                              "LhsGradMsg to core/message/binary_ops.h or a dedicated backward)");
  } else {
    return msg_of<typename Op::LhsGradMsg>();
  }
}

}  // namespace loom::mp::detail
