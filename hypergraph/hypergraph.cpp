// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Hypergraph: construction from an incidence list (validation, duplicate merging, empty hyperedges), accessors,
// the singleton-augmented hypergraph and the cached HGNN / HGNN+ stage coefficients. The graph-based builders are
// in builders.cpp, the message-passing functions in message.cpp.
#include "loom/hypergraph/hypergraph.h"

#include "hypergraph/hypergraph_impl.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::hypergraph {

namespace {

// Vertex and hyperedge ids of an int32/int64 [2, nnz] incidence as host int64 vectors (error paths and
// preprocessing only).
std::pair<std::vector<int64_t>, std::vector<int64_t>> host_incidence(const Tensor& incidence) {
  const int64_t nnz = incidence.size(1);
  const auto ids = incidence.to(kCPU).to(kInt64).to_vector<int64_t>();
  return {std::vector<int64_t>(ids.begin(), ids.begin() + nnz), std::vector<int64_t>(ids.begin() + nnz, ids.end())};
}

void check_weight(const char* op, const Tensor& w, int64_t num_hyperedges, Device device) {
  if (!w.defined()) return;
  LOOM_CHECK(is_floating(w.dtype()), DTypeError, op, ": 'hyperedge_weight' must be float32 or float64, got ",
             dtype_name(w.dtype()));
  LOOM_CHECK(w.dim() == 1 && w.size(0) == num_hyperedges, ShapeError, op,
             ": 'hyperedge_weight' must be [M] with M = ", num_hyperedges, " hyperedges, got ", w.shape_str());
  LOOM_CHECK(w.device() == device, DeviceError, op, ": 'hyperedge_weight' is on ", w.device().str(),
             " but the incidence is on ", device.str());
  if (!has_nonfinite(w)) return;
  const auto values = w.to(kCPU).to(kFloat64).to_vector<double>();
  for (size_t e = 0; e < values.size(); ++e) {
    LOOM_CHECK(std::isfinite(values[e]), ValueError, op, ": hyperedge_weight of hyperedge ", e, " is ", values[e],
               " (weights must be finite)");
  }
}

// The incidence weights in the stage orders, as `dtype`: members order (v2e) and vertex_memberships() order (e2v).
std::pair<Tensor, Tensor> stage_incidence_weights(const Tensor& hw, const Csr& vm, DType dtype) {
  const Tensor w = hw.to(dtype);
  return {w, index_select(w, vm.edge_ids())};
}

// Row sums of per-entry values e [nnz] over the rows of c, as [rows].
Tensor row_sums(const Csr& c, const Tensor& e) {
  return mp::scatter(c, e.view({c.nnz(), 1}), mp::sum).view({c.num_rows()});
}

// 1/x or 1/sqrt(x) of host values, 0 where x is 0 (a vertex in no hyperedge gets no message, never inf/NaN).
Tensor inverse(std::vector<double> x, bool sqrt_of, DType dtype, Device device) {
  for (size_t i = 0; i < x.size(); ++i) {
    LOOM_CHECK(!sqrt_of || x[i] >= 0, ValueError, "Hypergraph::hgnn_coefficients: the weighted degree of vertex ", i,
               " is ", x[i], " (negative hyperedge weights make D_v^-1/2 undefined)");
    x[i] = x[i] == 0 ? 0.0 : (sqrt_of ? 1.0 / std::sqrt(x[i]) : 1.0 / x[i]);
  }
  return from_vector<double>(x, {static_cast<int64_t>(x.size())}).to(dtype).to(device);
}

std::vector<double> host_doubles(const Tensor& t) { return t.to(kCPU).to(kFloat64).to_vector<double>(); }

void check_coef_dtype(const char* op, DType dtype) {
  LOOM_CHECK(dtype == kFloat32 || dtype == kFloat64, DTypeError, op, ": dtype must be float32 or float64, got ",
             dtype_name(dtype));
}

}  // namespace

