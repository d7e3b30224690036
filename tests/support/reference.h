// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Naive float64 references of the message-passing engine (GUIDE 3.7), written with plain loops over a Csr read
// back to the host and independent of the kernels: gspmm (every message and reduction, DGL-style broadcast of u
// against e), gsddmm (every binary op) and edge_softmax. Also the engine enums' names for failure messages.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "loom/core/message.h"
#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::testing {

// ---------------------------------------------------------------- names
inline std::string op_name(mp::Msg m) {
  const char* n[] = {"copy_u", "copy_e", "u_mul_e", "u_add_e", "u_sub_e", "u_div_e"};
  return n[static_cast<int>(m)];
}
inline std::string op_name(mp::Reduce r) {
  const char* n[] = {"sum", "mean", "max", "min"};
  return n[static_cast<int>(r)];
}
inline std::string op_name(mp::Binary b) {
  const char* n[] = {"u_dot_v", "u_add_v", "u_sub_v", "u_mul_v", "u_div_v", "copy_u", "copy_v"};
  return n[static_cast<int>(b)];
}
inline std::string op_name(mp::Act a) {
  const char* n[] = {"identity", "relu", "leaky_relu", "sigmoid", "tanh"};
  return n[static_cast<int>(a)];
}

inline bool uses_u(mp::Msg m) { return m != mp::Msg::kCopyE; }
inline bool uses_e(mp::Msg m) { return m != mp::Msg::kCopyU; }

inline double lrelu(double z, double slope) { return z > 0 ? z : z * slope; }
// An activation of the fused kernels in float64 (kLeakyRelu takes `slope`).
inline double ref_act(mp::Act a, double z, double slope) {
  switch (a) {
    case mp::Act::kIdentity: return z;
    case mp::Act::kRelu: return z > 0 ? z : 0;
    case mp::Act::kLeakyRelu: return lrelu(z, slope);
    case mp::Act::kSigmoid: return 1 / (1 + std::exp(-z));
    case mp::Act::kTanh: return std::tanh(z);
  }
  return 0;
}

// [n, trailing...]
inline Shape rows_then(int64_t n, const Shape& trailing) {
  Shape s{n};
  s.insert(s.end(), trailing.begin(), trailing.end());
  return s;
}

// A Csr's arrays on the host.
struct HostCsr {
  int64_t rows = 0, cols = 0, nnz = 0;
  std::vector<int64_t> indptr;
  std::vector<int32_t> indices;
  explicit HostCsr(const Csr& g)
      : rows(g.num_rows()), cols(g.num_cols()), nnz(g.nnz()), indptr(g.indptr().cpu().to_vector<int64_t>()),
        indices(g.indices().cpu().to_vector<int32_t>()) {}
};

// ---------------------------------------------------------------- gspmm
inline double ref_msg(mp::Msg m, double u, double e) {
  switch (m) {
    case mp::Msg::kCopyU: return u;
    case mp::Msg::kCopyE: return e;
    case mp::Msg::kUMulE: return u * e;
    case mp::Msg::kUAddE: return u + e;
    case mp::Msg::kUSubE: return u - e;
    case mp::Msg::kUDivE: return u / e;
  }
  return 0;
}

// out [rows, broadcast trailing shape] = reduce over the entries k of each row of msg(u[col k], e[k]); e's trailing
// dims align with u's from the left (the shorter padded with 1s on the right). Empty rows give 0; mean divides by
// the entry count.
inline Tensor gspmm_reference(const Csr& g, mp::Msg msg, mp::Reduce red, const Tensor& u, const Tensor& e) {
  const HostCsr h(g);
  Shape lt, rt;
  std::vector<double> uv, ev;
  if (uses_u(msg)) {
    lt.assign(u.shape().begin() + 1, u.shape().end());
    uv = u.detach().cpu().to(kFloat64).to_vector<double>();
  }
  if (uses_e(msg)) {
    rt.assign(e.shape().begin() + 1, e.shape().end());
    ev = e.detach().cpu().to(kFloat64).to_vector<double>();
  }
  const size_t r = std::max(lt.size(), rt.size());
  Shape lp = lt, rp = rt, ot(r);
  lp.resize(r, 1);
  rp.resize(r, 1);
  for (size_t d = 0; d < r; ++d) ot[d] = std::max(lp[d], rp[d]);
  const int64_t L = shape_numel(ot), ul = shape_numel(lt), el = shape_numel(rt);
  // Each output element's offsets into its u row and e entry: the multi-index of f over ot, then the operands'
  // offsets over their padded shapes (the same for every row, so computed once).
  std::vector<int64_t> u_off(static_cast<size_t>(L)), e_off(static_cast<size_t>(L));
  for (int64_t f = 0; f < L; ++f) {
    int64_t rest = f, uo = 0, eo = 0, us = 1, es = 1;
    for (size_t d = r; d-- > 0;) {
      const int64_t i = rest % ot[d];
      rest /= ot[d];
      if (lp[d] != 1) uo += i * us;
      if (rp[d] != 1) eo += i * es;
      us *= lp[d];
      es *= rp[d];
    }
    u_off[static_cast<size_t>(f)] = uo;
    e_off[static_cast<size_t>(f)] = eo;
  }
  std::vector<double> out(static_cast<size_t>(h.rows * L), 0.0);
  for (int64_t v = 0; v < h.rows; ++v) {
    for (int64_t f = 0; f < L; ++f) {
      const int64_t uo = u_off[static_cast<size_t>(f)], eo = e_off[static_cast<size_t>(f)];
      double acc = 0;
      bool first = true;
      for (int64_t k = h.indptr[v]; k < h.indptr[v + 1]; ++k) {
        const double uu = uses_u(msg) ? uv[static_cast<size_t>(h.indices[k] * ul + uo)] : 0.0;
        const double ee = uses_e(msg) ? ev[static_cast<size_t>(k * el + eo)] : 0.0;
        const double m = ref_msg(msg, uu, ee);
        if (first) acc = m;
        else if (red == mp::Reduce::kMax) acc = std::max(acc, m);
        else if (red == mp::Reduce::kMin) acc = std::min(acc, m);
        else acc += m;
        first = false;
      }
      const int64_t deg = h.indptr[v + 1] - h.indptr[v];
      if (red == mp::Reduce::kMean && deg > 0) acc /= static_cast<double>(deg);
      out[static_cast<size_t>(v * L + f)] = acc;
    }
  }
  return from_vector<double>(out, rows_then(h.rows, ot));
}

