// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// subset_nodes: the sub-dataset a set of nodes induces (loom/data/dataset.h), on the host: ids are remapped
// through one table of N entries, so every edge, incidence and split id is read once.
#include <string>
#include <vector>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/data/dataset.h"

namespace loom::data {

namespace {

std::vector<int64_t> host_ids(const Tensor& t) {
  return t.defined() ? t.cpu().to(kInt64).reshape({-1}).to_vector<int64_t>() : std::vector<int64_t>{};
}

Tensor ids_tensor(const std::vector<int64_t>& v) {
  return from_vector<int64_t>(v, {static_cast<int64_t>(v.size())});
}

// The ids of `idx` that are kept, through the new-id table (-1: dropped).
Tensor remap_ids(const Tensor& idx, const std::vector<int64_t>& new_id) {
  if (!idx.defined()) return idx;
  std::vector<int64_t> out;
  for (int64_t i : host_ids(idx))
    if (i >= 0 && i < static_cast<int64_t>(new_id.size()) && new_id[static_cast<size_t>(i)] >= 0)
      out.push_back(new_id[static_cast<size_t>(i)]);
  return ids_tensor(out);
}

}  // namespace

NodeDataset subset_nodes(const NodeDataset& d, const Tensor& nodes) {
  const char* op = "subset_nodes";
  const int64_t n = d.num_nodes();
  LOOM_CHECK(nodes.defined() && nodes.dim() == 1, ShapeError, op, ": nodes must be ids [n], got ",
             nodes.defined() ? nodes.str() : "an undefined tensor");
  const std::vector<int64_t> keep = host_ids(nodes);
  std::vector<int64_t> new_id(static_cast<size_t>(n), -1);
  for (size_t k = 0; k < keep.size(); ++k) {
    const int64_t v = keep[k];
    LOOM_CHECK(v >= 0 && v < n, IndexError, op, ": node id ", v, " at position ", k, " is outside [0, ", n, ")");
    LOOM_CHECK(k == 0 || v > keep[k - 1], ValueError, op, ": node ids must be sorted and unique; ", v,
               " at position ", k, " follows ", keep[k - 1]);
    new_id[static_cast<size_t>(v)] = static_cast<int64_t>(k);
  }
  NodeDataset out;
  out.name = d.name;
  out.num_classes = d.num_classes;
  out.x = index_select(d.x, nodes.cpu().to(kInt64));
  out.y = index_select(d.y, nodes.cpu().to(kInt64));

  const std::vector<int64_t> e = host_ids(d.edge_index);
  const size_t edges = e.size() / 2;
  std::vector<int64_t> src, dst;
  for (size_t k = 0; k < edges; ++k) {
    const int64_t a = new_id[static_cast<size_t>(e[k])], b = new_id[static_cast<size_t>(e[edges + k])];
    if (a >= 0 && b >= 0) {
      src.push_back(a);
      dst.push_back(b);
    }
  }
  src.insert(src.end(), dst.begin(), dst.end());
  out.edge_index = from_vector<int64_t>(src, {2, static_cast<int64_t>(dst.size())});

  if (d.hyperedge_index.defined()) {
    const std::vector<int64_t> h = host_ids(d.hyperedge_index);
    const size_t nnz = h.size() / 2;
    std::vector<int64_t> vertex, edge;
    std::vector<char> has_member;
    for (size_t k = 0; k < nnz; ++k) {
      const int64_t v = new_id[static_cast<size_t>(h[k])];
      if (v < 0) continue;
      const auto old_edge = static_cast<size_t>(h[nnz + k]);
      if (has_member.size() <= old_edge) has_member.resize(old_edge + 1, 0);
      has_member[old_edge] = 1;
      vertex.push_back(v);
      edge.push_back(static_cast<int64_t>(old_edge));
    }
    // Hyperedges that kept a member, numbered in their old order.
    std::vector<int64_t> edge_id(has_member.size(), -1);
    int64_t next = 0;
    for (size_t k = 0; k < has_member.size(); ++k)
      if (has_member[k]) edge_id[k] = next++;
    for (int64_t& x : edge) x = edge_id[static_cast<size_t>(x)];
    vertex.insert(vertex.end(), edge.begin(), edge.end());
    out.hyperedge_index = from_vector<int64_t>(vertex, {2, static_cast<int64_t>(edge.size())});
  }
  out.train_idx = remap_ids(d.train_idx, new_id);
  out.val_idx = remap_ids(d.val_idx, new_id);
  out.test_idx = remap_ids(d.test_idx, new_id);
  return out;
}

}  // namespace loom::data
