// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Batching cost for graph classification: GraphBatch::build (one epoch of shuffled batches, collated into
// block-diagonal Csr + features + graph_ptr) and the same stream through GraphLoader with its background thread,
// on generated MUTAG-sized graphs (or MUTAG itself with --data). PyG's counterpart, DataLoader over the same kind
// of graphs, is bench/pyg_graph_batch.py. One JSON line per measurement: graphs/s and microseconds per batch.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "bench/common.h"
#include "loom/data/dataset.h"
#include "loom/data/graph_batch.h"

namespace {

using loom::data::GraphDataset;

// `graphs` random molecules-like graphs: [lo, hi] nodes, a random spanning tree plus ~10% extra edges (MUTAG: 17.9
// nodes and 19.8 undirected edges per graph on average), one-hot features of width f, both edge directions.
GraphDataset generate(int64_t graphs, int64_t lo, int64_t hi, int64_t f, uint64_t seed) {
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
  GraphDataset d;
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("graph batching throughput (GraphBatch::build and GraphLoader)");
  std::string data;
  int64_t graphs = 10000, lo = 10, hi = 28, features = 7;
  std::vector<int64_t> batches{32, 128};
  int warmup = 1, reps = 5;
  app.add_option("--data", data, "a graph-classification folder or data-set name (default: generated graphs)");
  app.add_option("--graphs", graphs, "generated: number of graphs (default 10000)");
  app.add_option("--min-nodes", lo, "generated: fewest nodes per graph (default 10)");
  app.add_option("--max-nodes", hi, "generated: most nodes per graph (default 28)");
  app.add_option("--batch", batches, "batch sizes (default 32 128)");
  app.add_option("--warmup", warmup);
  app.add_option("--reps", reps);
  CLI11_PARSE(app, argc, argv);
  const std::string dir = data.empty() || std::filesystem::is_directory(data) ? data : loom::data::find_dataset(data);
  const GraphDataset d = data.empty() ? generate(graphs, lo, hi, features, 0) : loom::data::load_graph_dataset(dir);
  std::printf("{\"env\":{\"dataset\":\"%s\",\"graphs\":%lld,\"nodes\":%lld,\"edges\":%lld,\"threads\":%u}}\n",
              d.name.c_str(), static_cast<long long>(d.num_graphs()), static_cast<long long>(d.num_nodes()),
              static_cast<long long>(d.num_edges()), std::thread::hardware_concurrency());
  std::vector<int64_t> all(static_cast<size_t>(d.num_graphs()));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  for (const int64_t b : batches) {
    const int64_t per_epoch = (d.num_graphs() + b - 1) / b;
    for (const int prefetch : {0, 2}) {
      // One epoch of batches; prefetch 0 collates on this thread (the pure cost of building), prefetch 2 measures
      // what a consumer that does nothing else waits for.
      const loom::bench::Timing t = loom::bench::timed(
          [&] {
            loom::data::GraphLoader loader(d, all,
                                           {.batch_size = b, .shuffle = true, .seed = 1, .prefetch = prefetch});
            int64_t nodes = 0;
            for (int64_t k = 0; k < per_epoch; ++k) nodes += loader.next().num_nodes();
            if (nodes != d.num_nodes()) std::abort();  // the verifier: every node exactly once per epoch
          },
          loom::kCPU, warmup, reps);
      std::printf("{\"workload\":\"graph_batch\",\"impl\":\"loom\",\"dataset\":\"%s\",\"batch\":%lld,\"prefetch\":%d,"
                  "\"graphs_per_s\":%.0f,\"us_per_batch\":%.2f,\"ms_per_epoch\":%.3f}\n",
                  d.name.c_str(), static_cast<long long>(b), prefetch,
                  static_cast<double>(d.num_graphs()) / (t.ms / 1e3), 1e3 * t.ms / static_cast<double>(per_epoch),
                  t.ms);
    }
  }
  return 0;
}
