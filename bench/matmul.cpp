// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_matmul: times a float32 n x n matmul on the CPU or a CUDA device (warmup runs, then the median of timed
// repetitions) and prints one JSON line; bench/torch_matmul.py prints the same line for PyTorch.
// Usage: bench_matmul [--device cpu|cuda] [--n 4096] [--warmup 3] [--reps 10]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace {

struct Options {
  std::string device = "cpu";
  int64_t n = 4096;
  int warmup = 3;
  int reps = 10;
};

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr, "bench_matmul: %s\nusage: bench_matmul [--device cpu|cuda] [--n N] [--warmup W] [--reps R]\n",
               problem.c_str());
  std::exit(2);
}

long parse_positive(const std::string& flag, const std::string& value, long min) {
  char* end = nullptr;
  const long v = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || v < min) usage(flag + " expects an integer >= " + std::to_string(min) +
                                                      ", got '" + value + "'");
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage("times a float32 n x n matmul");
    if (i + 1 >= argc) usage("missing value after " + flag);
    const std::string value = argv[++i];
    if (flag == "--device") {
      if (value != "cpu" && value != "cuda") usage("--device expects cpu or cuda, got '" + value + "'");
      o.device = value;
    } else if (flag == "--n") {
      o.n = parse_positive(flag, value, 1);
    } else if (flag == "--warmup") {
      o.warmup = static_cast<int>(parse_positive(flag, value, 0));
    } else if (flag == "--reps") {
      o.reps = static_cast<int>(parse_positive(flag, value, 1));
    } else {
      usage("unknown flag " + flag);
    }
  }
  return o;
}

loom::Tensor random_matrix(int64_t n, uint32_t seed, loom::Device device) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n * n));
  for (float& x : v) x = dist(gen);
  return loom::from_vector<float>(v, {n, n}, device);
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  try {
    const loom::Device device = loom::Device::parse(opt.device);
    if (device.is_cuda() && !loom::cuda::is_available()) {
      std::fprintf(stderr, "bench_matmul: --device cuda, but %s\n",
                   loom::cuda::is_built() ? "no CUDA device is present" : "this Loom was built without CUDA");
      return 1;
    }
    loom::NoGradGuard no_grad;
    const loom::Tensor a = random_matrix(opt.n, 1, device), b = random_matrix(opt.n, 2, device);
    auto sync = [&] {
      if (device.is_cuda()) loom::cuda::synchronize();
    };
    for (int i = 0; i < opt.warmup; ++i) loom::matmul(a, b);
    sync();
    std::vector<double> ms;
    for (int i = 0; i < opt.reps; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const loom::Tensor c = loom::matmul(a, b);
      sync();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    const size_t h = ms.size() / 2;
    const double median = ms.size() % 2 ? ms[h] : 0.5 * (ms[h - 1] + ms[h]);
    const double n = static_cast<double>(opt.n);
    const double tflops = 2.0 * n * n * n / (median * 1e-3) / 1e12;
    std::printf(
        "{\"workload\":\"matmul\",\"impl\":\"loom\",\"device\":\"%s\",\"n\":%lld,\"ms\":%.4f,\"tflops\":%.4f}\n",
        opt.device.c_str(), static_cast<long long>(opt.n), median, tflops);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_matmul: %s\n", e.what());
    return 1;
  }
}
