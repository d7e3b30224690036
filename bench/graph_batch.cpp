// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Batching cost for graph classification: GraphBatch::build (one epoch of shuffled batches, collated into
// block-diagonal Csr + features + graph_ptr) and the same stream through GraphLoader with its background thread,
// on generated MUTAG-sized graphs (or MUTAG itself with --data). PyG's counterpart, DataLoader over the same kind
// of graphs, is bench/pyg_graph_batch.py. One JSON line per measurement: graphs/s and microseconds per batch.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "bench/common.h"
#include "bench/graph_gen.h"
#include "loom/data/dataset.h"
#include "loom/data/graph_batch.h"

using loom::data::GraphDataset;

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
  const GraphDataset d = data.empty() ? loom::bench::generate_graphs(graphs, lo, hi, features, 0) : loom::data::load_graph_dataset(dir);
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
