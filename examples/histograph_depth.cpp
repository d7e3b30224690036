// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HISTOGRAPH's claim, measured: graph-classification accuracy against backbone depth for three readouts of the same
// backbone (the last layer's, GIN's jumping-knowledge sum over every layer, HISTOGRAPH's attention over every
// layer; optionally HISTOGRAPH on a frozen last-layer backbone), scored by GIN's protocol over the folder's folds.
// Each finished (model, depth, readout) appends one JSON line to --results, so an interrupted sweep resumes where
// it stopped; --markdown, --plot and --alpha-plot are written from all the lines in that file.
//   build/examples/histograph_depth --data mutag --results depth.jsonl --markdown depth.md --plot acc.svg
//       --alpha-plot alpha.svg      (one command line)
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "line_svg.h"
#include "loom/core/autograd.h"
#include "loom/core/random.h"
#include "loom/data/graph_dataset.h"
#include "loom/models/graph_classifier.h"
#include "loom/models/histograph_frozen.h"
#include "loom/models/trainer.h"

using namespace loom;
using json = nlohmann::ordered_json;

namespace {

struct Sweep {
  std::string data = "mutag", results = "histograph_depth.jsonl", markdown, plot, alpha_plot;
  std::vector<std::string> models{"gin", "gcn"}, readouts{"last", "jk", "histograph"};
  std::vector<int> layers{4, 8, 16, 32};
  int epochs = 350, folds = 10, alpha_graphs = 6;
  int64_t hidden = 32, batch = 32;
  uint64_t seed = 0;
  bool report_only = false;
};

std::string key(const std::string& model, int layers, const std::string& readout) {
  return model + "/" + std::to_string(layers) + "/" + readout;
}

// Records the layer weights alpha of the first test graphs at the last epoch (the trained weights, before the
// trainer restores its monitor's best epoch).
class AlphaProbe : public models::Callback {
 public:
  AlphaProbe(int last_epoch, std::function<json()> probe) : last_(last_epoch), probe_(std::move(probe)) {}
  void on_epoch_end(const models::EpochRecord& r) override {
    if (r.epoch == last_) alpha = probe_();
  }
  json alpha;

 private:
  int last_;
  std::function<json()> probe_;
};

json alphas_of(layers::HistographReadout& head, const std::vector<Tensor>& states, const data::GraphBatch& b) {
  NoGradGuard no_grad;
  const bool was = head.is_training();
  head.eval();
  const Tensor a = head.layer_weights(states, b.graph_ptr).to(kFloat64);
  head.train(was);
  json out = json::array();
  const std::vector<int64_t> ids = b.graph_ids.to_vector<int64_t>(), y = b.y.to_vector<int64_t>();
  const std::vector<double> v = a.to_vector<double>();
  const size_t L = static_cast<size_t>(a.size(1));
  for (size_t g = 0; g < ids.size(); ++g)
    out.push_back({{"graph", ids[g]}, {"label", y[g]},
                   {"alpha", std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(g * L),
                                                 v.begin() + static_cast<std::ptrdiff_t>((g + 1) * L))}});
  return out;
}

