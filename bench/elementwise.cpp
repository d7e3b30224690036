// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_elementwise: times the broadcasting binary ops and the last-dimension sums that graph layers lean on, at
// the sizes of a 1M-node graph. Prints one JSON line per workload with the bytes a perfect kernel must move.
//   bench_elementwise [--device cuda] [--n 1000000] [--f 128] [--heads 4] [--channels 32] [--warmup 3] [--reps 10]
// Workloads: add_bias ([N,F] + [F]), add_same ([N,F] + [N,F]), mul_heads ([N,H,C] * [H,C]),
// mul_row_scalar ([N,H,C] * [N,H,1]), sum_last ([N*H, C] over dim 1), sum_first ([N,F] over dim 0, a bias grad).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "bench/common.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"

namespace {

using namespace loom;

void report(const char* workload, const Shape& a, const Shape& b, const std::string& device, const bench::Timing& t,
            double floor_bytes) {
  std::printf("{\"workload\":\"%s\",\"impl\":\"loom\",\"device\":\"%s\",\"a\":\"%s\",\"b\":\"%s\",\"ms\":%.4f,"
              "\"peak_mib\":%.1f,\"floor_mb\":%.1f,\"gbps_vs_floor\":%.1f}\n",
              workload, device.c_str(), shape_str(a).c_str(), shape_str(b).c_str(), t.ms, t.peak_mib,
              floor_bytes / 1e6, floor_bytes / (t.ms * 1e-3) / 1e9);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"time broadcasting binary ops and last-dimension sums"};
  std::string device_name = "cuda";
  int64_t n = 1000000, f = 128, heads = 4, channels = 32;
  int warmup = 3, reps = 10;
  app.add_option("--device", device_name, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--n", n, "rows (nodes)")->check(CLI::PositiveNumber);
  app.add_option("--f", f, "features of the [N,F] workloads")->check(CLI::PositiveNumber);
  app.add_option("--heads", heads, "H of the [N,H,C] workloads")->check(CLI::PositiveNumber);
  app.add_option("--channels", channels, "C of the [N,H,C] workloads")->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup, "untimed runs")->check(CLI::NonNegativeNumber);
  app.add_option("--reps", reps, "timed runs (median reported)")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    const Device dev = Device::parse(device_name);
    NoGradGuard ng;
    constexpr double kF32 = 4.0;
    Tensor out;
    {
      const Tensor x = rand({n, f}, kFloat32, dev), bias = rand({f}, kFloat32, dev), y = rand({n, f}, kFloat32, dev);
      report("add_bias", x.shape(), bias.shape(), device_name,
             bench::timed([&] { out = add(x, bias); }, dev, warmup, reps), kF32 * (2.0 * n * f + f));
      report("add_same", x.shape(), y.shape(), device_name, bench::timed([&] { out = add(x, y); }, dev, warmup, reps),
             kF32 * 3.0 * n * f);
      report("sum_first", x.shape(), {}, device_name, bench::timed([&] { out = sum(x, 0); }, dev, warmup, reps),
             kF32 * (1.0 * n * f + f));
    }
    {
      const Tensor x = rand({n, heads, channels}, kFloat32, dev);
      const Tensor att = rand({heads, channels}, kFloat32, dev), alpha = rand({n, heads, 1}, kFloat32, dev);
      const double nhc = 1.0 * n * heads * channels;
      report("mul_heads", x.shape(), att.shape(), device_name,
             bench::timed([&] { out = mul(x, att); }, dev, warmup, reps), kF32 * (2.0 * nhc + heads * channels));
      report("mul_row_scalar", x.shape(), alpha.shape(), device_name,
             bench::timed([&] { out = mul(x, alpha); }, dev, warmup, reps), kF32 * (2.0 * nhc + n * heads));
      const Tensor rows = x.view({n * heads, channels});
      report("sum_last", rows.shape(), {}, device_name, bench::timed([&] { out = sum(rows, 1); }, dev, warmup, reps),
             kF32 * (nhc + n * heads));
    }
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "bench_elementwise: %s\n", ex.what());
    return 1;
  }
  return 0;
}
