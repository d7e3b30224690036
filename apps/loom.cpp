// The `loom` command line. `loom train` fits a node classifier (an MLP for now) on a data-set folder or, by
// default, on a generated contextual stochastic block model, printing one progress line per epoch and a final
// line of JSON.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "loom/core/nn.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/data/dataset.h"
#include "loom/models/node_classification.h"

namespace {

struct TrainArgs {
  std::string data;
  int epochs = 200;
  double lr = 0.01;
  double weight_decay = 5e-4;
  int64_t hidden = 64;
  double dropout = 0.5;
  uint64_t seed = 0;
  std::string device = "cpu";
  std::string save;
  int patience = 0;
  int split = loom::data::kDefaultSplit;
  bool quiet = false;
  loom::data::CsbmOptions csbm = default_csbm();

  static loom::data::CsbmOptions default_csbm() {
    loom::data::CsbmOptions o;
    o.signal = 3.0;  // class means 3 noise standard deviations apart: learnable from features, easier with the graph
    return o;
  }
};

loom::data::NodeDataset load(const TrainArgs& a) {
  if (a.data.empty()) {
    loom::data::CsbmOptions o = a.csbm;
    o.seed = a.seed;
    // Small generated graphs keep half of the non-training nodes for validation, the rest for test.
    const int64_t rest = o.num_nodes - o.train_per_class * o.num_classes;
    o.num_val = std::max<int64_t>(0, std::min(o.num_val, rest / 2));
    return loom::data::make_csbm(o);
  }
  // A path to a folder, or the name of a data set under $LOOM_DATA (default ../shared/data).
  const std::string dir = std::filesystem::is_directory(a.data) ? a.data : loom::data::find_dataset(a.data);
  return loom::data::load_node_dataset(dir, a.split);
}

loom::data::NodeDataset to_device(loom::data::NodeDataset d, loom::Device dev) {
  d.x = d.x.to(dev);
  d.y = d.y.to(dev);
  d.train_idx = d.train_idx.to(dev);
  if (d.val_idx.defined()) d.val_idx = d.val_idx.to(dev);
  d.test_idx = d.test_idx.to(dev);
  return d;
}

int run_train(const TrainArgs& a) {
  using namespace loom;
  const Device device = Device::parse(a.device);
  LOOM_CHECK(!device.is_cuda() || cuda::is_available(), DeviceError,
             "--device cuda: no CUDA device is available", cuda::is_built() ? "" : " (this loom was built without CUDA)");
  manual_seed(a.seed);
  data::NodeDataset d = to_device(load(a), device);
  manual_seed(a.seed);  // the model's initialisation does not depend on how the data were made
  auto model = std::make_shared<nn::MLP>(
      nn::MLPOptions(d.num_features(), {a.hidden}, d.num_classes).dropout(a.dropout));
  model->to(device);

  const bool tty = isatty(fileno(stderr));
  models::TrainOptions opt;
  opt.epochs = a.epochs;
  opt.lr = a.lr;
  opt.weight_decay = a.weight_decay;
  opt.patience = a.patience;
  opt.on_epoch = [&](const models::EpochStats& s) {
    if (a.quiet) return;
    // On a terminal the line rewrites itself; in a log every epoch is its own line.
    std::fprintf(stderr, "%sepoch %4d/%d  loss %.4f  train %.3f  val %.3f  %.1f ms%s", tty ? "\r\033[K" : "",
                 s.epoch, a.epochs, s.loss, s.train_acc, s.val_acc, s.seconds * 1e3, tty ? "" : "\n");
    std::fflush(stderr);
  };
  const Tensor x = d.x;
  models::TrainResult r = models::train_node_classifier(
      *model, [&](bool) { return model->forward(x); }, d, opt);
  if (tty && !a.quiet) std::fprintf(stderr, "\n");

  if (!a.save.empty()) {
    nn::save(*model, a.save, {{"model", "mlp"}, {"dataset", d.name}, {"hidden", std::to_string(a.hidden)}});
  }
  nlohmann::ordered_json out = {{"model", "mlp"},
                                {"dataset", d.name},
                                {"test_acc", r.test_acc},
                                {"val_acc", r.best_val_acc},
                                {"train_acc", r.train_acc},
                                {"best_epoch", r.best_epoch},
                                {"epochs", r.epochs_run},
                                {"seconds", r.seconds},
                                {"device", device.str()},
                                {"seed", a.seed}};
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"loom: graph and hypergraph neural networks"};
  app.require_subcommand(1);
  TrainArgs a;
  CLI::App* train = app.add_subcommand("train", "train a node classifier (MLP) and report test accuracy");
  train->add_option("--data", a.data,
                    "data-set folder, or a name under $LOOM_DATA (default: a generated CSBM graph)");
  train->add_option("--epochs", a.epochs, "training epochs")->check(CLI::PositiveNumber);
  train->add_option("--lr", a.lr, "Adam learning rate")->check(CLI::PositiveNumber);
  train->add_option("--weight-decay", a.weight_decay, "L2 weight decay")->check(CLI::NonNegativeNumber);
  train->add_option("--hidden", a.hidden, "hidden units")->check(CLI::PositiveNumber);
  train->add_option("--dropout", a.dropout, "dropout probability")->check(CLI::Range(0.0, 0.99));
  train->add_option("--seed", a.seed, "random seed (data generation, initialisation, dropout)");
  train->add_option("--device", a.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  train->add_option("--save", a.save, "write the best weights to this .safetensors file");
  train->add_option("--patience", a.patience, "early stopping: epochs without validation gain (0: off)");
  train->add_option("--split", a.split, "which split of the folder (splits/<k>); default its own");
  train->add_flag("--quiet", a.quiet, "no progress lines");
  // The generated default graph (contextual stochastic block model), used when --data is not given.
  train->add_option("--nodes", a.csbm.num_nodes, "generated graph: nodes")->check(CLI::PositiveNumber);
  train->add_option("--classes", a.csbm.num_classes, "generated graph: classes")->check(CLI::PositiveNumber);
  train->add_option("--features", a.csbm.num_features, "generated graph: feature dimension")->check(CLI::PositiveNumber);
  train->add_option("--avg-degree", a.csbm.avg_degree, "generated graph: mean degree")->check(CLI::NonNegativeNumber);
  train->add_option("--homophily", a.csbm.homophily, "generated graph: fraction of same-class edges")
      ->check(CLI::Range(0.0, 1.0));
  train->add_option("--signal", a.csbm.signal, "generated graph: distance between class means (noise units)")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    if (*train) return run_train(a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loom: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