Hypergraph Hypergraph::from_incidence(const Tensor& incidence, int64_t num_vertices, int64_t num_hyperedges,
                                      const Tensor& hyperedge_weight, EmptyHyperedges empty) {
  const char* op = "Hypergraph::from_incidence";
  LOOM_CHECK(incidence.defined(), ValueError, op, ": 'incidence' is undefined");
  LOOM_CHECK(incidence.dtype() == kInt32 || incidence.dtype() == kInt64, DTypeError, op,
             ": 'incidence' must be int32 or int64, got ", dtype_name(incidence.dtype()));
  LOOM_CHECK(incidence.dim() == 2 && incidence.size(0) == 2, ShapeError, op,
             ": 'incidence' must be [2, nnz] (row 0 vertex ids, row 1 hyperedge ids), got ", incidence.shape_str());
  LOOM_CHECK(num_vertices >= 0, ValueError, op, ": num_vertices must be >= 0, got ", num_vertices);
  const int64_t nnz = incidence.size(1);
  const Device device = incidence.device();
  NoGradGuard no_grad;
  if (num_hyperedges < 0) {
    // max id + 1 on the host: preprocessing, and the integer reductions are not part of the op catalogue.
    const auto [vs, es] = host_incidence(incidence);
    num_hyperedges = es.empty() ? 0 : std::max<int64_t>(0, *std::max_element(es.begin(), es.end()) + 1);
  }
  check_weight(op, hyperedge_weight, num_hyperedges, device);
  if (num_hyperedges > nnz) return from_sparse_ids(incidence, num_vertices, num_hyperedges, hyperedge_weight, empty);

  const Tensor vertex = incidence.narrow_rows(0, 1).view({nnz}), edge = incidence.narrow_rows(1, 2).view({nnz});
  Csr members;
  try {
    // Pattern only: a repeated (vertex, hyperedge) pair becomes one entry (kSum merges, no values to sum).
    members = Csr::from_coo(edge, vertex, num_hyperedges, num_vertices, Tensor(), DupPolicy::kSum);
  } catch (const IndexError&) {
    // Csr names (row -> col) = (hyperedge -> vertex); name the incidence in the user's (vertex, hyperedge) terms.
    const auto [vs, es] = host_incidence(incidence);
    for (size_t k = 0; k < vs.size(); ++k) {
      LOOM_CHECK(vs[k] >= 0 && vs[k] < num_vertices, IndexError, op, ": incidence ", k, " (vertex ", vs[k],
                 ", hyperedge ", es[k], ") has a vertex id outside [0, ", num_vertices, ")");
      LOOM_CHECK(es[k] >= 0 && es[k] < num_hyperedges, IndexError, op, ": incidence ", k, " (vertex ", vs[k],
                 ", hyperedge ", es[k], ") has a hyperedge id outside [0, ", num_hyperedges, ")");
    }
    throw;
  }

  // Empty hyperedges: rows without entries.
  const auto indptr = members.indptr().to(kCPU).to_vector<int64_t>();
  std::vector<int64_t> kept, new_indptr{0};
  for (int64_t e = 0; e < num_hyperedges; ++e) {
    const auto ue = static_cast<size_t>(e);
    if (indptr[ue + 1] == indptr[ue]) {
      LOOM_CHECK(empty == EmptyHyperedges::kDrop, ValueError, op, ": hyperedge ", e,
                 " has no vertex (pass EmptyHyperedges::kDrop to drop empty hyperedges)");
      continue;
    }
    kept.push_back(e);
    new_indptr.push_back(indptr[ue + 1]);
  }
  auto impl = std::make_shared<Impl>();
  impl->num_input = num_hyperedges;
  if (static_cast<int64_t>(kept.size()) == num_hyperedges) {
    impl->members = members;
    impl->kept = arange(num_hyperedges, kInt64, device);
    if (hyperedge_weight.defined()) impl->weight = hyperedge_weight.detach();
  } else {
    // Removing an empty row only removes its repeated offset: the indices stay as they are.
    const auto m = static_cast<int64_t>(kept.size());
    impl->members = Csr::from_arrays(from_vector<int64_t>(new_indptr, {m + 1}, device), members.indices(),
                                     num_vertices);
    impl->kept = from_vector<int64_t>(kept, {m}, device);
    if (hyperedge_weight.defined()) impl->weight = index_select(hyperedge_weight.detach(), impl->kept);
  }
  Hypergraph h;
  h.impl_ = std::move(impl);
  return h;
}

