// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train --task graph`: graph classification by k-fold cross-validation, reported under two protocols side by
// side because they answer different questions:
//   gin_protocol  (Xu et al. 2019): train on each fold's training graphs, score the test fold every epoch, average
//                 the per-epoch curves over folds and report the best epoch of that average. Selection sees the
//                 test folds, so it is optimistic; it is what GIN's published numbers use.
//   fair_protocol (Errica et al. 2020): a stratified 10% holdout of each training fold picks the epoch (the
//                 trainer keeps that epoch's weights); the test fold is scored once. Mean ± std over folds.
// Folds: the folder's splits/<k>/ when they are k cross-validation folds, else seeded stratified folds. The last
// stdout line is JSON.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/prepare.h"
#include "apps/stats.h"
#include "apps/train.h"
#include "loom/core/error.h"
#include "loom/core/random.h"
#include "loom/data/graph_dataset.h"
#include "loom/models/graph_classifier.h"
#include "loom/models/histograph_frozen.h"
#include "loom/models/trainer.h"

namespace loom::cli {
namespace {

using json = nlohmann::ordered_json;

struct FoldPlan {
  std::vector<data::Fold> folds;
  std::string source;  // how the folds were made, for the report
};

FoldPlan plan_folds(const TrainArgs& a, const std::string& dir, const data::GraphDataset& d, uint64_t seed) {
  LOOM_CHECK(a.split.empty() || a.split == "stratified", ValueError, "--split ", a.split,
             ": --task graph takes the folder's folds (default) or --split stratified");
  if (a.split.empty() && std::filesystem::is_directory(std::filesystem::path(dir) / "splits")) {
    std::vector<data::Fold> own = data::load_folds(dir, d.num_graphs());
    std::string why;
    int64_t tested = 0;
    if (static_cast<int>(own.size()) == a.folds && data::are_cv_folds(own, d.num_graphs(), &why, &tested)) {
      return {std::move(own), loom::detail::str_cat("the folder's splits/0..", a.folds - 1, " (test folds cover ",
                                                     tested, " of ", d.num_graphs(), " graphs)")};
    }
    if (!a.quiet)
      std::fprintf(stderr, "the folder's %zu splits are not %d cross-validation folds (%s): using stratified folds\n",
                   own.size(), a.folds, why.empty() ? "a different count" : why.c_str());
  }
  return {data::stratified_folds(d.y, a.folds, seed),
          loom::detail::str_cat(a.folds, " stratified folds, seed ", seed)};
}

}  // namespace

int run_train_graph(const TrainArgs& a) {
  LOOM_CHECK(a.folds >= 2, ValueError, "--folds must be >= 2 (k-fold cross-validation needs a test fold and a "
             "training part), got ", a.folds);
  LOOM_CHECK(!a.data.empty(), ValueError, "--task graph needs --data: a graph-classification folder (graph_ptr.npy, "
             "...) or a TU folder (DS_A.txt, ...), e.g. --data mutag");
  LOOM_CHECK(a.save.empty() && a.checkpoint.empty() && !a.resume, ValueError,
             "--save, --checkpoint and --resume are not available with --task graph yet");
  LOOM_CHECK(a.seeds >= 1, ValueError, "--seeds must be >= 1, got ", a.seeds);
  LOOM_CHECK(!a.freeze_backbone || a.readout == "histograph", ValueError, "--freeze-backbone trains a HISTOGRAPH head "
             "on a frozen backbone: it needs --readout histograph, got --readout ", a.readout);
  const std::string dir = std::filesystem::is_directory(a.data) ? a.data : data::find_dataset(a.data);
  const data::GraphDataset d = data::load_graph_dataset(dir);
  LOOM_CHECK(a.folds <= d.num_graphs(), ValueError, "--folds ", a.folds, " exceeds the ", d.num_graphs(),
             " graphs of ", d.name);

  const Device device = parse_device(a.device);
  const models::GraphTaskDefaults def;
  models::GraphClassifierOptions mo(a.model, d.num_features(), a.hidden.value_or(def.hidden), d.num_classes);
  mo.num_layers(a.layers.value_or(def.num_layers))
      .dropout(a.dropout.value_or(def.dropout))
      .train_eps(a.train_eps)
      .readout(parse_choice<layers::Readout>(a.readout))
      .jk(!a.no_jk);
  if (!a.aggr.empty()) mo.aggr(parse_choice<Aggregation>(a.aggr));
  models::TrainerOptions topt =
      trainer_options(a, {.epochs = def.epochs, .lr = def.lr, .weight_decay = def.weight_decay});
  // GIN's schedule (halve every 50 epochs) unless another is asked for; monitor and patience are set per fit below.
  if (a.schedule == "none") topt.schedule = models::Schedule::kStep;
  const int64_t batch = a.batch.value_or(def.batch_size);

  // One fit per (seed, fold, protocol); the GIN curves are kept per run and averaged over all of them.
  std::vector<std::vector<double>> curves;
  std::vector<double> fair;
  std::vector<int> fair_epochs;
  json runs = json::array();
  double seconds = 0;
  int64_t epochs_run = 0;
  std::string fold_source;
  for (int s = 0; s < a.seeds; ++s) {
    const uint64_t seed = a.seed + static_cast<uint64_t>(s);
    const FoldPlan plan = plan_folds(a, dir, d, seed);
    fold_source = plan.source;
    for (int k = 0; k < a.folds; ++k) {
      const data::Fold& fold = plan.folds[static_cast<size_t>(k)];
      auto fit = [&](const data::Fold& f, const std::string& label, const std::string& monitor) {
        manual_seed(seed * 1000 + static_cast<uint64_t>(k));
        const models::GraphTaskOptions to{.batch_size = batch,
                                          .seed = seed * 1000 + static_cast<uint64_t>(k),
                                          .train_metrics = false,
                                          .device = device};
        models::TrainerOptions o = topt;
        o.monitor = monitor;
        o.patience = monitor.empty() ? 0 : a.patience.value_or(0);
        const std::vector<std::pair<std::string, std::string>> prefix{
            {"seed", std::to_string(seed)}, {"fold", std::to_string(k)}, {"protocol", label}};
        if (!a.log.empty()) o.callbacks.push_back(std::make_shared<models::CsvLog>(a.log, prefix));
        if (!a.json_log.empty()) o.callbacks.push_back(std::make_shared<models::JsonLog>(a.json_log, prefix));
        if (!a.quiet)
          o.callbacks.push_back(std::make_shared<models::ProgressLine>(
              loom::detail::str_cat("seed ", seed, " fold ", k + 1, "/", a.folds, " ", label, "  "), o.epochs));
        if (!a.freeze_backbone) {
          models::GraphClassifier model(mo);
          model.to(device);
          models::GraphClassificationTask task(d, f, [&](const data::GraphBatch& b) { return model.forward(b); }, to);
          models::TrainResult r = models::fit(model, task, o);
          seconds += r.seconds;
          epochs_run += r.epochs_run;
          return r;
        }
        // Frozen backbone: trained on the fold's training graphs alone with a last-layer readout and the same
        // schedule, then cached once; only the head sees the fold's validation graphs.
        models::GraphClassifier backbone(models::frozen_backbone_options(mo));
        backbone.to(device);
        models::GraphClassificationTask pre(d, data::Fold{f.train_idx, Tensor(), Tensor()},
                                            [&](const data::GraphBatch& b) { return backbone.forward(b); }, to);
        models::TrainerOptions po = topt;
        po.monitor.clear();
        po.patience = 0;
        const models::TrainResult pr = models::fit(backbone, pre, po);
        seconds += pr.seconds;
        epochs_run += pr.epochs_run;
        layers::HistographReadout head(models::histograph_options(mo));
        head.to(device);
        models::TrainResult r = models::fit_frozen_histograph(backbone, head, d, f, o, to);
        seconds += r.seconds;
        epochs_run += r.epochs_run;
        return r;
      };
      // GIN's protocol: the test fold plays the validation part, scored every epoch; no selection inside a fold.
      const models::TrainResult g = fit(data::Fold{fold.train_idx, fold.test_idx, Tensor()}, "gin", "");
      std::vector<double> curve;
      for (const models::EpochRecord& e : g.history) curve.push_back(e.metrics.at("val_acc"));
      curves.push_back(curve);
      // The fair protocol: the epoch is chosen on an inner holdout; the test fold is scored once at the end.
      const data::Fold inner = data::stratified_holdout(d.y, fold, 0.1, seed * 1000 + static_cast<uint64_t>(k));
      const models::TrainResult f = fit(inner, "fair", "val_acc");
      fair.push_back(f.metric("test_acc"));
      fair_epochs.push_back(f.best_epoch);
      runs.push_back({{"seed", seed},
                      {"fold", k},
                      {"test_graphs", fold.test_idx.numel()},
                      {"gin_last_epoch_acc", curve.back()},
                      {"gin_best_epoch_acc", *std::max_element(curve.begin(), curve.end())},
                      {"fair_test_acc", fair.back()},
                      {"fair_val_acc", f.metric("val_acc")},
                      {"fair_epoch", f.best_epoch},
                      {"holdout_graphs", inner.val_idx.numel()}});
      if (!a.quiet)
        std::fprintf(stderr, "seed %llu fold %d/%d: GIN protocol curve at its last epoch %.1f %%, fair protocol "
                     "test %.1f %% (epoch %d chosen on %lld holdout graphs)\n", static_cast<unsigned long long>(seed),
                     k + 1, a.folds, 100 * curve.back(), 100 * fair.back(), f.best_epoch,
                     static_cast<long long>(inner.val_idx.numel()));
    }
  }
  const models::GinProtocolScore gin = models::gin_protocol_score(curves);
  json out = {{"task", "graph"},
              {"model", a.model},
              {"dataset", d.name},
              {"graphs", d.num_graphs()},
              {"classes", d.num_classes},
              {"folds", a.folds},
              {"fold_source", fold_source},
              {"gin_protocol",
               {{"what", "Xu et al. 2019: per-epoch test-fold accuracy averaged over folds, best epoch of the "
                         "average (selection sees the test folds)"},
                {"acc_mean", gin.mean},
                {"acc_std", gin.std},
                {"epoch", gin.epoch},
                {"fold_accs", gin.fold_accs}}},
              {"fair_protocol",
               {{"what", "Errica et al. 2020: epoch chosen on a stratified 10% holdout of each training fold, test "
                         "fold scored once"},
                {"acc_mean", mean_of(fair)},
                {"acc_std", std_of(fair)},
                {"fold_accs", fair},
                {"epochs", fair_epochs}}},
              {"hidden", mo.hidden()},
              {"layers", mo.num_layers()},
              {"readout", to_string(mo.readout())},
              {"jk", mo.jk()},
              {"freeze_backbone", a.freeze_backbone},
              {"train_eps", mo.train_eps()},
              {"batch", batch},
              {"epochs", topt.epochs},
              {"lr", topt.lr},
              {"seeds", a.seeds},
              {"seconds_per_epoch", epochs_run > 0 ? seconds / static_cast<double>(epochs_run) : 0.0},
              {"device", device.str()},
              {"runs", runs}};
  if (!a.quiet) {
    std::fprintf(stderr, "%s on %s, %d folds x %d seed(s):\n", a.model.c_str(), d.name.c_str(), a.folds, a.seeds);
    std::fprintf(stderr, "  GIN protocol  (best epoch of the fold-averaged test curve): %.1f ± %.1f %% at epoch %d\n",
                 100 * gin.mean, 100 * gin.std, gin.epoch);
    std::fprintf(stderr, "  fair protocol (epoch chosen on an inner 10%% holdout):       %.1f ± %.1f %%\n",
                 100 * mean_of(fair), 100 * std_of(fair));
  }
  std::cout << out.dump() << std::endl;
  LOOM_CHECK(std::cout.good(), Error, "writing the result to standard output failed");
  return 0;
}

}  // namespace loom::cli
