// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph: construction and validation, accessors, and the per-graph caches (normalisation coefficients, the
// self-loop graph). Transforms live in transforms.cpp, Boost.Graph algorithms in algorithms.cpp.
#include "loom/graph/graph.h"

#include "graph/graph_impl.h"

#include <cmath>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "loom/graph/transforms.h"

namespace loom::graph {

namespace {

// Throws naming the first non-finite edge weight (w in csr order): by its input position when `input_position`
// is given (from_edge_index, where the user's numbering is the input order), else by its csr() position.
void check_weights(const char* op, const Tensor& w, const Tensor& input_position = Tensor()) {
  if (!w.defined() || !has_nonfinite(w)) return;
  const auto values = w.to(kCPU).to(kFloat64).to_vector<double>();
  const auto pos = input_position.defined() ? input_position.to(kCPU).to_vector<int64_t>() : std::vector<int64_t>();
  for (size_t k = 0; k < values.size(); ++k) {
    LOOM_CHECK(std::isfinite(values[k]), ValueError, op, ": edge_weight of edge ",
               pos.empty() ? static_cast<int64_t>(k) : pos[k], pos.empty() ? " (csr order)" : "", " is ", values[k],
               " (weights must be finite)");
  }
}

void check_edge_tensor(const char* op, const char* arg, const Tensor& t, int64_t num_edges, int rank,
                       Device device) {
  if (!t.defined()) return;
  LOOM_CHECK(is_floating(t.dtype()), DTypeError, op, ": '", arg, "' must be float32 or float64, got ",
             dtype_name(t.dtype()));
  LOOM_CHECK(t.dim() == rank && t.size(0) == num_edges, ShapeError, op, ": '", arg, "' must be ",
             rank == 1 ? "[E]" : "[E, D]", " with E = ", num_edges, " edges, got ", t.shape_str());
  LOOM_CHECK(t.device() == device, DeviceError, op, ": '", arg, "' is on ", t.device().str(),
             " but the edges are on ", device.str());
}

}  // namespace

Graph Graph::from_edge_index(const Tensor& edge_index, int64_t num_nodes, const Tensor& edge_weight,
                             const Tensor& edge_attr) {
  const char* op = "Graph::from_edge_index";
  LOOM_CHECK(edge_index.defined(), ValueError, op, ": 'edge_index' is undefined");
  LOOM_CHECK(edge_index.dtype() == kInt32 || edge_index.dtype() == kInt64, DTypeError, op,
             ": 'edge_index' must be int32 or int64, got ", dtype_name(edge_index.dtype()));
  LOOM_CHECK(edge_index.dim() == 2 && edge_index.size(0) == 2, ShapeError, op,
             ": 'edge_index' must be [2, E] (row 0 sources, row 1 targets), got ", edge_index.shape_str());
  LOOM_CHECK(num_nodes >= 0, ValueError, op, ": num_nodes must be >= 0, got ", num_nodes);
  const int64_t e = edge_index.size(1);
  check_edge_tensor(op, "edge_weight", edge_weight, e, 1, edge_index.device());
  check_edge_tensor(op, "edge_attr", edge_attr, e, 2, edge_index.device());
  const Tensor ei = edge_index;
  const Tensor src = ei.narrow_rows(0, 1).view({e}), dst = ei.narrow_rows(1, 2).view({e});
  Csr csr;
  try {
    csr = Csr::from_coo(dst, src, num_nodes, num_nodes);
  } catch (const IndexError&) {
    // Csr names the entry as (row -> col), i.e. (target -> source); a graph user reads "a -> b" as source ->
    // target. Find the first bad edge again on the host (error path only) and name it that way.
    const auto ids = ei.to(kCPU).to(kInt64).to_vector<int64_t>();
    for (int64_t k = 0; k < e; ++k) {
      const int64_t s = ids[static_cast<size_t>(k)], t = ids[static_cast<size_t>(e + k)];
      LOOM_CHECK(s >= 0 && s < num_nodes && t >= 0 && t < num_nodes, IndexError, op, ": edge ", k, " (", s, " -> ",
                 t, ") has a node id outside [0, ", num_nodes, ")");
    }
    throw;
  }
  auto impl = std::make_shared<Impl>();
  impl->csr = csr;
  impl->edge_ids = csr.edge_ids();
  if (edge_weight.defined()) impl->weight = index_select(edge_weight.detach(), impl->edge_ids);
  check_weights(op, impl->weight, impl->edge_ids);
  if (edge_attr.defined()) impl->attr = index_select(edge_attr.detach(), impl->edge_ids);
  Graph g;
  g.impl_ = std::move(impl);
  return g;
}

Graph Graph::from_csr(const Csr& in_edges, const Tensor& edge_attr) {
  const char* op = "Graph::from_csr";
  LOOM_CHECK(in_edges.defined(), ValueError, op, ": the Csr is undefined");
  LOOM_CHECK(in_edges.num_rows() == in_edges.num_cols(), ShapeError, op, ": a graph needs a square Csr, got ",
             in_edges.str());
  const Tensor& values = in_edges.values();
  LOOM_CHECK(!values.defined() || values.dim() == 1, ShapeError, op,
             ": Csr values must be [nnz] edge weights, got ", values.shape_str());
  check_edge_tensor(op, "edge_attr", edge_attr, in_edges.nnz(), 2, in_edges.device());
  auto impl = std::make_shared<Impl>();
  impl->edge_ids = arange(in_edges.nnz(), kInt64, in_edges.device());
  impl->csr = values.defined() ? Csr::from_arrays(in_edges.indptr(), in_edges.indices(), in_edges.num_cols())
                               : in_edges;
  impl->weight = values;
  check_weights(op, impl->weight);
  impl->attr = edge_attr;
  Graph g;
  g.impl_ = std::move(impl);
  return g;
}

const Graph::Impl& Graph::impl() const {
  LOOM_CHECK(impl_ != nullptr, ValueError, "Graph: use of an undefined (default-constructed) graph");
  return *impl_;
}

int64_t Graph::num_nodes() const { return impl().csr.num_rows(); }
int64_t Graph::num_edges() const { return impl().csr.nnz(); }
Device Graph::device() const { return impl().csr.device(); }
const Csr& Graph::csr() const { return impl().csr; }
const Csr& Graph::csc() const { return impl().csr.transpose(); }
const Tensor& Graph::edge_weight() const { return impl().weight; }
const Tensor& Graph::edge_attr() const { return impl().attr; }
const Tensor& Graph::edge_ids() const { return impl().edge_ids; }

std::string Graph::str() const {
  if (!impl_) return "Graph(undefined)";
  std::ostringstream os;
  os << "Graph(" << num_nodes() << " nodes, " << num_edges() << " edges";
  if (impl_->weight.defined()) os << ", weighted";
  if (impl_->attr.defined()) os << ", edge features " << impl_->attr.size(1);
  os << ", " << device().str() << ")";
  return os.str();
}

Tensor Graph::edge_index() const {
  const Csr& c = csr();
  const Tensor src = c.indices().to(kInt64), dst = c.row_index().to(kInt64);
  return concat({src.view({1, c.nnz()}), dst.view({1, c.nnz()})}, 0);
}

// A receptive field answers with its parent's degrees (transforms.h): its border nodes lack some edges.
Tensor Graph::in_degrees() const {
  const Impl& im = impl();
  return im.parent.defined() ? index_select(im.parent.in_degrees(), im.parent_nodes) : csr().row_degrees();
}
Tensor Graph::out_degrees() const {
  const Impl& im = impl();
  return im.parent.defined() ? index_select(im.parent.out_degrees(), im.parent_nodes) : csc().row_degrees();
}

const Tensor& GraphAccess::weighted_in_degrees(const Graph& g, DType dtype) {
  const Graph::Impl& im = g.impl();
  std::lock_guard<std::mutex> lock(im.degree_mutex);
  auto it = im.weighted_in_degrees.find(dtype);
  if (it != im.weighted_in_degrees.end()) return it->second;
  NoGradGuard no_grad;
  Tensor deg;
  if (im.parent.defined()) {
    deg = index_select(weighted_in_degrees(im.parent, dtype), im.parent_nodes);
  } else {
    // The row sums of the weight matrix.
    const Csr& c = im.csr;
    const Tensor w = im.weight.defined() ? im.weight.to(dtype) : ones({c.nnz()}, dtype, c.device());
    deg = mp::gspmm(c, mp::copy_e, mp::sum, Tensor(), w.view({c.nnz(), 1})).view({c.num_rows()});
  }
  return im.weighted_in_degrees.emplace(dtype, deg).first->second;
}

bool Graph::has_self_loops() const {
  const Csr& c = csr();
  // On the host: the binary ops are floating-only, and this is an O(E) scan done once per preprocessing step.
  const auto src = c.indices().to(kCPU).to_vector<int32_t>();
  const auto dst = c.row_index().to(kCPU).to_vector<int32_t>();
  for (size_t k = 0; k < src.size(); ++k) {
    if (src[k] == dst[k]) return true;
  }
  return false;
}

const Tensor& Graph::norm(Norm kind, DType dtype) const {
  const Impl& im = impl();
  LOOM_CHECK(dtype == kFloat32 || dtype == kFloat64, DTypeError, "Graph::norm: dtype must be float32 or float64, got ",
             dtype_name(dtype));
  std::lock_guard<std::mutex> lock(im.mutex);
  auto it = im.norms.find({kind, dtype});
  if (it != im.norms.end()) return it->second;
  NoGradGuard no_grad;
  const Csr& c = im.csr;
  const Tensor w = im.weight.defined() ? im.weight.to(dtype) : ones({c.nnz()}, dtype, c.device());
  // Weighted in-degree of every node (the parent's on a receptive field, so border nodes keep their full degree).
  const Tensor& deg = GraphAccess::weighted_in_degrees(*this, dtype);
  // deg^-1/2 (kSym) or deg^-1 (kRandomWalk) per node, 0 where the degree is 0. Computed once per graph on the
  // host (N values), which keeps the zero-degree rule in one readable place.
  auto d = deg.to(kCPU).to(kFloat64).to_vector<double>();
  // A negative weighted degree has no square root: refuse it by name (as the hypergraph path does) instead of
  // returning NaN coefficients that turn every activation NaN without an error.
  for (size_t i = 0; i < d.size(); ++i)
    LOOM_CHECK(kind != Norm::kSym || d[i] >= 0, ValueError, "Graph::norm(sym): node ", i, " has weighted in-degree ",
               d[i], " < 0 (negative edge weights); the symmetric normalisation needs non-negative degrees");
  for (double& v : d) v = v == 0 ? 0.0 : (kind == Norm::kSym ? 1.0 / std::sqrt(v) : 1.0 / v);
  const Tensor inv = from_vector<double>(d, {c.num_rows()}).to(dtype).to(c.device());
  Tensor coef = mul(w, index_select(inv, c.row_index().to(kInt64)));
  if (kind == Norm::kSym) coef = mul(coef, index_select(inv, c.indices().to(kInt64)));
  return im.norms.emplace(std::make_pair(kind, dtype), coef).first->second;
}

const Graph& Graph::with_self_loops() const {
  const Impl& im = impl();
  std::lock_guard<std::mutex> lock(im.mutex);
  if (!im.self_loops && !im.self_loops_is_self) {
    Graph looped = add_self_loops(*this);
    if (im.parent.defined()) {
      // A receptive field's looped graph takes its degrees from the parent's looped graph. It gets its own Impl
      // even when no loop was missing here, since its parent differs from this graph's.
      if (looped.impl_ == impl_) {
        looped.impl_ = std::make_shared<Impl>();
        looped.impl_->csr = im.csr;
        looped.impl_->weight = im.weight;
        looped.impl_->attr = im.attr;
        looped.impl_->edge_ids = im.edge_ids;
      }
      looped.impl_->parent = im.parent.with_self_loops();
      looped.impl_->parent_nodes = im.parent_nodes;
    }
    // Every node already has a loop: add_self_loops returned this graph itself. Caching that handle inside its own
    // Impl would be a shared_ptr cycle (the graph would never be freed), so remember only the fact.
    if (looped.impl_ == impl_) {
      im.self_loops_is_self = true;
    } else {
      im.self_loops = std::make_unique<Graph>(std::move(looped));
    }
  }
  return im.self_loops_is_self ? *this : *im.self_loops;
}

Graph Graph::to(Device device) const {
  const Impl& im = impl();
  if (device == this->device()) return *this;
  auto impl = std::make_shared<Impl>();
  impl->csr = im.csr.to(device);
  impl->edge_ids = im.edge_ids.to(device);
  if (im.weight.defined()) impl->weight = im.weight.to(device);
  if (im.attr.defined()) impl->attr = im.attr.to(device);
  // A receptive field (a sampled block, a partition's part) keeps answering with its parent's degrees there.
  if (im.parent.defined()) {
    impl->parent = im.parent.to(device);
    impl->parent_nodes = im.parent_nodes.to(device);
  }
  Graph g;
  g.impl_ = std::move(impl);
  return g;
}

Graph Graph::with_edge_weight(const Tensor& edge_weight) const {
  const Impl& im = impl();
  check_edge_tensor("Graph::with_edge_weight", "edge_weight", edge_weight, im.csr.nnz(), 1, im.csr.device());
  check_weights("Graph::with_edge_weight", edge_weight);
  auto impl = std::make_shared<Impl>();
  impl->csr = im.csr;
  impl->edge_ids = im.edge_ids;
  impl->weight = edge_weight;
  impl->attr = im.attr;
  Graph g;
  g.impl_ = std::move(impl);
  return g;
}

Graph Graph::with_edge_attr(const Tensor& edge_attr) const {
  const Impl& im = impl();
  check_edge_tensor("Graph::with_edge_attr", "edge_attr", edge_attr, im.csr.nnz(), 2, im.csr.device());
  auto impl = std::make_shared<Impl>();
  impl->csr = im.csr;
  impl->edge_ids = im.edge_ids;
  impl->weight = im.weight;
  impl->attr = edge_attr;
  Graph g;
  g.impl_ = std::move(impl);
  return g;
}

}  // namespace loom::graph
