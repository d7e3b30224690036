// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// docs/import.md's C++ example: an edge list already in memory becomes a Graph (for your own training loop) and a
// data-set folder (for `loom train`), without any CSV file. Built and run by the tests (tests/data/CMakeLists.txt).
//   import_example [DIR]   writes the folder to DIR (default: a folder under the system's temp directory)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "loom/data/dataset.h"
#include "loom/data/npy.h"
#include "loom/graph/graph.h"

int main(int argc, char** argv) {
  using namespace loom;
  // Four people and who follows whom; the ids are already dense (0..3).
  const std::vector<std::pair<int64_t, int64_t>> follows{{0, 1}, {1, 2}, {2, 0}, {3, 2}};
  const int64_t num_nodes = 4;

  // edge_index is int64 [2, E]: row 0 the sources, then row 1 the targets.
  std::vector<int64_t> ids;
  for (const auto& e : follows) ids.push_back(e.first);
  for (const auto& e : follows) ids.push_back(e.second);
  const int64_t num_edges = static_cast<int64_t>(follows.size());
  const Tensor edge_index = from_vector<int64_t>(ids, {2, num_edges});

  // A Graph for message passing; an id outside [0, num_nodes) would be an IndexError naming the edge.
  const graph::Graph g = graph::Graph::from_edge_index(edge_index, num_nodes);
  std::printf("%s\n", g.str().c_str());
  const std::vector<int64_t> in_degree = g.in_degrees().to_vector<int64_t>();
  for (int64_t v = 0; v < num_nodes; ++v)
    std::printf("node %lld: %lld followers\n", static_cast<long long>(v), static_cast<long long>(in_degree[v]));

  // The same data as a folder `loom train --data DIR --split random:0.5,0.25` reads: features, labels, edges
  // (write_npy writes each file through a temporary file renamed over it, so a reader never sees half a file).
  const std::filesystem::path dir =
      argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::temp_directory_path() / "loom_import_example";
  std::filesystem::create_directories(dir);
  data::write_npy((dir / "x.npy").string(), from_vector<float>({1, 0, 0, 1, 1, 1, 0, 0}, {num_nodes, 2}));
  data::write_npy((dir / "y.npy").string(), from_vector<int64_t>({0, 1, 1, 0}, {num_nodes}));
  data::write_npy((dir / "edge_index.npy").string(), edge_index);
  std::ofstream(dir / "meta.json") << R"({"name": "follows", "counts": {"nodes": 4, "features": 2, "classes": 2}})";

  // No split files: kNoSplit, as loom train does with --split random:TRAIN,VAL.
  const data::NodeDataset ds = data::load_node_dataset(dir.string(), data::kNoSplit);
  std::printf("%s: %lld nodes, %lld edges, %lld features, %lld classes\n", ds.name.c_str(),
              static_cast<long long>(ds.num_nodes()), static_cast<long long>(ds.num_edges()),
              static_cast<long long>(ds.num_features()), static_cast<long long>(ds.num_classes));
  return 0;
}
