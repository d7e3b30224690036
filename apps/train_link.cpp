// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train --task link`: link prediction with GAE's protocol. Per seed: a random 85/5/10 split of the links with
// validation and test links removed from the graph the encoder reads (graph::random_link_split), fixed evaluation
// negatives from the whole graph's non-edges, a LinkModel (the registry model as encoder, variational for vgae; 2
// layers, 32 hidden units, 16 outputs, no dropout, no weight decay unless the flags say otherwise), the chosen
// decoder and loss, and the weights of the best validation AUC. The last stdout line is JSON: test AUC, AP, Hits@K
// and MRR, mean ± std over seeds.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/stats.h"
#include "apps/train.h"
#include "loom/core/error.h"
#include "loom/core/random.h"
#include "loom/graph/graph.h"
#include "loom/graph/link.h"
#include "loom/models/link_task.h"
#include "loom/models/registry.h"
#include "loom/models/saved_model.h"

namespace loom::cli {

int run_train_link(const TrainArgs& a, const data::NodeDataset& d, models::GnnOptions opts,
                   models::TrainerOptions topt, Device device, models::FeatureTransform features) {
  const models::ModelSpec& spec = models::find_model(opts.model());
  LOOM_CHECK(spec.input == models::Input::kGraph, ValueError, "--task link: model '", opts.model(),
             "' does not run on a graph (link prediction encodes a graph's nodes; use gcn, sage, gat, ...)");
  LOOM_CHECK(d.num_edges() > 0, ValueError, "--task link: '", d.name, "' has no edges to predict");
  const models::LinkArchitecture* arch = models::find_link_architecture(a.model);
  const models::LinkLoss loss = parse_choice<models::LinkLoss>(a.link_loss);
  const models::LinkDecoder decoder = parse_choice<models::LinkDecoder>(a.decoder);
  LOOM_CHECK(loss != models::LinkLoss::kFull || decoder != models::LinkDecoder::kMlp, ValueError,
             "--link-loss full needs a product decoder (--decoder inner_product or distmult): the mlp decoder would "
             "run an MLP on each of the N^2 pairs every epoch");
  // GAE's encoder and training, where the user chose nothing else: 32 hidden units, 16 outputs, no dropout, Adam
  // without weight decay (on Cora, the node task's 5e-4 costs about 13 points of test AUC).
  opts.out_features(a.embedding_dim.value_or(16));
  if (!a.hidden) opts.hidden(32);
  if (!a.dropout) opts.dropout(0.0);
  if (!a.weight_decay) topt.weight_decay = 0.0;
  const models::LinkModelOptions lopts =
      models::LinkModelOptions(opts).variational(arch && arch->variational).decoder(decoder);
  topt.model_config = models::options_to_json(opts);
  const models::LinkTaskOptions task_opts = models::LinkTaskOptions().loss(loss).hits_k(a.hits_k);
  const std::string hits = "hits@" + std::to_string(a.hits_k);

  const graph::Graph full = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  std::vector<double> test_auc, test_ap, test_hits, test_mrr, val_auc;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  double best_val = -1.0;
  for (int i = 0; i < a.seeds; ++i) {
    const uint64_t seed = a.seed + static_cast<uint64_t>(i);
    const graph::LinkSplit split = graph::random_link_split(full, 0.05, 0.10, seed);
    models::LinkData links = models::link_data(full, split, seed);
    for (Tensor* t : {&links.train_links, &links.val_links, &links.val_negatives, &links.test_links,
                      &links.test_negatives, &links.test_rank_negatives})
      if (t->defined()) *t = t->to(device);
    const graph::Graph message_graph = split.train.to(device);
    const Tensor x = d.x.to(device);

    manual_seed(seed);
    auto model = std::make_shared<models::LinkModel>(lopts);
    model->to(device);
    models::LinkPredictionTask task(links, message_graph, *model, x, task_opts);
    models::TrainerOptions run_opt = topt;
    if (!a.quiet) {
      run_opt.callbacks.push_back(
          std::make_shared<models::ProgressLine>("seed " + std::to_string(seed) + "  ", topt.epochs));
    }
    const models::TrainResult r = models::fit(*model, task, run_opt);
    test_auc.push_back(r.metric("test_auc"));
    test_ap.push_back(r.metric("test_ap"));
    test_hits.push_back(r.metric("test_" + hits));
    test_mrr.push_back(r.metric("test_mrr"));
    val_auc.push_back(r.metric("val_auc"));
    runs.push_back({{"seed", seed},
                    {"test_auc", test_auc.back()},
                    {"test_ap", test_ap.back()},
                    {"test_" + hits, test_hits.back()},
                    {"test_mrr", test_mrr.back()},
                    {"val_auc", val_auc.back()},
                    {"best_epoch", r.best_epoch},
                    {"train_links", links.train_links.size(1)},
                    {"val_links", links.val_links.size(1)},
                    {"test_links", links.test_links.size(1)}});
    if (!a.quiet)
      std::fprintf(stderr, "seed %llu: %s\n", static_cast<unsigned long long>(seed), runs.back().dump().c_str());
    // --save keeps the seed of the best validation AUC (never chosen on the test split), with its message-passing
    // graph, so loom predict --pairs scores on exactly the graph the encoder was trained on.
    if (!a.save.empty() && val_auc.back() > best_val) {
      best_val = val_auc.back();
      model->to(kCPU);
      models::save_link_model(*model, a.save,
                              {features, d.name, seed, d.num_nodes(), split.train.edge_index().to(kCPU)});
    }
  }
  const nlohmann::ordered_json out = {{"task", "link"},
                                      {"model", a.model},
                                      {"dataset", d.name},
                                      {"test_auc_mean", mean_of(test_auc)},
                                      {"test_auc_std", std_of(test_auc)},
                                      {"test_ap_mean", mean_of(test_ap)},
                                      {"test_ap_std", std_of(test_ap)},
                                      {"test_" + hits + "_mean", mean_of(test_hits)},
                                      {"test_" + hits + "_std", std_of(test_hits)},
                                      {"test_mrr_mean", mean_of(test_mrr)},
                                      {"test_mrr_std", std_of(test_mrr)},
                                      {"val_auc_mean", mean_of(val_auc)},
                                      {"encoder", opts.model()},
                                      {"variational", lopts.variational()},
                                      {"decoder", a.decoder},
                                      {"link_loss", a.link_loss},
                                      {"seeds", a.seeds},
                                      {"epochs", topt.epochs},
                                      {"device", device.str()},
                                      {"save", a.save.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.save)},
                                      {"runs", runs}};
  if (!a.quiet && a.seeds > 1) {
    std::fprintf(stderr,
                 "%s (%s encoder, %s decoder, %s loss) on %s over %d seeds: test AUC %.2f ± %.2f %%, AP %.2f ± %.2f "
                 "%%, %s %.2f ± %.2f %%, MRR %.4f ± %.4f\n",
                 a.model.c_str(), opts.model().c_str(), a.decoder.c_str(), a.link_loss.c_str(), d.name.c_str(),
                 a.seeds, 100 * mean_of(test_auc), 100 * std_of(test_auc), 100 * mean_of(test_ap),
                 100 * std_of(test_ap), hits.c_str(), 100 * mean_of(test_hits), 100 * std_of(test_hits),
                 mean_of(test_mrr), std_of(test_mrr));
  }
  std::cout << out.dump() << std::endl;
  LOOM_CHECK(std::cout.good(), Error, "writing the result to standard output failed");
  return 0;
}

}  // namespace loom::cli
