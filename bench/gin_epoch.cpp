// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// One training epoch of GIN graph classification, batching included: the GIN paper's network (GraphClassifier:
// 5 layers counting the input, BatchNorm, a sum readout of every layer) trained by the one trainer on shuffled
// batches from GraphLoader, on MUTAG (--data) or on generated graphs of 20-40 nodes. PyG's counterpart
// (DataLoader + GINConv + global_add_pool, the same network) is bench/pyg_gin_epoch.py. One JSON line per batch size:
// the median epoch over --reps epochs after --warmup, and graphs per second.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "bench/graph_gen.h"
#include "loom/core/random.h"
#include "loom/data/dataset.h"
#include "loom/data/graph_batch.h"
#include "loom/models/graph_classifier.h"
#include "loom/models/trainer.h"

int main(int argc, char** argv) {
  CLI::App app("GIN graph-classification epoch (loader + forward + backward + Adam)");
  std::string data, device_name = "cpu";
  int64_t graphs = 100000, lo = 20, hi = 40, hidden = 64;
  int layers = 5, warmup = 1, reps = 3;
  std::vector<int64_t> batches{32, 128};
  app.add_option("--data", data, "a graph-classification folder or data-set name (default: generated graphs)");
  app.add_option("--graphs", graphs, "generated: number of graphs (default 100000)");
  app.add_option("--min-nodes", lo, "generated: fewest nodes per graph (default 20)");
  app.add_option("--max-nodes", hi, "generated: most nodes per graph (default 40)");
  app.add_option("--hidden", hidden, "hidden width (default 64)");
  app.add_option("--layers", layers, "layers counting the input, as the GIN paper does (default 5)");
  app.add_option("--batch", batches, "batch sizes (default 32 128)");
  app.add_option("--device", device_name, "cpu or cuda");
  app.add_option("--warmup", warmup, "epochs not timed (default 1)");
  app.add_option("--reps", reps, "timed epochs; the median is reported (default 3)");
  CLI11_PARSE(app, argc, argv);
  const loom::Device device = loom::Device::parse(device_name);
  const std::string dir = data.empty() || std::filesystem::is_directory(data) ? data : loom::data::find_dataset(data);
  const loom::data::GraphDataset d =
      data.empty() ? loom::bench::generate_graphs(graphs, lo, hi, 7, 0) : loom::data::load_graph_dataset(dir);
  std::printf("{\"env\":{\"dataset\":\"%s\",\"graphs\":%lld,\"nodes\":%lld,\"edges\":%lld,\"threads\":%u}}\n",
              d.name.c_str(), static_cast<long long>(d.num_graphs()), static_cast<long long>(d.num_nodes()),
              static_cast<long long>(d.num_edges()), std::thread::hardware_concurrency());
  std::vector<int64_t> all(static_cast<size_t>(d.num_graphs()));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  const loom::data::Fold fold{loom::from_vector<int64_t>(all, {d.num_graphs()}), loom::Tensor(), loom::Tensor()};
  for (const int64_t b : batches) {
    loom::manual_seed(0);
    loom::models::GraphClassifier model(
        loom::models::GraphClassifierOptions("gin", d.num_features(), hidden, d.num_classes).num_layers(layers));
    model.to(device);
    loom::models::GraphClassificationTask task(d, fold, [&](const loom::data::GraphBatch& g) { return model.forward(g); },
                                               {.batch_size = b, .seed = 1, .train_metrics = false, .device = device});
    loom::models::TrainerOptions o;
    o.epochs = warmup + reps;
    o.lr = 0.01;
    o.weight_decay = 0;
    // No validation split: an epoch is the optimizer steps alone (test() at the end is outside the epochs' times).
    const loom::models::TrainResult r = loom::models::fit(model, task, o);
    std::vector<double> s;
    for (size_t e = static_cast<size_t>(warmup); e < r.history.size(); ++e) s.push_back(r.history[e].seconds);
    std::nth_element(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(s.size() / 2), s.end());
    const double ms = 1e3 * s[s.size() / 2];
    std::printf("{\"workload\":\"gin_epoch\",\"impl\":\"loom\",\"device\":\"%s\",\"dataset\":\"%s\",\"batch\":%lld,"
                "\"hidden\":%lld,\"layers\":%d,\"ms_per_epoch\":%.2f,\"graphs_per_s\":%.0f,\"final_loss\":%.4f}\n",
                device.str().c_str(), d.name.c_str(), static_cast<long long>(b), static_cast<long long>(hidden),
                layers, ms, static_cast<double>(d.num_graphs()) / (ms / 1e3), r.history.back().loss);
    std::fflush(stdout);
  }
  return 0;
}
