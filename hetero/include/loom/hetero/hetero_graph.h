// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A heterogeneous graph: named node types with counts and optional features, and canonical relations
// (source type, relation, destination type), each stored as a Csr in both orientations on one device.
// Node ids are local to their type. Relations follow the engine's convention (graph.h): in_csr() rows are the
// destination nodes, columns the source nodes; out_csr() is its transpose (rows are sources), built on first use.
#pragma once
#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::hetero {

struct RelationStack;  // relation_stack.h
class RelationStackCache;

// A canonical relation. str() is the file-name form "author__writes__paper".
struct EdgeType {
  std::string src, rel, dst;
  std::string str() const { return src + "__" + rel + "__" + dst; }
  auto operator<=>(const EdgeType&) const = default;
};

class HeteroGraph {
 public:
  HeteroGraph() = default;

  // Adds node type `name` with `num_nodes` nodes. ValueError for an empty name, one containing "__" (the
  // separator of EdgeType::str()), a name already present, or a negative count.
  HeteroGraph& add_node_type(const std::string& name, int64_t num_nodes);
  // Features of a type: dense floating [num_nodes, F], or sparse (a Csr [num_nodes, F] with values). ValueError
  // for an unknown type, ShapeError for a row count other than the type's, DeviceError off the graph's device.
  HeteroGraph& set_features(const std::string& type, const Tensor& x);
  HeteroGraph& set_features(const std::string& type, const Csr& x);
  // The first tensor a graph receives (features or edges) decides its device(); later ones must be there too.
  // Adds relation `et` from edge_index int32/int64 [2, E] (row 0 ids of et.src, row 1 ids of et.dst). Duplicate edges are kept (they count as separate meta-path instances). Errors name the
  // relation: ValueError for an unknown node type, an empty relation name or a relation already present;
  // IndexError for the first id past its type's count ("relation author__writes__paper: edge 17 (3 -> 90000) has
  // target id 90000, out of range for node type 'paper' (14328 nodes)"); ShapeError/DTypeError for the layout.
  HeteroGraph& add_relation(const EdgeType& et, const Tensor& edge_index);

  const std::vector<std::string>& node_types() const { return types_; }
  int64_t num_node_types() const { return static_cast<int64_t>(types_.size()); }
  bool has_node_type(const std::string& type) const { return counts_.count(type) != 0; }
  // ValueError naming the known types for an unknown one.
  int64_t num_nodes(const std::string& type) const;
  // Dense features, or undefined (none, or sparse ones).
  const Tensor& features(const std::string& type) const;
  // Sparse features, or an undefined Csr.
  const Csr& sparse_features(const std::string& type) const;

  // In insertion order.
  const std::vector<EdgeType>& relations() const { return relations_; }
  int64_t num_relations() const { return static_cast<int64_t>(relations_.size()); }
  bool has_relation(const EdgeType& et) const { return in_.count(et) != 0; }
  // The relation named `name`: "author__writes__paper", or "writes" when one relation alone has that name.
  // ValueError listing the relations otherwise.
  const EdgeType& relation(const std::string& name) const;
  int64_t num_edges(const EdgeType& et) const { return in_csr(et).nnz(); }
  int64_t num_edges() const;  // over all relations
  // [count(dst), count(src)]: row v lists v's in-neighbours of type src (pattern only).
  const Csr& in_csr(const EdgeType& et) const;
  // [count(src), count(dst)]: in_csr(et).transpose() (cached there; thread-safe).
  const Csr& out_csr(const EdgeType& et) const;

  // Every relation into `dst_type` stacked into one Csr (loom/hetero/relation_stack.h), built on first use and
  // cached with the graph (thread-safe; copies share it until one of them adds a relation).
  const RelationStack& relation_stack(const std::string& dst_type) const;

  Device device() const { return device_; }
  // A copy on `device`: every relation Csr (with its transpose when built) and every feature.
  HeteroGraph to(Device device) const;
  // "HeteroGraph(node types: author 4057, paper 14328; relations: author__writes__paper 19645, ...; cpu)"
  std::string str() const;

 private:
  void check_type(const char* op, const std::string& type) const;
  Device device_ = kCPU;
  std::vector<std::string> types_;
  std::map<std::string, int64_t> counts_;
  std::map<std::string, Tensor> dense_;
  std::map<std::string, Csr> sparse_;
  std::vector<EdgeType> relations_;
  std::map<EdgeType, Csr> in_;
  std::shared_ptr<RelationStackCache> stacks_;  // created by add_node_type, replaced by add_relation and to()
};

}  // namespace loom::hetero
