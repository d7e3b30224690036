// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Contextual stochastic block model: a synthetic node-classification data set with a chosen homophily and
// feature signal, for tests and benchmarks at any size.
#pragma once
#include <cstdint>

#include "loom/data/dataset.h"

namespace loom::data {

struct CsbmOptions {
  int64_t num_nodes = 2000;
  int64_t num_classes = 4;     // labels are balanced: class sizes differ by at most one
  double avg_degree = 10.0;    // mean number of neighbours per node (undirected edges = num_nodes * avg_degree / 2)
  double homophily = 0.8;      // expected fraction of edges whose endpoints share a class
  int64_t num_features = 64;   // must be >= num_classes
  double signal = 1.0;         // distance between any two class means, in units of the (unit-variance) noise
  // Split: train_per_class nodes of every class and num_val validation nodes, the rest test ...
  int64_t train_per_class = 20;
  int64_t num_val = 500;
  // ... or, when train_fraction > 0, random fractions of all nodes (the rest test).
  double train_fraction = 0.0;
  double val_fraction = 0.0;
  uint64_t seed = 0;
};

// Generates a CSBM graph (name "csbm"): an undirected graph stored in both directions (no self loops, no
// duplicate edges; columns sorted by (source, target)), float32 features N(mean of the node's class, I), int64
// labels and sorted split indices. Each edge picks a uniform source, then a target in the source's class with
// probability `homophily`, else in another class; duplicates are resampled. Cost O(E log E + N F), so 1M nodes
// are fine. Deterministic for a given seed on one platform (std::mt19937_64 seeded with options.seed).
// Throws ValueError naming the first invalid option.
NodeDataset make_csbm(const CsbmOptions& options = {});

}  // namespace loom::data
