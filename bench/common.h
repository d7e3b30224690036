// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// What every benchmark program shares: median timing with CUDA peak memory, and the R-MAT graph of
// ../shared/bench/pyg_reference.py (read from its .npy files so Loom and PyG run on the same inputs).
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "loom/core/device.h"
#include "loom/core/tensor.h"
#include "loom/data/npy.h"

namespace loom::bench {

struct Timing {
  double ms = 0, peak_mib = 0;
};

// Median over `reps` runs after `warmup`; on CUDA also the peak of memory allocated above what was live before.
inline Timing timed(const std::function<void()>& fn, Device device, int warmup, int reps) {
  for (int i = 0; i < warmup; ++i) fn();
  if (device.is_cuda()) cuda::synchronize();
  const int64_t base = device.is_cuda() ? cuda::memory_stats().allocated : 0;
  if (device.is_cuda()) cuda::reset_peak_memory();
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    if (device.is_cuda()) cuda::synchronize();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  Timing t;
  t.ms = ms[ms.size() / 2];
  if (device.is_cuda()) t.peak_mib = static_cast<double>(cuda::memory_stats().peak - base) / (1 << 20);
  return t;
}

// One JSON line per measurement, in the reference script's shape (workload, impl, ms, peak_mib, F) plus the bytes
// a perfect implementation must move and the bandwidth that implies.
inline void report(const char* workload, const std::string& impl, const std::string& device, int64_t f,
                   const Timing& t, double floor_bytes) {
  std::printf("{\"workload\":\"%s\",\"impl\":\"%s\",\"device\":\"%s\",\"F\":%lld,\"ms\":%.4f,\"peak_mib\":%.1f,"
              "\"floor_mb\":%.1f,\"gbps_vs_floor\":%.1f}\n",
              workload, impl.c_str(), device.c_str(), static_cast<long long>(f), t.ms, t.peak_mib, floor_bytes / 1e6,
              floor_bytes / (t.ms * 1e-3) / 1e9);
  std::fflush(stdout);
}

// The reference graph folder: src.npy, dst.npy (int64 directed edges), x.npy (float32 [N, F]), y.npy, and the
// random hypergraph's incidences hsrc.npy (vertex) / hedge.npy (hyperedge).
struct ReferenceGraph {
  Tensor src, dst, x, y, hsrc, hedge;
  int64_t num_nodes() const { return x.size(0); }
  int64_t num_edges() const { return src.numel(); }
};
inline ReferenceGraph read_reference_graph(const std::string& dir, bool labels = false) {
  ReferenceGraph g;
  g.src = data::read_npy(dir + "/src.npy");
  g.dst = data::read_npy(dir + "/dst.npy");
  g.x = data::read_npy(dir + "/x.npy");
  if (labels) g.y = data::read_npy(dir + "/y.npy");
  if (std::filesystem::exists(dir + "/hsrc.npy")) {
    g.hsrc = data::read_npy(dir + "/hsrc.npy");
    g.hedge = data::read_npy(dir + "/hedge.npy");
  }
  return g;
}

}  // namespace loom::bench
