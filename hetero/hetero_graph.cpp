// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HeteroGraph: construction with validation that names the relation and the bad id, lookups, to(device), str().
#include "loom/hetero/hetero_graph.h"

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "hetero/relation_stack_cache.h"

namespace loom::hetero {

namespace {

std::string list(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none" : s;
}

}  // namespace

// The first tensor a graph receives decides its device; later ones must agree (DeviceError naming both).
static void adopt(Device& device, bool empty, Device incoming) {
  if (empty) device = incoming;
}

void HeteroGraph::check_type(const char* op, const std::string& type) const {
  LOOM_CHECK(has_node_type(type), ValueError, op, ": unknown node type '", type, "' (node types: ", list(types_), ")");
}

HeteroGraph& HeteroGraph::add_node_type(const std::string& name, int64_t num_nodes) {
  const char* op = "HeteroGraph::add_node_type";
  LOOM_CHECK(!name.empty() && name.find("__") == std::string::npos, ValueError, op, ": node type name '", name,
             "' must be non-empty and must not contain \"__\"");
  LOOM_CHECK(!has_node_type(name), ValueError, op, ": node type '", name, "' is already present");
  LOOM_CHECK(num_nodes >= 0 && num_nodes <= INT32_MAX, ValueError, op, ": node type '", name, "' needs a count in [0, ",
             INT32_MAX, "] (Csr column ids are int32), got ", num_nodes);
  types_.push_back(name);
  counts_[name] = num_nodes;
  stacks_ = make_relation_stack_cache();
  return *this;
}

HeteroGraph& HeteroGraph::set_features(const std::string& type, const Tensor& x) {
  const char* op = "HeteroGraph::set_features";
  check_type(op, type);
  LOOM_CHECK(x.defined() && is_floating(x.dtype()) && x.dim() == 2, ShapeError, op, ": features of '", type,
             "' must be a float matrix [", counts_.at(type), ", F], got ", x.defined() ? x.str() : "undefined");
  LOOM_CHECK(x.size(0) == counts_.at(type), ShapeError, op, ": features of '", type, "' have ", x.size(0),
             " rows but the type has ", counts_.at(type), " nodes");
  adopt(device_, dense_.empty() && sparse_.empty() && in_.empty(), x.device());
  LOOM_CHECK(x.device() == device_, DeviceError, op, ": features of '", type, "' are on ", x.device().str(),
             " but the graph is on ", device_.str(), " (move one with .to(device))");
  dense_[type] = x;
  sparse_.erase(type);
  return *this;
}

HeteroGraph& HeteroGraph::set_features(const std::string& type, const Csr& x) {
  const char* op = "HeteroGraph::set_features";
  check_type(op, type);
  LOOM_CHECK(x.defined() && x.num_rows() == counts_.at(type), ShapeError, op, ": sparse features of '", type,
             "' must have ", counts_.at(type), " rows, got ", x.defined() ? x.str() : "an undefined Csr");
  adopt(device_, dense_.empty() && sparse_.empty() && in_.empty(), x.device());
  LOOM_CHECK(x.device() == device_, DeviceError, op, ": features of '", type, "' are on ", x.device().str(),
             " but the graph is on ", device_.str(), " (move one with .to(device))");
  sparse_[type] = x;
  dense_.erase(type);
  return *this;
}

HeteroGraph& HeteroGraph::add_relation(const EdgeType& et, const Tensor& edge_index) {
  const std::string who = "HeteroGraph::add_relation: relation " + et.str();
  LOOM_CHECK(!et.rel.empty() && et.rel.find("__") == std::string::npos, ValueError, who,
             ": the relation name must be non-empty and must not contain \"__\"");
  check_type(who.c_str(), et.src);
  check_type(who.c_str(), et.dst);
  LOOM_CHECK(!has_relation(et), ValueError, who, ": already present");
  LOOM_CHECK(edge_index.defined(), ValueError, who, ": 'edge_index' is undefined");
  LOOM_CHECK(edge_index.dtype() == kInt32 || edge_index.dtype() == kInt64, DTypeError, who,
             ": 'edge_index' must be int32 or int64, got ", dtype_name(edge_index.dtype()));
  LOOM_CHECK(edge_index.dim() == 2 && edge_index.size(0) == 2, ShapeError, who,
             ": 'edge_index' must be [2, E] (row 0 ", et.src, " ids, row 1 ", et.dst, " ids), got ",
             edge_index.shape_str());
  adopt(device_, dense_.empty() && sparse_.empty() && in_.empty(), edge_index.device());
  LOOM_CHECK(edge_index.device() == device_, DeviceError, who, ": 'edge_index' is on ", edge_index.device().str(),
             " but the graph is on ", device_.str(), " (move one with .to(device))");
  const int64_t e = edge_index.size(1), ns = counts_.at(et.src), nd = counts_.at(et.dst);
  // Checked here, on a host copy (construction only), so the message names the relation and the node type;
  // Csr::from_coo would only say "row"/"column".
  const std::vector<int64_t> ids = edge_index.to(kCPU).to(kInt64).to_vector<int64_t>();
  for (int64_t k = 0; k < e; ++k) {
    const int64_t s = ids[static_cast<size_t>(k)], d = ids[static_cast<size_t>(e + k)];
    LOOM_CHECK(s >= 0 && s < ns, IndexError, who, ": edge ", k, " (", s, " -> ", d, ") has source id ", s,
               ", out of range for node type '", et.src, "' (", ns, " nodes)");
    LOOM_CHECK(d >= 0 && d < nd, IndexError, who, ": edge ", k, " (", s, " -> ", d, ") has target id ", d,
               ", out of range for node type '", et.dst, "' (", nd, " nodes)");
  }
  const Tensor src = edge_index.narrow_rows(0, 1).view({e}), dst = edge_index.narrow_rows(1, 2).view({e});
  in_[et] = Csr::from_coo(dst, src, nd, ns, Tensor(), DupPolicy::kKeep);
  relations_.push_back(et);
  stacks_ = make_relation_stack_cache();  // copies made before keep the stacks of their own relations
  return *this;
}

int64_t HeteroGraph::num_nodes(const std::string& type) const {
  check_type("HeteroGraph::num_nodes", type);
  return counts_.at(type);
}

const Tensor& HeteroGraph::features(const std::string& type) const {
  static const Tensor none;
  check_type("HeteroGraph::features", type);
  auto it = dense_.find(type);
  return it == dense_.end() ? none : it->second;
}

const Csr& HeteroGraph::sparse_features(const std::string& type) const {
  static const Csr none;
  check_type("HeteroGraph::sparse_features", type);
  auto it = sparse_.find(type);
  return it == sparse_.end() ? none : it->second;
}

const EdgeType& HeteroGraph::relation(const std::string& name) const {
  const EdgeType* found = nullptr;
  int matches = 0;
  std::vector<std::string> all;
  for (const EdgeType& et : relations_) {
    all.push_back(et.str());
    if (et.str() == name) return et;
    if (et.rel == name) {
      found = &et;
      ++matches;
    }
  }
  LOOM_CHECK(matches == 1, ValueError, "HeteroGraph::relation: ", matches == 0 ? "no relation named '" : "several relations named '",
             name, "'", matches == 0 ? "" : " (name it as <src>__<rel>__<dst>)", " (relations: ", list(all), ")");
  return *found;
}

int64_t HeteroGraph::num_edges() const {
  int64_t n = 0;
  for (const auto& [et, csr] : in_) n += csr.nnz();
  return n;
}

const Csr& HeteroGraph::in_csr(const EdgeType& et) const {
  auto it = in_.find(et);
  if (it == in_.end()) {
    std::vector<std::string> all;
    for (const EdgeType& r : relations_) all.push_back(r.str());
    throw ValueError("HeteroGraph: unknown relation " + et.str() + " (relations: " + list(all) + ")");
  }
  return it->second;
}

const Csr& HeteroGraph::out_csr(const EdgeType& et) const { return in_csr(et).transpose(); }

HeteroGraph HeteroGraph::to(Device device) const {
  HeteroGraph g = *this;
  g.device_ = device;
  for (auto& [type, x] : g.dense_) x = x.to(device);
  for (auto& [type, x] : g.sparse_) x = x.to(device);
  for (auto& [et, csr] : g.in_) csr = csr.to(device);
  g.stacks_ = make_relation_stack_cache();
  return g;
}

std::string HeteroGraph::str() const {
  std::string s = "HeteroGraph(node types:";
  for (size_t i = 0; i < types_.size(); ++i) s += (i ? ", " : " ") + types_[i] + " " + std::to_string(counts_.at(types_[i]));
  s += "; relations:";
  for (size_t i = 0; i < relations_.size(); ++i)
    s += (i ? ", " : " ") + relations_[i].str() + " " + std::to_string(in_.at(relations_[i]).nnz());
  if (relations_.empty()) s += " none";
  return s + "; " + device_.str() + ")";
}

}  // namespace loom::hetero
