// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train --model pogat`: self-supervised POGAT embeddings of a heterogeneous folder's target type (graph
// attention over ontology subgraphs, trained to tell them from type-preserving perturbations; models/pogat.h, after
// the method note: the subgraph definition, the discriminator and the defaults are our reading), then HeCo's
// evaluation protocol (models::linear_probe) on frozen embeddings, as `--model meow` does: one training per seed serves
// every split (--split, else every splits/heco-*, else the folder's own); per split Macro-F1, Micro-F1 and AUC, mean
// ± std over seeds (the last stdout line is JSON). POGAT reads no meta-path.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/prepare.h"
#include "apps/probe_report.h"
#include "apps/stats.h"
#include "apps/train.h"
#include "loom/core/error.h"
#include "loom/core/random.h"
#include "loom/data/hetero_dataset.h"
#include "loom/hetero/load.h"
#include "loom/core/ops.h"
#include "loom/models/link_metrics.h"
#include "loom/models/pogat.h"
#include "loom/models/probe.h"

namespace loom::cli {

namespace {

// POGAT's settings, appended to either task's JSON in the same order.
void add_settings(nlohmann::ordered_json& out, const models::POGATOptions& m, const models::POGATTrainOptions& t) {
  out["hidden"] = m.hidden(), out["heads"] = m.heads(), out["layers"] = m.layers();
  out["instances"] = t.instances(), out["perturb_ratio"] = t.ratio(), out["epochs"] = t.epochs();
  out["batch"] = t.batch(), out["lr"] = t.lr();
}

// --task link: per seed, 10% of the target -> hub relation's pairs (DBLP: author writes paper) held out with their
// reverses, POGAT trained on the rest on target- and hub-centred subgraphs, and the held-out pairs scored by
// z_u . z_v against as many sampled non-pairs: ROC AUC and average precision, mean ± std over seeds.
int run_pogat_link(const TrainArgs& a, const hetero::HeteroGraph& g, const std::string& dataset,
                   const std::string& target, const models::POGATOptions& mopt,
                   const models::POGATTrainOptions& topt, Device device) {
  const models::OntologySampler probe_schema(g, target);
  const std::string hub = probe_schema.hub();
  LOOM_CHECK(hub != target, ValueError, "--model pogat --task link predicts links between the target type and the hub ",
             "type; here the target '", target, "' is the hub");
  const hetero::EdgeType* rel = nullptr;
  for (const hetero::EdgeType& et : g.relations())
    if (!rel && et.src == target && et.dst == hub) rel = &et;
  LOOM_CHECK(rel != nullptr, ValueError, "--model pogat --task link: no relation from '", target, "' to '", hub, "'");
  std::vector<double> aucs, aps;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  int64_t held = 0;
  std::string reverse;
  for (int i = 0; i < a.seeds; ++i) {
    const uint64_t seed = a.seed + static_cast<uint64_t>(i);
    manual_seed(seed);
    const models::HeldOutLinks split = models::hold_out_links(g, *rel, 0.1, seed);
    held = split.pos.size(1), reverse = split.reverse;
    const models::OntologySampler targets(split.train, target), hubs(split.train, hub);
    models::POGAT model(split.train, mopt);
    model.to(device);
    const hetero::HeteroGraph gd = split.train.to(device);
    const models::POGATTrainResult r =
        models::train_pogat(model, gd, {&targets, &hubs}, models::POGATTrainOptions(topt).seed(seed));
    const int64_t batch = std::max<int64_t>(topt.batch(), 1024);
    const Tensor zt = models::pogat_embed(model, gd, targets, {}, topt.instances(), batch, seed).to(kCPU);
    const Tensor zh = models::pogat_embed(model, gd, hubs, {}, topt.instances(), batch, seed).to(kCPU);
      auto score = [&](const Tensor& pairs) {
      const int64_t P = pairs.size(1);
      const Tensor u = reshape(slice(pairs, 0, 0, 1), {P}), v = reshape(slice(pairs, 0, 1, 2), {P});
      return sum(mul(index_select(zt, u), index_select(zh, v)), 1);
    };
    const Tensor pos = score(split.pos), neg = score(split.neg);
    const double auc = models::auc(pos, neg), ap = models::average_precision(pos, neg);
    aucs.push_back(auc), aps.push_back(ap);
    if (!a.quiet)
      std::fprintf(stderr, "seed %llu: %lld epochs, %.1f s, final loss %.5f: AUC %.4f, AP %.4f\n",
                   static_cast<unsigned long long>(seed), static_cast<long long>(r.epochs), r.seconds,
                   r.losses.back(), auc, ap);
    runs.push_back({{"seed", seed}, {"epochs", r.epochs}, {"seconds", r.seconds}, {"final_loss", r.losses.back()},
                    {"test_auc", auc}, {"test_ap", ap}});
  }
  if (!a.quiet && a.seeds > 1)
    std::fprintf(stderr, "pogat link %s -> %s on %s over %d seeds: AUC %.2f ± %.2f %%, AP %.2f ± %.2f %%\n",
                 target.c_str(), hub.c_str(), dataset.c_str(), a.seeds, 100 * mean_of(aucs), 100 * std_of(aucs),
                 100 * mean_of(aps), 100 * std_of(aps));
  nlohmann::ordered_json out = {{"model", "pogat"},
                                {"task", "link"},
                                {"dataset", dataset},
                                {"relation", rel->str()},
                                {"reverse", reverse},
                                {"held_out", held},
                                {"negatives_per_positive", 1},
                                {"score", "dot"},
                                {"test_auc_mean", mean_of(aucs)},
                                {"test_auc_std", std_of(aucs)},
                                {"test_ap_mean", mean_of(aps)},
                                {"test_ap_std", std_of(aps)},
                                {"seeds", a.seeds}};
  add_settings(out, mopt, topt);
  out["device"] = device.str();
  out["runs"] = runs;
  std::cout << out.dump() << std::endl;
  LOOM_CHECK(std::cout.good(), Error, "writing the result to standard output failed");
  return 0;
}

}  // namespace

int run_train_pogat(const TrainArgs& a) {
  LOOM_CHECK(a.task == "node" || a.task == "link", ValueError, "--model pogat embeds nodes (--task node, HeCo's ",
             "probe) or predicts target-hub links (--task link), not --task ", a.task);
  LOOM_CHECK(!a.data.empty(), ValueError, "--model pogat needs --data with a heterogeneous folder (e.g. dblp)");
  LOOM_CHECK(a.save.empty(), NotImplementedError, "--save is not available for --model pogat yet");
  LOOM_CHECK(a.metapaths.empty() && a.metapath_topk == 0 && a.instances_per_target == 100, ValueError,
             "--model pogat reads ontology subgraphs, not meta-paths: --metapaths, --metapath-topk and ",
             "--instances-per-target do not apply (--ontology-instances sets the instances per subgraph)");
  LOOM_CHECK(a.jk == "none" && a.norm == "none" && !a.residual && a.aggr.empty() && a.activation.empty() &&
                 !a.dropout,
             ValueError, "--model pogat has a fixed GAT stack (ELU, residual connections): --jk, --norm, --residual, ",
             "--aggr, --activation and --dropout do not apply (--layers, --heads, --hidden and --attention-dropout do)");
  LOOM_CHECK(a.nei_max.empty() && a.adj_mask.empty() && a.meow_clusters.empty() && !a.tau && !a.feat_mask &&
                 !a.lambda_proto && !a.lambda_con,
             ValueError, "--nei-max, --adj-mask, --meow-clusters, --tau, --feat-mask, --lambda-proto and --lambda-con ",
             "are MEOW's and MetaHGNIE's; --model pogat takes --ontology-instances and --perturb-ratio");
  LOOM_CHECK(!a.patience, ValueError, "--model pogat trains a fixed number of epochs (--epochs): --patience does not ",
             "apply");
  LOOM_CHECK(a.split.rfind("random", 0) != 0, ValueError, "--model pogat uses the folder's split or splits/<name> ",
             "(e.g. --split heco-20), not a random one");
  LOOM_CHECK(a.task == "node" || (a.split.empty() && a.probe_runs == 50 && a.probe_lr == 0.01), ValueError,
             "--split, --probe-runs and --probe-lr set the node probe; --task link holds out its own 10% of links");
  LOOM_CHECK(a.task == "link" || (a.link_loss == "sampled" && a.decoder == "inner_product" && a.hits_k == 20 &&
                                  !a.embedding_dim && a.encoder.empty()),
             ValueError, "--model pogat has no link decoder, loss or encoder option");
  LOOM_CHECK(a.seeds >= 1, ValueError, "--seeds must be >= 1, got ", a.seeds);
  const std::string dir = std::filesystem::is_directory(a.data) ? a.data : data::find_dataset(a.data);
  LOOM_CHECK(data::is_hetero_folder(dir), ValueError, "--model pogat needs a heterogeneous folder (nodes/<type>/, ",
             "edges/<src>__<rel>__<dst>.npy); ", dir, " has one node type");
  const Device device = parse_device(a.device);

  const ProbeSplits splits = ProbeSplits::load(dir, a.split);
  const data::HeteroDataset& ds = splits.sets.front();
  const std::string& target = ds.target_type;
  LOOM_CHECK(!target.empty(), ValueError, dir, ": meta.json names no target_node_type, so --model pogat has no type ",
             "to embed");

  const hetero::HeteroGraph g = hetero::from_dataset(ds);
  const models::OntologySampler sampler(g, target);
  const models::POGATOptions mopt = models::POGATOptions()
                                        .hidden(a.hidden.value_or(64))
                                        .heads(a.heads.value_or(4))
                                        .layers(a.layers.value_or(2))
                                        .dropout(a.attention_dropout.value_or(0.0));
  const models::POGATTrainOptions topt = models::POGATTrainOptions()
                                             .lr(a.lr.value_or(1e-3))
                                             .weight_decay(a.weight_decay.value_or(0.0))
                                             .epochs(a.epochs.value_or(60))
                                             .batch(a.batch.value_or(256))
                                             .instances(a.ontology_instances.value_or(8))
                                             .ratio(a.perturb_ratio.value_or(0.25))
                                             .verbose(!a.quiet);
  const models::ProbeOptions popt = models::ProbeOptions().runs(a.probe_runs).lr(a.probe_lr).weight_decay(0.0);
  if (a.task == "link") return run_pogat_link(a, g, ds.name, target, mopt, topt, device);
  LOOM_CHECK(ds.y.defined(), ValueError, dir, ": the target type '", target, "' has no labels (y.npy): the probe ",
             "that evaluates POGAT's embeddings needs them");
  const hetero::HeteroGraph gd = g.to(device);
  if (!a.quiet) {
    std::string others;
    for (const std::string& t : sampler.instance_types()) others += ", " + t;
    std::fprintf(stderr, "pogat: ontology instances of %s around hub %s (%s, %s%s), up to %lld per subgraph\n",
                 target.c_str(), sampler.hub().c_str(), target.c_str(), sampler.hub().c_str(), others.c_str(),
                 static_cast<long long>(topt.instances()));
  }

  ProbeTally tally(splits);
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (int i = 0; i < a.seeds; ++i) {
    const uint64_t seed = a.seed + static_cast<uint64_t>(i);
    manual_seed(seed);
    models::POGAT model(g, mopt);
    model.to(device);
    const models::POGATTrainResult r =
        models::train_pogat(model, gd, sampler, models::POGATTrainOptions(topt).seed(seed));
    runs.push_back(ProbeTally::seed_run(seed, r.epochs, r.seconds, r.losses.back(), tally.add(r.embedding, popt, seed),
                                        a.quiet));
  }
  const nlohmann::ordered_json results = tally.results("pogat", a.quiet);
  const nlohmann::ordered_json& first = results.begin().value();
  nlohmann::ordered_json out = {{"model", "pogat"},
                                {"dataset", ds.name},
                                {"split", splits.names.size() == 1 ? ProbeSplits::key(splits.names[0])
                                                                   : std::string("all heco-*")},
                                {"target", target},
                                {"hub", sampler.hub()},
                                {"instance_types", sampler.instance_types()},
                                {"test_macro_f1_mean", first["test_macro_f1_mean"]},
                                {"test_macro_f1_std", first["test_macro_f1_std"]},
                                {"test_micro_f1_mean", first["test_micro_f1_mean"]},
                                {"test_micro_f1_std", first["test_micro_f1_std"]},
                                {"splits", results},
                                {"seeds", a.seeds}};
  add_settings(out, mopt, topt);
  out["weight_decay"] = topt.weight_decay();
  out["probe_runs"] = popt.runs();
  out["device"] = device.str();
  out["runs"] = runs;
  std::cout << out.dump() << std::endl;
  LOOM_CHECK(std::cout.good(), Error, "writing the result to standard output failed");
  return 0;
}

}  // namespace loom::cli
