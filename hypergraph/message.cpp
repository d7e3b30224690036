// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Hypergraph message passing on the engine: v2e / e2v reductions over the two incidence orders, and HGNN's and
// HGNN+'s smoothing operators as two weighted gspmm calls with the hypergraph's cached coefficients.
#include "loom/core/error.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "loom/hypergraph/hypergraph.h"

namespace loom::hypergraph {

namespace {

// x must be a floating [rows, F] or [rows, H, C] tensor on the hypergraph's device.
void check_features(const char* op, const Hypergraph& h, const Tensor& x, int64_t rows, const char* what) {
  LOOM_CHECK(h.defined(), ValueError, op, ": the hypergraph is undefined (default-constructed)");
  LOOM_CHECK(x.defined(), ValueError, op, ": 'x' is an undefined tensor");
  LOOM_CHECK(is_floating(x.dtype()), DTypeError, op, ": 'x' must be float32 or float64, got ", dtype_name(x.dtype()));
  LOOM_CHECK((x.dim() == 2 || x.dim() == 3) && x.size(0) == rows, ShapeError, op, ": 'x' must be [", rows,
             ", F] or [", rows, ", H, C] (one row per ", what, "), got ", x.shape_str());
  LOOM_CHECK(x.device() == h.device(), DeviceError, op, ": 'x' is on ", x.device().str(),
             " but the hypergraph is on ", h.device().str(), " (move one with .to(device))");
}

}  // namespace

// With incidence weights, each message is scaled by its h_ve: the weights (constants, no gradient) as the
// features' dtype, permuted into vertex_memberships() order for e2v (its edge_ids() are members positions).
Tensor v2e(const Hypergraph& h, const Tensor& x, mp::Reduce reduce) {
  check_features("hypergraph::v2e", h, x, h.defined() ? h.num_vertices() : 0, "vertex");
  const Tensor& hw = h.incidence_weight();
  if (!hw.defined()) return mp::gspmm(h.hyperedge_members(), mp::copy_u, reduce, x);
  return mp::gspmm(h.hyperedge_members(), mp::u_mul_e, reduce, x, hw.to(x.dtype()));
}

Tensor e2v(const Hypergraph& h, const Tensor& y, mp::Reduce reduce) {
  check_features("hypergraph::e2v", h, y, h.defined() ? h.num_hyperedges() : 0, "hyperedge");
  const Tensor& hw = h.incidence_weight();
  if (!hw.defined()) return mp::gspmm(h.vertex_memberships(), mp::copy_u, reduce, y);
  const Csr& vm = h.vertex_memberships();
  return mp::gspmm(vm, mp::u_mul_e, reduce, y, index_select(hw.to(y.dtype()), vm.edge_ids()));
}

namespace {

const Hypergraph::StageCoefficients& coefficients(const Hypergraph& h, Smoothing kind, DType dtype) {
  return kind == Smoothing::kHgnn ? h.hgnn_coefficients(dtype) : h.hgnnp_coefficients(dtype);
}

}  // namespace

Tensor smooth_to_hyperedges(const Hypergraph& h, Smoothing kind, const Tensor& x) {
  check_features("hypergraph::smooth_to_hyperedges", h, x, h.defined() ? h.num_vertices() : 0, "vertex");
  return mp::gspmm(h.hyperedge_members(), mp::u_mul_e, mp::sum, x, coefficients(h, kind, x.dtype()).v2e);
}

Tensor smooth_to_vertices(const Hypergraph& h, Smoothing kind, const Tensor& y, const Tensor& bias) {
  check_features("hypergraph::smooth_to_vertices", h, y, h.defined() ? h.num_hyperedges() : 0, "hyperedge");
  return mp::propagate(h.vertex_memberships(), {mp::u_mul_e, mp::sum, mp::Update{bias}}, y,
                       coefficients(h, kind, y.dtype()).e2v);
}

namespace {

void check_weight(const char* op, const Hypergraph& h, const Tensor& w) {
  LOOM_CHECK(w.defined(), ValueError, op, ": 'weight' is an undefined tensor");
  LOOM_CHECK((w.dim() == 1 || w.dim() == 2) && w.size(0) == h.num_incidences(), ShapeError, op,
             ": 'weight' must be [", h.num_incidences(), "] or [", h.num_incidences(), ", H] (one row per incidence), got ",
             w.shape_str());
}

}  // namespace

Tensor v2e(const Hypergraph& h, const Tensor& x, const Tensor& weight, mp::Reduce reduce) {
  check_features("hypergraph::v2e", h, x, h.defined() ? h.num_vertices() : 0, "vertex");
  check_weight("hypergraph::v2e", h, weight);
  return mp::gspmm(h.hyperedge_members(), mp::u_mul_e, reduce, x, weight);
}

Tensor e2v(const Hypergraph& h, const Tensor& y, const Tensor& weight, mp::Reduce reduce) {
  check_features("hypergraph::e2v", h, y, h.defined() ? h.num_hyperedges() : 0, "hyperedge");
  check_weight("hypergraph::e2v", h, weight);
  return mp::gspmm(h.vertex_memberships(), mp::u_mul_e, reduce, y, weight);
}

Tensor hgnn_smooth(const Hypergraph& h, const Tensor& x) {
  check_features("hypergraph::hgnn_smooth", h, x, h.defined() ? h.num_vertices() : 0, "vertex");
  return smooth_to_vertices(h, Smoothing::kHgnn, smooth_to_hyperedges(h, Smoothing::kHgnn, x));
}

Tensor hgnnp_smooth(const Hypergraph& h, const Tensor& x) {
  check_features("hypergraph::hgnnp_smooth", h, x, h.defined() ? h.num_vertices() : 0, "vertex");
  return smooth_to_vertices(h, Smoothing::kHgnnPlus, smooth_to_hyperedges(h, Smoothing::kHgnnPlus, x));
}

}  // namespace loom::hypergraph
