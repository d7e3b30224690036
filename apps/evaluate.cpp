// `loom eval` and `loom predict`: a saved model on a data folder, prepared exactly as it was for training (the
// file records the feature transform and how the hypergraph was built).
#include "apps/evaluate.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/flags.h"
#include "apps/prepare.h"
#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/data/npy.h"
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
  return l;
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
                                  "(float32 [N, C]) and PREFIX.csv (node,pred,p_0,...)")
      ->required();
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
  Loaded l = load_for(a);
  NoGradGuard no_grad;
  const Tensor logits = l.saved.model->forward(l.structure.view(), l.data.x);
  const Tensor prob = softmax(logits, 1).cpu();
  const Tensor pred = argmax(logits, 1).cpu();
  data::write_npy(a.out + ".pred.npy", pred);
  data::write_npy(a.out + ".prob.npy", prob);
  const std::string csv = a.out + ".csv";
  std::ofstream f(csv);
  const int64_t n = prob.size(0), c = prob.size(1);
  f << "node,pred";
  for (int64_t k = 0; k < c; ++k) f << ",p_" << k;
  f << '\n';
  const std::vector<float> p = prob.to_vector<float>();
  const std::vector<int64_t> y = pred.to_vector<int64_t>();
  f.precision(6);
  for (int64_t i = 0; i < n; ++i) {
    f << i << ',' << y[static_cast<size_t>(i)];
    for (int64_t k = 0; k < c; ++k) f << ',' << p[static_cast<size_t>(i * c + k)];
    f << '\n';
  }
  f.flush();
  LOOM_CHECK(f.good(), Error, "loom predict: writing '", csv, "' failed");
  nlohmann::ordered_json out = {{"model", l.saved.model->options().model()},
                                {"dataset", l.data.name},
                                {"nodes", n},
                                {"classes", c},
                                {"pred", a.out + ".pred.npy"},
                                {"prob", a.out + ".prob.npy"},
                                {"csv", csv}};
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace loom::cli
