// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train --model meow`: self-supervised MEOW embeddings of a heterogeneous folder's target type, then HeCo's
// evaluation protocol (models::linear_probe) on frozen embeddings. Training reads no label, so one training per seed
// serves every split: with --split the probe runs on that split; without it, on every splits/heco-* the folder has
// (HeCo's 20/40/60 labelled nodes per class), else on the folder's own split. Per split: Macro-F1, Micro-F1 and AUC,
// the mean over the probe's runs per seed, then mean ± std over seeds (the last stdout line is JSON).
// --weighting learned trains AdaMEOW instead (the same model with learned negative weights, no k-means), with the
// defaults of code_adameow's DBLP settings where the flags are unset.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/prepare.h"
#include "apps/probe_report.h"
#include "apps/stats.h"
#include "apps/train.h"
#include "loom/core/error.h"
#include "loom/core/random.h"
#include "loom/data/hetero_dataset.h"
#include "loom/hetero/load.h"
#include "loom/models/meow.h"
#include "loom/models/probe.h"

namespace loom::cli {

namespace {

template <class T>
std::vector<T> parse_list(const std::string& flag, const std::string& s) {
  std::vector<T> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    std::istringstream one(item);
    T v{};
    LOOM_CHECK(!item.empty() && (one >> v) && one.eof(), ValueError, flag, " '", s, "': '", item,
               "' is not a number");
    out.push_back(v);
  }
  return out;
}

}  // namespace

