// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Hypergraph models on co-citation Cora, for a DeepHypergraph (DHG) user: the given hypergraph (plus singletons), a
// k-nearest-neighbour hypergraph of the features and HGNN+'s merge of the two, each trained with HGNN+ over random
// 50/25/25 splits; then the clique expansion of the given hypergraph with a GCN as the graph-side baseline.
// Prints one JSON line per step; the last lines hold test accuracy mean and std over the seeds.
//
//   ./build/examples/hypergraph_cocitation [--data-dir DIR] [--device cpu|cuda] [--seeds 3] [--epochs N] [--k 10]
//
// Exit status 77 when DIR/cocitation-cora is missing (DIR: --data-dir, else $LOOM_DATA, else ../shared/data).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loom/core/random.h"
#include "loom/data/dataset.h"
#include "loom/graph/graph.h"
#include "loom/graph/transforms.h"
#include "loom/hypergraph/hypergraph.h"
#include "loom/models/gnn.h"
#include "loom/models/trainer.h"

namespace {

using namespace loom;
using hypergraph::Hypergraph;
using Json = nlohmann::ordered_json;

struct Config {
  std::string data_dir, device = "cpu";
  int seeds = 3;
  int epochs = 0;  // 0: each model's default (HGNN+ 500, GCN 200, as `loom train`)
  int64_t k = 10;
};

// `loom train`'s defaults: HGNN+ with AllSet's settings (64 hidden, dropout 0.5, lr 0.001, no weight decay, 500
// epochs); GCN with Kipf & Welling's (16 hidden, dropout 0.5, lr 0.01, weight decay 5e-4, 200 epochs).
struct Recipe {
  std::string model;
  int64_t hidden;
  double dropout, lr, weight_decay;
  int epochs;
};
const Recipe kHgnnp{"hgnnp", 64, 0.5, 0.001, 0.0, 500};
const Recipe kGcn{"gcn", 16, 0.5, 0.01, 5e-4, 200};

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}
// Population standard deviation, as `loom train` and the papers' "mean ± std".
double std_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return v.empty() ? 0 : std::sqrt(s / static_cast<double>(v.size()));
}

int64_t count_zeros(const Tensor& t) {
  int64_t n = 0;
  for (int64_t v : t.cpu().to_vector<int64_t>()) n += v == 0;
  return n;
}

Json hypergraph_json(const std::string& name, const Hypergraph& h) {
  return {{"hypergraph", name},
          {"vertices", h.num_vertices()},
          {"hyperedges", h.num_hyperedges()},
          {"incidences", h.num_incidences()},
          {"isolated_vertices", count_zeros(h.vertex_degrees())}};
}

// Trains one model per seed on a fresh random 50/25/25 split (split and initialisation seeded by the seed), with
// `forward` running the model on its structure; returns the test accuracy of each seed's best-validation epoch.
template <class Forward>
std::vector<double> train_over_seeds(const Recipe& r, const Config& c, const data::NodeDataset& d, Device device,
                                     int seeds, const Forward& forward) {
  models::GnnOptions opts(r.model, d.num_features(), r.hidden, d.num_classes);
  opts.dropout(r.dropout);
  models::TrainerOptions train;
  train.epochs = c.epochs > 0 ? c.epochs : r.epochs;
  train.lr = r.lr;
  train.weight_decay = r.weight_decay;
  std::vector<double> test;
  for (int i = 0; i < seeds; ++i) {
    const auto seed = static_cast<uint64_t>(i);
    const graph::NodeSplit s = graph::random_node_split(d.num_nodes(), 0.5, 0.25, seed);
    data::NodeDataset run = d;
    run.train_idx = s.train.to(device);
    run.val_idx = s.val.to(device);
    run.test_idx = s.test.to(device);
    manual_seed(seed);
    models::NodeClassifier model(opts);
    model.to(device);
    models::NodeClassificationTask task(run, [&] { return forward(model); });
    const models::TrainResult res = models::fit(model, task, train);
    std::fprintf(stderr, "  %s seed %d: test %.4f (best epoch %d of %d, %.2f s)\n", r.model.c_str(), i,
                 res.metric("test_acc"), res.best_epoch, res.epochs_run, res.seconds);
    test.push_back(res.metric("test_acc"));
  }
  return test;
}

Json result_json(const std::string& structure, const Recipe& r, const Config& c, const std::vector<double>& test,
                 double seconds) {
  return {{"structure", structure},
          {"model", r.model},
          {"seeds", test.size()},
          {"epochs", c.epochs > 0 ? c.epochs : r.epochs},
          {"test_acc_mean", mean_of(test)},
          {"test_acc_std", std_of(test)},
          {"test_accs", test},
          {"seconds", seconds}};
}