// One (model, depth, readout) over the folds: each fold's per-epoch test accuracy (GIN's protocol: the test fold is
// scored every epoch and the best epoch of the fold-averaged curve is reported), timing, and alpha on fold 0.
json run_config(const Sweep& s, const data::GraphDataset& d, const std::vector<data::Fold>& folds,
                const std::string& model, int L, const std::string& readout) {
  models::GraphClassifierOptions mo(model, d.num_features(), s.hidden, d.num_classes);
  mo.num_layers(L).readout(readout == "histograph" ? layers::Readout::kHistograph : layers::Readout::kSum)
      .jk(readout != "last");
  std::vector<std::vector<double>> curves;
  json alpha;
  double seconds = 0;
  for (int k = 0; k < s.folds; ++k) {
    const data::Fold& fold = folds[static_cast<size_t>(k)];
    const data::Fold gin{fold.train_idx, fold.test_idx, Tensor()};
    const uint64_t seed = s.seed * 1000 + static_cast<uint64_t>(k);
    manual_seed(seed);
    const models::GraphTaskOptions to{.batch_size = s.batch, .seed = seed, .train_metrics = false};
    models::TrainerOptions o;
    o.epochs = s.epochs;
    o.weight_decay = 0;
    o.schedule = models::Schedule::kStep;  // GIN: lr 0.01 halved every 50 epochs
    std::vector<int64_t> shown = fold.test_idx.to_vector<int64_t>();
    shown.resize(std::min<size_t>(shown.size(), static_cast<size_t>(s.alpha_graphs)));
    const data::GraphBatch probe = data::GraphBatch::build(d, shown);
    models::TrainResult r;
    if (readout == "frozen") {
      models::GraphClassifier backbone(models::frozen_backbone_options(mo));
      models::GraphClassificationTask pre(d, data::Fold{fold.train_idx, Tensor(), Tensor()},
                                          [&](const data::GraphBatch& b) { return backbone.forward(b); }, to);
      seconds += models::fit(backbone, pre, o).seconds;
      layers::HistographReadout head(models::histograph_options(mo));
      auto p = std::make_shared<AlphaProbe>(s.epochs, [&] {
        NoGradGuard no_grad;
        backbone.eval();
        return alphas_of(head, backbone.layer_states(probe), probe);
      });
      if (k == 0) o.callbacks.push_back(p);
      r = models::fit_frozen_histograph(backbone, head, d, gin, o, to);
      if (k == 0) alpha = p->alpha;
    } else {
      models::GraphClassifier net(mo);
      models::GraphClassificationTask task(d, gin, [&](const data::GraphBatch& b) { return net.forward(b); }, to);
      auto p = std::make_shared<AlphaProbe>(s.epochs, [&] {
        NoGradGuard no_grad;
        const bool was = net.is_training();
        net.eval();
        json a = alphas_of(*net.histograph(), net.layer_states(probe), probe);
        net.train(was);
        return a;
      });
      if (k == 0 && net.histograph()) o.callbacks.push_back(p);
      r = models::fit(net, task, o);
      if (k == 0) alpha = p->alpha;
    }
    seconds += r.seconds;
    std::vector<double> curve;
    for (const models::EpochRecord& e : r.history) curve.push_back(e.metrics.at("val_acc"));
    curves.push_back(curve);
    std::fprintf(stderr, "%s L=%d %s fold %d/%d: last-epoch test acc %.1f %% (%.0f s so far)\n", model.c_str(), L,
                 readout.c_str(), k + 1, s.folds, 100 * curve.back(), seconds);
  }
  const models::GinProtocolScore g = models::gin_protocol_score(curves);
  return {{"key", key(model, L, readout)}, {"model", model}, {"layers", L}, {"readout", readout},
          {"folds", s.folds}, {"epochs", s.epochs}, {"hidden", s.hidden}, {"batch", s.batch}, {"seed", s.seed},
          {"acc_mean", g.mean}, {"acc_std", g.std}, {"epoch", g.epoch}, {"fold_accs", g.fold_accs},
          {"seconds", seconds}, {"alpha", alpha}};
}

std::map<std::string, json> read_results(const std::string& path) {
  std::map<std::string, json> out;
  std::ifstream f(path);
  for (std::string line; std::getline(f, line);)
    if (!line.empty()) {
      json j = json::parse(line);
      out[j.at("key").get<std::string>()] = j;
    }
  return out;
}

const char* colour_of(const std::string& readout) {
  return readout == "last" ? "#808080" : readout == "jk" ? "#4363d8" : readout == "histograph" ? "#e6194b" : "#3cb44b";
}

void write_reports(const Sweep& s, const std::map<std::string, json>& res) {
  if (!s.markdown.empty()) {
    std::ofstream md(s.markdown);
    md << "| backbone | readout |";
    for (int L : s.layers) md << " L = " << L << " |";
    md << "\n|---|---|";
    for (size_t i = 0; i < s.layers.size(); ++i) md << "---|";
    md << "\n";
    for (const std::string& m : s.models)
      for (const std::string& r : s.readouts) {
        md << "| " << m << " | " << r << " |";
        for (int L : s.layers) {
          const auto it = res.find(key(m, L, r));
          char cell[96] = " – ";
          if (it != res.end())
            std::snprintf(cell, sizeof cell, " %.1f ± %.1f (ep %d, %d folds) ", 100 * it->second["acc_mean"].get<double>(),
                          100 * it->second["acc_std"].get<double>(), it->second["epoch"].get<int>(),
                          it->second["folds"].get<int>());
          md << cell << "|";
        }
        md << "\n";
      }
  }
  if (!s.plot.empty()) {
    examples::LineChart c;
    // The protocol's settings as the results record them (the sweep may have run with other flags than this call).
    std::string run = "GIN protocol";
    if (!res.empty()) {
      const json& any = res.begin()->second;
      run += ", " + std::to_string(any["folds"].get<int>()) + " folds, " + std::to_string(any["epochs"].get<int>()) +
             " epochs";
    }
    c.title = s.data + ": accuracy against depth (" + run + "; solid " + s.models.front() + ", dashed the others)";
    c.x_label = "layers L (input included)";
    c.y_label = "test accuracy %";
    c.log2_x = true;
    c.width = 820;  // room for the title and eight legend entries
    for (const std::string& m : s.models)
      for (const std::string& r : s.readouts) {
        examples::LineSeries ls;
        ls.label = m + " " + r;
        ls.colour = colour_of(r);
        ls.dashed = m != s.models.front();
        for (int L : s.layers)
          if (const auto it = res.find(key(m, L, r)); it != res.end()) {
            ls.x.push_back(L);
            ls.y.push_back(100 * it->second["acc_mean"].get<double>());
            ls.err.push_back(100 * it->second["acc_std"].get<double>());
          }
        if (!ls.x.empty()) c.series.push_back(ls);
      }
    for (int L : s.layers) c.x_ticks.push_back(L);
    if (!c.series.empty()) examples::write_line_svg(s.plot, c);
  }
  if (!s.alpha_plot.empty()) {  // one chart per (model, depth) with alpha recorded, side by side in one file
    for (const auto& [k, j] : res) {
      if (!j.contains("alpha") || j["alpha"].is_null() || j["alpha"].empty()) continue;
      examples::LineChart c;
      c.title = "learned layer weights alpha, " + k + " (fold 0, test graphs, epoch " +
                std::to_string(j["epochs"].get<int>()) + ")";
      c.x_label = "layer l (0 = the input)";
      c.y_label = "alpha_l";
      c.width = 640;
      c.height = 380;
      static const char* kColours[] = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#808000",
                                       "#000075"};
      size_t i = 0;
      for (const json& g : j["alpha"]) {
        const std::vector<double> a = g["alpha"].get<std::vector<double>>();
        examples::LineSeries ls;
        ls.label = "graph " + std::to_string(g["graph"].get<int64_t>()) + " (class " +
                   std::to_string(g["label"].get<int64_t>()) + ")";
        ls.colour = kColours[i++ % 8];
        for (size_t l = 0; l < a.size(); ++l) ls.x.push_back(static_cast<double>(l)), ls.y.push_back(a[l]);
        c.series.push_back(ls);
      }
      for (size_t l = 0; l < c.series.front().x.size(); l += std::max<size_t>(1, c.series.front().x.size() / 8))
        c.x_ticks.push_back(static_cast<double>(l));
      std::string path = s.alpha_plot;
      std::string tag = k;
      std::replace(tag.begin(), tag.end(), '/', '-');
      path.insert(path.size() - (path.ends_with(".svg") ? 4 : 0), "-" + tag);
      examples::write_line_svg(path, c);
    }
  }
}

