// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph-classification data sets: many small graphs with one label each. Readers for the shared folder layout
// (graph_ptr.npy, edge_index.npy with global ids, x.npy, y.npy, splits/<k>/) and for the raw TU format
// (DS_A.txt, DS_graph_indicator.txt, DS_graph_labels.txt, ...), and the cross-validation folds both protocols use.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loom/core/sparse.h"
#include "loom/core/tensor.h"

namespace loom::data {

// G graphs over N nodes in all; the nodes of graph g are graph_ptr[g] .. graph_ptr[g + 1] - 1 and no edge joins two
// graphs. All tensors are on the CPU.
struct GraphDataset {
  std::string name;
  Tensor x;           // float32 [N, F]
  Tensor edge_index;  // int64 [2, E], global node ids (row 0 source, row 1 target)
  Tensor edge_attr;   // float32 [E, D] aligned with edge_index, or undefined
  Tensor graph_ptr;   // int64 [G + 1]
  Tensor y;           // int64 [G] in [0, num_classes)
  int64_t num_classes = 0;
  // The in-edge Csr over all N nodes (rows = targets). Because edges stay inside their graph, graph g's rows and
  // their entries are contiguous, so a batch is assembled by copying slices (GraphBatch): built by the loaders.
  Csr csr;

  int64_t num_graphs() const { return graph_ptr.defined() ? graph_ptr.numel() - 1 : 0; }
  int64_t num_nodes() const { return x.defined() ? x.size(0) : 0; }
  int64_t num_features() const { return x.defined() ? x.size(1) : 0; }
  int64_t num_edges() const { return edge_index.defined() ? edge_index.size(1) : 0; }
};

// One cross-validation fold: graph indices, ascending. val may be empty.
struct Fold {
  Tensor train_idx, val_idx, test_idx;  // int64
};

// Checks a data set assembled by hand (graph_ptr rising from 0 to N, edges inside one graph, labels in range) and
// builds d.csr. The loaders call it; `who` leads the messages.
void index_graphs(GraphDataset& d, const std::string& who = "index_graphs");

// The shared folder layout (../shared/data/mutag): graph_ptr.npy, edge_index.npy, y.npy, and x.npy or
// node_labels.npy (one-hot), optional edge_attr.npy. Every file is checked and the problems reported together.
GraphDataset load_graph_folder(const std::string& dir);
// The folder's splits/<k>/ (train_idx.npy, test_idx.npy, optional val_idx.npy) for k = 0, 1, ...; empty when the
// folder has none.
std::vector<Fold> load_folds(const std::string& dir, int64_t num_graphs);

// The raw TU format (Morris et al., TUDataset) in `dir` with file prefix `name` (MUTAG for MUTAG_A.txt); an empty
// name is taken from the single *_A.txt in the folder. Required: DS_A.txt ("i, j" per edge, 1-based node ids),
// DS_graph_indicator.txt (1-based graph id per node, nodes grouped by graph), DS_graph_labels.txt (one per graph).
// Optional: DS_node_labels.txt (one or more columns, one-hot each as PyG does), DS_node_attributes.txt (floats;
// placed before the one-hot labels), DS_edge_labels.txt (one-hot into edge_attr). Graph labels are mapped to
// 0..C-1 in sorted order. A folder with neither node labels nor attributes gets one constant feature.
// Errors name the file and the line: FormatError for a non-numeric field or a wrong number of columns,
// IndexError for a node or graph id out of range, ValueError for an edge across graphs, a graph with no nodes or
// nodes out of graph order, ShapeError for a line count that does not match. Every file is checked; several
// problems become one FormatError listing them.
GraphDataset load_tu_dataset(const std::string& dir, const std::string& name = "");
// The same from file contents in memory (file name -> text), as the fuzzer and the tests use it.
struct TuFiles {
  std::string name;  // the prefix, used to name files in messages
  std::string dir;   // optional: the folder, so that messages give each file's path
  std::string a, graph_indicator, graph_labels;
  std::string node_labels, node_attributes, edge_labels;  // empty: absent
};
GraphDataset parse_tu(const TuFiles& files);

// A folder in either layout: graph_ptr.npy -> load_graph_folder, a *_A.txt -> load_tu_dataset; FormatError
// naming both layouts otherwise.
GraphDataset load_graph_dataset(const std::string& dir);

// k folds stratified by label (seeded): each class's graphs shuffled and dealt round-robin, so fold sizes differ by
// at most one per class; train_idx is the complement of test_idx. ValueError for k < 2 or k > num_graphs.
std::vector<Fold> stratified_folds(const Tensor& y, int k, uint64_t seed);
// Moves a stratified `fraction` of `train_idx` into val_idx (at least one graph when fraction > 0): the inner
// holdout of the fair protocol (Errica et al. 2020).
Fold stratified_holdout(const Tensor& y, const Fold& fold, double fraction, uint64_t seed);
// Whether `folds` are cross-validation folds of G graphs: test sets pairwise disjoint, train and test disjoint
// and together every graph in each fold. `why` gets the first violation. (The DGCNN folds of MUTAG pass but test
// only 180 of 188 graphs; `tested` returns how many distinct graphs the test sets cover.)
bool are_cv_folds(const std::vector<Fold>& folds, int64_t num_graphs, std::string* why, int64_t* tested = nullptr);

}  // namespace loom::data
