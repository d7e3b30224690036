// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Inspecting a node-classification data-set folder: counts, degree and label statistics, split sizes, feature facts,
// and every problem found at once (where load_node_dataset stops at the first), rendered as text or JSON.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loom::data {

// Degree statistics over all N nodes (zero-degree nodes included).
struct DegreeStats {
  int64_t min = 0, max = 0;
  double mean = 0, median = 0;
};

// The sizes of one train/val/test split; `dir` is "" for the top-level files, "splits/0/" for the first folder.
struct SplitSizes {
  std::string dir;
  int64_t train = 0, val = 0, test = 0;
  bool has_val = false;  // val_idx.npy exists (it is optional)
};

// Facts about the node features as load_node_dataset returns them (float32, features.mtx densified).
struct FeatureFacts {
  std::string file;            // features.mtx, x.npy or features.npy
  int64_t non_finite = 0;      // NaN or +-Inf entries
  bool has_negative = false;   // any entry < 0
  int64_t zero_rows = 0;       // rows that are all zero
};

// Heterogeneous folders (loom/data/hetero_dataset.h): one entry per node type and per relation file.
struct NodeTypeFacts {
  std::string name;
  int64_t nodes = 0;
  int64_t features = 0;      // columns of its feature file; 0 without one
  std::string feature_file;  // "" without one
};
struct RelationFacts {
  std::string name;  // "author__writes__paper"
  int64_t edges = 0;
  int64_t duplicate_edges = 0;
};

struct DatasetReport {
  std::string dir;   // the folder as given
  std::string name;  // meta.json's name, else the folder name
  // Counts; nodes come from the feature rows (else y.npy, else meta.json); -1 where nothing could tell.
  int64_t num_nodes = -1, num_features = -1, num_classes = -1;
  std::optional<int64_t> num_edges;        // columns of edge_index.npy, when it exists and reads
  std::optional<int64_t> num_hyperedges;   // meta.json counts.hyperedges, else the largest hyperedge id + 1
  std::optional<int64_t> num_incidences;   // columns of hyperedge_index.npy
  std::optional<DegreeStats> in_degree;    // over edge_index.npy (row 1, the targets)
  std::optional<DegreeStats> vertex_degree;  // hyperedges per vertex, over hyperedge_index.npy
  int64_t isolated_nodes = 0;  // no edge in either direction and in no hyperedge
  int64_t self_loops = 0;
  int64_t duplicate_edges = 0;     // repeats of an (source, target) pair beyond its first
  std::vector<int64_t> label_counts;  // nodes per class id in [0, num_classes)
  std::optional<SplitSizes> split;    // the default split (the one load_node_dataset reads)
  int64_t num_split_folders = 0;      // splits/<k>/ folders (k a number: the splits load_node_dataset(dir, k) reads)
  std::optional<FeatureFacts> features;
  // Heterogeneous folders only (empty otherwise): num_nodes and num_edges are then the totals over types/relations.
  std::string target_type;
  std::vector<NodeTypeFacts> node_types;
  std::vector<RelationFacts> relations;
  std::vector<std::string> problems;  // each names the file and what is wrong; any problem makes it unusable
  std::vector<std::string> warnings;  // legal but suspicious
  bool usable = false;                // load_node_dataset(dir) succeeds and no problem was found
};

// A heterogeneous folder (is_hetero_folder) is read as load_hetero_dataset reads it instead, and `usable` means
// that load_hetero_dataset(dir) succeeds.
// Reads every file of the folder that load_node_dataset reads (and every splits/<k>/), checks them against each
// other and collects what it finds. Never throws for a broken or missing folder: reader errors (FormatError, ...)
// become problems. When no problem is found, load_node_dataset(dir) is run as well, so that `usable` is true only
// when loading really works.
DatasetReport inspect_dataset(const std::string& dir);

// The report as one JSON object (keys as the struct's members; absent optionals are left out).
std::string render_json(const DatasetReport& r);

// The report as a readable block: the counts, then one "problem: ..." or "warning: ..." line each.
std::string render_text(const DatasetReport& r);

}  // namespace loom::data
