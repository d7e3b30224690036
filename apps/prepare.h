// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// What `loom train`, `loom eval` and `loom predict` share: finding and loading a data set, choosing its split,
// preparing its features as the model's paper does, and building the structure the model runs on.
#pragma once
#include <cstdint>
#include <string>

#include "loom/core/device.h"
#include "loom/data/dataset.h"
#include "loom/graph/graph.h"
#include "loom/graph/reorder.h"
#include "loom/hypergraph/hypergraph.h"
#include "loom/models/gnn.h"
#include "loom/models/registry.h"

namespace loom::cli {

// A data-set folder, or the name of one under $LOOM_DATA. `split`: "" (the folder's own), "k" (splits/k) or
// "random:TRAIN,VAL" (drawn per run by apply_split; the folder needs no split files then). A folder without split
// files and no random split is a ValueError saying to pass --split random:TRAIN,VAL.
data::NodeDataset load_folder(const std::string& data, const std::string& split);

// "random:0.5,0.25" -> the run's split drawn with `seed`; other values leave the folder's split.
void apply_split(data::NodeDataset& d, const std::string& split, uint64_t seed);

// Applies the feature transform. Row normalisation is meant for non-negative (bag-of-words) features: when
// `explicit_choice` is false and x has negative entries it is skipped with a note on stderr; when the user asked
// for it, negative entries are a ValueError. Returns the transform applied.
models::FeatureTransform prepare_features(data::NodeDataset& d, models::FeatureTransform transform,
                                          bool explicit_choice);

// The structure a model runs on, on `device`: the graph of edge_index, and for hypergraph models the folder's
// hyperedges (plus a singleton hyperedge per vertex when `singletons`) or, for a plain graph folder, one
// hyperedge per vertex holding it and its neighbours (HGNN's citation protocol).
struct PreparedStructure {
  graph::Graph graph;
  hypergraph::Hypergraph hypergraph;
  models::Structure view() const;  // points into this object: keep it alive while the view is used
  bool on_hypergraph = false;
};
PreparedStructure build_structure(const data::NodeDataset& d, const models::ModelSpec& spec, bool singletons,
                                  Device device);

// d with node p.old_to_new[v] in place of v: feature rows, labels, edges, hyperedge memberships and split ids.
// The split lists keep their order (only their ids change), so losses and metrics add up their nodes in the same
// order as without the permutation.
void reorder_nodes(data::NodeDataset& d, const graph::Permutation& p);

// Moves labels and split indices to `device`.
void to_device(data::NodeDataset& d, Device device);

// --device: cpu or cuda, and a clear error when CUDA is unavailable.
Device parse_device(const std::string& device);

}  // namespace loom::cli
