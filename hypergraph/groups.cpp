// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Hypergraph builders from groups and matrices: a sparse incidence matrix, attribute groups, the merge of several
// hypergraphs (HGNN+'s multi-modal hyperedge groups), and the clique expansion to a weighted graph (spgemm).
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/hypergraph/hypergraph.h"

namespace loom::hypergraph {

namespace {

// Runs a builder that delegates to from_incidence and prefixes its errors with the calling op, keeping the type,
// so that "Hypergraph::from_incidence: hyperedge 3 has no vertex" reads as coming from the function the user called.
template <class F>
Hypergraph in_context(const std::string& context, F&& build) {
  try {
    return build();
  } catch (const ShapeError& e) {
    throw ShapeError(context + e.what());
  } catch (const DTypeError& e) {
    throw DTypeError(context + e.what());
  } catch (const DeviceError& e) {
    throw DeviceError(context + e.what());
  } catch (const IndexError& e) {
    throw IndexError(context + e.what());
  } catch (const ValueError& e) {
    throw ValueError(context + e.what());
  }
}

// int64 ids + offset on the ids' device. The op catalogue's arithmetic is floating: float64 holds every id below
// 2^53 exactly, far beyond any hypergraph that fits in memory.
Tensor offset_ids(const Tensor& ids, int64_t offset) {
  if (offset == 0) return ids;
  return add_scalar(ids.to(kFloat64), static_cast<double>(offset)).to(kInt64);
}

// The square Csr c without its diagonal entries, on c's device and with c's values. Diagonal entries are moved to
// an extra trailing row N by a stable re-sort (from_coo), so rows 0..N-1 of the result hold exactly the off-diagonal
// entries in their order; the trash row is then cut off. The flag arithmetic runs in float64 (exact for int32 ids):
// diag = relu(1 - (r - c)^2) is 1 on the diagonal and 0 elsewhere, and row' = r + diag (N - r).
Csr drop_diagonal(const Csr& c) {
  const int64_t n = c.num_rows();
  const Tensor r = c.row_index().to(kFloat64), k = c.indices().to(kFloat64);
  const Tensor x = sub(r, k);
  const Tensor diag = relu(add_scalar(neg(mul(x, x)), 1.0));
  const Tensor rows = add(r, mul(diag, add_scalar(neg(r), static_cast<double>(n)))).to(kInt64);
  const Csr moved = Csr::from_coo(rows, c.indices(), n + 1, n, c.values(), DupPolicy::kKeep);
  const Tensor indptr = moved.indptr().narrow_rows(0, n + 1);
  const int64_t kept = indptr.narrow_rows(n, n + 1).to(kCPU).item<int64_t>();
  const Tensor values = moved.values().defined() ? moved.values().narrow_rows(0, kept) : Tensor();
  return Csr::from_arrays(indptr, moved.indices().narrow_rows(0, kept), n, values);
}

}  // namespace

Hypergraph Hypergraph::from_incidence_matrix(const Csr& h, const Tensor& hyperedge_weight, EmptyHyperedges empty) {
  const char* op = "Hypergraph::from_incidence_matrix";
  LOOM_CHECK(h.defined(), ValueError, op, ": 'h' is an undefined Csr");
  NoGradGuard no_grad;
  // Entry (v, e) of H is vertex v in hyperedge e: row 0 of the incidence is H's row index, row 1 its column ids.
  // The Csr already validated every id; from_incidence merges repeated entries, checks the weights and handles
  // empty columns.
  const int64_t nnz = h.nnz();
  const Tensor incidence = concat({h.row_index().to(kInt64).view({1, nnz}), h.indices().to(kInt64).view({1, nnz})}, 0);
  const Tensor& values = h.values();
  Tensor hw;  // the values in members order (hyperedge-major), when present
  if (values.defined()) {
    LOOM_CHECK(values.dim() == 1, ShapeError, op,
               ": the values of 'h' become incidence weights and must be [nnz], got ", values.shape_str());
    // The members order is the (hyperedge, vertex) sort that from_incidence makes; with distinct pairs it is unique,
    // so this transposed pattern has the same order and its edge_ids() are positions in h.
    const Csr order = Csr::from_coo(h.indices(), h.row_index(), h.num_cols(), h.num_rows(), Tensor(), DupPolicy::kSum);
    if (order.nnz() != nnz) {
      const auto vs = h.row_index().to(kCPU).to(kInt64).to_vector<int64_t>();
      const auto es = h.indices().to(kCPU).to(kInt64).to_vector<int64_t>();
      std::vector<std::tuple<int64_t, int64_t, int64_t>> pairs;
      for (int64_t k = 0; k < nnz; ++k) pairs.emplace_back(vs[k], es[k], k);
      std::sort(pairs.begin(), pairs.end());
      for (size_t i = 1; i < pairs.size(); ++i) {
        const auto [v, e, k] = pairs[i];
        LOOM_CHECK(std::get<0>(pairs[i - 1]) != v || std::get<1>(pairs[i - 1]) != e, ValueError, op, ": entry ", k,
                   " (vertex ", v, ", hyperedge ", e, ") repeats entry ", std::get<2>(pairs[i - 1]),
                   " (a matrix with values must hold each (vertex, hyperedge) pair once)");
      }
    }
    // Checked here, in h's order, so that the message names the entry as the user wrote it.
    const auto vals = values.to(kCPU).to(kFloat64).to_vector<double>();
    for (int64_t k = 0; k < nnz; ++k) {
      const double x = vals[static_cast<size_t>(k)];
      if (std::isfinite(x) && x >= 0) continue;
      const int64_t v = h.row_index().narrow_rows(k, k + 1).to(kCPU).to(kInt64).item<int64_t>();
      const int64_t e = h.indices().narrow_rows(k, k + 1).to(kCPU).to(kInt64).item<int64_t>();
      LOOM_CHECK(false, ValueError, op, ": entry ", k, " (vertex ", v, ", hyperedge ", e, ") has value ", x,
                 " (values become incidence weights and must be finite and >= 0)");
    }
    hw = index_select(values.detach(), order.edge_ids());
  }
  return in_context(std::string(op) + " (columns of 'h' are hyperedges): ", [&] {
    Hypergraph r = from_incidence(incidence, h.num_rows(), h.num_cols(), hyperedge_weight, empty);
    // Dropping empty hyperedges removes no entry, so the order holds.
    return hw.defined() ? r.with_incidence_weight(hw) : r;
  });
}

Hypergraph Hypergraph::from_attribute_groups(const Tensor& attributes, bool keep_singletons) {
  const char* op = "Hypergraph::from_attribute_groups";
  LOOM_CHECK(attributes.defined(), ValueError, op, ": 'attributes' is an undefined tensor");
  LOOM_CHECK(attributes.dtype() == kInt32 || attributes.dtype() == kInt64, DTypeError, op,
             ": 'attributes' must be int32 or int64, got ", dtype_name(attributes.dtype()));
  LOOM_CHECK(attributes.dim() == 1 || attributes.dim() == 2, ShapeError, op,
             ": 'attributes' must be [N] or [N, A] (one column per attribute), got ", attributes.shape_str());
  NoGradGuard no_grad;
  const int64_t n = attributes.size(0), a = attributes.dim() == 1 ? 1 : attributes.size(1);
  // Grouping runs on the host (a sort per column: preprocessing, once per data set); the hypergraph is built on
  // the attributes' device.
  const auto values = attributes.to(kCPU).to(kInt64).to_vector<int64_t>();
  std::vector<int64_t> vs, es;
  int64_t m = 0;
  std::vector<std::pair<int64_t, int64_t>> column;  // (value, vertex), missing values left out
  for (int64_t c = 0; c < a; ++c) {
    column.clear();
    for (int64_t v = 0; v < n; ++v) {
      const int64_t value = values[static_cast<size_t>(v * a + c)];
      if (value >= 0) column.emplace_back(value, v);
    }
    std::sort(column.begin(), column.end());
    for (size_t i = 0; i < column.size();) {
      size_t j = i;
      while (j < column.size() && column[j].first == column[i].first) ++j;
      if (j - i >= 2 || keep_singletons) {
        for (size_t k = i; k < j; ++k) {
          vs.push_back(column[k].second);
          es.push_back(m);
        }
        ++m;
      }
      i = j;
    }
  }
  const auto nnz = static_cast<int64_t>(vs.size());
  vs.insert(vs.end(), es.begin(), es.end());
  return from_incidence(from_vector<int64_t>(vs, {2, nnz}, attributes.device()), n, m, Tensor(),
                        EmptyHyperedges::kError);
}

Hypergraph Hypergraph::merge(const std::vector<Hypergraph>& parts) {
  const char* op = "Hypergraph::merge";
  LOOM_CHECK(!parts.empty(), ValueError, op, ": 'parts' is empty (merge needs at least one hypergraph)");
  for (size_t i = 0; i < parts.size(); ++i) {
    LOOM_CHECK(parts[i].defined(), ValueError, op, ": part ", i, " is an undefined hypergraph");
  }
  const Hypergraph& first = parts[0];
  const int64_t n = first.num_vertices();
  const Device device = first.device();
  // The weights' dtype: that of the first weighted part; other weighted parts must agree (no implicit promotion).
  int64_t weighted = -1, incidence_weighted = -1;  // likewise for the incidence weights
  for (size_t i = 0; i < parts.size(); ++i) {
    const Hypergraph& p = parts[i];
    LOOM_CHECK(p.num_vertices() == n, ShapeError, op, ": part ", i, " has ", p.num_vertices(),
               " vertices but part 0 has ", n, " (all parts must share the same vertices)");
    LOOM_CHECK(p.device() == device, DeviceError, op, ": part ", i, " is on ", p.device().str(), " but part 0 is on ",
               device.str(), " (move it with .to(device))");
    if (p.incidence_weight().defined()) {
      if (incidence_weighted < 0) {
        incidence_weighted = static_cast<int64_t>(i);
      } else {
        const DType want = parts[static_cast<size_t>(incidence_weighted)].incidence_weight().dtype();
        LOOM_CHECK(p.incidence_weight().dtype() == want, DTypeError, op, ": part ", i, " has ",
                   dtype_name(p.incidence_weight().dtype()), " incidence weights but part ", incidence_weighted,
                   " has ", dtype_name(want), " (convert the weights to one dtype)");
      }
    }
    if (!p.hyperedge_weight().defined()) continue;
    if (weighted < 0) {
      weighted = static_cast<int64_t>(i);
    } else {
      const DType want = parts[static_cast<size_t>(weighted)].hyperedge_weight().dtype();
      LOOM_CHECK(p.hyperedge_weight().dtype() == want, DTypeError, op, ": part ", i, " has ",
                 dtype_name(p.hyperedge_weight().dtype()), " hyperedge weights but part ", weighted, " has ",
                 dtype_name(want), " (convert the weights to one dtype)");
    }
  }
  NoGradGuard no_grad;
  std::vector<Tensor> incidences, weights, incidence_weights;
  int64_t m = 0;
  for (const Hypergraph& p : parts) {
    // Part i's hyperedge ids follow those of the parts before it. Its hyperedges are non-empty already, so the
    // merged incidence has no empty hyperedge.
    const Tensor inc = p.incidence();
    const int64_t nnz = inc.size(1);
    incidences.push_back(
        concat({inc.narrow_rows(0, 1), offset_ids(inc.narrow_rows(1, 2).view({nnz}), m).view({1, nnz})}, 0));
    if (weighted >= 0) {
      const DType dtype = parts[static_cast<size_t>(weighted)].hyperedge_weight().dtype();
      const Tensor& w = p.hyperedge_weight();
      weights.push_back(w.defined() ? w.detach() : ones({p.num_hyperedges()}, dtype, device));
    }
    if (incidence_weighted >= 0) {
      const DType dtype = parts[static_cast<size_t>(incidence_weighted)].incidence_weight().dtype();
      const Tensor& hw = p.incidence_weight();
      incidence_weights.push_back(hw.defined() ? hw.detach() : ones({p.num_incidences()}, dtype, device));
    }
    m += p.num_hyperedges();
  }
  const Tensor w = weighted >= 0 ? concat(weights, 0) : Tensor();
  return in_context(std::string(op) + ": ", [&] {
    Hypergraph r = from_incidence(concat(incidences, 1), n, m, w, EmptyHyperedges::kError);
    // Each part's incidence is sorted by hyperedge and the ids increase part by part, so the merged members order
    // is the parts' orders one after the other.
    return incidence_weighted >= 0 ? r.with_incidence_weight(concat(incidence_weights, 0)) : r;
  });
}

graph::Graph Hypergraph::clique_expansion(bool self_loops) const {
  NoGradGuard no_grad;
  // H W H^T on the hypergraph's device: vertex_memberships() is H (N x M); scaling its columns by w gives H W, and
  // hyperedge_members() is H^T. Entry (u, v) of the product is the sum of w_e over the hyperedges shared by u and v
  // (the count of shared hyperedges, in float32, when unweighted); it is symmetric, so rows may be read as
  // destinations.
  // With incidence weights both factors carry H's values (the e2v order of the weights for H, members order for H^T),
  // as the dtype of the hyperedge weights when there are any.
  const Tensor& w = hyperedge_weight();
  Csr h = vertex_memberships(), ht = hyperedge_members();
  if (incidence_weight().defined()) {
    const Tensor hw = w.defined() ? incidence_weight().to(w.dtype()) : incidence_weight();
    h = h.with_values(index_select(hw, h.edge_ids()));
    ht = ht.with_values(hw);
  }
  const Csr product = spgemm(w.defined() ? scale_cols(h, w) : h, ht);
  return graph::Graph::from_csr(self_loops ? product : drop_diagonal(product));
}

}  // namespace loom::hypergraph
