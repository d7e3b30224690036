// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The relation-sorted stacked Csr of one destination type: every relation into that type in one matrix, so one
// g-SpMM aggregates all of them (each relation keeping its own rows) and one grouped GEMM projects the result.
//
//   rows:    R blocks of num_nodes(dst) rows, block j = relation j; row j * n_dst + v lists v's in-neighbours
//            under relation j (the rows of in_csr(relation j), in order, duplicates kept)
//   columns: the distinct source types one after another; source u of type s is column src_offsets[s] + u
//
// A mean over a row of the stack is the per-relation mean; the rows of block j are group j of grouped_matmul.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loom/core/sparse.h"
#include "loom/hetero/hetero_graph.h"

namespace loom::hetero {

struct RelationStack {
  std::string dst_type;
  std::vector<EdgeType> relations;       // every relation into dst_type, in the graph's insertion order
  std::vector<std::string> src_types;    // their distinct source types, in first-appearance order
  std::vector<int64_t> src_offsets;      // [src_types + 1]: first column of each source type, then the total
  std::vector<int64_t> relation_src;     // [R]: index into src_types of each relation's source type
  std::vector<int64_t> row_offsets;      // [R + 1]: j * num_nodes(dst_type), the groups of grouped_matmul
  Csr csr;                               // [R * n_dst, src_offsets.back()] on the graph's device
  int64_t num_relations() const { return static_cast<int64_t>(relations.size()); }
};

// Builds the stack of `dst_type` (on the host, then moved to g's device). ValueError for an unknown type or one that
// no relation points into. HeteroGraph::relation_stack caches the result; call that.
RelationStack build_relation_stack(const HeteroGraph& g, const std::string& dst_type);

}  // namespace loom::hetero
