// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: the TU graph-classification reader (parse_tu, the in-memory core of load_tu_dataset) and the
// checks and Csr build of index_graphs behind it. The input holds the six files in order (A, graph_indicator,
// graph_labels, node_labels, node_attributes, edge_labels), separated by lines "---"; missing trailing ones are
// absent files.
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "loom/data/graph_dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  size_t pos = 0;
  while (parts.size() < 5) {
    const size_t sep = input.find("\n---\n", pos);
    if (sep == std::string::npos) break;
    parts.push_back(input.substr(pos, sep + 1 - pos));
    pos = sep + 5;
  }
  parts.push_back(input.substr(pos));
  parts.resize(6);
  loom::data::TuFiles f;
  f.name = "FUZZ";
  f.a = parts[0];
  f.graph_indicator = parts[1];
  f.graph_labels = parts[2];
  f.node_labels = parts[3];
  f.node_attributes = parts[4];
  f.edge_labels = parts[5];
  return loom::fuzz::accept_typed_errors([&] { loom::data::parse_tu(f); });
}