// ---------------------------------------------------------------- gsddmm
// out[k] = op(u[col k], v[row k]): feature dims aligned from the first (missing trailing dims are 1), broadcast,
// op per element, kDot summing the last dimension.
inline Tensor gsddmm_reference(const Csr& g, mp::Binary op, const Tensor& u, const Tensor& v) {
  using mp::Binary;
  const HostCsr h(g);
  Shape su, sv;
  if (op != Binary::kCopyV) su.assign(u.shape().begin() + 1, u.shape().end());
  if (op != Binary::kCopyU) sv.assign(v.shape().begin() + 1, v.shape().end());
  if (op == Binary::kCopyU) sv = su;
  if (op == Binary::kCopyV) su = sv;
  const size_t rank = std::max({su.size(), sv.size(), size_t(op == Binary::kDot)});
  su.resize(rank, 1);
  sv.resize(rank, 1);
  Shape full(rank);
  for (size_t d = 0; d < rank; ++d) full[d] = std::max(su[d], sv[d]);
  const int64_t full_len = shape_numel(full), red = op == Binary::kDot ? full.back() : 1;
  const int64_t out_len = full_len / red;
  const std::vector<double> U =
      op == Binary::kCopyV ? std::vector<double>() : u.detach().cpu().to(kFloat64).to_vector<double>();
  const std::vector<double> V =
      op == Binary::kCopyU ? std::vector<double>() : v.detach().cpu().to(kFloat64).to_vector<double>();
  const int64_t ulen = shape_numel(su), vlen = shape_numel(sv);
  std::vector<double> out(static_cast<size_t>(h.nnz * out_len), 0.0);
  for (int64_t r = 0; r < h.rows; ++r) {
    for (int64_t k = h.indptr[r]; k < h.indptr[r + 1]; ++k) {
      const int64_t c = h.indices[static_cast<size_t>(k)];
      for (int64_t f = 0; f < full_len; ++f) {
        int64_t rest = f, uo = 0, vo = 0, us = 1, vs = 1;
        for (int64_t d = static_cast<int64_t>(rank) - 1; d >= 0; --d) {
          const int64_t i = rest % full[d];
          rest /= full[d];
          uo += (su[d] == 1 ? 0 : i) * us;
          vo += (sv[d] == 1 ? 0 : i) * vs;
          us *= su[d];
          vs *= sv[d];
        }
        const double a = U.empty() ? 0 : U[static_cast<size_t>(c * ulen + uo)];
        const double b = V.empty() ? 0 : V[static_cast<size_t>(r * vlen + vo)];
        double& o = out[static_cast<size_t>(k * out_len + f / red)];
        switch (op) {
          case Binary::kDot: o += a * b; break;
          case Binary::kAdd: o = a + b; break;
          case Binary::kSub: o = a - b; break;
          case Binary::kMul: o = a * b; break;
          case Binary::kDiv: o = a / b; break;
          case Binary::kCopyU: o = a; break;
          case Binary::kCopyV: o = b; break;
        }
      }
    }
  }
  Shape out_shape{h.nnz};
  out_shape.insert(out_shape.end(), full.begin(), full.end() - (op == Binary::kDot ? 1 : 0));
  return from_vector<double>(out, out_shape);
}

// ---------------------------------------------------------------- edge_softmax
// Softmax of each row's entries, per column of e [nnz] or [nnz, H], in float64 with the row max subtracted;
// float64 of e's shape.
inline Tensor edge_softmax_reference(const Csr& g, const Tensor& e) {
  const HostCsr h(g);
  const int64_t w = e.numel() / std::max<int64_t>(1, h.nnz);
  const std::vector<double> x = e.detach().cpu().to(kFloat64).to_vector<double>();
  std::vector<double> y(x.size());
  for (int64_t r = 0; r < h.rows; ++r) {
    const int64_t b = h.indptr[r], end = h.indptr[r + 1];
    for (int64_t c = 0; c < w; ++c) {
      double m = -INFINITY, s = 0;
      for (int64_t k = b; k < end; ++k) m = std::max(m, x[static_cast<size_t>(k * w + c)]);
      for (int64_t k = b; k < end; ++k) s += std::exp(x[static_cast<size_t>(k * w + c)] - m);
      for (int64_t k = b; k < end; ++k)
        y[static_cast<size_t>(k * w + c)] = std::exp(x[static_cast<size_t>(k * w + c)] - m) / s;
    }
  }
  return from_vector<double>(y, e.shape());
}

}  // namespace loom::testing