// More hyperedge ids than incidences: at least num_hyperedges - nnz hyperedges are empty, and the ids may be as
// large as a file or caller likes (one id of 10^9 in a 160-byte file). The structure is built over the ids that
// occur, so memory grows with the incidences, never with the numbers written in them; kept_hyperedges() maps back.
Hypergraph Hypergraph::from_sparse_ids(const Tensor& incidence, int64_t num_vertices, int64_t num_hyperedges,
                                       const Tensor& hyperedge_weight, EmptyHyperedges empty) {
  const char* op = "Hypergraph::from_incidence";
  const auto [vs, es] = host_incidence(incidence);
  for (size_t k = 0; k < vs.size(); ++k) {
    LOOM_CHECK(vs[k] >= 0 && vs[k] < num_vertices, IndexError, op, ": incidence ", k, " (vertex ", vs[k],
               ", hyperedge ", es[k], ") has a vertex id outside [0, ", num_vertices, ")");
    LOOM_CHECK(es[k] >= 0 && es[k] < num_hyperedges, IndexError, op, ": incidence ", k, " (vertex ", vs[k],
               ", hyperedge ", es[k], ") has a hyperedge id outside [0, ", num_hyperedges, ")");
  }
  std::vector<int64_t> used = es;
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  // The first id that does not occur: the first gap, or the one just after the last id used.
  int64_t first_empty = static_cast<int64_t>(used.size());
  for (size_t i = 0; i < used.size(); ++i) {
    if (used[i] != static_cast<int64_t>(i)) {
      first_empty = static_cast<int64_t>(i);
      break;
    }
  }
  LOOM_CHECK(empty == EmptyHyperedges::kDrop, ValueError, op, ": hyperedge ", first_empty,
             " has no vertex (pass EmptyHyperedges::kDrop to drop empty hyperedges)");
  const auto m = static_cast<int64_t>(used.size());
  std::vector<int64_t> compact(vs);
  compact.reserve(vs.size() * 2);
  for (int64_t e : es) compact.push_back(std::lower_bound(used.begin(), used.end(), e) - used.begin());
  const Device device = incidence.device();
  const Tensor kept = from_vector<int64_t>(used, {m}, device);
  const Tensor weight = hyperedge_weight.defined() ? index_select(hyperedge_weight.detach(), kept) : Tensor();
  Hypergraph h = from_incidence(from_vector<int64_t>(compact, {2, static_cast<int64_t>(vs.size())}, device)
                                    .to(incidence.dtype()),
                                num_vertices, m, weight, empty);
  h.impl_->kept = kept;
  h.impl_->num_input = num_hyperedges;
  return h;
}

const Hypergraph::Impl& Hypergraph::impl() const {
  LOOM_CHECK(impl_ != nullptr, ValueError, "Hypergraph: use of an undefined (default-constructed) hypergraph");
  return *impl_;
}

int64_t Hypergraph::num_vertices() const { return impl().members.num_cols(); }
int64_t Hypergraph::num_hyperedges() const { return impl().members.num_rows(); }
int64_t Hypergraph::num_incidences() const { return impl().members.nnz(); }
Device Hypergraph::device() const { return impl().members.device(); }
const Csr& Hypergraph::hyperedge_members() const { return impl().members; }
const Csr& Hypergraph::vertex_memberships() const { return impl().members.transpose(); }
const Tensor& Hypergraph::hyperedge_weight() const { return impl().weight; }
const Tensor& Hypergraph::kept_hyperedges() const { return impl().kept; }
const Tensor& Hypergraph::incidence_weight() const { return impl().incidence_weight; }

Hypergraph Hypergraph::with_incidence_weight(const Tensor& w) const {
  const char* op = "Hypergraph::with_incidence_weight";
  const Impl& im = impl();
  LOOM_CHECK(w.defined(), ValueError, op, ": 'w' is an undefined tensor");
  LOOM_CHECK(is_floating(w.dtype()), DTypeError, op, ": 'w' must be float32 or float64, got ", dtype_name(w.dtype()));
  LOOM_CHECK(w.dim() == 1 && w.size(0) == num_incidences(), ShapeError, op, ": 'w' must be [nnz] with nnz = ",
             num_incidences(), " incidences (in incidence() order), got ", w.shape_str());
  LOOM_CHECK(w.device() == device(), DeviceError, op, ": 'w' is on ", w.device().str(), " but the hypergraph is on ",
             device().str());
  NoGradGuard no_grad;
  // Validated on the host (preprocessing, once per hypergraph): the position of the first bad entry is named.
  const auto values = w.to(kCPU).to(kFloat64).to_vector<double>();
  for (size_t k = 0; k < values.size(); ++k) {
    LOOM_CHECK(std::isfinite(values[k]) && values[k] >= 0, ValueError, op, ": incidence weight ", k, " is ",
               values[k], " (incidence weights must be finite and >= 0)");
  }
  auto impl = std::make_shared<Impl>();
  impl->members = im.members;
  impl->weight = im.weight;
  impl->kept = im.kept;
  impl->num_input = im.num_input;
  impl->incidence_weight = w.detach();
  Hypergraph h;
  h.impl_ = std::move(impl);
  return h;
}

