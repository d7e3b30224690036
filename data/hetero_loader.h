// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to data/: the heterogeneous loader in its collecting mode, and the inspector built on it (inspect_dataset
// hands heterogeneous folders to it), which reports every problem of a folder where load_hetero_dataset throws.
#pragma once
#include <string>
#include <vector>

#include "loom/data/hetero_dataset.h"
#include "loom/data/inspect.h"

namespace loom::data {

// What load_hetero_dataset(dir) reads (the top-level split), never throwing for a problem of the folder: each one's
// message is appended to `problems`, and the parts that loaded are returned.
HeteroDataset load_hetero_collecting(const std::string& dir, std::vector<std::string>& problems);

// inspect_dataset for a heterogeneous folder: counts per node type and per relation, labels and the default split.
DatasetReport inspect_hetero_dataset(const std::string& dir);

}  // namespace loom::data
