// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom distill` and `loom export`. Per seed, distill draws the protocol's split, trains the teacher (or loads
// one), computes its eval-mode soft labels once, trains the plain MLP (labels only) and the student (soft labels,
// plus LightHGNN+'s hyperedge term), and reports the three side by side; the last stdout line is JSON.
//   transductive: 20 training and 100 validation vertices per class, the rest test; the student sees every
//                 vertex's features and soft label (as GLNN and LightHGNN do).
//   production:   that split, then a share of the test vertices (0.9, LightHGNN's test_ind_ratio) is removed
//                 from the structure with its incidences; teacher and student train on the observed part only.
//                 Reported: transductive (observed test), inductive (held-out test: the student from features
//                 alone, the teacher with the full structure) and production = r ind + (1 - r) tran.
#include "apps/distill.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "apps/flags.h"
#include "apps/prepare.h"
#include "apps/stats.h"
#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/graph/transforms.h"
#include "loom/models/distill.h"
#include "loom/models/export.h"
#include "loom/models/registry.h"
#include "loom/models/saved_model.h"
#include "loom/models/trainer.h"
#include "loom/runtime/runtime.h"

namespace loom::cli {

namespace {

using Json = nlohmann::ordered_json;

// The teacher's settings under distillation, from the methods' papers: LightHGNN trains every hypergraph teacher
// for 200 epochs with Adam lr 0.01 and weight decay 5e-4, HGNN/HGNN+ with 32 hidden units; a graph model takes its
// registry entry's teacher settings (GLNN's SAGE: 128 hidden units, no dropout), else its own.
models::GnnOptions teacher_options(const DistillArgs& a, const models::ModelSpec& spec, int64_t in, int64_t out,
                                   models::TrainerOptions& topt) {
  models::GnnOptions o = models::paper_options(spec.name, in, out);
  topt.epochs = spec.training.epochs;
  topt.lr = spec.training.lr;
  topt.weight_decay = spec.training.weight_decay;
  if (spec.input == models::Input::kHypergraph) {
    topt.epochs = 200;
    topt.lr = 0.01;
    topt.weight_decay = 5e-4;
    if (!spec.attention()) o.hidden(32);
  } else {
    if (spec.teacher.hidden > 0) o.hidden(spec.teacher.hidden);
    if (spec.teacher.dropout >= 0) o.dropout(spec.teacher.dropout);
  }
  if (a.teacher_hidden) o.hidden(*a.teacher_hidden);
  if (a.teacher_dropout) o.dropout(*a.teacher_dropout);
  if (a.teacher_epochs) topt.epochs = *a.teacher_epochs;
  if (a.teacher_lr) topt.lr = *a.teacher_lr;
  if (a.teacher_weight_decay) topt.weight_decay = *a.teacher_weight_decay;
  return o;
}

// Accuracy of eval-mode logits over `idx` (0 rows: null).
Json accuracy_or_null(const Tensor& logits, const Tensor& y, const Tensor& idx) {
  if (!idx.defined() || idx.numel() == 0) return nullptr;
  return models::accuracy(logits, y, idx);
}

struct Columns {  // one list of accuracies per reported cell, in report order
  std::vector<std::string> names;
  std::map<std::string, std::vector<double>> values;
  void add(const std::string& name, const Json& v) {
    if (v.is_null()) return;
    if (!values.count(name)) names.push_back(name);
    values[name].push_back(v.get<double>());
  }
};

// The ids of disjoint id sets, sorted (the observed vertices of the production protocol).
Tensor sorted_ids(const std::vector<Tensor>& parts) {
  std::vector<int64_t> ids = concat(parts, 0).cpu().to(kInt64).to_vector<int64_t>();
  std::sort(ids.begin(), ids.end());
  return from_vector<int64_t>(ids, {static_cast<int64_t>(ids.size())});
}

// The exported file read back by loom::runtime from the raw features: its test accuracy beside the student's own
// (equal for a float32 file; the change int8 weights make otherwise), over the seed's test vertices.
Json check_export(const std::string& path, models::StudentMLP& student, const data::NodeDataset& prepared,
                  const Tensor& raw_x, const Tensor& test, uint64_t seed) {
  const runtime::Model served = runtime::Model::load(path);
  const Tensor ids = test.cpu().to(kInt64);
  const std::vector<float> rows = index_select(raw_x, ids).to_vector<float>();
  const std::vector<int32_t> classes = served.predict(rows, ids.numel());
  const std::vector<int64_t> y = index_select(prepared.y, ids).to_vector<int64_t>();
  int64_t correct = 0;
  for (size_t i = 0; i < y.size(); ++i) correct += classes[i] == y[i];
  NoGradGuard no_grad;
  const double loom_acc = models::accuracy(student.forward(prepared.x), prepared.y, ids);
  return {{"path", path},
          {"seed", seed},
          {"int8", served.int8()},
          {"test_acc_loom", loom_acc},
          {"test_acc_runtime", y.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(y.size())}};
}

models::TrainerOptions with_progress(models::TrainerOptions o, const DistillArgs& a, const std::string& label) {
  if (!a.quiet) o.callbacks.push_back(std::make_shared<models::ProgressLine>(label, o.epochs));
  return o;
}

}  // namespace

CLI::App* add_distill_command(CLI::App& app, DistillArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "distill", "distil a GNN or HGNN teacher into an MLP student (GLNN, LightHGNN, LightHGNN+) and report all three");
  CLI::Option* data = cmd->add_option("--data", a.data, "data-set folder, or a name under $LOOM_DATA (default: a generated CSBM graph)");
  cmd->add_option("--teacher", a.teacher, "the teacher: any registry model (default hgnn)")
      ->check(CLI::IsMember(models::model_names()));
  cmd->add_option("--teacher-load", a.teacher_load, "a teacher saved by loom train --save, instead of training one");
  cmd->add_option("--student", a.student, "the student: mlp (Linear, ReLU, BatchNorm, Dropout, Linear)")
      ->check(CLI::IsMember({"mlp"}));
  cmd->add_flag("--plus", a.plus, "LightHGNN+: add hyperedge soft labels on reliability-sampled hyperedges");
  cmd->add_option("--protocol", a.protocol, "transductive (default) or production")
      ->check(CLI::IsMember({"transductive", "production"}));
  cmd->add_option("--inductive-ratio", a.inductive_ratio, "production: share of test vertices held out (default 0.9)")
      ->check(finite_in(0, 1, true));
  cmd->add_option("--train-per-class", a.train_per_class, "training vertices per class (default 20)")
      ->check(whole_in(1, 1 << 30));
  cmd->add_option("--val-per-class", a.val_per_class, "validation vertices per class (default 100)")
      ->check(whole_in(0, 1 << 30));
  cmd->add_option("--teacher-hidden", a.teacher_hidden, "teacher hidden units (default: 32 for HGNN/HGNN+)")
      ->check(whole_in(1, 1 << 20));
  cmd->add_option("--teacher-epochs", a.teacher_epochs, "teacher epochs (default 200 for hypergraph teachers)")
      ->check(whole_in(1, 10000000));
  cmd->add_option("--teacher-lr", a.teacher_lr, "teacher learning rate")->check(finite_in(0, 100, true));
  cmd->add_option("--teacher-weight-decay", a.teacher_weight_decay, "teacher weight decay")->check(finite_in(0, 100));
  cmd->add_option("--teacher-dropout", a.teacher_dropout, "teacher dropout")->check(finite_in(0, 0.99));
  cmd->add_option("--hidden", a.hidden, "student hidden units (default 128)")->check(whole_in(1, 1 << 20));
  cmd->add_option("--student-layers", a.student_layers, "student Linear layers (default 2)")->check(whole_in(1, 64));
  cmd->add_option("--dropout", a.dropout, "student dropout (default 0.5)")->check(finite_in(0, 0.99));
  cmd->add_option("--epochs", a.epochs, "student epochs (default 200)")->check(whole_in(1, 10000000));
  cmd->add_option("--lr", a.lr, "student learning rate (default 0.01)")->check(finite_in(0, 100, true));
  cmd->add_option("--weight-decay", a.weight_decay, "student weight decay (default 5e-4)")->check(finite_in(0, 100));
  cmd->add_option("--lambda", a.lambda, "weight of the labels' cross-entropy; 1 - lambda goes to the soft labels (default 0)")
      ->check(finite_in(0, 1));
  cmd->add_option("--tau", a.tau, "soft-label temperature (default 1)")->check(finite_in(0, 1000, true));
  cmd->add_option("--loss", a.loss, "kl (default) or lighthgnn-code (the released code's log_target=True KL)")
      ->check(CLI::IsMember(choice_names<models::KdLoss>()));
  cmd->add_flag("--no-singletons", a.no_singletons, "hypergraph folders: no singleton hyperedge per vertex");
  cmd->add_option("--seed", a.seed, "first seed (splits, initialisation, dropout, noise)");
  cmd->add_option("--seeds", a.seeds, "runs with seeds seed, seed+1, ...; reports mean ± std")->check(whole_in(1, 100000));
  cmd->add_option("--device", a.device, "cpu, cuda or cuda:N (GPU N)")->check(device_name());
  cmd->add_option("--export", a.export_path, "write the student of the best-validation run for loom::runtime");
  cmd->add_flag("--int8", a.int8, "--export: int8 weights with a float scale per output row");
  cmd->add_flag("--quiet", a.quiet, "no progress lines");
  cmd->add_option("--nodes", a.csbm.num_nodes, "generated graph: nodes")->check(whole_in(1, 1 << 30))->excludes(data);
  cmd->add_option("--classes", a.csbm.num_classes, "generated graph: classes")->check(whole_in(1, 1 << 20))->excludes(data);
  cmd->add_option("--features", a.csbm.num_features, "generated graph: feature dimension")
      ->check(whole_in(1, 1 << 20))
      ->excludes(data);
  return cmd;
}

