// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Bringing your own data: edge, feature and label tables (CSV/TSV, see table.h) turned into a data-set folder that
// load_node_dataset reads (meta.json, x.npy, y.npy, edge_index.npy). `loom import` is this function behind flags;
// docs/import.md shows the formats with an example.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loom/data/table.h"

namespace loom::data {

// How node ids are read. kAuto: integer when every id in every file is a non-negative integer, else string.
enum class NodeIdMode { kAuto, kInteger, kString };
// The feature file's layout: kDense, one row per node in node order (row i is node i; integer ids only);
// kDenseWithId, the node id then its features; kSparse, `node,column,value` triplets (absent entries are 0).
enum class FeatureFormat { kDense, kDenseWithId, kSparse };

struct ImportOptions {
  std::string edges;     // required: src,dst[,weight]
  std::string features;  // optional: without it every node gets one constant feature 1
  std::string labels;    // required: node,label (an integer class >= 0 or a class name), one row per node
  std::string out;       // the folder to write
  bool undirected = false;  // add the reverse of every edge (a self loop is kept once)
  bool force = false;       // write into a non-empty `out` (removing the files an earlier import left there)
  NodeIdMode node_ids = NodeIdMode::kAuto;
  FeatureFormat feature_format = FeatureFormat::kDense;
  HeaderRule header = HeaderRule::kAuto;  // for every input file
  std::string name;  // the data set's name in meta.json; the folder's name when empty
};

struct ImportSummary {
  std::string name;
  int64_t nodes = 0, input_edges = 0, edges = 0, features = 0, classes = 0;
  bool string_ids = false, class_names = false, weighted = false;
  std::vector<std::string> files;  // written, relative to `out`, in the order written
};

// Reads the tables, checks them against each other and writes the folder (each file atomically, meta.json last).
// Every problem with the inputs (a missing or unreadable file, a malformed row, an id or label that does not fit,
// an `out` that is not empty) is collected and thrown as one FormatError, one problem per line, each naming the
// file and, where it applies, the line and column.
ImportSummary import_dataset(const ImportOptions& options);

// The files import_dataset may write (and, with `force`, removes first), plus the split files of a folder.
const std::vector<std::string>& import_owned_files();

}  // namespace loom::data
