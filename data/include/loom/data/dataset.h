// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Node-classification data-set folders (the layout of ../shared/data: meta.json, features, edges, labels, splits)
// and where to find them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loom/core/tensor.h"

namespace loom::data {

// One graph (or hypergraph) with node features, labels and a train/val/test split. All tensors are on the CPU.
struct NodeDataset {
  std::string name;
  Tensor x;                // float32 [N, F]
  Tensor edge_index;       // int64 [2, E] (row 0 source, row 1 target); [2, 0] when the folder has no graph edges
  Tensor hyperedge_index;  // int64 [2, nnz] (row 0 vertex, row 1 hyperedge); undefined when the folder has none
  Tensor y;                // int64 [N] class ids in [0, num_classes)
  Tensor train_idx, val_idx, test_idx;  // int64 node ids; val_idx has 0 elements when the folder has no val split
  int64_t num_classes = 0;

  int64_t num_nodes() const { return x.defined() ? x.size(0) : 0; }
  int64_t num_features() const { return x.defined() ? x.size(1) : 0; }
  int64_t num_edges() const { return edge_index.defined() ? edge_index.size(1) : 0; }
};

// The part of `d` that `nodes` (int64 ids, sorted, unique) induce, renumbered 0..n-1 in that order: their feature
// rows and labels, the edges with both ends among them, the incidences of their hyperedge memberships (hyperedges
// left with no member are dropped, the rest renumbered in order), and the split's ids that are among them. The
// production protocol of GLNN and LightHGNN trains on such an observed part. IndexError for an id out of range,
// ValueError for unsorted or repeated ids.
NodeDataset subset_nodes(const NodeDataset& d, const Tensor& nodes);

// The default split of a folder: its top-level train/val/test_idx.npy, otherwise splits/0/.
inline constexpr int kDefaultSplit = -1;
// No split: the split files are not read (train/val/test_idx come back empty) because the caller draws its own,
// as `loom train --split random:TRAIN,VAL` does. A folder written by `loom import` has no split files.
inline constexpr int kNoSplit = -2;

// Loads a node-classification folder:
//   meta.json (optional: name, counts.nodes/features/classes are checked when present),
//   features.mtx (densified) or x.npy or features.npy, y.npy,
//   edge_index.npy and/or hyperedge_index.npy (at least one),
//   train_idx.npy, val_idx.npy, test_idx.npy at the top level or in splits/<split>/ (val optional).
// `split` = kDefaultSplit picks the top-level split when present, else splits/0; split = k >= 0 reads splits/<k>/;
// kNoSplit reads none.
// Integer files may be int32 or int64 (returned as int64); float64 features become float32.
// Errors name the file: FormatError for a missing required file, a malformed meta.json or a file of the wrong
// rank/dtype; ShapeError for inconsistent lengths (labels vs feature rows, meta.json counts);
// IndexError for a node id, hyperedge id or class id out of range (naming the position).
// Every file is checked before throwing: one problem is thrown as above; several become one FormatError
// "load_node_dataset(\"DIR\"): K problems:" followed by each on its own line.
NodeDataset load_node_dataset(const std::string& dir, int split = kDefaultSplit);

// Whether `dir` holds a default split (train_idx.npy at the top level, or a splits/0/ folder).
bool has_split_files(const std::string& dir);

// $LOOM_DATA when set, else "../shared/data" (relative to the working directory).
std::string resolve_data_dir();

// The folder of data set `name` under `root` (resolve_data_dir() when empty): root/name when it holds a meta.json.
// Throws ValueError listing the data sets that are there otherwise.
std::string find_dataset(const std::string& name, const std::string& root = "");

// The data sets (folders with a meta.json) under `root` (resolve_data_dir() when empty), sorted by name.
std::vector<std::string> list_datasets(const std::string& root = "");

}  // namespace loom::data
