// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_lightgcn_epoch: times LightGCN training with BPR (what `loom train --task recommend` runs: every training
// interaction once per epoch with one uniform negative, minibatches of --batch, a full propagation per step, Adam)
// and prints one JSON line. Small data: whole epochs, the median reported. Large data (--steps S): S timed steps,
// and the epoch estimated as steps_per_epoch x the median step plus the epoch's sampling, measured once.
// bench/pyg_lightgcn.py runs PyG's LightGCN on the same interactions (--write-npy DIR writes them for it).
// Usage: bench_lightgcn_epoch (--data DIR [--split u1] | --users U --items I --interactions R)
//                             [--device cpu|cuda] [--batch 2048] [--dim 64] [--layers 3] [--epochs 5] [--steps 0]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/data/interactions.h"
#include "loom/data/npy.h"
#include "loom/models/recommend.h"

namespace {
double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"time LightGCN + BPR training epochs"};
  std::string dir, split = "u1", device_name = "cpu", write_npy;
  loom::data::BipartiteOptions gen;
  int64_t batch = 2048, dim = 64;
  int layers = 3, epochs = 5, steps = 0;
  app.add_option("--data", dir, "interaction data-set folder (ratings.npy), e.g. ../shared/data/movielens-100k");
  app.add_option("--split", split, "official split of --data");
  app.add_option("--users", gen.users, "generated graph: users")->check(CLI::PositiveNumber);
  app.add_option("--items", gen.items, "generated graph: items")->check(CLI::PositiveNumber);
  app.add_option("--interactions", gen.interactions, "generated graph: interactions")->check(CLI::PositiveNumber);
  app.add_option("--device", device_name, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--batch", batch, "BPR minibatch")->check(CLI::PositiveNumber);
  app.add_option("--dim", dim, "embedding width")->check(CLI::PositiveNumber);
  app.add_option("--layers", layers, "propagation layers")->check(CLI::NonNegativeNumber);
  app.add_option("--epochs", epochs, "timed whole epochs (after one untimed)")->check(CLI::PositiveNumber);
  app.add_option("--steps", steps, "> 0: time this many steps instead of whole epochs")->check(CLI::NonNegativeNumber);
  app.add_option("--write-npy", write_npy, "also write the training interactions as DIR/train_ui.npy (int64 [2, R]) for bench/pyg_lightgcn.py");
  CLI11_PARSE(app, argc, argv);
  try {
    using namespace loom;
    const Device device = Device::parse(device_name);
    const auto t_load = std::chrono::steady_clock::now();
    data::Interactions train_set;
    std::string name;
    if (!dir.empty()) {
      train_set = data::official_split(dir, split).train;
      name = train_set.name + "/" + split;
    } else {
      train_set = data::generate_interactions(gen);
      name = "generated";
    }
    const double load_ms = since(t_load);
    const int64_t U = train_set.num_users, I = train_set.num_items;
    if (!write_npy.empty()) {
      std::filesystem::create_directories(write_npy);
      std::vector<int64_t> ui(train_set.user);
      ui.insert(ui.end(), train_set.item.begin(), train_set.item.end());
      data::write_npy(write_npy + "/train_ui.npy", from_vector(ui, {2, train_set.size()}));
      std::printf("{\"wrote\":\"%s/train_ui.npy\",\"users\":%lld,\"items\":%lld,\"interactions\":%lld}\n",
                  write_npy.c_str(), static_cast<long long>(U), static_cast<long long>(I),
                  static_cast<long long>(train_set.size()));
      std::fflush(stdout);
    }
    const data::UserItems train = data::user_items(train_set);
    const data::UserItems none = data::user_items(train_set.select({}));
    const graph::Graph g = models::interaction_graph(train, U, I).to(device);
    manual_seed(0);
    models::LightGCN model(g, U, I, dim, layers);
    model.to(device);
    models::RecommendationTask task(model, train, none, {batch, 1e-4});
    optim::Adam opt(model.parameters(), optim::AdamOptions(1e-3));
    auto step = [&] {
      opt.zero_grad();
      Tensor loss = task.training_loss(model);
      loss.backward();
      opt.step();
    };
    auto sync = [&] {
      if (device.is_cuda()) cuda::synchronize();
    };
    const int per_epoch = task.steps_per_epoch();
    double epoch_ms = 0, step_ms = 0, sample_ms = 0;
    if (steps == 0) {
      std::vector<double> ms;
      for (int e = 0; e <= epochs; ++e) {
        sync();
        const auto t0 = std::chrono::steady_clock::now();
        for (int s = 0; s < per_epoch; ++s) step();
        sync();
        if (e > 0) ms.push_back(since(t0));  // the first epoch warms up allocators and caches
      }
      epoch_ms = median(ms);
      step_ms = epoch_ms / per_epoch;
    } else {
      // Sampling happens at the first step of an epoch: time it alone, then the steps after it.
      const auto ts = std::chrono::steady_clock::now();
      (void)models::draw_bpr_triples(train, I, 1);
      sample_ms = since(ts);
      step();  // warm-up (and this epoch's draw)
      std::vector<double> ms;
      for (int s = 0; s < steps; ++s) {
        sync();
        const auto t0 = std::chrono::steady_clock::now();
        step();
        sync();
        ms.push_back(since(t0));
      }
      step_ms = median(ms);
      epoch_ms = step_ms * per_epoch + sample_ms;
    }
    const double peak = device.is_cuda() ? static_cast<double>(cuda::memory_stats().peak) / (1 << 20) : 0.0;
    std::printf("{\"workload\":\"lightgcn_epoch\",\"impl\":\"loom\",\"device\":\"%s\",\"data\":\"%s\",\"users\":%lld,"
                "\"items\":%lld,\"interactions\":%lld,\"batch\":%lld,\"dim\":%lld,\"layers\":%d,\"steps_per_epoch\":%d,"
                "\"epoch_s\":%.4f,\"step_ms\":%.4f,\"sample_ms\":%.1f,\"measured\":\"%s\",\"load_s\":%.1f,"
                "\"peak_mib\":%.1f}\n",
                device_name.c_str(), name.c_str(), static_cast<long long>(U), static_cast<long long>(I),
                static_cast<long long>(train_set.size()), static_cast<long long>(batch), static_cast<long long>(dim),
                layers, per_epoch, epoch_ms / 1e3, step_ms, sample_ms, steps == 0 ? "whole epochs" : "steps",
                load_ms / 1e3, peak);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_lightgcn_epoch: %s\n", e.what());
    return 1;
  }
}
