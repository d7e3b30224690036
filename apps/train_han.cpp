// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train --model han | magnn | metahgnie`: a heterogeneous folder's labelled (target) type, then per seed the model trained
// by models::fit on the ordinary node-classification task; Macro-F1 and Micro-F1 (which is accuracy for
// single-label classes) are reported per seed and as mean ± std (the last stdout line is JSON). What the models
// read is built once: HAN one graph per meta-path, MAGNN the meta-path instances (sampled once per run, past
// --instances-per-target, from --seed).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/prepare.h"
#include "apps/stats.h"
#include "apps/train.h"
#include "loom/models/catalogue.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/data/hetero_dataset.h"
#include "loom/graph/transforms.h"
#include "loom/hetero/load.h"
#include "loom/models/han.h"
#include "loom/models/magnn.h"
#include "loom/models/metahgnie.h"

namespace loom::cli {

std::vector<std::string> split_metapaths(const std::string& s) {
  const char sep = s.find(';') != std::string::npos ? ';' : ',';
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);) {
    LOOM_CHECK(!item.empty(), ValueError, "--metapaths '", s, "': an empty meta-path (two separators in a row?)");
    out.push_back(item);
  }
  return out;
}

namespace {

// HAN's paper settings (han.md): Adam, lr 0.005, weight decay 0.001; DGL's example trains 200 epochs with early
// stopping (patience 100) on the validation loss. MAGNN's paper defaults (magnn.md) are the same optimizer settings.
constexpr models::TrainingDefaults kHanTraining{.epochs = 200, .lr = 0.005, .weight_decay = 0.001,
                                                .features = models::FeatureTransform::kNone};
constexpr int kHanPatience = 100;
// MetaHGNIE's code (metahgnie.md, "Hyper-parameters"): Adam, lr 0.005, weight decay 5e-4; its 10000-epoch budget
// with patience 1000 is for the node-importance regressions, here HAN's 200 epochs / patience 100 on the same task.
constexpr models::TrainingDefaults kMetaHGNIETraining{.epochs = 200, .lr = 0.005, .weight_decay = 5e-4,
                                                      .features = models::FeatureTransform::kNone};

// What one seed trains: the model (a Module) and its forward over the inputs built once.
struct SeedModel {
  std::shared_ptr<nn::Module> module;
  std::function<Tensor()> forward;
  std::function<Tensor()> semantic_weights;
  std::shared_ptr<models::MetaHGNIE> metahgnie;  // set for --model metahgnie (its task adds the auxiliary loss)
};

nlohmann::ordered_json stat(const std::vector<double>& v, double (*f)(const std::vector<double>&)) {
  return v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f(v));
}

}  // namespace

