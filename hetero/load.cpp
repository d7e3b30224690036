// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Folder -> HeteroGraph. The dataset reader has already named any bad file; this only assembles.
#include "loom/hetero/load.h"

namespace loom::hetero {

HeteroGraph from_dataset(const data::HeteroDataset& ds) {
  HeteroGraph g;
  for (const data::HeteroNodeType& t : ds.node_types) {
    g.add_node_type(t.name, t.num_nodes);
    if (t.x.defined()) g.set_features(t.name, t.x);
    if (t.x_sparse.defined()) g.set_features(t.name, t.x_sparse);
  }
  for (const data::HeteroRelation& r : ds.relations) g.add_relation({r.src, r.rel, r.dst}, r.edge_index);
  return g;
}

HeteroGraph load_hetero_graph(const std::string& dir) { return from_dataset(data::load_hetero_dataset(dir)); }

}  // namespace loom::hetero
