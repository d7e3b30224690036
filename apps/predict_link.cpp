// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom predict --pairs FILE`: a saved link model (loom train --task link --save) scores candidate pairs on its
// data folder, with the message-passing graph stored in the file, so the scores are the training run's own.
#include <cctype>
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
#include "loom/models/link_model.h"

namespace loom::cli {

namespace {

// One integer field of a pair line; false when it is not one.
bool parse_id(const std::string& text, int64_t& id) {
  if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-')) return false;
  size_t used = 0;
  try {
    id = std::stoll(text, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == text.size();
}

std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

}  // namespace

PairList read_pairs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  LOOM_CHECK(in.good(), Error, "--pairs: cannot open '", path, "'");
  std::string head(6, '\0');
  in.read(head.data(), 6);
  PairList out;
  if (in.gcount() == 6 && head == "\x93NUMPY") {
    const Tensor t = data::read_npy(path);
    LOOM_CHECK(t.dtype() == kInt32 || t.dtype() == kInt64, FormatError, "--pairs ", path,
               ": a .npy of pairs must hold int32 or int64, got ", dtype_name(t.dtype()));
    LOOM_CHECK(t.dim() == 2 && (t.size(0) == 2 || t.size(1) == 2), FormatError, "--pairs ", path,
               ": a .npy of pairs must be [2, k] or [k, 2], got ", t.shape_str());
    // [2, k] is the edge_index layout and wins when both fit ([2, 2]).
    out.pairs = t.size(0) == 2 ? t.to(kInt64) : transpose(t.to(kInt64), 0, 1);
    return out;
  }
  in.clear();
  in.seekg(0);
  std::vector<int64_t> src, dst;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    const std::string text = trimmed(line);
    if (text.empty() || text[0] == '#') continue;
    const size_t sep = text.find_first_of(", \t");
    int64_t u = 0, v = 0;
    const bool ok = sep != std::string::npos && parse_id(trimmed(text.substr(0, sep)), u) &&
                    parse_id(trimmed(text.substr(sep + 1)), v);
    // A header row ("src,dst") is allowed as the first row only.
    if (!ok && src.empty() && out.lines.empty() && text.find_first_of("0123456789") == std::string::npos) continue;
    LOOM_CHECK(ok, FormatError, "--pairs ", path, ":", number, ": expected 'src,dst' (two node ids), got '", text,
               "'");
    src.push_back(u);
    dst.push_back(v);
    out.lines.push_back(number);
  }
  src.insert(src.end(), dst.begin(), dst.end());
  out.pairs = from_vector<int64_t>(src, {2, static_cast<int64_t>(dst.size())});
  return out;
}

int run_predict_pairs(const EvalArgs& a) {
  const PairList list = read_pairs(a.pairs);
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
