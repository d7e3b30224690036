// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_mlp_epoch: times one full-batch training epoch of an MLP node classifier (forward on every node,
// cross-entropy on the training nodes, backward, Adam step) on a data-set folder, and prints one JSON line.
// bench/torch_mlp_epoch.py runs the same epoch in PyTorch on the same folder.
// Usage: bench_mlp_epoch --data DIR [--device cpu|cuda] [--hidden 64] [--warmup 5] [--reps 50]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "loom/core/nn.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/data/dataset.h"

int main(int argc, char** argv) {
  CLI::App app{"time one MLP training epoch"};
  std::string dir, device_name = "cpu";
  int64_t hidden = 64;
  int warmup = 5, reps = 50;
  app.add_option("--data", dir, "data-set folder (e.g. ../shared/data/cora)")->required();
  app.add_option("--device", device_name, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--hidden", hidden, "hidden units")->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup, "untimed epochs")->check(CLI::NonNegativeNumber);
  app.add_option("--reps", reps, "timed epochs (the median is reported)")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    using namespace loom;
    const Device device = Device::parse(device_name);
    data::NodeDataset d = data::load_node_dataset(dir);
    const Tensor x = d.x.to(device), train_idx = d.train_idx.to(device);
    const Tensor y_train = index_select(d.y, d.train_idx).to(device);
    manual_seed(0);
    nn::MLP mlp(nn::MLPOptions(d.num_features(), {hidden}, d.num_classes).dropout(0.5));
    mlp.to(device);
    optim::Adam opt(mlp.parameters(), optim::AdamOptions(0.01).weight_decay(5e-4));
    auto epoch = [&] {
      opt.zero_grad();
      Tensor loss = cross_entropy(index_select(mlp.forward(x), train_idx), y_train);
      loss.backward();
      opt.step();
      if (device.is_cuda()) cuda::synchronize();
    };
    for (int i = 0; i < warmup; ++i) epoch();
    std::vector<double> ms;
    for (int i = 0; i < reps; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      epoch();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
    std::printf("{\"workload\":\"mlp_epoch\",\"impl\":\"loom\",\"device\":\"%s\",\"dataset\":\"%s\",\"hidden\":%lld,"
                "\"ms\":%.4f}\n",
                device_name.c_str(), d.name.c_str(), static_cast<long long>(hidden), ms[ms.size() / 2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_mlp_epoch: %s\n", e.what());
    return 1;
  }
  return 0;
}
