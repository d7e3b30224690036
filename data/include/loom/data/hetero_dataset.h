// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Heterogeneous data-set folders (the layout of ../shared/data/dblp) read into CPU tensors, every file checked
// against the others: node-type counts from meta.json, features per type, one edge list per relation, labels and
// splits of the target type. loom::hetero builds a HeteroGraph from the result (loom/hetero/load.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::data {

struct HeteroNodeType {
  std::string name;
  int64_t num_nodes = 0;
  std::string feature_file;  // "nodes/<type>/features.mtx" (read as a Csr) or ".../features.npy"; "" when none
  Tensor x;                  // float32 [num_nodes, F] from features.npy / x.npy; undefined otherwise
  Csr x_sparse;              // [num_nodes, F] with float32 values from features.mtx; undefined otherwise
  int64_t num_features() const {
    return x.defined() ? x.size(1) : x_sparse.defined() ? x_sparse.num_cols() : 0;
  }
};

struct HeteroRelation {
  std::string src, rel, dst;  // from the file name edges/<src>__<rel>__<dst>.npy
  Tensor edge_index;          // int64 [2, E]: row 0 ids of src, row 1 ids of dst (ids local to each type)
  std::string file;           // "edges/<src>__<rel>__<dst>.npy"
  int64_t num_edges() const { return edge_index.defined() ? edge_index.size(1) : 0; }
};

struct HeteroDataset {
  std::string name;
  std::string target_type;                 // meta.json target_node_type ("" when absent)
  std::vector<HeteroNodeType> node_types;  // meta.json node_types order (else counts.nodes order)
  std::vector<HeteroRelation> relations;   // sorted by file name
  Tensor y;                                // int64 [count of target_type]; undefined without y.npy
  Tensor train_idx, val_idx, test_idx;     // int64 ids of target_type; [0] when the folder has no split
  int64_t num_classes = 0;

  const HeteroNodeType* find_type(const std::string& type) const;
};

// Whether `dir` uses the heterogeneous layout (a nodes/ or edges/ folder, or meta.json node counts per type).
bool is_hetero_folder(const std::string& dir);

// Loads a heterogeneous folder:
//   meta.json (required): counts.nodes {type: count}, optional node_types [...], target_node_type, counts.classes;
//   nodes/<type>/features.mtx (kept sparse) or features.npy / x.npy (float32 [count, F]); optional per type;
//   edges/<src>__<rel>__<dst>.npy: int32/int64 [2, E]; at least one;
//   y.npy [count of the target type] (optional), and the split of the target type: top-level
//   train/val/test_idx.npy when `split` is "", else splits/<split>/ ("heco-20").
// Errors name the file: FormatError for a missing meta.json or edges/ folder, a relation file whose name is not
// <src>__<rel>__<dst> or names a node type meta.json does not list, a nodes/<type>/ folder of an unknown type, or a
// file of the wrong rank or dtype; ShapeError for a feature matrix whose rows differ from the type's count or
// labels of the wrong length; IndexError for an id past its type's count (naming the relation, the edge, the id
// and the count) or a class id past counts.classes. Every file is checked: several problems become one FormatError
// listing each on its own line.
HeteroDataset load_hetero_dataset(const std::string& dir, const std::string& split = "");

}  // namespace loom::data
