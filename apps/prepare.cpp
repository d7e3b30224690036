// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Data loading, splits, feature preparation and structure building for the command line's subcommands.
#include "apps/prepare.h"

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "loom/core/cuda_device.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/graph/transforms.h"

namespace loom::cli {

data::NodeDataset load_folder(const std::string& data, const std::string& split) {
  const std::string dir = std::filesystem::is_directory(data) ? data : data::find_dataset(data);
  int k = data::kDefaultSplit;
  // A random split is drawn per run (apply_split): the folder's split files are neither needed nor read.
  if (split.rfind("random", 0) == 0) k = data::kNoSplit;
  LOOM_CHECK(!split.empty() || data::has_split_files(dir), ValueError, dir,
             " has no split (no train_idx.npy and no splits/0/): pass --split random:TRAIN,VAL to draw one");
  if (!split.empty() && k != data::kNoSplit) {
    try {
      size_t used = 0;
      k = std::stoi(split, &used);
      LOOM_CHECK(used == split.size() && k >= 0, ValueError, "");
    } catch (const std::exception&) {
      throw ValueError("--split: expected a split number k >= 0 or random:TRAIN,VAL, got '" + split + "'");
    }
  }
  return data::load_node_dataset(dir, k);
}

namespace {
// "random:0.5,0.25" -> (0.5, 0.25).
std::pair<double, double> parse_random_split(const std::string& s) {
  double train = 0, val = 0;
  char comma = 0;
  std::istringstream in(s.substr(std::min<size_t>(7, s.size())));
  const bool ok = s.size() > 7 && s[6] == ':' && (in >> train >> comma >> val) && comma == ',' && in.eof();
  LOOM_CHECK(ok, ValueError, "--split: expected random:TRAIN,VAL (e.g. random:0.5,0.25), got '", s, "'");
  return {train, val};
}
}  // namespace

void apply_split(data::NodeDataset& d, const std::string& split, uint64_t seed) {
  if (split.rfind("random", 0) != 0) return;
  const auto [train_frac, val_frac] = parse_random_split(split);
  const graph::NodeSplit s = graph::random_node_split(d.num_nodes(), train_frac, val_frac, seed);
  d.train_idx = s.train;
  d.val_idx = s.val;
  d.test_idx = s.test;
}

models::FeatureTransform prepare_features(data::NodeDataset& d, models::FeatureTransform transform,
                                          bool explicit_choice) {
  if (transform == models::FeatureTransform::kNone) return transform;
  const bool negative = d.x.numel() > 0 && max(mul_scalar(d.x, -1.0)).item_double() > 0;
  if (negative) {
    LOOM_CHECK(!explicit_choice, ValueError, "--normalize-features: the features of '", d.name,
               "' have negative entries; row normalisation is for non-negative (bag-of-words) features");
    std::fprintf(stderr,
                 "note: the features of '%s' have negative entries: row normalisation (the model's default) "
                 "skipped\n",
                 d.name.c_str());
    return models::FeatureTransform::kNone;
  }
  d.x = graph::row_normalize(d.x);
  return transform;
}

models::Structure PreparedStructure::view() const {
  return on_hypergraph ? models::Structure{nullptr, &hypergraph} : models::Structure{&graph, nullptr};
}

PreparedStructure build_structure(const data::NodeDataset& d, const models::ModelSpec& spec, bool singletons,
                                  Device device) {
  PreparedStructure s;
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  s.on_hypergraph = spec.input == models::Input::kHypergraph;
  if (s.on_hypergraph) {
    hypergraph::Hypergraph h;
    if (d.hyperedge_index.defined()) {
      h = hypergraph::Hypergraph::from_incidence(d.hyperedge_index, d.num_nodes());
      if (singletons) h = h.with_singletons();
    } else {
      h = hypergraph::Hypergraph::from_graph_neighborhoods(g);
    }
    s.hypergraph = h.to(device);
  }
  s.graph = g.to(device);
  return s;
}

void reorder_nodes(data::NodeDataset& d, const graph::Permutation& p) {
  d.x = p.rows_to_new(d.x);
  d.y = p.rows_to_new(d.y);
  d.edge_index = p.ids_to_new(d.edge_index);
  if (d.hyperedge_index.defined()) {  // row 0 holds vertices, row 1 hyperedges
    d.hyperedge_index = concat({p.ids_to_new(d.hyperedge_index.narrow_rows(0, 1)), d.hyperedge_index.narrow_rows(1, 2)}, 0);
  }
  d.train_idx = p.ids_to_new(d.train_idx);
  if (d.val_idx.defined()) d.val_idx = p.ids_to_new(d.val_idx);
  if (d.test_idx.defined()) d.test_idx = p.ids_to_new(d.test_idx);
}

void to_device(data::NodeDataset& d, Device device) {
  d.x = d.x.to(device);
  d.y = d.y.to(device);
  d.train_idx = d.train_idx.to(device);
  if (d.val_idx.defined()) d.val_idx = d.val_idx.to(device);
  if (d.test_idx.defined()) d.test_idx = d.test_idx.to(device);
}

Device parse_device(const std::string& device) {
  const Device d = Device::parse(device);
  LOOM_CHECK(!d.is_cuda() || cuda::is_available(), DeviceError, "--device ", device,
             ": no CUDA device is available", cuda::is_built() ? "" : " (this loom was built without CUDA)");
  if (!d.is_cuda()) return d;
  // GPU N becomes the process's device; inside the process it is "cuda" (see loom/core/cuda_device.h).
  try {
    cuda::select_device(d.index);
  } catch (const DeviceError& e) {
    throw DeviceError("--device " + device + ": " + e.what());
  }
  return kCUDA;
}

}  // namespace loom::cli
