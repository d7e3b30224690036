// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// inspect_dataset for heterogeneous folders: the loader in its collecting mode supplies every problem, and what it
// read gives the counts per node type and per relation (with duplicate edges), labels and the default split.
#include <algorithm>
#include <filesystem>
#include <map>
#include <vector>

#include "data/hetero_loader.h"

namespace loom::data {
namespace {

int64_t count_duplicates(const Tensor& edge_index) {
  const int64_t e = edge_index.size(1);
  const int64_t* p = edge_index.data<int64_t>();
  std::vector<std::pair<int64_t, int64_t>> pairs(static_cast<size_t>(e));
  for (int64_t k = 0; k < e; ++k) pairs[static_cast<size_t>(k)] = {p[k], p[e + k]};
  std::sort(pairs.begin(), pairs.end());
  return static_cast<int64_t>(pairs.end() - std::unique(pairs.begin(), pairs.end()));
}

}  // namespace

DatasetReport inspect_hetero_dataset(const std::string& dir) {
  namespace fs = std::filesystem;
  DatasetReport r;
  r.dir = dir;
  r.name = fs::path(dir).filename().string();
  if (r.name.empty()) r.name = fs::path(dir).parent_path().filename().string();
  const HeteroDataset ds = load_hetero_collecting(dir, r.problems);
  if (!ds.name.empty()) r.name = ds.name;
  r.target_type = ds.target_type;
  if (!ds.node_types.empty()) r.num_nodes = 0;
  for (const HeteroNodeType& t : ds.node_types) {
    r.node_types.push_back({t.name, t.num_nodes, t.num_features(), t.feature_file});
    r.num_nodes += t.num_nodes;
  }
  // Nodes in no relation, either end, over all types.
  std::map<std::string, std::vector<char>> touched;
  for (const HeteroNodeType& t : ds.node_types) touched[t.name].assign(static_cast<size_t>(t.num_nodes), 0);
  int64_t total = 0;
  for (const HeteroRelation& rel : ds.relations) {
    const int64_t e = rel.num_edges();
    const int64_t* p = rel.edge_index.data<int64_t>();
    for (int64_t k = 0; k < e; ++k) {
      touched[rel.src][static_cast<size_t>(p[k])] = 1;  // ids were checked by the loader
      touched[rel.dst][static_cast<size_t>(p[e + k])] = 1;
    }
    const int64_t dups = count_duplicates(rel.edge_index);
    r.relations.push_back({rel.src + "__" + rel.rel + "__" + rel.dst, rel.num_edges(), dups});
    total += rel.num_edges();
    r.duplicate_edges += dups;
    if (dups > 0) r.warnings.push_back(rel.file + ": " + std::to_string(dups) + " duplicate edges (kept: meta-path counts include them)");
  }
  if (!ds.relations.empty()) r.num_edges = total;
  for (const auto& [type, seen] : touched) r.isolated_nodes += static_cast<int64_t>(std::count(seen.begin(), seen.end(), 0));
  if (ds.y.defined()) {
    r.num_classes = ds.num_classes;
    r.label_counts.assign(static_cast<size_t>(std::max<int64_t>(ds.num_classes, 0)), 0);
    for (int64_t c : ds.y.to_vector<int64_t>())
      if (c >= 0 && c < ds.num_classes) ++r.label_counts[static_cast<size_t>(c)];
  }
  if (ds.train_idx.defined() && ds.train_idx.numel() > 0)
    r.split = SplitSizes{"", ds.train_idx.numel(), ds.val_idx.numel(), ds.test_idx.numel(), ds.val_idx.numel() > 0};
  std::error_code ec;
  if (fs::is_directory(fs::path(dir) / "splits", ec))
    for (const auto& e : fs::directory_iterator(fs::path(dir) / "splits", ec))
      if (e.is_directory()) ++r.num_split_folders;
  r.usable = r.problems.empty();
  return r;
}

}  // namespace loom::data
