// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_knn: time Hypergraph::from_knn (one hyperedge per vertex and its k nearest neighbours) on random features,
// the construction DHG users call on image or point features. Prints one JSON line per size.
//   bench_knn [--device cuda] [--n 100000,1000000] [--features 64] [--k 10] [--reps 3]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/common.h"
#include "loom/core/random.h"
#include "loom/hypergraph/hypergraph.h"

int main(int argc, char** argv) {
  using namespace loom;
  CLI::App app{"time the k-nearest-neighbour hypergraph construction"};
  std::string device_name = "cpu";
  std::vector<int64_t> sizes{20000, 100000};
  int64_t features = 64, k = 10;
  int warmup = 1, reps = 3;
  app.add_option("--device", device_name)->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--n", sizes, "vertex counts")->delimiter(',');
  app.add_option("--features", features);
  app.add_option("--k", k);
  app.add_option("--warmup", warmup);
  app.add_option("--reps", reps);
  CLI11_PARSE(app, argc, argv);
  const Device dev = device_name == "cuda" ? kCUDA : kCPU;
  for (int64_t n : sizes) {
    manual_seed(1);
    const Tensor x = randn({n, features}, kFloat32, dev);
    int64_t incidences = 0;
    const bench::Timing t = bench::timed(
        [&] { incidences = hypergraph::Hypergraph::from_knn(x, k).num_incidences(); }, dev, warmup, reps);
    // The distance GEMMs dominate: report their rate (2 N^2 F flops).
    std::printf("{\"workload\":\"knn\",\"device\":\"%s\",\"n\":%lld,\"F\":%lld,\"k\":%lld,\"ms\":%.2f,"
                "\"peak_mib\":%.1f,\"incidences\":%lld,\"tflops\":%.2f}\n",
                device_name.c_str(), static_cast<long long>(n), static_cast<long long>(features),
                static_cast<long long>(k), t.ms, t.peak_mib, static_cast<long long>(incidences),
                2.0 * double(n) * double(n) * double(features) / (t.ms * 1e-3) / 1e12);
    std::fflush(stdout);
  }
  return 0;
}