int run_distill(const DistillArgs& a) {
  const Device device = parse_device(a.device);
  const bool production = a.protocol == "production";
  LOOM_CHECK(a.teacher_load.empty() || !production, ValueError,
             "--teacher-load: the production protocol trains the teacher on the observed part of each seed's split; "
             "a saved teacher has seen the held-out vertices' structure");
  if (!a.export_path.empty()) {
    const std::filesystem::path dir = std::filesystem::absolute(a.export_path).parent_path();
    LOOM_CHECK(std::filesystem::is_directory(dir), ValueError, "--export ", a.export_path, ": the directory ",
               dir.string(), " does not exist");
  }
  LOOM_CHECK(!a.int8 || !a.export_path.empty(), ValueError, "--int8 needs --export FILE");

  // The teacher: a saved one fixes the model, its feature preparation and its hyperedges.
  models::SavedModel saved;
  if (!a.teacher_load.empty()) saved = models::load(a.teacher_load);
  const std::string teacher_name = saved.model ? saved.model->options().model() : a.teacher;
  const models::ModelSpec& spec = models::find_model(teacher_name);
  LOOM_CHECK(spec.input != models::Input::kFeatures, ValueError, "--teacher ", teacher_name,
             ": the teacher must use a graph or hypergraph (distilling an MLP into an MLP teaches nothing)");
  const bool on_hypergraph = spec.input == models::Input::kHypergraph;
  LOOM_CHECK(!a.plus || on_hypergraph, ValueError, "--plus (LightHGNN+) needs a hypergraph teacher; '",
             teacher_name, "' runs on a graph");
  const std::string method = on_hypergraph ? (a.plus ? "lighthgnn+" : "lighthgnn") : "glnn";

  data::NodeDataset full;
  if (!a.data.empty()) {
    full = load_folder(a.data, "random");  // "random": the folder's split files are not read; the protocol draws its own
  } else {
    data::CsbmOptions o = a.csbm;
    o.seed = a.seed;
    o.num_val = 0;  // the generator's own split is replaced by the protocol's (per_class_split)
    full = data::make_csbm(o);
  }
  const bool singletons = saved.model ? saved.info.singletons : !a.no_singletons;
  const models::FeatureTransform wanted = saved.model ? saved.info.features
                                          : a.data.empty() ? models::FeatureTransform::kNone
                                                           : spec.training.features;
  const Tensor raw_x = full.x;  // what a service feeds the exported student (it applies the preprocessing itself)
  const models::FeatureTransform features = prepare_features(full, wanted, saved.model != nullptr);
  if (saved.model) {
    LOOM_CHECK(saved.model->options().in_features() == full.num_features() &&
                   saved.model->options().out_features() == full.num_classes,
               ShapeError, "--teacher-load ", a.teacher_load, ": the model maps ", saved.model->options().in_features(),
               " features to ", saved.model->options().out_features(), " classes; the data has ",
               full.num_features(), " features and ", full.num_classes, " classes");
  }

  models::DistillOptions dopt;
  dopt.lambda = a.lambda;
  dopt.temperature = a.tau;
  dopt.loss = parse_choice<models::KdLoss>(a.loss);
  dopt.hyperedge_term = a.plus;
  models::TrainerOptions student_topt;
  student_topt.epochs = a.epochs;
  student_topt.lr = a.lr;
  student_topt.weight_decay = a.weight_decay;
  models::TrainerOptions teacher_topt;
  const models::GnnOptions topts = saved.model ? saved.model->options()
                                               : teacher_options(a, spec, full.num_features(), full.num_classes,
                                                                 teacher_topt);
  models::StudentOptions sopts(full.num_features(), full.num_classes);
  sopts.hidden(std::vector<int64_t>(static_cast<size_t>(a.student_layers - 1), a.hidden)).dropout(a.dropout);

  Columns cols;
  Json runs = Json::array(), exported;
  double best_val = -1;
  for (int i = 0; i < a.seeds; ++i) {
    const uint64_t seed = a.seed + static_cast<uint64_t>(i);
    const std::string tag = "seed " + std::to_string(seed) + " ";
    data::NodeDataset d = full;
    const graph::NodeSplit split = graph::per_class_split(d.y, a.train_per_class, a.val_per_class, seed);
    d.train_idx = split.train;
    d.val_idx = split.val;
    d.test_idx = split.test;
    Tensor inductive;  // production: held-out test vertices, ids of `full`
    data::NodeDataset obs = d;
    if (production) {
      auto [held_out, observed_test] = graph::split_nodes(split.test, a.inductive_ratio, seed);
      inductive = held_out;
      const Tensor observed = sorted_ids({split.train, split.val, observed_test});
      d.test_idx = observed_test;
      obs = data::subset_nodes(d, observed);
    }
    const PreparedStructure structure = build_structure(obs, spec, singletons, device);
    to_device(obs, device);
    const Tensor x = obs.x;

    // ---- teacher
    manual_seed(seed);
    std::shared_ptr<models::NodeClassifier> teacher = saved.model;
    if (!teacher) {
      teacher = std::make_shared<models::NodeClassifier>(topts);
      teacher->to(device);
      models::NodeClassificationTask task(obs, [&] { return teacher->forward(structure.view(), x); });
      models::fit(*teacher, task, with_progress(teacher_topt, a, tag + "teacher "));
    } else {
      teacher->to(device);
    }
    teacher->eval();
    Tensor teacher_logits;
    {
      NoGradGuard no_grad;
      teacher_logits = teacher->forward(structure.view(), x);
    }

    // ---- plain MLP: the student's network on the labels alone
    manual_seed(seed);
    auto mlp = std::make_shared<models::StudentMLP>(sopts);
    mlp->to(device);
    {
      models::NodeClassificationTask task(obs, [&] { return mlp->forward(x); });
      models::fit(*mlp, task, with_progress(student_topt, a, tag + "mlp "));
    }

    // ---- student
    manual_seed(seed);
    Tensor reliability;
    if (a.plus) {
      reliability = models::hyperedge_reliability(structure.hypergraph, x, [&](const Tensor& features) {
        return teacher->forward(structure.view(), features);
      });
      // Singleton hyperedges (one per vertex by default) are never sampled: their soft label is the vertex's own,
      // which L_KD already matches; the hyperedge term is about the high-order ones (LightHGNN adds singletons
      // only for isolated vertices).
      std::vector<double> r = reliability.to_vector<double>();
      const std::vector<int64_t> sizes = structure.hypergraph.hyperedge_sizes().cpu().to(kInt64).to_vector<int64_t>();
      for (size_t e = 0; e < r.size(); ++e)
        if (sizes[e] < 2) r[e] = 0.0;
      reliability = from_vector<double>(r, {static_cast<int64_t>(r.size())});
    }
    auto student = std::make_shared<models::StudentMLP>(sopts);
    student->to(device);
    models::DistillationTask task(obs, teacher_logits, [&] { return student->forward(x); }, dopt,
                                  a.plus ? &structure.hypergraph : nullptr, reliability);
    const models::TrainResult sr = models::fit(*student, task, with_progress(student_topt, a, tag + "student "));

    // ---- report
    mlp->eval();
    student->eval();
    NoGradGuard no_grad;
    const Tensor mlp_logits = mlp->forward(x), student_logits = student->forward(x);
    Json run = {{"seed", seed}};
    const char* tran = production ? "_tran" : "";
    run[std::string("teacher") + tran] = accuracy_or_null(teacher_logits, obs.y, obs.test_idx);
    run[std::string("mlp") + tran] = accuracy_or_null(mlp_logits, obs.y, obs.test_idx);
    run[std::string("student") + tran] = accuracy_or_null(student_logits, obs.y, obs.test_idx);
    if (production) {
      // Inductive: the student and the MLP see the held-out vertices' features only; the teacher gets the whole
      // structure back, as a deployed GNN would fetch the new vertices' neighbourhoods.
      data::NodeDataset all = d;
      const PreparedStructure full_structure = build_structure(all, spec, singletons, device);
      to_device(all, device);
      const Tensor y = all.y, ind = inductive.to(device);
      run["teacher_ind"] = accuracy_or_null(teacher->forward(full_structure.view(), all.x), y, ind);
      run["mlp_ind"] = accuracy_or_null(mlp->forward(all.x), y, ind);
      run["student_ind"] = accuracy_or_null(student->forward(all.x), y, ind);
      for (const char* who : {"teacher", "mlp", "student"}) {
        const Json& t = run[std::string(who) + "_tran"];
        const Json& n = run[std::string(who) + "_ind"];
        if (!t.is_null() && !n.is_null())
          run[std::string(who) + "_prod"] =
              a.inductive_ratio * n.get<double>() + (1 - a.inductive_ratio) * t.get<double>();
      }
    }
    run["student_val"] = sr.metric("val_acc");
    run["student_best_epoch"] = sr.best_epoch;
    for (const auto& [k, v] : run.items())
      if (k != "seed" && k != "student_val" && k != "student_best_epoch") cols.add(k, v);
    if (!a.quiet) std::fprintf(stderr, "%s%s\n", tag.c_str(), run.dump().c_str());
    runs.push_back(run);
    // --export keeps the student of the best validation accuracy (never chosen by test accuracy).
    if (!a.export_path.empty() && sr.metric("val_acc") > best_val) {
      best_val = sr.metric("val_acc");
      student->to(kCPU);
      models::ExportInfo info;
      info.features = features;
      info.int8 = a.int8;
      info.source_json = Json{{"teacher", teacher_name},
                              {"method", method},
                              {"loss", a.loss},
                              {"protocol", a.protocol},
                              {"dataset", full.name},
                              {"seed", seed}}
                             .dump();
      models::export_model(*student, a.export_path, info);
      exported = check_export(a.export_path, *student, full, raw_x, split.test, seed);
      student->to(device);
    }
  }

  Json out = {{"method", method},  {"teacher", teacher_name}, {"student", a.student},
              {"loss", a.loss},    {"protocol", a.protocol},  {"dataset", full.name},
              {"seeds", a.seeds},  {"features", to_string(features)}, {"device", device.str()}};
  for (const std::string& name : cols.names) {
    out[name + "_mean"] = mean_of(cols.values[name]);
    out[name + "_std"] = std_of(cols.values[name]);
  }
  if (!exported.is_null()) out["export"] = exported;
  out["runs"] = runs;
  if (!a.quiet) {
    std::fprintf(stderr, "%s (%s teacher) on %s, %s, %d seed%s:\n", method.c_str(), teacher_name.c_str(),
                 full.name.c_str(), a.protocol.c_str(), a.seeds, a.seeds == 1 ? "" : "s");
    for (const std::string& name : cols.names)
      std::fprintf(stderr, "  %-14s %6.2f ± %.2f %%\n", name.c_str(), 100 * mean_of(cols.values[name]),
                   100 * std_of(cols.values[name]));
  }
  std::cout << out.dump() << std::endl;
  LOOM_CHECK(std::cout.good(), Error, "writing the result to standard output failed");
  return 0;
}

CLI::App* add_export_command(CLI::App& app, ExportArgs& a) {
  CLI::App* cmd = app.add_subcommand("export", "write a saved structure-free model (loom train --model mlp) for loom::runtime");
  cmd->add_option("--load", a.load, "a model saved by loom train --save")->required();
  cmd->add_option("--out", a.out, "the model file to write (docs/model-format.md)")->required();
  cmd->add_flag("--int8", a.int8, "int8 weights with a float scale per output row");
  return cmd;
}

int run_export(const ExportArgs& a) {
  const models::SavedModel saved = models::load(a.load);
  models::ExportInfo info;
  info.features = saved.info.features;
  info.int8 = a.int8;
  info.source_json = Json{{"model", saved.model->options().model()}, {"dataset", saved.info.dataset}}.dump();
  models::export_model(*saved.model, a.out, info);
  std::cout << Json{{"exported", a.out}, {"model", saved.model->options().model()}, {"int8", a.int8}}.dump()
            << std::endl;
  return 0;
}

}  // namespace loom::cli