std::string Hypergraph::str() const {
  if (!impl_) return "Hypergraph(undefined)";
  std::ostringstream os;
  os << "Hypergraph(" << num_vertices() << " vertices, " << num_hyperedges() << " hyperedges, " << num_incidences()
     << " incidences";
  if (impl_->weight.defined()) os << ", weighted";
  if (impl_->incidence_weight.defined()) os << ", incidence-weighted";
  os << ", " << device().str() << ")";
  return os.str();
}

Tensor Hypergraph::vertex_degrees() const {
  const Impl& im = impl();
  return im.parent.defined() ? index_select(im.parent.vertex_degrees(), im.parent_vertices)
                             : vertex_memberships().row_degrees();
}

const Tensor& HypergraphAccess::vertex_degree_sums(const Hypergraph& h, bool hyperedge_weighted, DType dtype) {
  const Hypergraph::Impl& im = h.impl();
  std::lock_guard<std::mutex> lock(im.degree_mutex);
  const auto key = std::make_pair(hyperedge_weighted, dtype);
  auto it = im.degree_sums.find(key);
  if (it != im.degree_sums.end()) return it->second;
  NoGradGuard no_grad;
  Tensor dv;
  if (im.parent.defined()) {
    dv = index_select(vertex_degree_sums(im.parent, hyperedge_weighted, dtype), im.parent_vertices);
  } else {
    const Csr& vm = im.members.transpose();
    const int64_t m = im.members.num_rows();
    const Tensor w = hyperedge_weighted && im.weight.defined() ? im.weight.to(dtype) : ones({m}, dtype, vm.device());
    if (im.incidence_weight.defined()) {
      const Tensor hw_vm = index_select(im.incidence_weight.to(dtype), vm.edge_ids());
      dv = mp::gspmm(vm, mp::u_mul_e, mp::sum, w.view({m, 1}), hw_vm).view({vm.num_rows()});
    } else if (hyperedge_weighted) {
      dv = mp::gspmm(vm, mp::copy_u, mp::sum, w.view({m, 1})).view({vm.num_rows()});
    } else {
      dv = vm.row_degrees().to(dtype);
    }
  }
  return im.degree_sums.emplace(key, dv).first->second;
}
Tensor Hypergraph::hyperedge_sizes() const { return hyperedge_members().row_degrees(); }

Tensor Hypergraph::incidence() const {
  const Csr& c = hyperedge_members();
  const Tensor v = c.indices().to(kInt64), e = c.row_index().to(kInt64);
  return concat({v.view({1, c.nnz()}), e.view({1, c.nnz()})}, 0);
}

Hypergraph Hypergraph::with_singletons() const {
  const Impl& im = impl();
  std::lock_guard<std::mutex> lock(im.mutex);
  if (im.singletons) return *im.singletons;
  NoGradGuard no_grad;
  const int64_t n = num_vertices(), m = num_hyperedges();
  std::vector<int64_t> loops(static_cast<size_t>(2 * n));
  for (int64_t v = 0; v < n; ++v) {
    loops[static_cast<size_t>(v)] = v;
    loops[static_cast<size_t>(n + v)] = m + v;
  }
  const Tensor inc = concat({incidence(), from_vector<int64_t>(loops, {2, n}, device())}, 1);
  const Tensor w = im.weight.defined() ? concat({im.weight, ones({n}, im.weight.dtype(), device())}, 0) : Tensor();
  Hypergraph h = from_incidence(inc, n, m + n, w, EmptyHyperedges::kError);
  // Keep the user's numbering: the existing hyperedges keep their ids, singleton {v} is id num_input + v (as if
  // the singletons had been appended to the input).
  std::vector<int64_t> singleton_ids(static_cast<size_t>(n));
  for (int64_t v = 0; v < n; ++v) singleton_ids[static_cast<size_t>(v)] = im.num_input + v;
  h.impl_->kept = concat({im.kept, from_vector<int64_t>(singleton_ids, {n}, device())}, 0);
  h.impl_->num_input = im.num_input + n;
  // The merged incidence is sorted by hyperedge, so the existing entries keep their order and the singletons
  // follow, one each, with weight 1.
  if (im.incidence_weight.defined()) {
    const Tensor& hw = im.incidence_weight;
    h.impl_->incidence_weight = concat({hw, ones({n}, hw.dtype(), device())}, 0);
  }
  if (im.parent.defined()) {
    // A receptive field's singletons take their degrees from the parent's singletons (every vertex has one there).
    h.impl_->parent = im.parent.with_singletons();
    h.impl_->parent_vertices = im.parent_vertices;
  }
  im.singletons = std::make_unique<Hypergraph>(h);
  return h;
}

