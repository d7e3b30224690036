// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_op_overhead: the host cost of one op call on tiny tensors, where the arithmetic is nothing and what remains
// is dispatch, allocation and autograd bookkeeping: the cost that bounds launch-bound GPU training steps (small
// graphs, small batches). Prints one JSON line per workload: microseconds per op.
//   bench_op_overhead [--device cpu] [--reps 20000]
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <string>

#include "loom/core/autograd.h"
#include "loom/core/device.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"

namespace {

using namespace loom;
using Clock = std::chrono::steady_clock;

template <class F>
double us_per(int64_t reps, const Device& dev, F&& fn) {
  for (int64_t r = 0; r < reps / 10 + 1; ++r) fn();
  if (dev.is_cuda()) cuda::synchronize();
  const auto t0 = Clock::now();
  for (int64_t r = 0; r < reps; ++r) fn();
  if (dev.is_cuda()) cuda::synchronize();
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / static_cast<double>(reps);
}

void report(const char* workload, const std::string& device, double us) {
  std::printf("{\"workload\":\"%s\",\"device\":\"%s\",\"us_per_op\":%.2f}\n", workload, device.c_str(), us);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"host cost of one op call on tiny tensors"};
  std::string device_name = "cpu";
  int64_t reps = 20000;
  app.add_option("--device", device_name)->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--reps", reps)->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  const Device dev = device_name == "cuda" ? Device(kCUDA) : Device(kCPU);
  manual_seed(0);
  const Tensor a = randn({4, 4}).to(dev), b = randn({4, 4}).to(dev);
  const Tensor idx = from_vector<int64_t>({0, 2, 1}, {3}).to(dev);
  {
    NoGradGuard no_grad;
    report("add_no_grad", device_name, us_per(reps, dev, [&] { (void)add(a, b); }));
    report("mul_no_grad", device_name, us_per(reps, dev, [&] { (void)mul(a, b); }));
    report("sum_no_grad", device_name, us_per(reps, dev, [&] { (void)sum(a, 1); }));
    report("index_select_no_grad", device_name, us_per(reps, dev, [&] { (void)index_select(a, idx); }));
  }
  Tensor w = a.clone();
  w.set_requires_grad(true);
  report("add_grad_forward", device_name, us_per(reps, dev, [&] { (void)add(w, b); }));
  report("index_select_grad_forward", device_name, us_per(reps, dev, [&] { (void)index_select(w, idx); }));
  // A chain of 20 ops, forward and backward: per op.
  report("chain20_forward_backward", device_name, us_per(reps / 20, dev, [&] {
           Tensor x = w;
           for (int i = 0; i < 10; ++i) x = mul(add(x, b), b);
           sum(x).backward();
         }) / 20.0);
  return 0;
}
