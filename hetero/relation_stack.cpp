// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Builds the relation-sorted stacked Csr of a destination type by concatenating the relations' in-Csr rows (column
// ids shifted by their source type's offset), and HeteroGraph::relation_stack, its cached accessor.
#include "loom/hetero/relation_stack.h"

#include <algorithm>

#include "hetero/relation_stack_cache.h"
#include "loom/core/error.h"

namespace loom::hetero {

RelationStack build_relation_stack(const HeteroGraph& g, const std::string& dst_type) {
  const int64_t n_dst = g.num_nodes(dst_type);  // ValueError naming the known types
  RelationStack s;
  s.dst_type = dst_type;
  s.src_offsets.push_back(0);
  for (const EdgeType& et : g.relations()) {
    if (et.dst != dst_type) continue;
    s.relations.push_back(et);
    auto it = std::find(s.src_types.begin(), s.src_types.end(), et.src);
    if (it == s.src_types.end()) {
      s.src_types.push_back(et.src);
      s.src_offsets.push_back(s.src_offsets.back() + g.num_nodes(et.src));
      it = s.src_types.end() - 1;
    }
    s.relation_src.push_back(it - s.src_types.begin());
  }
  LOOM_CHECK(!s.relations.empty(), ValueError, "HeteroGraph::relation_stack: no relation points into node type '",
             dst_type, "'");
  const int64_t r = s.num_relations();
  int64_t nnz = 0;
  for (const EdgeType& et : s.relations) nnz += g.num_edges(et);
  std::vector<int64_t> indptr{0};
  indptr.reserve(static_cast<size_t>(r * n_dst + 1));
  std::vector<int32_t> indices;
  indices.reserve(static_cast<size_t>(nnz));
  for (int64_t j = 0; j < r; ++j) {
    s.row_offsets.push_back(j * n_dst);
    const Csr& in = g.in_csr(s.relations[static_cast<size_t>(j)]);
    const std::vector<int64_t> ip = in.indptr().to(kCPU).to_vector<int64_t>();
    const std::vector<int32_t> ix = in.indices().to(kCPU).to_vector<int32_t>();
    const int64_t shift = s.src_offsets[static_cast<size_t>(s.relation_src[static_cast<size_t>(j)])];
    LOOM_CHECK(s.src_offsets.back() <= INT32_MAX, ValueError, "HeteroGraph::relation_stack: the source types of '",
               dst_type, "' have ", s.src_offsets.back(), " nodes together, past the int32 column ids of a Csr");
    for (int64_t v = 0; v < n_dst; ++v) indptr.push_back(indptr.back() + ip[v + 1] - ip[v]);
    for (int32_t c : ix) indices.push_back(static_cast<int32_t>(c + shift));
  }
  s.row_offsets.push_back(r * n_dst);
  s.csr = Csr::from_arrays(from_vector(indptr, {r * n_dst + 1}), from_vector(indices, {nnz}), s.src_offsets.back());
  if (g.device() != kCPU) s.csr = s.csr.to(g.device());
  return s;
}

const RelationStack& HeteroGraph::relation_stack(const std::string& dst_type) const {
  check_type("HeteroGraph::relation_stack", dst_type);
  RelationStackCache& cache = *stacks_;  // a graph with a node type always has one
  std::lock_guard<std::mutex> lock(cache.mutex);
  auto it = cache.stacks.find(dst_type);
  if (it == cache.stacks.end()) {
    it = cache.stacks.emplace(dst_type, std::make_unique<RelationStack>(build_relation_stack(*this, dst_type))).first;
  }
  return *it->second;
}

}  // namespace loom::hetero
