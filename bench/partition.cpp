// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Partitions of a data-set folder or a generated R-MAT graph by every method Loom has (METIS when built with it,
// streaming, random): the partitioner's time, its input's size, the process's peak memory and the edge cut, one JSON
// line per (method, parts). A partition is paid once per graph: these are the figures to weigh against its use.
//   bench_partition [--data DIR | --scale S] [--parts 2,4,8,16] [--seed 0]
#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "loom/core/ops.h"
#include "loom/data/dataset.h"
#include "loom/data/rmat.h"
#include "loom/graph/partition.h"

using namespace loom;

int main(int argc, char** argv) {
  CLI::App app{"graph partitions: time, memory and edge cut per method"};
  std::string dir, parts_list = "2,4,8,16";
  int scale = 16;
  uint64_t seed = 0;
  app.add_option("--data", dir, "data-set folder (default: a generated R-MAT graph)");
  app.add_option("--scale", scale, "R-MAT scale (2^scale nodes, 16 edges per node)")->check(CLI::Range(4, 26));
  app.add_option("--parts", parts_list, "part counts, comma-separated");
  app.add_option("--seed", seed);
  CLI11_PARSE(app, argc, argv);
  graph::Graph g;
  std::string name;
  if (!dir.empty()) {
    const data::NodeDataset d = data::load_node_dataset(data::find_dataset(dir));
    g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
    name = d.name;
  } else {
    const data::RmatEdges e = data::rmat(scale, 16, seed);
    const int64_t m = e.src.numel();
    g = graph::Graph::from_edge_index(concat({reshape(e.src, {1, m}), reshape(e.dst, {1, m})}, 0), e.num_nodes);
    name = "rmat-" + std::to_string(scale);
  }
  std::printf("{\"env\":true,\"graph\":\"%s\",\"nodes\":%lld,\"edges\":%lld,\"metis\":%s}\n", name.c_str(),
              static_cast<long long>(g.num_nodes()), static_cast<long long>(g.num_edges()),
              graph::has_metis() ? "true" : "false");
  std::stringstream in(parts_list);
  for (std::string item; std::getline(in, item, ',');) {
    const int64_t parts = std::stoll(item);
    for (graph::PartitionMethod m :
         {graph::PartitionMethod::kMetis, graph::PartitionMethod::kStreaming, graph::PartitionMethod::kRandom}) {
      if (m == graph::PartitionMethod::kMetis && !graph::has_metis()) continue;
      const graph::Partition p = graph::partition_graph(g, parts, graph::PartitionOptions().method(m).seed(seed));
      rusage ru{};
      getrusage(RUSAGE_SELF, &ru);
      const auto [lo, hi] = std::minmax_element(p.sizes.begin(), p.sizes.end());
      std::printf("{\"workload\":\"partition\",\"method\":\"%s\",\"parts\":%lld,\"seconds\":%.4f,\"edge_cut\":%lld,"
                  "\"undirected_edges\":%lld,\"cut_fraction\":%.4f,\"smallest\":%lld,\"largest\":%lld,"
                  "\"input_mib\":%.1f,\"max_rss_mib\":%.1f}\n",
                  p.method.c_str(), static_cast<long long>(parts), p.seconds, static_cast<long long>(p.edge_cut),
                  static_cast<long long>(p.undirected_edges),
                  static_cast<double>(p.edge_cut) / static_cast<double>(std::max<int64_t>(p.undirected_edges, 1)),
                  static_cast<long long>(*lo), static_cast<long long>(*hi), static_cast<double>(p.input_bytes) / (1 << 20),
                  static_cast<double>(ru.ru_maxrss) / 1024.0);
      std::fflush(stdout);
    }
  }
  return 0;
}
