// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_sampled_epoch: one epoch of mini-batch node classification over sampled blocks, sampling, feature gathering
// and training included (issue 19's workload: GraphSAGE, 3 layers, hidden 256, fan-outs 15/10/5, batch 1024, Adam
// 1e-3), on a generated CSBM with ogbn-products' shape by default (2,449,029 nodes, about 62M stored edges, 100
// features, 47 classes, 8% of the nodes to train on). On a CUDA device the graph and features live on the GPU and
// the sampler runs there. Prints one JSON line; --write-npy DIR writes the graph for bench/pyg_sampled_sage.py.
// Usage: bench_sampled_epoch [--device cpu|cuda] [--nodes N] [--avg-degree D] [--features F] [--classes C]
//                            [--fanouts 15,10,5] [--batch 1024] [--hidden 256] [--epochs 1] [--max-steps 0]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/data/npy.h"
#include "loom/graph/graph.h"
#include "loom/models/gnn.h"
#include "loom/models/sampled_task.h"

namespace {
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"time mini-batch GraphSAGE epochs over sampled blocks"};
  std::string device_name = "cpu", write_npy;
  loom::data::CsbmOptions gen;
  gen.num_nodes = 2449029;
  gen.avg_degree = 25.3;  // stored (directed) edges = nodes x avg_degree: about 62M
  gen.num_features = 100;
  gen.num_classes = 47;
  gen.train_fraction = 0.08;
  gen.val_fraction = 0.02;
  std::vector<int64_t> fanouts{15, 10, 5};
  int64_t batch = 1024, hidden = 256;
  int epochs = 1, max_steps = 0;
  app.add_option("--device", device_name, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--nodes", gen.num_nodes, "generated graph: nodes")->check(CLI::PositiveNumber);
  app.add_option("--avg-degree", gen.avg_degree, "generated graph: stored edges per node")->check(CLI::PositiveNumber);
  app.add_option("--features", gen.num_features)->check(CLI::PositiveNumber);
  app.add_option("--classes", gen.num_classes)->check(CLI::PositiveNumber);
  app.add_option("--fanouts", fanouts, "per hop, from the seeds outward")->delimiter(',');
  app.add_option("--batch", batch, "seed nodes per step")->check(CLI::PositiveNumber);
  app.add_option("--hidden", hidden)->check(CLI::PositiveNumber);
  app.add_option("--epochs", epochs, "timed epochs after a 5-step warm-up; the median is reported")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-steps", max_steps, "> 0: an epoch is cut to this many steps (its time is then scaled up)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--write-npy", write_npy, "also write DIR/{edge_index,x,y,train_idx}.npy for bench/pyg_sampled_sage.py");
  CLI11_PARSE(app, argc, argv);
  try {
    using namespace loom;
    const Device device = Device::parse(device_name);
    auto t0 = std::chrono::steady_clock::now();
    data::NodeDataset d = data::make_csbm(gen);
    const double gen_s = since(t0);
    if (!write_npy.empty()) {
      std::filesystem::create_directories(write_npy);
      data::write_npy(write_npy + "/edge_index.npy", d.edge_index);
      data::write_npy(write_npy + "/x.npy", d.x);
      data::write_npy(write_npy + "/y.npy", d.y);
      data::write_npy(write_npy + "/train_idx.npy", d.train_idx);
    }
    const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes()).to(device);
    d.x = d.x.to(device);
    d.y = d.y.to(device);
    manual_seed(0);
    models::NodeClassifier model(
        models::GnnOptions("sage", d.num_features(), hidden, d.num_classes).num_layers(static_cast<int>(fanouts.size())));
    model.to(device);
    models::SampledNodeTask task(d, g, model, graph::SampleOptions().fanouts(fanouts).seed(1), batch);
    optim::Adam opt(model.parameters(), optim::AdamOptions(1e-3));
    model.train();
    double last_loss = 0;
    auto step = [&] {
      opt.zero_grad();
      Tensor loss = task.training_loss(model);
      loss.backward();
      opt.step();
      last_loss = loss.item_double();  // as the trainer, which reads each step's loss to stop on NaN
    };
    auto sync = [&] {
      if (device.is_cuda()) cuda::synchronize();
    };
    const int per_epoch = task.steps_per_epoch();
    const int steps = max_steps > 0 ? std::min(max_steps, per_epoch) : per_epoch;
    for (int s = 0; s < std::min(5, per_epoch); ++s) step();  // warm-up: allocator, libraries
    if (device.is_cuda()) cuda::reset_peak_memory();
    std::vector<double> epoch_s;
    for (int e = 0; e < epochs; ++e) {
      sync();
      t0 = std::chrono::steady_clock::now();
      for (int s = 0; s < steps; ++s) step();
      sync();
      epoch_s.push_back(since(t0) * per_epoch / steps);
    }
    std::nth_element(epoch_s.begin(), epoch_s.begin() + epoch_s.size() / 2, epoch_s.end());
    const double peak = device.is_cuda() ? static_cast<double>(cuda::memory_stats().peak) / (1 << 20) : 0.0;
    std::string fo;
    for (int64_t f : fanouts) fo += (fo.empty() ? "" : ",") + std::to_string(f);
    std::printf("{\"workload\":\"sampled_sage_epoch\",\"impl\":\"loom\",\"device\":\"%s\",\"nodes\":%lld,\"edges\":%lld,"
                "\"features\":%lld,\"classes\":%lld,\"train_nodes\":%lld,\"fanouts\":[%s],\"batch\":%lld,\"hidden\":%lld,"
                "\"steps_per_epoch\":%d,\"timed_steps\":%d,\"epoch_s\":%.3f,\"step_ms\":%.2f,\"peak_mib\":%.1f,"
                "\"generate_s\":%.1f,\"last_loss\":%.4f}\n",
                device_name.c_str(), static_cast<long long>(d.num_nodes()), static_cast<long long>(d.num_edges()),
                static_cast<long long>(d.num_features()), static_cast<long long>(d.num_classes),
                static_cast<long long>(d.train_idx.numel()), fo.c_str(), static_cast<long long>(batch),
                static_cast<long long>(hidden), per_epoch, steps, epoch_s[epoch_s.size() / 2],
                1e3 * epoch_s[epoch_s.size() / 2] / per_epoch, peak, gen_s, last_loss);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sampled_epoch: %s\n", e.what());
    return 1;
  }
}
