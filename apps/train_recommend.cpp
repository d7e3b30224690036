// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train --task recommend`: ranking items for users from implicit feedback. The data are a folder's
// ratings.npy (every rating an interaction unless --min-rating says otherwise) with one of its official splits
// (--split u1), a per-user random split (--split random:0.2) or leave-last-out (--split last); without --data, a
// generated user-item graph. Per seed: the recommender (lightgcn, mf; popularity needs no training) trained with
// BPR on the one trainer for its epochs, the last epoch's weights kept (there is no validation part), then
// Recall@10/20 and NDCG@10/20 over all items with each user's training items excluded. The last stdout line is
// JSON: mean ± std over seeds.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/prepare.h"
#include "apps/stats.h"
#include "apps/train.h"
#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/random.h"
#include "loom/data/dataset.h"
#include "loom/data/interactions.h"
#include "loom/data/npy.h"
#include "loom/models/recommend.h"
#include "loom/models/trainer.h"
#include "loom/serve/embedding_file.h"

namespace loom::cli {
namespace {

struct Prepared {
  data::InteractionSplit split;
  std::string split_name;
  Tensor item_features;  // the folder's item_features.npy, else item_genres.npy; undefined when it has neither
};

Tensor item_features(const std::string& dir) {
  for (const char* name : {"item_features.npy", "item_genres.npy"}) {
    const std::filesystem::path p = std::filesystem::path(dir) / name;
    if (std::filesystem::exists(p)) return data::read_npy(p.string());
  }
  return Tensor();
}

// The folder's split named by --split; the first official split when none is named and the folder has some.
Prepared prepare(const TrainArgs& a) {
  if (a.data.empty()) {
    LOOM_CHECK(a.split.empty() || a.split.rfind("random", 0) == 0 || a.split == "last", ValueError, "--split ",
               a.split, ": a generated interaction graph has no official splits (use random:F or last)");
    data::BipartiteOptions o;
    o.seed = a.seed;
    const data::Interactions all = data::generate_interactions(o);
    if (a.split == "last") return {data::leave_last_out_split(all), "last", Tensor()};
    return {data::random_user_split(all, 0.2, a.seed), "random:0.2", Tensor()};
  }
  const std::string dir = std::filesystem::is_directory(a.data) ? a.data : data::find_dataset(a.data);
  const Tensor features = item_features(dir);
  if (a.split == "last")
    return {data::leave_last_out_split(data::load_interactions(dir, a.min_rating)), "last", features};
  if (a.split.rfind("random", 0) == 0) {
    double fraction = 0.2;
    if (a.split.size() > 6) {
      LOOM_CHECK(a.split[6] == ':', ValueError, "--split ", a.split, ": expected random or random:FRACTION");
      try {
        fraction = std::stod(a.split.substr(7));
      } catch (const std::exception&) {
        throw ValueError("--split " + a.split + ": FRACTION must be a number in (0, 1)");
      }
    }
    return {data::random_user_split(data::load_interactions(dir, a.min_rating), fraction, a.seed), a.split, features};
  }
  std::string name = a.split;
  if (name.empty()) {
    const std::filesystem::path splits = std::filesystem::path(dir) / "splits";
    LOOM_CHECK(std::filesystem::is_directory(splits), ValueError, dir,
               " has no official splits: pass --split random:FRACTION or --split last");
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(splits))
      if (e.is_directory()) names.push_back(e.path().filename().string());
    LOOM_CHECK(!names.empty(), ValueError, splits.string(), " holds no split folders");
    name = *std::min_element(names.begin(), names.end());
  }
  return {data::official_split(dir, name, a.min_rating), name, features};
}

}  // namespace

