// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom predict --pairs FILE`: a saved link model (loom train --task link --save) scores candidate pairs on its
// data folder, with the message-passing graph stored in the file, so the scores are the training run's own.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/evaluate.h"
#include "apps/prepare.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/data/npy.h"
#include "loom/data/pairs.h"
#include "loom/models/link_model.h"

namespace loom::cli {

int run_predict_pairs(const EvalArgs& a) {
  const data::PairList list = data::read_pairs(a.pairs);
  models::SavedLinkModel saved = models::load_link_model(a.load);
  data::NodeDataset d = load_folder(a.data, a.split);
  const int64_t n = saved.info.num_nodes;
  LOOM_CHECK(d.num_nodes() == n, ShapeError, "--data ", a.data, " has ", d.num_nodes(), " nodes but the model '",
             a.load, "' was trained on a graph of ", n, " nodes (", saved.info.dataset, ")");
  const int64_t in_features = saved.model->options().encoder().in_features();
  LOOM_CHECK(d.num_features() == in_features, ShapeError, "--data ", a.data, ": the features are [", d.num_nodes(),
             ", ", d.num_features(), "] but the model '", a.load, "' reads ", in_features, " features");
  const std::vector<int64_t> ids = list.pairs.to_vector<int64_t>();
  const size_t k = ids.size() / 2;
  for (size_t i = 0; i < 2 * k; ++i) {
    const size_t pair = i % k;
    LOOM_CHECK(ids[i] >= 0 && ids[i] < n, IndexError, "--pairs ", a.pairs, ":",
               list.lines.empty() ? "pair " + std::to_string(pair) : std::to_string(list.lines[pair]), ": node id ",
               ids[i], " (", i < k ? "src" : "dst", ") is outside [0, ", n, ") (the graph has ", n, " nodes)");
  }
  prepare_features(d, saved.info.features, /*explicit_choice=*/true);
  const Device device = parse_device(a.device);
  const graph::Graph g = graph::Graph::from_edge_index(saved.info.edge_index, n).to(device);
  saved.model->to(device);
  saved.model->eval();
  const Tensor scores = saved.model->predict(g, d.x.to(device), list.pairs.to(device)).cpu().to(kFloat32);
  const std::vector<float> s = scores.to_vector<float>();
  auto write_csv = [&](std::ostream& o) {
    char buf[32];
    o << "src,dst,score\n";
    for (size_t i = 0; i < k; ++i) {
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(s[i]));  // round-trips float32 exactly
      o << ids[i] << ',' << ids[k + i] << ',' << buf << '\n';
    }
  };
  if (a.out.empty()) {
    write_csv(std::cout);
    LOOM_CHECK(std::cout.good(), Error, "writing the scores to standard output failed");
    return 0;
  }
  const std::string csv = a.out + ".csv", npy = a.out + ".score.npy";
  data::write_npy(npy, scores);
  std::ofstream f(csv);
  write_csv(f);
  f.flush();
  LOOM_CHECK(f.good(), Error, "loom predict: writing '", csv, "' failed");
  const nlohmann::ordered_json out = {{"model", saved.model->options().encoder().model()},
                                      {"variational", saved.model->options().variational()},
                                      {"decoder", to_string(saved.model->options().decoder())},
                                      {"dataset", d.name},
                                      {"pairs", static_cast<int64_t>(k)},
                                      {"score", npy},
                                      {"csv", csv}};
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace loom::cli
