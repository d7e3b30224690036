// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Meta-paths and their adjacency. A meta-path is a chain of relations (each one's destination type is the next
// one's source type); its adjacency A = A_1 A_2 ... A_L (A_i = out_csr of relation i) counts, at (i, j), the path
// instances from node i of the first type to node j of the last. Products are chained SpGEMMs in the order that
// minimises their estimated work, and every product is sized by a symbolic pass (exact non-zeros per row) before
// anything is allocated, so a product past the memory budget is refused, or pruned to the k heaviest entries per
// row, before it exists (DGL users have hit 61 GiB single allocations here: dgl#6218).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loom/core/options.h"
#include "loom/core/sparse.h"
#include "loom/hetero/hetero_graph.h"

namespace loom::hetero {

struct MetaPath {
  std::string name;                // as given ("APCPA"), or the relation names joined by ','
  std::vector<EdgeType> relations;  // relations[i].dst == relations[i + 1].src
  const std::string& start_type() const { return relations.front().src; }
  const std::string& end_type() const { return relations.back().dst; }
  int64_t length() const { return static_cast<int64_t>(relations.size()); }
};

// Parses a meta-path of `g`:
//   node-type initials, "APCPA": each letter is the one node type whose name starts with it (case-insensitive),
//   each consecutive pair the one relation between those types;
//   a relation list, "writes,published_in,publishes,written_by" or full names "author__writes__paper,...".
// A spec that is the name of a relation is a relation list of one. ValueError naming the position for a letter
// that matches no type or several, a pair of types with no relation or several (name the relations instead), an
// unknown relation, or relations that do not chain ("relation 2 'term__term_of__paper' starts at 'term' but
// relation 1 'author__writes__paper' ends at 'paper'").
MetaPath parse_metapath(const HeteroGraph& g, const std::string& spec);
// The same checks for relations given directly.
MetaPath make_metapath(const HeteroGraph& g, const std::vector<EdgeType>& relations, std::string name = "");

// What to do with the diagonal (node i's paths back to itself; square meta-paths only):
//   kKeep: as the product gives it (path counts; an ordinary entry under pruning). PyG's AddMetaPaths keeps it.
//   kRemove: dropped.
//   kAdd: present in every row, with its path count or 1 where there is no path, and never pruned (HAN's
//         meta-path neighbourhoods include the node itself: han.md, "Pitfalls").
enum class SelfLoops : uint8_t { kKeep, kRemove, kAdd };
// What a result past max_bytes does: kRefuse throws ValueError with its size; kPrune keeps the largest per-row k
// that fits (the k heaviest entries of each row by path count, ties to the lower column id).
enum class OverBudget : uint8_t { kRefuse, kPrune };

struct MetaPathOptions {
  // Budget for any one product the builder allocates (indptr + indices + values + edge ids), in bytes.
  LOOM_ARG(int64_t, max_bytes) = int64_t{4} << 30;
  LOOM_ARG(OverBudget, over_budget) = OverBudget::kRefuse;
  // Keep only the k heaviest entries of each row (by path count, ties to the lower column id); 0 keeps all.
  LOOM_ARG(int64_t, topk) = 0;
  LOOM_ARG(SelfLoops, self_loops) = SelfLoops::kKeep;
  // Value type of the path counts: float32 counts exactly up to 2^24 paths per pair, float64 to 2^53.
  LOOM_ARG(DType, dtype) = kFloat32;
  // false multiplies left to right (A_1 A_2) A_3 ...; true picks the cheapest parenthesisation by estimated work.
  LOOM_ARG(bool, reorder) = true;
};

// What building one meta-path adjacency did.
struct MetaPathStats {
  int64_t nnz = 0;          // of the returned adjacency
  int64_t full_nnz = 0;     // of the unpruned product (with the self-loop policy), from the symbolic pass
  int64_t bytes = 0;        // of the returned adjacency
  int64_t full_bytes = 0;   // what the unpruned product would take
  int64_t topk = 0;         // the per-row k it was pruned to; 0 when it was not
  int64_t peak_bytes = 0;   // the most the builder held at once: live products, counts and per-thread scratch
  std::string order;        // the parenthesisation computed, e.g. "((AP PC) (CP PA))" by relation initials
};

struct MetaPathAdjacency {
  MetaPath path;
  // [count(start type), count(end type)], float values = path counts (dtype of the options), columns sorted.
  Csr adjacency;
  MetaPathStats stats;
};

// Builds the adjacency of `path` on g's device. Errors: ValueError when a product would exceed max_bytes under
// kRefuse (or an intermediate product does: those are never pruned, since pruning them would change the counts)
// naming the meta-path, the product, its non-zeros and bytes; ValueError for kRemove/kAdd on a meta-path whose end
// types differ, or a negative topk.
MetaPathAdjacency metapath_adjacency(const HeteroGraph& g, const MetaPath& path, const MetaPathOptions& options = {});

// The symbolic pass alone: the exact non-zeros and bytes of the adjacency (unpruned, with the self-loop policy),
// computing the intermediate products it needs but never the final one.
MetaPathStats metapath_size(const HeteroGraph& g, const MetaPath& path, const MetaPathOptions& options = {});

}  // namespace loom::hetero
