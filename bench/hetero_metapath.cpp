// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Meta-path adjacency build times on a heterogeneous folder (DBLP: APA, APCPA, APTPA), one JSON line each with the
// adjacency's non-zeros (diagonal included and excluded, to compare with PyG's AddMetaPaths, which keeps it), the
// median time, the builder's own peak bytes (MetaPathStats) and, on CUDA, the allocator's peak. Then the same meta-
// paths built left to right, to show what the parenthesisation buys. bench/pyg_metapath.py is the reference.
// Verify: --verify checks the chosen order against left to right (equal Csr) before timing.
#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <cstdio>
#include <sstream>

#include "bench/common.h"
#include "loom/core/ops.h"
#include "loom/data/dataset.h"
#include "loom/hetero/load.h"
#include "loom/hetero/instances.h"
#include "loom/hetero/metapath.h"

using namespace loom;

namespace {

int64_t diagonal_entries(const Csr& a) {
  const Csr c = a.to(kCPU);
  const int64_t* ip = c.indptr().data<int64_t>();
  const int32_t* ix = c.indices().data<int32_t>();
  int64_t n = 0;
  for (int64_t r = 0; r < c.num_rows(); ++r)
    for (int64_t k = ip[r]; k < ip[r + 1]; ++k) n += ix[k] == r ? 1 : 0;
  return n;
}

std::vector<std::string> split_semicolons(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ';');) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meta-path adjacency build times (Loom)"};
  std::string dir = data::resolve_data_dir() + "/dblp", device_name = "cpu", paths = "APA;APCPA;APTPA";
  int warmup = 1, reps = 5;
  int64_t topk = 0;
  int64_t instance_cap = 0;
  bool verify = false;
  app.add_option("--data", dir, "heterogeneous folder");
  app.add_option("--metapaths", paths, "meta-paths separated by ';' (initials, or relation lists with ',')");
  app.add_option("--device", device_name, "cpu or cuda");
  app.add_option("--warmup", warmup);
  app.add_option("--reps", reps);
  app.add_option("--topk", topk, "prune each row to its k heaviest entries (0: keep all)");
  app.add_option("--instances", instance_cap, "also time MAGNN's instance lists, at most this many per target (0: skip)");
  app.add_flag("--verify", verify, "check the reordered product against left to right first");
  CLI11_PARSE(app, argc, argv);
  const Device device = device_name == "cuda" ? kCUDA : kCPU;

  const hetero::HeteroGraph g = hetero::load_hetero_graph(dir).to(device);
  std::printf("{\"env\":\"loom\",\"data\":\"%s\",\"device\":\"%s\",\"graph\":\"%s\"}\n", dir.c_str(),
              device_name.c_str(), g.str().c_str());
  for (const std::string& spec : split_semicolons(paths)) {
    const hetero::MetaPath mp = hetero::parse_metapath(g, spec);
    for (bool reorder : {true, false}) {
      const auto opts = hetero::MetaPathOptions().reorder(reorder).topk(topk);
      if (verify && reorder) {
        const auto a = hetero::metapath_adjacency(g, mp, opts);
        const auto b = hetero::metapath_adjacency(g, mp, hetero::MetaPathOptions().reorder(false).topk(topk));
        const bool same = a.adjacency.indices().to(kCPU).to_vector<int32_t>() == b.adjacency.indices().to(kCPU).to_vector<int32_t>() &&
                          a.adjacency.values().to(kCPU).to_vector<float>() == b.adjacency.values().to(kCPU).to_vector<float>();
        std::printf("{\"verify\":\"%s\",\"same_as_left_to_right\":%s}\n", spec.c_str(), same ? "true" : "false");
        if (!same) return 1;
      }
      hetero::MetaPathAdjacency result;
      const bench::Timing t = bench::timed([&] { result = hetero::metapath_adjacency(g, mp, opts); }, device, warmup, reps);
      const int64_t diag = diagonal_entries(result.adjacency);
      rusage ru{};
      getrusage(RUSAGE_SELF, &ru);
      std::printf("{\"workload\":\"metapath\",\"impl\":\"loom\",\"device\":\"%s\",\"metapath\":\"%s\",\"order\":\"%s\","
                  "\"nnz\":%lld,\"nnz_offdiag\":%lld,\"ms\":%.3f,\"peak_bytes\":%lld,\"adjacency_bytes\":%lld,"
                  "\"cuda_peak_mib\":%.1f,\"max_rss_mib\":%.1f,\"topk\":%lld}\n",
                  device_name.c_str(), spec.c_str(), result.stats.order.c_str(),
                  static_cast<long long>(result.stats.nnz), static_cast<long long>(result.stats.nnz - diag), t.ms,
                  static_cast<long long>(result.stats.peak_bytes), static_cast<long long>(result.stats.bytes),
                  t.peak_mib, static_cast<double>(ru.ru_maxrss) / 1024.0, static_cast<long long>(result.stats.topk));
      std::fflush(stdout);
    }
    if (instance_cap > 0) {  // the instances themselves (MAGNN), counted in full and listed up to the cap per target
      hetero::MetaPathInstances inst;
      const auto opts = hetero::InstanceOptions().max_per_target(instance_cap);
      const bench::Timing t = bench::timed([&] { inst = hetero::metapath_instances(g, mp, opts); }, device, warmup, reps);
      std::printf("{\"workload\":\"instances\",\"impl\":\"loom\",\"device\":\"%s\",\"metapath\":\"%s\","
                  "\"cap\":%lld,\"full_instances\":%.0f,\"instances\":%lld,\"ms\":%.3f}\n",
                  device_name.c_str(), spec.c_str(), static_cast<long long>(instance_cap),
                  sum(inst.full_counts).item_double(), static_cast<long long>(inst.num_instances()), t.ms);
      std::fflush(stdout);
    }
  }
  return 0;
}
