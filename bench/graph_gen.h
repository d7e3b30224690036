// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The generated graph-classification set the batching and GIN-epoch benchmarks share (their PyG counterparts,
// bench/pyg_graph_batch.py and bench/pyg_gin_epoch.py, draw from the same distribution, not the same stream).
#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "loom/data/graph_dataset.h"

namespace loom::bench {

// `graphs` random molecules-like graphs: [lo, hi] nodes, a random spanning tree plus ~10% extra edges (MUTAG: 17.9
// nodes and 19.8 undirected edges per graph on average), one-hot features of width f, both edge directions.
inline loom::data::GraphDataset generate_graphs(int64_t graphs, int64_t lo, int64_t hi, int64_t f, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> ptr{0}, src, dst, y;
  for (int64_t g = 0; g < graphs; ++g) {
    const int64_t base = ptr.back(), n = lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
    auto add = [&](int64_t a, int64_t b) {
      src.insert(src.end(), {base + a, base + b});
      dst.insert(dst.end(), {base + b, base + a});
    };
    for (int64_t i = 1; i < n; ++i) add(static_cast<int64_t>(rng() % static_cast<uint64_t>(i)), i);
    for (int64_t k = 0; k < n / 10; ++k) {
      const auto a = static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
      const auto b = static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
      if (a != b) add(a, b);
    }
    ptr.push_back(base + n);
    y.push_back(static_cast<int64_t>(rng() % 2));
  }
  loom::data::GraphDataset d;
  const int64_t nodes = ptr.back(), e = static_cast<int64_t>(src.size());
  std::vector<float> x(static_cast<size_t>(nodes * f), 0.0f);
  for (int64_t i = 0; i < nodes; ++i) x[static_cast<size_t>(i * f) + rng() % static_cast<uint64_t>(f)] = 1;
  std::vector<int64_t> ei = src;
  ei.insert(ei.end(), dst.begin(), dst.end());
  d.name = "generated";
  d.x = loom::from_vector<float>(x, {nodes, f});
  d.edge_index = loom::from_vector<int64_t>(ei, {2, e});
  d.graph_ptr = loom::from_vector<int64_t>(ptr, {graphs + 1});
  d.y = loom::from_vector<int64_t>(y, {graphs});
  d.num_classes = 2;
  loom::data::index_graphs(d);
  return d;
}

}  // namespace loom::bench
