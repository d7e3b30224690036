// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom eval` and `loom predict`: a saved model on a data folder, prepared exactly as it was for training (the
// file records the feature transform and how the hypergraph was built).
#include "apps/evaluate.h"

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/flags.h"
#include "apps/prepare.h"
#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/data/npy.h"
#include "loom/models/predict.h"
#include "loom/models/saved_model.h"
#include "loom/models/task.h"

namespace loom::cli {

namespace {

void add_common(CLI::App* cmd, EvalArgs& a) {
  cmd->add_option("--load", a.load, "a model saved by loom train --save")->required();
  cmd->add_option("--data", a.data, "data-set folder, or a name under $LOOM_DATA")->required();
  cmd->add_option("--device", a.device, "cpu, cuda or cuda:N (GPU N)")->check(device_name());
}

// The saved model, and the folder prepared as it was for training, on the device.
struct Loaded {
  models::SavedModel saved;
  data::NodeDataset data;
  PreparedStructure structure;
};

Loaded load_for(const EvalArgs& a) {
  const Device device = parse_device(a.device);
  Loaded l{models::load(a.load), load_folder(a.data, a.split), {}};
  const models::GnnOptions& o = l.saved.model->options();
  LOOM_CHECK(l.data.num_features() == o.in_features(), ShapeError, "--data ", a.data, ": the features are [",
             l.data.num_nodes(), ", ", l.data.num_features(), "] but the model '", a.load, "' reads ",
             o.in_features(), " features");
  apply_split(l.data, a.split, l.saved.info.seed);
  prepare_features(l.data, l.saved.info.features, /*explicit_choice=*/true);
  l.structure = build_structure(l.data, models::find_model(o.model()), l.saved.info.singletons, device);
  to_device(l.data, device);
  l.saved.model->to(device);
  l.saved.model->eval();  // predict refuses a model in training mode; a loaded model only ever infers here
  return l;
}

// The node ids of --nodes FILE as int64 [n] on the CPU. A file that starts with NumPy's magic bytes ("\x93NUMPY") is
// read as .npy (a 1-D int32/int64 array), whatever its name; any other file is text: one id per line, blank lines
// and lines starting with '#' skipped, surrounding spaces allowed. Bad content is a FormatError naming the file
// and line; ids outside the graph are an IndexError from predict_nodes naming the id.
Tensor read_node_ids(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  LOOM_CHECK(in.good(), Error, "--nodes: cannot open '", path, "'");
  std::string head(6, '\0');
  in.read(head.data(), 6);
  if (in.gcount() == 6 && head == "\x93NUMPY") {
    const Tensor ids = data::read_npy(path);
    LOOM_CHECK(ids.dtype() == kInt32 || ids.dtype() == kInt64, FormatError, "--nodes ", path,
               ": a .npy of node ids must hold int32 or int64, got ", dtype_name(ids.dtype()));
    LOOM_CHECK(ids.dim() == 1, FormatError, "--nodes ", path, ": a .npy of node ids must be 1-D, got ",
               ids.shape_str());
    return ids.to(kInt64);
  }
  in.clear();
  in.seekg(0);
  std::vector<int64_t> ids;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    const size_t a = line.find_first_not_of(" \t\r"), b = line.find_last_not_of(" \t\r");
    if (a == std::string::npos || line[a] == '#') continue;
    const std::string text = line.substr(a, b - a + 1);
    size_t used = 0;
    int64_t id = -1;
    try {
      id = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    LOOM_CHECK(used == text.size() && !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) ||
                                                        text[0] == '-'),
               FormatError, "--nodes ", path, ":", number, ": expected one node id (an integer) per line, got '",
               text, "'");
    ids.push_back(id);
  }
  return from_vector<int64_t>(ids, {static_cast<int64_t>(ids.size())});
}

}  // namespace

CLI::App* add_eval_command(CLI::App& app, EvalArgs& a) {
  CLI::App* cmd = app.add_subcommand("eval", "a saved model's metrics on a data folder (JSON)");
  add_common(cmd, a);
  cmd->add_option("--split", a.split, "the folder's own split (default), split k (splits/k), or random:TRAIN,VAL "
                                      "(drawn with the seed the model was trained with)");
  return cmd;
}