int run_train_metapath(const TrainArgs& a) {
  const models::MetaPathSpec* spec = models::find_metapath_model(a.model);
  LOOM_CHECK(spec != nullptr, ValueError, "--model ", a.model, " is not a meta-path model");
  if (spec->kind == models::MetaPathKind::kMeow) return run_train_meow(a);
  if (spec->kind == models::MetaPathKind::kPogat) return run_train_pogat(a);
  const std::string& name = a.model;
  const bool magnn = spec->kind == models::MetaPathKind::kMagnn;
  const bool mhg = spec->kind == models::MetaPathKind::kMetaHgnie;
  LOOM_CHECK(mhg || !a.lambda_con, ValueError, "--lambda-con is MetaHGNIE's; --model ", name, " has no contrastive term");
  LOOM_CHECK(a.task == "node", ValueError, "--model ", name, " classifies nodes: use it with --task node, not --task ",
             a.task);
  LOOM_CHECK(!a.data.empty(), ValueError, "--model ", name,
             " needs --data with a heterogeneous folder (node types and relations, e.g. dblp)");
  LOOM_CHECK(a.save.empty(), NotImplementedError, "--save is not available for --model ", name, " yet");
  LOOM_CHECK(!a.layers && a.jk == "none" && a.norm == "none" && !a.residual && a.aggr.empty() && a.activation.empty(),
             ValueError, "--model ", name, " has one meta-path level and one semantic layer: --layers, --jk, --norm, ",
             "--residual, --aggr and --activation do not apply");
  LOOM_CHECK(magnn || a.instances_per_target == 100, ValueError,
             "--instances-per-target is MAGNN's; --model ", name, " reads meta-path graphs (--metapath-topk prunes them)");
  LOOM_CHECK(magnn || a.instance_encoder == "rotation", ValueError,
             "--instance-encoder is MAGNN's; --model ", name, " has no meta-path instances");
  LOOM_CHECK(!magnn || a.metapath_topk == 0, ValueError,
             "--metapath-topk is HAN's; --model magnn caps its instances with --instances-per-target");
  LOOM_CHECK(!magnn || !a.normalize_features, ValueError, "--normalize-features: --model magnn encodes every ",
             "node type's features as the folder gives them");
  LOOM_CHECK(a.split.rfind("random", 0) != 0, ValueError, "--model ", name, " uses the folder's split or ",
             "splits/<name> (e.g. --split heco-20), not a random one");
  LOOM_CHECK(a.seeds >= 1, ValueError, "--seeds must be >= 1, got ", a.seeds);
  LOOM_CHECK(!a.resume || !a.checkpoint.empty(), ValueError, "--resume needs --checkpoint DIR");
  const std::string dir = std::filesystem::is_directory(a.data) ? a.data : data::find_dataset(a.data);
  LOOM_CHECK(data::is_hetero_folder(dir), ValueError, "--model ", name, " needs a heterogeneous folder (nodes/<type>/, ",
             "edges/<src>__<rel>__<dst>.npy); ", dir, " has one node type");
  const Device device = parse_device(a.device);

  data::HeteroDataset ds = data::load_hetero_dataset(dir, a.split);
  const std::string& target = ds.target_type;
  LOOM_CHECK(!target.empty(), ValueError, dir, ": meta.json names no target_node_type, so --model ", name,
             " has no type to classify");
  LOOM_CHECK(ds.y.defined(), ValueError, dir, ": the target type '", target, "' has no labels (y.npy): --model ",
             name, " trains on the labelled type");
  LOOM_CHECK(ds.train_idx.numel() > 0, ValueError, dir, ": the split of '", target, "' has no training nodes");
  LOOM_CHECK(!a.metapaths.empty(), ValueError, "--model ", name, " needs --metapaths over the target type '", target,
             "' (DBLP: --metapaths APA,APCPA,APTPA)");
  const data::HeteroNodeType* tt = ds.find_type(target);
  LOOM_CHECK(tt && tt->num_features() > 0, ValueError, dir, ": the target type '", target,
             "' has no features (nodes/", target, "/features.*)");

  const hetero::HeteroGraph g = hetero::from_dataset(ds);
  std::vector<hetero::MetaPath> paths;
  for (const std::string& spec : split_metapaths(a.metapaths)) paths.push_back(hetero::parse_metapath(g, spec));
  // HAN: one graph per meta-path (its stats reported); MAGNN: the instances, and the typed graph on the device.
  std::vector<hetero::MetaPathStats> stats;
  std::vector<graph::Graph> graphs;
  models::MAGNNInputs instances;
  hetero::HeteroGraph gd;
  if (magnn) {
    instances = models::magnn_inputs(
                    g, paths, hetero::InstanceOptions().max_per_target(a.instances_per_target).seed(a.seed))
                    .to(device);
    gd = g.to(device);
  } else {
    graphs = models::metapath_graphs(g, paths, target, hetero::MetaPathOptions().topk(a.metapath_topk), &stats);
    for (graph::Graph& mg : graphs) mg = mg.to(device);
  }

  // The target type as a node data set: the ordinary node-classification task then serves HAN unchanged.
  data::NodeDataset d;
  d.name = ds.name;
  d.x = tt->x.defined() ? tt->x : to_dense(tt->x_sparse);
  d.y = ds.y;
  d.train_idx = ds.train_idx;
  d.val_idx = ds.val_idx;
  d.test_idx = ds.test_idx;
  d.num_classes = ds.num_classes;
  // HAN's DBLP features are binary keyword indicators, used as they are by the paper's code and PyG's example.
  const bool explicit_features = a.normalize_features || a.no_normalize_features;
  LOOM_CHECK(!(a.normalize_features && a.no_normalize_features), ValueError,
             "--normalize-features and --no-normalize-features contradict each other");
  const models::FeatureTransform features = prepare_features(
      d, a.normalize_features ? models::FeatureTransform::kRowNormalize : kHanTraining.features, explicit_features);
  to_device(d, device);
  const Tensor x = d.x.to(device);

  models::TrainerOptions topt = trainer_options(a, mhg ? kMetaHGNIETraining : kHanTraining);
  topt.patience = a.patience.value_or(kHanPatience);
  if (topt.monitor.empty()) topt.monitor = "val_loss";
  models::HANOptions hopt(d.num_features(), d.num_classes, static_cast<int64_t>(paths.size()));
  models::MAGNNOptions mopt(target, d.num_classes);
  hopt.semantic_dim(a.semantic_dim);
  mopt.semantic_dim(a.semantic_dim).encoding(parse_choice<hetero::InstanceEncoding>(a.instance_encoder));
  if (a.hidden) hopt.hidden(*a.hidden), mopt.hidden(*a.hidden);
  if (a.heads) hopt.heads(*a.heads), mopt.heads(*a.heads);
  if (a.dropout) hopt.dropout(*a.dropout), mopt.dropout(*a.dropout);
  if (a.attention_dropout) hopt.attention_dropout(*a.attention_dropout), mopt.attention_dropout(*a.attention_dropout);
  models::MetaHyperedges hyperedges;
  if (mhg) hyperedges = models::metapath_hyperedges(graphs).to(device);  // the same rows as HAN's graphs
  models::MetaHGNIEOptions eopt(d.num_features(), d.num_classes, static_cast<int64_t>(paths.size()));
  if (a.hidden) eopt.hidden(*a.hidden);
  if (a.heads) eopt.heads(*a.heads);
  if (a.dropout) eopt.dropout(*a.dropout);
  if (a.attention_dropout) eopt.attention_dropout(*a.attention_dropout);
  if (a.lambda_con) eopt.lambda_con(*a.lambda_con);
  const auto make = [&]() -> SeedModel {
    if (mhg) {
      auto m = std::make_shared<models::MetaHGNIE>(eopt);
      return {m, [m, &hyperedges, &x] { return m->forward(hyperedges, x); }, [] { return Tensor(); }, m};
    }
    if (magnn) {
      auto m = std::make_shared<models::MAGNN>(g, paths, mopt);
      return {m, [m, &gd, &instances] { return m->forward(gd, instances); }, [m] { return m->semantic_weights(); }};
    }
    auto m = std::make_shared<models::HAN>(hopt);
    return {m, [m, &graphs, &x] { return m->forward(graphs, x); }, [m] { return m->semantic_weights(); }};
  };

  std::vector<double> test_f1, test_acc, val_f1, epoch_ms;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (int i = 0; i < a.seeds; ++i) {
    const uint64_t seed = a.seed + static_cast<uint64_t>(i);
    manual_seed(seed);
    const SeedModel model = make();
    model.module->to(device);
    std::unique_ptr<models::NodeClassificationTask> task =
        model.metahgnie ? std::make_unique<models::MetaHGNIETask>(d, model.metahgnie, hyperedges, x)
                        : std::make_unique<models::NodeClassificationTask>(d, model.forward);
    const models::TrainerOptions run_opt = seed_run_options(a, topt, seed);
    const models::TrainResult r = models::fit(*model.module, *task, run_opt);
    // One epoch = the training step and the evaluation forward, as the trainer times it; the median over epochs.
    std::vector<double> secs;
    for (const models::EpochRecord& e : r.history) secs.push_back(e.seconds);
    std::sort(secs.begin(), secs.end());
    const double ms = secs.empty() ? 0.0 : 1e3 * secs[secs.size() / 2];
    epoch_ms.push_back(ms);
    test_f1.push_back(r.metric("test_macro_f1"));
    test_acc.push_back(r.metric("test_acc"));
    nlohmann::ordered_json val_json = nullptr;  // absent when the split has no validation nodes
    if (r.final.count("val_macro_f1")) {
      val_f1.push_back(r.final.at("val_macro_f1"));
      val_json = val_f1.back();
    }
    const Tensor b = model.semantic_weights();  // of the last forward: the test pass on the kept weights
    const std::vector<double> beta = b.defined() ? b.to(kFloat64).to_vector<double>() : std::vector<double>{};
    if (!a.quiet) {
      std::fprintf(stderr, "seed %llu: %s  (best epoch %d of %d, %.2f s, %.1f ms/epoch)\n",
                   static_cast<unsigned long long>(seed), nlohmann::json(r.final).dump().c_str(), r.best_epoch,
                   r.epochs_run, r.seconds, ms);
    }
    runs.push_back({{"seed", seed},
                    {"test_macro_f1", test_f1.back()},
                    {"test_micro_f1", test_acc.back()},
                    {"val_macro_f1", val_json},
                    {"best_epoch", r.best_epoch},
                    {"epochs", r.epochs_run},
                    {"epoch_ms", ms},
                    {"semantic_weights", beta},
                    {"fusion_weight", model.metahgnie ? nlohmann::ordered_json(model.metahgnie->fusion_weight())
                                                      : nlohmann::ordered_json(nullptr)},
                    {"seconds", r.seconds}});
  }
  nlohmann::ordered_json mps = nlohmann::ordered_json::array();
  for (size_t p = 0; p < paths.size(); ++p) {
    if (magnn) {
      const hetero::MetaPathInstances& m = instances.instances[p];
      mps.push_back({{"name", paths[p].name},
                     {"instances", m.num_instances()},
                     {"full_instances", loom::sum(m.full_counts).item_double()},
                     {"per_target_cap", a.instances_per_target},
                     {"encoder", a.instance_encoder}});
    } else {
      mps.push_back({{"name", paths[p].name},
                     {"nnz", stats[p].nnz},
                     {"full_nnz", stats[p].full_nnz},
                     {"topk", stats[p].topk}});
    }
  }
  nlohmann::ordered_json out = {{"model", name},
                                {"dataset", d.name},
                                {"split", a.split.empty() ? "default" : a.split},
                                {"target", target},
                                {"metapaths", mps},
                                {"test_macro_f1_mean", stat(test_f1, mean_of)},
                                {"test_macro_f1_std", stat(test_f1, std_of)},
                                {"test_micro_f1_mean", stat(test_acc, mean_of)},
                                {"test_micro_f1_std", stat(test_acc, std_of)},
                                {"test_acc_mean", stat(test_acc, mean_of)},
                                {"test_acc_std", stat(test_acc, std_of)},
                                {"val_macro_f1_mean", stat(val_f1, mean_of)},
                                {"epoch_ms", stat(epoch_ms, mean_of)},
                                {"seeds", a.seeds},
                                {"epochs", topt.epochs},
                                {"monitor", topt.monitor},
                                {"patience", topt.patience},
                                {"features", to_string(features)},
                                {"device", device.str()},
                                {"lambda_con", mhg ? nlohmann::ordered_json(eopt.lambda_con())
                                                   : nlohmann::ordered_json(nullptr)},
                                {"test_macro_f1s", test_f1},
                                {"runs", runs}};
  if (!a.quiet && a.seeds > 1) {
    std::fprintf(stderr, "%s on %s over %d seeds: test Macro-F1 %.2f ± %.2f %%, Micro-F1 %.2f ± %.2f %%\n",
                 name.c_str(), d.name.c_str(), a.seeds, 100 * mean_of(test_f1), 100 * std_of(test_f1), 100 * mean_of(test_acc),
                 100 * std_of(test_acc));
  }
  std::cout << out.dump() << std::endl;
  LOOM_CHECK(std::cout.good(), Error, "writing the result to standard output failed");
  return 0;
}

}  // namespace loom::cli