const Hypergraph::StageCoefficients& Hypergraph::hgnn_coefficients(DType dtype) const {
  const Impl& im = impl();
  check_coef_dtype("Hypergraph::hgnn_coefficients", dtype);
  std::lock_guard<std::mutex> lock(im.mutex);
  auto it = im.hgnn.find(dtype);
  if (it != im.hgnn.end()) return it->second;
  NoGradGuard no_grad;
  const Csr& he = im.members;           // rows hyperedges
  const Csr& vm = he.transpose();       // rows vertices
  const int64_t m = he.num_rows();
  const Tensor w = im.weight.defined() ? im.weight.to(dtype) : ones({m}, dtype, he.device());
  // Weighted vertex degrees d_v = sum of w_e over v's hyperedges, and hyperedge sizes |e|; inverted on the host
  // (N + M values, once per hypergraph and dtype) so that the zero rule lives in one place.
  // With incidence weights h: d_v = sum_e h_ve w_e, d_e = sum_v h_ve, and each coefficient gets a factor h_ve
  // (multiplied last, so that h = 1 gives the unweighted coefficients bit for bit).
  const bool hw = im.incidence_weight.defined();
  const auto [hw_he, hw_vm] =
      hw ? stage_incidence_weights(im.incidence_weight, vm, dtype) : std::pair<Tensor, Tensor>();
  const Tensor& dv = HypergraphAccess::vertex_degree_sums(*this, /*hyperedge_weighted=*/true, dtype);
  const Tensor dvis = inverse(host_doubles(dv), true, dtype, he.device());
  const Tensor inv_size =
      inverse(host_doubles(hw ? row_sums(he, hw_he) : he.row_degrees()), false, dtype, he.device());
  StageCoefficients c;
  c.v2e = mul(index_select(dvis, he.indices().to(kInt64)), index_select(inv_size, he.row_index().to(kInt64)));
  c.e2v = mul(index_select(w, vm.indices().to(kInt64)), index_select(dvis, vm.row_index().to(kInt64)));
  if (hw) {
    c.v2e = mul(c.v2e, hw_he);
    c.e2v = mul(c.e2v, hw_vm);
  }
  return im.hgnn.emplace(dtype, std::move(c)).first->second;
}

const Hypergraph::StageCoefficients& Hypergraph::hgnnp_coefficients(DType dtype) const {
  const Impl& im = impl();
  check_coef_dtype("Hypergraph::hgnnp_coefficients", dtype);
  std::lock_guard<std::mutex> lock(im.mutex);
  auto it = im.hgnnp.find(dtype);
  if (it != im.hgnnp.end()) return it->second;
  NoGradGuard no_grad;
  const Csr& he = im.members;
  const Csr& vm = he.transpose();
  const int64_t m = he.num_rows();
  const Tensor w = im.weight.defined() ? im.weight.to(dtype) : ones({m}, dtype, he.device());
  // d_v here is the count of v's hyperedges (DHG's mean over incident hyperedges), not the weighted degree.
  // With incidence weights: d_v = sum_e h_ve, d_e = sum_v h_ve, and a factor h_ve on each coefficient.
  const bool hw = im.incidence_weight.defined();
  const auto [hw_he, hw_vm] =
      hw ? stage_incidence_weights(im.incidence_weight, vm, dtype) : std::pair<Tensor, Tensor>();
  const Tensor inv_dv = inverse(
      host_doubles(HypergraphAccess::vertex_degree_sums(*this, /*hyperedge_weighted=*/false, dtype)), false, dtype,
      he.device());
  const Tensor inv_size =
      inverse(host_doubles(hw ? row_sums(he, hw_he) : he.row_degrees()), false, dtype, he.device());
  StageCoefficients c;
  c.v2e = index_select(inv_size, he.row_index().to(kInt64));
  c.e2v = mul(index_select(w, vm.indices().to(kInt64)), index_select(inv_dv, vm.row_index().to(kInt64)));
  if (hw) {
    c.v2e = mul(c.v2e, hw_he);
    c.e2v = mul(c.e2v, hw_vm);
  }
  return im.hgnnp.emplace(dtype, std::move(c)).first->second;
}

Hypergraph Hypergraph::to(Device device) const {
  const Impl& im = impl();
  auto impl = std::make_shared<Impl>();
  impl->members = im.members.to(device);
  impl->kept = im.kept.to(device);
  impl->num_input = im.num_input;
  if (im.weight.defined()) impl->weight = im.weight.to(device);
  if (im.incidence_weight.defined()) impl->incidence_weight = im.incidence_weight.to(device);
  Hypergraph h;
  h.impl_ = std::move(impl);
  return h;
}

}  // namespace loom::hypergraph