int run_train_meow(const TrainArgs& a) {
  LOOM_CHECK(a.task == "node", ValueError, "--model meow embeds nodes: use it with --task node, not --task ", a.task);
  LOOM_CHECK(!a.data.empty(), ValueError, "--model meow needs --data with a heterogeneous folder (e.g. dblp)");
  LOOM_CHECK(a.save.empty(), NotImplementedError, "--save is not available for --model meow yet");
  LOOM_CHECK(!a.layers && a.jk == "none" && a.norm == "none" && !a.residual && a.aggr.empty() && a.activation.empty(),
             ValueError, "--model meow has MEOW's fixed two-layer encoder: --layers, --jk, --norm, --residual, ",
             "--aggr and --activation do not apply");
  LOOM_CHECK(a.metapath_topk == 0 && a.instances_per_target == 100, ValueError,
             "--metapath-topk and --instances-per-target are HAN's and MAGNN's; MEOW prunes by PathSim (--nei-max)");
  LOOM_CHECK(a.split.rfind("random", 0) != 0, ValueError, "--model meow uses the folder's split or splits/<name> ",
             "(e.g. --split heco-20), not a random one");
  LOOM_CHECK(a.seeds >= 1, ValueError, "--seeds must be >= 1, got ", a.seeds);
  LOOM_CHECK(!a.metapaths.empty(), ValueError, "--model meow needs --metapaths over the target type ",
             "(DBLP: --metapaths APA,APCPA,APTPA)");
  const std::string dir = std::filesystem::is_directory(a.data) ? a.data : data::find_dataset(a.data);
  LOOM_CHECK(data::is_hetero_folder(dir), ValueError, "--model meow needs a heterogeneous folder (nodes/<type>/, ",
             "edges/<src>__<rel>__<dst>.npy); ", dir, " has one node type");
  const Device device = parse_device(a.device);
  const bool learned = a.weighting == "learned";
  LOOM_CHECK(a.weighting.empty() || learned || a.weighting == "clusters", ValueError, "--weighting must be clusters ",
             "or learned, got '", a.weighting, "'");
  LOOM_CHECK(!learned || (a.meow_clusters.empty() && !a.lambda_proto), ValueError, "--meow-clusters and ",
             "--lambda-proto are MEOW's clustering settings; --weighting learned (AdaMEOW) runs no clustering");

  const ProbeSplits splits = ProbeSplits::load(dir, a.split);
  const data::HeteroDataset& ds = splits.sets.front();
  const std::string& target = ds.target_type;
  LOOM_CHECK(!target.empty(), ValueError, dir, ": meta.json names no target_node_type, so --model meow has no type ",
             "to embed");
  LOOM_CHECK(ds.y.defined(), ValueError, dir, ": the target type '", target, "' has no labels (y.npy): the probe ",
             "that evaluates MEOW's embeddings needs them");

  const hetero::HeteroGraph g = hetero::from_dataset(ds);
  std::vector<hetero::MetaPath> paths;
  std::vector<std::string> names;
  for (const std::string& spec : split_metapaths(a.metapaths)) {
    paths.push_back(hetero::parse_metapath(g, spec));
    names.push_back(paths.back().name);
  }
  // MEOW's released DBLP settings (meow.md) for DBLP's three meta-paths; elsewhere no pruning and 0.2 edge dropping
  // unless the flags say otherwise. AdaMEOW's code (code_adameow/utils/params.py) sets DBLP apart from MEOW's:
  // edge dropping 0.3 on every meta-path, feature mask 0.1, lr 1e-4, weight decay 1e-3, patience 15.
  const bool dblp = ds.name == "dblp" && names == std::vector<std::string>{"APA", "APCPA", "APTPA"};
  const size_t S = paths.size();
  std::vector<int64_t> nei_max = !a.nei_max.empty() ? parse_list<int64_t>("--nei-max", a.nei_max)
                                 : dblp             ? std::vector<int64_t>{25, 200, 40}
                                                    : std::vector<int64_t>{};
  std::vector<double> adj_mask = !a.adj_mask.empty() ? parse_list<double>("--adj-mask", a.adj_mask)
                                 : dblp && learned   ? std::vector<double>(S, 0.3)
                                 : dblp              ? std::vector<double>{0.2, 0.5, 0.6}
                                                     : std::vector<double>(S, 0.2);
  const std::vector<int64_t> clusters =
      !a.meow_clusters.empty() ? parse_list<int64_t>("--meow-clusters", a.meow_clusters) : std::vector<int64_t>{200, 700};
  LOOM_CHECK(nei_max.empty() || nei_max.size() == S, ValueError, "--nei-max gives ", nei_max.size(),
             " values for ", S, " meta-paths");
  LOOM_CHECK(adj_mask.size() == S, ValueError, "--adj-mask gives ", adj_mask.size(), " values for ", S,
             " meta-paths");
  const double tau = a.tau.value_or(0.9), feat_mask = a.feat_mask.value_or(dblp && learned ? 0.1 : 0.2);
  const models::MEOWOptions mopt = models::MEOWOptions()
                                       .hidden(a.hidden.value_or(64))
                                       .dropout(a.dropout.value_or(0.2))
                                       .tau(tau)
                                       .lambda_proto(a.lambda_proto.value_or(1.0))
                                       .weighting(learned ? models::MEOWWeighting::kLearned
                                                          : models::MEOWWeighting::kClusters);
  models::MEOWTrainOptions topt = models::MEOWTrainOptions()
                                      .lr(a.lr.value_or(dblp && learned ? 1e-4 : 6e-4))
                                      .weight_decay(a.weight_decay.value_or(dblp && learned ? 1e-3 : 0.0))
                                      .epochs(a.epochs.value_or(10000))
                                      .patience(a.patience.value_or(dblp && learned ? 15 : 35))
                                      .clusters(clusters)
                                      .kmeans_iters(a.kmeans_iters)
                                      .verbose(!a.quiet);
  const models::ProbeOptions popt = models::ProbeOptions().runs(a.probe_runs).lr(a.probe_lr).weight_decay(0.0);
  const hetero::HeteroGraph gd = g.to(device);

  ProbeTally tally(splits);  // per split: the seeds' figures
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  std::vector<int64_t> full_nnz, nnz;
  std::vector<std::vector<int64_t>> context_nnz(paths.size());
  for (int i = 0; i < a.seeds; ++i) {
    const uint64_t seed = a.seed + static_cast<uint64_t>(i);
    manual_seed(seed);
    // The augmentations are drawn once per seed, as the code draws them once per run.
    const models::MEOWInputs in =
        models::meow_inputs(g, paths, target,
                            models::MEOWInputOptions().nei_max(nei_max).adj_mask(adj_mask).feat_mask(feat_mask).seed(seed))
            .to(device);
    full_nnz = in.full_nnz, nnz = in.nnz;
    for (size_t p = 0; p < paths.size(); ++p) {
      context_nnz[p].clear();
      for (const Csr& c : in.contexts[p]) context_nnz[p].push_back(c.nnz());
    }
    if (!a.quiet && i == 0) {
      for (size_t p = 0; p < paths.size(); ++p) {
        std::fprintf(stderr, "%s: %lld path-count non-zeros, %lld kept by PathSim; contexts' non-zeros", names[p].c_str(),
                     static_cast<long long>(in.full_nnz[p]), static_cast<long long>(in.nnz[p]));
        for (int64_t c : context_nnz[p]) std::fprintf(stderr, " %lld", static_cast<long long>(c));
        std::fprintf(stderr, "\n");
      }
    }
    models::MEOW model(g, in, mopt);
    model.to(device);
    const models::MEOWTrainResult r = models::train_meow(model, gd, in, topt.seed(seed));
    runs.push_back(ProbeTally::seed_run(seed, r.epochs, r.seconds, r.losses.back(), tally.add(r.embedding, popt, seed),
                                        a.quiet));
  }
  const nlohmann::ordered_json results = tally.results(learned ? "adameow" : "meow", a.quiet);
  nlohmann::ordered_json mps = nlohmann::ordered_json::array();
  for (size_t p = 0; p < S; ++p)
    mps.push_back({{"name", names[p]},
                   {"full_nnz", full_nnz[p]},
                   {"nnz", nnz[p]},
                   {"context_nnz", context_nnz[p]},
                   {"nei_max", nei_max.empty() ? 0 : nei_max[p]},
                   {"adj_mask", adj_mask[p]}});
  // The first (or only) split's figures at the top level, as HAN's JSON has them.
  const nlohmann::ordered_json& first = results.begin().value();
  nlohmann::ordered_json out = {{"model", learned ? "adameow" : "meow"},
                                {"dataset", ds.name},
                                {"split", splits.names.size() == 1 ? ProbeSplits::key(splits.names[0])
                                                                   : std::string("all heco-*")},
                                {"weighting", learned ? "learned" : "clusters"},
                                {"target", target},
                                {"metapaths", mps},
                                {"test_macro_f1_mean", first["test_macro_f1_mean"]},
                                {"test_macro_f1_std", first["test_macro_f1_std"]},
                                {"test_micro_f1_mean", first["test_micro_f1_mean"]},
                                {"test_micro_f1_std", first["test_micro_f1_std"]},
                                {"splits", results},
                                {"seeds", a.seeds},
                                {"tau", tau},
                                {"feat_mask", feat_mask},
                                {"clusters", learned ? std::vector<int64_t>{} : clusters},
                                {"kmeans_iters", learned ? 0 : a.kmeans_iters},
                                {"lr", topt.lr()},
                                {"weight_decay", topt.weight_decay()},
                                {"patience", topt.patience()},
                                {"probe_runs", popt.runs()},
                                {"device", device.str()},
                                {"runs", runs}};
  std::cout << out.dump() << std::endl;
  LOOM_CHECK(std::cout.good(), Error, "writing the result to standard output failed");
  return 0;
}

}  // namespace loom::cli