std::vector<int> parse_ints(const std::string& s) {
  std::vector<int> v;
  std::stringstream ss(s);
  for (std::string t; std::getline(ss, t, ',');) v.push_back(std::stoi(t));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Sweep s;
  std::string layers = "4,8,16,32";
  CLI::App app{"HISTOGRAPH against last-layer and JK readouts across backbone depths (GIN protocol, k folds)"};
  app.add_option("--data", s.data, "graph-classification folder or name under $LOOM_DATA (default mutag)");
  app.add_option("--models", s.models, "backbones (default gin gcn)")->delimiter(',');
  app.add_option("--layers", layers, "depths L, the input counted (default 4,8,16,32)");
  app.add_option("--readouts", s.readouts, "last, jk, histograph, frozen (default last,jk,histograph)")
      ->delimiter(',')
      ->check(CLI::IsMember({"last", "jk", "histograph", "frozen"}));
  app.add_option("--epochs", s.epochs, "per fold (default 350, GIN's)");
  app.add_option("--folds", s.folds, "how many of the folder's 10 folds to run (default 10)");
  app.add_option("--hidden", s.hidden, "default 32");
  app.add_option("--batch", s.batch, "default 32");
  app.add_option("--seed", s.seed, "default 0");
  app.add_option("--alpha-graphs", s.alpha_graphs, "test graphs of fold 0 whose alpha is recorded (default 6)");
  app.add_option("--results", s.results, "JSON lines, appended and resumed from");
  app.add_option("--markdown", s.markdown, "write the accuracy table here");
  app.add_option("--plot", s.plot, "write accuracy against depth (SVG) here");
  app.add_option("--alpha-plot", s.alpha_plot, "write alpha against layer (SVG), one file per configuration");
  app.add_flag("--report-only", s.report_only, "only write the reports from --results");
  CLI11_PARSE(app, argc, argv);
  s.layers = parse_ints(layers);
  try {
    std::map<std::string, json> res = read_results(s.results);
    if (!s.report_only) {
      const std::string dir = std::filesystem::is_directory(s.data) ? s.data : data::find_dataset(s.data);
      const data::GraphDataset d = data::load_graph_dataset(dir);
      std::vector<data::Fold> folds;
      std::string why;
      if (std::filesystem::is_directory(std::filesystem::path(dir) / "splits")) folds = data::load_folds(dir, d.num_graphs());
      if (folds.size() != 10 || !data::are_cv_folds(folds, d.num_graphs(), &why)) folds = data::stratified_folds(d.y, 10, s.seed);
      LOOM_CHECK(s.folds >= 1 && s.folds <= 10, ValueError, "--folds must be 1 .. 10, got ", s.folds);
      for (const std::string& m : s.models)
        for (int L : s.layers)
          for (const std::string& r : s.readouts) {
            if (res.count(key(m, L, r))) continue;  // resumed
            const json j = run_config(s, d, folds, m, L, r);
            std::ofstream(s.results, std::ios::app) << j.dump() << "\n";
            res[j["key"].get<std::string>()] = j;
            std::fprintf(stderr, "%s: %.1f ± %.1f %% (epoch %d) in %.0f s\n", j["key"].get<std::string>().c_str(),
                         100 * j["acc_mean"].get<double>(), 100 * j["acc_std"].get<double>(), j["epoch"].get<int>(),
                         j["seconds"].get<double>());
          }
    }
    write_reports(s, res);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "histograph_depth: %s\n", e.what());
    return 1;
  }
  return 0;
}