// One JSON line on stdout, flushed so that it lands in order with the per-seed progress lines on stderr.
void emit(const Json& line) {
  std::printf("%s\n", line.dump().c_str());
  std::fflush(stdout);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"HGNN+ on co-citation Cora over given, kNN and merged hypergraphs, with a clique-expansion GCN"};
  Config c;
  app.add_option("--data-dir", c.data_dir, "folder holding cocitation-cora/ (default $LOOM_DATA or ../shared/data)");
  app.add_option("--device", c.device)->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--seeds", c.seeds, "random 50/25/25 splits, seeds 0 .. seeds-1")->check(CLI::PositiveNumber);
  app.add_option("--epochs", c.epochs, "epochs per run (default: HGNN+ 500, GCN 200)")->check(CLI::PositiveNumber);
  app.add_option("--k", c.k, "neighbours per kNN hyperedge")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    const Device device = Device::parse(c.device);
    LOOM_CHECK(!device.is_cuda() || cuda::is_available(), DeviceError,
               "--device cuda: no CUDA device is available");
    if (c.data_dir.empty()) c.data_dir = data::resolve_data_dir();
    const std::string folder = c.data_dir + "/cocitation-cora";
    if (!std::filesystem::exists(folder + "/meta.json")) {
      std::fprintf(stderr, "hypergraph_cocitation: %s not found (set --data-dir or $LOOM_DATA)\n", folder.c_str());
      return 77;
    }

    // 1. The folder's hypergraph: one hyperedge per cited paper, holding the papers that cite it (HyperGCN's
    //    co-citation construction). Papers in no hyperedge would receive no message, so (as DHG's and AllSet's
    //    protocols do) each vertex also gets a singleton hyperedge {v}.
    data::NodeDataset d = data::load_node_dataset(folder);
    const Tensor x = d.x.to(device);
    d.y = d.y.to(device);
    const Hypergraph given = Hypergraph::from_incidence(d.hyperedge_index, d.num_nodes()).to(device);
    const Hypergraph with_singletons = given.with_singletons();
    emit({{"dataset", d.name},
          {"nodes", d.num_nodes()},
          {"features", d.num_features()},
          {"classes", d.num_classes},
          {"device", device.str()}});
    emit(hypergraph_json("given", given));
    emit(hypergraph_json("given+singletons", with_singletons));

    // 2. DHG's Hypergraph.from_feature_kNN: one hyperedge per vertex, it and its k nearest neighbours by Euclidean
    //    distance of the features (built on the device). HGNN+ merges hyperedge groups of several modalities into
    //    one hypergraph; here the citation group and the feature group. Every vertex is in its own kNN hyperedge,
    //    so neither needs singletons.
    auto t0 = std::chrono::steady_clock::now();
    const Hypergraph knn = Hypergraph::from_knn(x, c.k);
    Json knn_line = hypergraph_json("knn", knn);
    knn_line["k"] = c.k;
    knn_line["seconds"] = seconds_since(t0);
    emit(knn_line);
    const Hypergraph merged = Hypergraph::merge({given, knn});
    emit(hypergraph_json("merged", merged));

    // 3. HGNN+ (two HGNNPConv layers: vertex -> hyperedge mean, hyperedge -> vertex mean) on each hypergraph.
    const std::vector<std::pair<std::string, const Hypergraph*>> structures{
        {"given+singletons", &with_singletons}, {"knn", &knn}, {"merged", &merged}};
    for (const auto& [name, h] : structures) {
      t0 = std::chrono::steady_clock::now();
      const std::vector<double> test = train_over_seeds(
          kHgnnp, c, d, device, c.seeds, [&](models::NodeClassifier& m) { return m.forward(*h, x); });
      emit(result_json(name, kHgnnp, c, test, seconds_since(t0)));
    }

    // 4. The graph side: the clique expansion H W H^T (an edge between every two papers sharing a hyperedge,
    //    weighted by how many they share) and a GCN on it, on the first seed's split.
    const graph::Graph clique = given.clique_expansion();
    emit({{"graph", "clique_expansion"},
          {"nodes", clique.num_nodes()},
          {"edges", clique.num_edges()},
          {"weighted", clique.edge_weight().defined()}});
    t0 = std::chrono::steady_clock::now();
    const std::vector<double> gcn_test =
        train_over_seeds(kGcn, c, d, device, 1, [&](models::NodeClassifier& m) { return m.forward(clique, x); });
    emit(result_json("clique_expansion", kGcn, c, gcn_test, seconds_since(t0)));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hypergraph_cocitation: error: %s\n", e.what());
    return 1;
  }
}
