// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A HeteroGraph from a heterogeneous data-set folder (loom/data/hetero_dataset.h reads and checks the files).
#pragma once
#include <string>

#include "loom/data/hetero_dataset.h"
#include "loom/hetero/hetero_graph.h"

namespace loom::hetero {

// Every node type (count, dense or sparse features) and every relation of `ds`, on the CPU.
HeteroGraph from_dataset(const data::HeteroDataset& ds);

// load_hetero_dataset(dir) then from_dataset; labels and splits stay in the dataset (load it to get them).
HeteroGraph load_hetero_graph(const std::string& dir);

}  // namespace loom::hetero
