// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_reorder: what each node order costs and what it buys on an R-MAT graph (whose ids are randomly relabelled,
// like most real data sets' ids are unrelated to structure). Per order: its own time, the time to apply it to the
// graph and to the features, the locality before and after (loom/graph/reorder.h), and the copy_u-sum SpMM (forward
// on the in-edge Csr, and on its transpose, which the backward pass reads) before and after; the outputs are
// checked equal in the original ids. The baseline SpMM is timed
// beside each order, alternating with the reordered one (and in turn first and second). The order none times the
// graph against itself: its speedup shows how far the machine's noise reaches. One JSON line per order after an env line.
// The order rcm_boost is Boost.Graph's cuthill_mckee_ordering on the same symmetrised graph, for comparison with
// Loom's own RCM (its time excludes building Boost's copy of the graph).
//   bench_reorder [--scale 18] [--features 128] [--orders none,degree,rcm,metis,rcm_boost] [--device cpu|cuda]
//                 [--warmup 1] [--reps 5] [--part-nodes 4096] [--seed 0]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>

#include "bench/common.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/data/rmat.h"
#include "loom/graph/boost.h"
#include "loom/graph/partition.h"
#include "loom/graph/reorder.h"
#include "loom/graph/transforms.h"

#include <boost/graph/cuthill_mckee_ordering.hpp>