int run_train_recommend(const TrainArgs& a) {
  const models::RecommenderSpec& spec = *models::find_recommender(a.model);
  const Device device = parse_device(a.device);
  LOOM_CHECK(a.seeds >= 1, ValueError, "--seeds must be >= 1, got ", a.seeds);
  LOOM_CHECK(a.save.empty() && a.checkpoint.empty(), ValueError,
             "--save and --checkpoint are not available with --task recommend yet (use --export for serving)");
  const Prepared p = prepare(a);
  const data::Interactions& tr = p.split.train;
  const data::UserItems train = data::user_items(tr), test = data::user_items(p.split.test);
  const int64_t users = tr.num_users, items = tr.num_items;
  const int64_t dim = a.embedding_dim.value_or(spec.dim);
  const int layers = a.layers.value_or(spec.layers);
  LOOM_CHECK(spec.layers > 0 || !a.layers, ValueError, "--layers: ", a.model, " has no propagation layers");

  models::TrainerOptions topt;
  topt.epochs = a.epochs.value_or(spec.epochs);
  topt.lr = a.lr.value_or(spec.lr);
  topt.weight_decay = 0.0;  // BPR's L2 term (--reg) acts on the batch's embeddings instead
  topt.optimizer = parse_choice<models::OptimizerKind>(a.optimizer);

  if (!a.export_path.empty()) {
    // Refuse a destination that cannot be written before training, not after it.
    const std::filesystem::path dir = std::filesystem::absolute(a.export_path).parent_path();
    LOOM_CHECK(std::filesystem::is_directory(dir), ValueError, "--export ", a.export_path, ": the directory ",
               dir.string(), " does not exist");
  }
  // The first seed's final embeddings go to --export: the file loom::serve answers queries from.
  auto export_tables = [&](const Tensor& user_emb, const Tensor& item_emb, uint64_t seed) {
    const nlohmann::ordered_json source = {{"model", a.model}, {"dataset", tr.name}, {"split", p.split_name},
                                           {"seed", seed}};
    serve::save_embeddings(serve::tables_from_tensors(user_emb, item_emb, train.indptr, train.items, source.dump()),
                           a.export_path);
  };
  std::map<std::string, std::vector<double>> values;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  double seconds_per_epoch = 0;
  for (int s = 0; s < a.seeds; ++s) {
    const uint64_t seed = a.seed + static_cast<uint64_t>(s);
    models::Metrics m;
    nlohmann::ordered_json run = {{"seed", seed}};
    if (!spec.trained) {
      const auto [u, i] = models::popularity_embeddings(train, items);
      m = models::ranking_metrics(u, i, train, test, {10, 20});
      if (s == 0 && !a.export_path.empty()) export_tables(u, i, seed);
    } else {
      manual_seed(seed);
      const std::shared_ptr<models::Recommender> built =
          spec.make({train, users, items, dim, layers, p.item_features});
      models::Recommender& model = *built;
      model.to(device);
      models::RecommendationTask task(model, train, test, {a.batch.value_or(2048), a.reg.value_or(spec.reg)});
      models::TrainerOptions run_opt = topt;
      if (!a.quiet)
        run_opt.callbacks.push_back(
            std::make_shared<models::ProgressLine>("seed " + std::to_string(seed) + "  ", topt.epochs));
      const models::TrainResult r = models::fit(model, task, run_opt);
      m = r.final;
      if (s == 0 && !a.export_path.empty()) {
        NoGradGuard no_grad;
        model.eval();
        const auto [u, i] = model.embed();
        export_tables(u, i, seed);
      }
      double total = 0;
      for (const auto& e : r.history) total += e.seconds;
      const double per_epoch = r.history.empty() ? 0.0 : total / static_cast<double>(r.history.size());
      seconds_per_epoch += per_epoch / a.seeds;
      run["seconds_per_epoch"] = per_epoch;
      run["final_loss"] = r.history.empty() ? 0.0 : r.history.back().loss;
    }
    for (const char* k : {"recall@10", "ndcg@10", "recall@20", "ndcg@20"}) {
      values[k].push_back(m.at(k));
      run[k] = m.at(k);
    }
    runs.push_back(run);
    if (!a.quiet) std::fprintf(stderr, "seed %llu: %s\n", static_cast<unsigned long long>(seed), run.dump().c_str());
  }
  nlohmann::ordered_json out = {{"task", "recommend"},
                                {"model", a.model},
                                {"dataset", tr.name},
                                {"split", p.split_name},
                                {"users", users},
                                {"items", items},
                                {"train_interactions", tr.size()},
                                {"test_interactions", p.split.test.size()}};
  for (const char* k : {"recall@10", "ndcg@10", "recall@20", "ndcg@20"}) {
    out[std::string(k) + "_mean"] = mean_of(values[k]);
    out[std::string(k) + "_std"] = std_of(values[k]);
  }
  out["seeds"] = a.seeds;
  if (spec.trained) {
    out["epochs"] = topt.epochs;
    out["layers"] = layers;
    out["dim"] = dim;
    out["batch"] = a.batch.value_or(2048);
    out["reg"] = a.reg.value_or(spec.reg);
    out["seconds_per_epoch"] = seconds_per_epoch;
  }
  if (!a.export_path.empty()) out["export"] = a.export_path;
  out["device"] = device.str();
  out["runs"] = runs;
  std::cout << out.dump() << std::endl;
  LOOM_CHECK(std::cout.good(), Error, "writing the result to standard output failed");
  return 0;
}

}  // namespace loom::cli