CLI::App* add_predict_command(CLI::App& app, EvalArgs& a) {
  CLI::App* cmd = app.add_subcommand("predict", "per-node predictions and probabilities of a saved model");
  add_common(cmd, a);
  cmd->add_option("--out", a.out, "prefix of the files written: PREFIX.pred.npy (int64 [N]), PREFIX.prob.npy "
                                  "(float32 [N, C]) and PREFIX.csv (node,pred,p_0,...); with --pairs PREFIX.csv "
                                  "(src,dst,score) and PREFIX.score.npy (required without --pairs)");
  cmd->add_option("--nodes", a.nodes, "predict only these nodes, computing only what they read: a file of node ids "
                                      "(one per line, or a 1-D int .npy); the outputs list them in the file's order "
                                      "and the CSV's node column holds their ids");
  cmd->add_option("--pairs", a.pairs, "a link model (loom train --task link --save): score these node pairs, a "
                                      "text file of 'src,dst' lines or an int .npy [2, k] / [k, 2]; prints CSV "
                                      "src,dst,score (the probability of a link) unless --out is given")
      ->excludes("--nodes");
  return cmd;
}

int run_eval(const EvalArgs& a) {
  Loaded l = load_for(a);
  models::NodeClassificationTask task(l.data, [&] { return l.saved.model->forward(l.structure.view(), l.data.x); });
  NoGradGuard no_grad;
  const models::Metrics m = task.test(*l.saved.model);
  nlohmann::ordered_json out = {{"model", l.saved.model->options().model()},
                                {"load", a.load},
                                {"dataset", l.data.name},
                                {"nodes", l.data.num_nodes()},
                                {"train_nodes", l.data.train_idx.numel()},
                                {"val_nodes", l.data.val_idx.defined() ? l.data.val_idx.numel() : 0},
                                {"test_nodes", l.data.test_idx.defined() ? l.data.test_idx.numel() : 0}};
  for (const auto& [name, value] : m) out[name] = value;
  std::cout << out.dump() << std::endl;
  LOOM_CHECK(std::cout.good(), Error, "writing the result to standard output failed");
  return 0;
}

int run_predict(const EvalArgs& a) {
  if (!a.pairs.empty()) return run_predict_pairs(a);
  LOOM_CHECK(!a.out.empty(), ValueError, "loom predict: --out PREFIX is required (without --pairs)");
  const Tensor node_ids = a.nodes.empty() ? Tensor() : read_node_ids(a.nodes);
  Loaded l = load_for(a);
  const models::Prediction p =
      node_ids.defined() ? models::predict_nodes(*l.saved.model, l.structure.view(), l.data.x, node_ids)
                         : l.saved.model->predict(l.structure.view(), l.data.x);
  const Tensor prob = p.probabilities.cpu();
  const Tensor pred = p.classes.cpu();
  // Row i of the outputs is node `key[i]`: the i-th id of --nodes, else node i.
  const std::vector<int64_t> key = node_ids.defined() ? node_ids.to_vector<int64_t>() : std::vector<int64_t>();
  data::write_npy(a.out + ".pred.npy", pred);
  data::write_npy(a.out + ".prob.npy", prob);
  const std::string csv = a.out + ".csv";
  std::ofstream f(csv);
  const int64_t n = prob.size(0), c = prob.size(1);
  f << "node,pred";
  for (int64_t k = 0; k < c; ++k) f << ",p_" << k;
  f << '\n';
  const std::vector<float> probs = prob.to_vector<float>();
  const std::vector<int64_t> y = pred.to_vector<int64_t>();
  f.precision(6);
  for (int64_t i = 0; i < n; ++i) {
    f << (key.empty() ? i : key[static_cast<size_t>(i)]) << ',' << y[static_cast<size_t>(i)];
    for (int64_t k = 0; k < c; ++k) f << ',' << probs[static_cast<size_t>(i * c + k)];
    f << '\n';
  }
  f.flush();
  LOOM_CHECK(f.good(), Error, "loom predict: writing '", csv, "' failed");
  nlohmann::ordered_json out = {{"model", l.saved.model->options().model()},
                                {"dataset", l.data.name},
                                {"nodes", n},
                                {"classes", c},
                                {"node_list", a.nodes.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.nodes)},
                                {"pred", a.out + ".pred.npy"},
                                {"prob", a.out + ".prob.npy"},
                                {"csv", csv}};
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace loom::cli