using namespace loom;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Boost.Graph's reverse Cuthill-McKee (its own pseudo-peripheral start per component, out-degree as the degree)
// on g made undirected, as a Reordering.
graph::Reordering boost_rcm(const graph::Graph& g) {
  const graph::BoostGraph b = graph::to_boost(graph::to_undirected(g));
  graph::Reordering r;
  r.before = graph::measure_locality(g);
  auto t0 = std::chrono::steady_clock::now();
  std::vector<uint32_t> order(num_vertices(b));
  boost::cuthill_mckee_ordering(b, order.rbegin());
  r.order_seconds = seconds_since(t0);
  r.permutation = graph::Permutation::from_order(
      from_vector<int64_t>(std::vector<int64_t>(order.begin(), order.end()), {g.num_nodes()}));
  t0 = std::chrono::steady_clock::now();
  r.graph = graph::permute_graph(g, r.permutation);
  r.apply_seconds = seconds_since(t0);
  r.after = graph::measure_locality(r.graph);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"node orders: their cost, locality and the SpMM time before and after"};
  int scale = 18, warmup = 1, reps = 5;
  int64_t features = 128, part_nodes = 4096;
  uint64_t seed = 0;
  std::string orders = "none,degree,rcm,metis", device_name = "cpu";
  app.add_option("--scale", scale, "R-MAT scale (2^scale nodes, 16 candidate edges per node)")->check(CLI::Range(4, 26));
  app.add_option("--features", features, "feature width F")->check(CLI::Range(1, 4096));
  app.add_option("--orders", orders, "comma-separated: none, degree, rcm, metis, rcm_boost");
  app.add_option("--device", device_name, "where the SpMM runs: cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--warmup", warmup, "untimed SpMM runs")->check(CLI::NonNegativeNumber);
  app.add_option("--reps", reps, "timed SpMM runs (median reported)")->check(CLI::PositiveNumber);
  app.add_option("--part-nodes", part_nodes, "metis: nodes per part")->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "R-MAT and METIS seed");
  CLI11_PARSE(app, argc, argv);
  const Device device = Device::parse(device_name);

  const data::RmatEdges e = data::rmat(scale, 16, seed);
  const int64_t m = e.src.numel();
  const graph::Graph g =
      graph::Graph::from_edge_index(concat({reshape(e.src, {1, m}), reshape(e.dst, {1, m})}, 0), e.num_nodes);
  manual_seed(seed);
  const Tensor x = randn({g.num_nodes(), features});
  std::printf("{\"env\":true,\"graph\":\"rmat-%d\",\"nodes\":%lld,\"edges\":%lld,\"F\":%lld,\"device\":\"%s\","
              "\"threads\":%u,\"metis\":%s}\n",
              scale, static_cast<long long>(g.num_nodes()), static_cast<long long>(g.num_edges()),
              static_cast<long long>(features), device.str().c_str(), std::thread::hardware_concurrency(),
              graph::has_metis() ? "true" : "false");
  std::fflush(stdout);

  // SpMM on the in-edge Csr and on its transpose (what the backward pass reads), the given graph and the reordered
  // one alternately within each repetition: on a shared machine the load drifts by 2-3x within seconds, and
  // alternating keeps both sides of a ratio under the same load. Medians in ms: {fwd before, fwd after, bwd before,
  // bwd after}. `want` and `got` receive one forward output of each.
  const auto paired_spmm = [&](const graph::Graph& a, const Tensor& xa, const graph::Graph& b, const Tensor& xb,
                               Tensor* want, Tensor* got) {
    const Csr csr[2] = {a.csr().to(device), b.csr().to(device)}, csc[2] = {a.csc().to(device), b.csc().to(device)};
    const Tensor xs[2] = {xa.to(device), xb.to(device)};
    *want = mp::gspmm(csr[0], mp::copy_u, mp::sum, xs[0]).to(kCPU);
    *got = mp::gspmm(csr[1], mp::copy_u, mp::sum, xs[1]).to(kCPU);
    std::vector<double> ms[4];
    for (int i = 0; i < warmup + reps; ++i) {
      // Odd repetitions run the reordered graph first, so that a bias of place (caches, frequency, the neighbours'
      // load) cannot favour one side; with a fixed place the identical graph once timed 12% faster second.
      for (int j = 0; j < 4; ++j) {
        const int k = i % 2 == 0 ? j : j ^ 1;
        const Csr& m = k < 2 ? csr[k % 2] : csc[k % 2];
        const auto t0 = std::chrono::steady_clock::now();
        mp::gspmm(m, mp::copy_u, mp::sum, xs[k % 2]);
        if (device.is_cuda()) cuda::synchronize();
        if (i >= warmup) ms[k].push_back(1e3 * seconds_since(t0));
      }
    }
    std::array<double, 4> med{};
    for (int k = 0; k < 4; ++k) {
      std::nth_element(ms[k].begin(), ms[k].begin() + ms[k].size() / 2, ms[k].end());
      med[k] = ms[k][ms[k].size() / 2];
    }
    return med;
  };

  std::stringstream in(orders);
  for (std::string name; std::getline(in, name, ',');) {
    const bool boost = name == "rcm_boost";
    const graph::Reorder method = boost ? graph::Reorder::kRcm : parse_choice<graph::Reorder>(name);
    if (method == graph::Reorder::kMetis && !graph::has_metis()) continue;
    const graph::Reordering r =
        boost ? boost_rcm(g) : graph::reorder(g, method, graph::ReorderOptions().part_nodes(part_nodes).seed(seed));
    const auto t0 = std::chrono::steady_clock::now();
    const Tensor xr = r.permutation.rows_to_new(x);
    const double features_s = seconds_since(t0);
    Tensor want, got;
    const auto [base_fwd, fwd, base_bwd, bwd] = paired_spmm(g, x, r.graph, xr, &want, &got);
    const double diff = max_abs_diff(r.permutation.rows_to_old(got), want);
    // Epochs (one forward and one backward SpMM each) after which the order has paid for itself.
    const double saved_ms = (base_fwd + base_bwd) - (fwd + bwd);
    const double cost_ms = 1e3 * (r.order_seconds + r.apply_seconds + features_s);
    std::printf("{\"workload\":\"reorder\",\"order\":\"%s\",\"device\":\"%s\",\"F\":%lld,\"order_s\":%.3f,"
                "\"apply_s\":%.3f,\"features_s\":%.3f,\"gap_before\":%.1f,\"gap_after\":%.1f,"
                "\"nbr_gap_before\":%.1f,\"nbr_gap_after\":%.1f,\"bandwidth_after\":%lld,"
                "\"spmm_ms_before\":%.2f,\"spmm_ms_after\":%.2f,\"spmm_t_ms_before\":%.2f,\"spmm_t_ms_after\":%.2f,"
                "\"speedup\":%.3f,\"break_even_passes\":%s,\"max_diff\":%.2g}\n",
                name.c_str(), device.str().c_str(), static_cast<long long>(features), r.order_seconds, r.apply_seconds,
                features_s, r.before.mean_edge_gap, r.after.mean_edge_gap, r.before.mean_neighbour_gap,
                r.after.mean_neighbour_gap, static_cast<long long>(r.after.bandwidth), base_fwd, fwd, base_bwd, bwd,
                (base_fwd + base_bwd) / (fwd + bwd),
                saved_ms > 0 ? std::to_string(static_cast<long long>(cost_ms / saved_ms + 1)).c_str() : "null", diff);
    std::fflush(stdout);
  }
  return 0;
}
