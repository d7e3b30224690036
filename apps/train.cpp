// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train`: loads or generates the data, builds the structure once, then trains one model per seed through
// models::fit and reports each run and the mean and standard deviation over runs (the last stdout line is JSON).
#include "apps/train.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <nlohmann/json.hpp>

#include "apps/flags.h"
#include "apps/prepare.h"
#include "apps/stats.h"
#include "loom/core/choices.h"
#include "loom/core/error.h"
#include "loom/core/random.h"
#include "loom/layers/pool.h"
#include "loom/models/catalogue.h"
#include "loom/models/link_task.h"
#include "loom/models/recommend.h"
#include "loom/models/registry.h"
#include "loom/graph/partition.h"
#include "loom/graph/reorder.h"
#include "loom/hetero/instance_encoder.h"
#include "loom/models/gas_task.h"
#include "loom/models/sampled_task.h"
#include "loom/models/saved_model.h"
#include "loom/models/trainer.h"

namespace loom::cli {

namespace {

std::string model_help() {
  std::string help = "the model (default gcn):";
  for (const models::CatalogueEntry& e : models::model_catalogue()) {
    std::string use;
    switch (e.family) {
      case models::ModelFamily::kLayers: use = to_string(models::find_model(e.name).input); break;
      case models::ModelFamily::kLink: use = "--task link; --encoder"; break;
      case models::ModelFamily::kRecommender: use = "--task recommend"; break;
      case models::ModelFamily::kMetaPath: use = "heterogeneous; --metapaths"; break;
    }
    help += "\n  " + e.name + std::string(e.name.size() < 9 ? 9 - e.name.size() : 1, ' ') + e.summary + " [" + use + "]";
  }
  return help;
}

data::NodeDataset load(const TrainArgs& a) {
  if (!a.data.empty()) return load_folder(a.data, a.split);
  LOOM_CHECK(a.split.empty() || a.split.rfind("random", 0) == 0, ValueError, "--split ", a.split,
             ": a generated graph has one split; numbered splits need --data");
  data::CsbmOptions o = a.csbm;
  o.seed = a.seed;
  // Small generated graphs keep half of the non-training nodes for validation, the rest for test.
  const int64_t rest = o.num_nodes - o.train_per_class * o.num_classes;
  o.num_val = std::max<int64_t>(0, std::min(o.num_val, rest / 2));
  return data::make_csbm(o);
}

// mean_of / std_of of the values, or null when there are none (a split without nodes).
nlohmann::ordered_json stat_or_null(const std::vector<double>& v, double (*f)(const std::vector<double>&)) {
  return v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f(v));
}

nlohmann::ordered_json metric_or_null(const models::Metrics& m, const std::string& name) {
  const auto it = m.find(name);
  return it == m.end() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(it->second);
}

// "15,10,5" -> {15, 10, 5}; "" -> none. Each a positive count or -1 (every neighbour).
std::vector<int64_t> parse_fanouts(const std::string& text) {
  std::vector<int64_t> out;
  if (text.empty()) return out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    size_t used = 0;
    int64_t f = 0;
    try {
      f = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    LOOM_CHECK(used == item.size() && !item.empty() && (f >= 1 || f == -1) && f <= (int64_t{1} << 30), ValueError,
               "--fanouts ", text, ": '", item, "' is not a fan-out (a count from 1 to 2^30, or -1 for every neighbour)");
    out.push_back(f);
  }
  return out;
}

}  // namespace

CLI::App* add_train_command(CLI::App& app, TrainArgs& a) {
  CLI::App* train = app.add_subcommand("train", "train a node classifier and report test accuracy");
  train->add_option("--model", a.model, model_help())->check(CLI::IsMember(models::catalogue_names()));
  train->add_option("--task", a.task,
                    "node (classify nodes, default), link (predict links: GAE's protocol), graph (classify graphs: "
                    "k-fold cross-validation under GIN's and the fair protocol) or recommend (rank items for users: "
                    "lightgcn, mf, mmhcl, popularity)")
      ->check(CLI::IsMember({"node", "link", "graph", "recommend"}));
  train->add_option("--embedding-dim", a.embedding_dim,
                    "link: the encoder's output width (default 16); recommend: the embeddings' (default 64)")
      ->check(whole_in(1, 1 << 20));
  train->add_option("--encoder", a.encoder, "link, with --model gae or vgae: the encoder (a graph model; default gcn)")
      ->check(CLI::IsMember(models::model_names()));
  train->add_option("--decoder", a.decoder, "link: the pair decoder, inner_product (default), mlp (on z_u * z_v) or "
                                            "distmult (z_u^T diag(r) z_v)")
      ->check(CLI::IsMember(choice_names<models::LinkDecoder>()));
  train->add_option("--link-loss", a.link_loss, "link: sampled (BCE against as many fresh negatives per epoch, "
                                                "default) or full (GAE's weighted BCE over all N^2 pairs)")
      ->check(CLI::IsMember(choice_names<models::LinkLoss>()));
  train->add_option("--hits-k", a.hits_k, "link: K of the reported Hits@K (default 20)")->check(whole_in(1, 1 << 30));
  train->add_option("--batch,--batch-size", a.batch,
                    "recommend: BPR minibatch (default 2048); node with --fanouts: seed nodes per step (1024); "
                    "graph: graphs per batch (32)")
      ->check(whole_in(1, 1 << 30));
  train->add_option("--fanouts", a.fanouts,
                    "node: train on sampled neighbourhoods, one fan-out per layer from the seeds outward (PyG's "
                    "order), e.g. 15,10 for 2 layers; -1 keeps every neighbour. Evaluation stays full-graph");
  train->add_flag("--history", a.history,
                  "node: GNNAutoScale training: batches of graph clusters whose halo reads historical embeddings "
                  "(every edge used; evaluation stays full-graph)")
      ->excludes("--fanouts");
  train->add_option("--clusters", a.clusters, "--history: clusters of the partition (default 32)")
      ->check(whole_in(1, 1 << 30));
  train->add_option("--clusters-per-batch", a.clusters_per_batch, "--history: clusters per step (default 4)")
      ->check(whole_in(1, 1 << 30));
  train->add_option("--partition", a.partition,
                    "--history, --parts: metis (default; streaming when Loom has no METIS), streaming or random")
      ->check(CLI::IsMember({"metis", "streaming", "random"}));
  train->add_option("--reorder", a.reorder,
                    "node: store the nodes in this order for memory locality: none (default), degree, rcm (reverse "
                    "Cuthill-McKee) or metis (METIS parts, RCM inside). Results are reported in the data's own ids "
                    "and equal --reorder none's to float32 rounding; random draws that follow storage order (dropout "
                    "masks, --fanouts samples, --history clusters) become other draws of the same distribution")
      ->check(CLI::IsMember(choice_names<graph::Reorder>()));
  CLI::Option* parts = train->add_option("--parts", a.parts,
                    "node: partition-parallel training, one process per part of the graph (METIS unless --partition "
                    "says otherwise); the layers exchange their halo rows exactly (staleness 0) and the gradients are "
                    "summed. Started alone, loom runs itself under mpirun on this machine; for several hosts start it "
                    "as mpirun -np P --host A:n,B:m loom train --parts P ...")
      ->check(whole_in(1, 1 << 16));
  train->add_option("--data-parallel", a.data_parallel,
                    "node with --fanouts: P processes, each sampling its slice of every mini-batch (--batch-size is "
                    "the whole batch), gradients summed; started alone, loom runs itself under mpirun")
      ->check(whole_in(1, 1 << 16))
      ->excludes(parts);
  train->add_option("--partition-file", a.partition_file,
                    "--parts: the part of every node, an int32/int64 .npy of N ids in [0, P), instead of computing one")
      ->needs(parts);
  train->add_option("--comm-timeout", a.comm_timeout,
                    "--parts, --data-parallel: seconds a process waits for a peer before failing with its rank (default 300)")
      ->check(finite_in(0, 1e6, true));
  train->add_option("--staleness", a.staleness,
                    "--parts: epochs a halo row may be old. 0 (default): every layer exchanges its halo rows every "
                    "epoch, exactly; k > 0: the exchange runs every (k+1)-th training epoch and the k epochs between "
                    "reuse its rows (Sancus-style skipped broadcasts with a fixed period), so halo bytes drop to "
                    "1/(k+1); gradients are still summed exactly every step, evaluation exchanges fresh rows");
  train->add_option("--comm", a.comm,
                    "--parts --device cuda: how GPU processes exchange halo rows and gradients: nccl (GPU to GPU; one "
                    "GPU per process), mpi (through host memory) or auto (default: nccl when Loom has it and every "
                    "process of a host has its own GPU, else mpi)")
      ->check(CLI::IsMember({"auto", "nccl", "mpi"}));
  train->add_option("--threads-per-part", a.threads_per_part,
                    "--parts, --data-parallel: threads of each process (default: cores / P)")
      ->check(whole_in(1, 1 << 16));
  train->add_option("--folds", a.folds, "graph: cross-validation folds (default 10)")->check(whole_in(1, 100000));
  train->add_option("--readout", a.readout,
                    "graph: per-graph pooling, sum (default), mean, max or attention; or histograph (HISTOGRAPH's "
                    "attention over every layer's node states)")
      ->check(CLI::IsMember(choice_names<layers::Readout>()));
  train->add_flag("--train-eps", a.train_eps, "graph, gin: learnable eps (GIN-eps; default GIN-0)");
  train->add_flag("--no-jk", a.no_jk, "graph: read out the last layer only (default: GIN's sum over every layer)");
  train->add_flag("--freeze-backbone", a.freeze_backbone,
                  "graph, --readout histograph: per fold, train the backbone with a last-layer readout, cache its "
                  "per-layer states once (eval mode), then train only the HISTOGRAPH head on them");
  train->add_option("--reg", a.reg, "recommend: BPR's L2 weight (default: the model's)")->check(finite_in(0, 100));
  train->add_option("--min-rating", a.min_rating, "recommend: keep interactions rated at least this (default 0: all)")
      ->check(whole_in(0, 1 << 30));
  train->add_option("--metapaths", a.metapaths,
                    "han, magnn, metahgnie: meta-paths over the target type, by type initials separated by commas (APA,APCPA,APTPA), "
                    "or by ';' when one is a relation list (writes,written_by;writes,published_in,publishes,written_by)");
  train->add_option("--metapath-topk", a.metapath_topk,
                    "han, metahgnie: keep the k heaviest meta-path neighbours per node, by path count (default 0: all)")
      ->check(whole_in(0, 1 << 30));
  train->add_option("--semantic-dim", a.semantic_dim,
                    "han, magnn: size of the semantic attention vector q (default 128)")
      ->check(whole_in(1, 1 << 20));
  train->add_option("--instances-per-target", a.instances_per_target,
                    "magnn: meta-path instances kept per target node, drawn uniformly past it (default 100, as "
                    "MAGNN's neighbour samples; 0: all)")
      ->check(whole_in(0, 1 << 30));
  train->add_option("--instance-encoder", a.instance_encoder,
                    "magnn: how an instance's node vectors combine: rotation (relational rotation, the default) or "
                    "mean (the paper's ablation)")
      ->check(CLI::IsMember(choice_names<hetero::InstanceEncoding>()));
  train->add_option("--lambda-con", a.lambda_con, "metahgnie: weight of the structural/semantic InfoNCE term "
                    "(default 0.1, the code's; 0: the ablation without the contrastive fusion)")
      ->check(finite_in(0, 100));
  train->add_option("--nei-max", a.nei_max, "meow: PathSim top-k neighbours per meta-path, comma-separated "
                    "(default on dblp: 25,200,40; else all)");
  train->add_option("--adj-mask", a.adj_mask, "meow: fraction of each meta-path graph's edges dropped in the "
                    "augmented view, comma-separated (default on dblp: 0.2,0.5,0.6; else 0.2 each)");
  train->add_option("--meow-clusters", a.meow_clusters, "meow: k of each k-means clustering that weighs the "
                    "negatives (default 200,700)");
  train->add_option("--tau", a.tau, "meow: temperature (default 0.9)")->check(finite_in(1e-6, 100));
  train->add_option("--feat-mask", a.feat_mask, "meow: fraction of the target's feature non-zeros masked "
                    "(default 0.2)")->check(finite_in(0, 0.999));
  train->add_option("--lambda-proto", a.lambda_proto, "meow: weight of the prototype loss (default 1)")
      ->check(finite_in(0, 1000));
  train->add_option("--weighting", a.weighting, "meow: how the negatives are weighted: clusters (MEOW, the default) or "
                    "learned (AdaMEOW: a pairwise MLP trained with the model; the code's DBLP defaults)")
      ->check(CLI::IsMember({"clusters", "learned"}));
  train->add_option("--ontology-instances", a.ontology_instances,
                    "pogat: ontology instances (a hub node and one neighbour of each other type) per target's "
                    "subgraph (default 8)")
      ->check(whole_in(1, 1 << 20));
  train->add_option("--perturb-ratio", a.perturb_ratio,
                    "pogat: share of a subgraph's non-target nodes swapped for same-type nodes in the negative "
                    "(default 0.25)")
      ->check(finite_in(1e-9, 1));
  train->add_option("--kmeans-iters", a.kmeans_iters, "meow: Lloyd iterations of each k-means (default 20)")
      ->check(whole_in(1, 1000));
  train->add_option("--probe-runs", a.probe_runs, "meow, pogat: logistic-regression runs of the HeCo probe (default 50)")
      ->check(whole_in(1, 100000));
  train->add_option("--probe-lr", a.probe_lr, "meow, pogat: the probe's learning rate (default 0.01, HeCo's on DBLP)")
      ->check(finite_in(1e-9, 100));
  train->add_option("--export", a.export_path, "recommend: write the first seed's embeddings as a serving file "
                    "(docs/embedding-format.md) for loom::serve");
  CLI::Option* data = train->add_option("--data", a.data, "data-set folder, or a name under $LOOM_DATA (default: a generated CSBM graph)");
  train->add_option("--epochs", a.epochs, "training epochs (default: the model's)")->check(whole_in(1, 10000000));
  train->add_option("--lr", a.lr, "learning rate (default: the model's)")->check(finite_in(0, 100, true));
  train->add_option("--weight-decay", a.weight_decay, "weight decay (default: the model's)")
      ->check(finite_in(0, 100));
  train->add_option("--hidden", a.hidden, "hidden units (per head for attention models; default: the model's)")
      ->check(whole_in(1, 1 << 20));
  train->add_option("--layers", a.layers, "structure layers")->check(whole_in(1, 1000));
  train->add_option("--heads", a.heads, "attention heads of the hidden layers")->check(whole_in(1, 1024));
  train->add_option("--dropout", a.dropout, "dropout on each layer's input")->check(finite_in(0, 0.99));
  train->add_option("--attention-dropout", a.attention_dropout, "dropout on attention coefficients")
      ->check(finite_in(0, 0.99));
  train->add_option("--activation", a.activation, "activation (default: the model's)")
      ->check(CLI::IsMember(choice_names<Activation>()));
  train->add_option("--norm", a.norm, "normalisation after each hidden layer")
      ->check(CLI::IsMember(choice_names<NormLayer>()));
  train->add_flag("--residual", a.residual, "residual connections where widths agree");
  train->add_option("--jk", a.jk, "jumping knowledge")->check(CLI::IsMember(choice_names<models::JumpingKnowledge>()));
  train->add_option("--hyperedges", a.num_hyperedges, "softhgnn: learned soft hyperedges (default 16)")
      ->check(whole_in(1, 1 << 20));
  train->add_option("--aggr", a.aggr, "neighbourhood aggregation of models that offer one (sage: mean, max, sum; "
                                      "sinc: sum, mean, sym)")
      ->check(CLI::IsMember(choice_names<Aggregation>()));
  train->add_flag("--normalize-features", a.normalize_features,
                  "divide each feature row by its sum (PyG's NormalizeFeatures; the default of every model)");
  train->add_flag("--no-normalize-features", a.no_normalize_features, "use the features as they are");
  train->add_flag("--no-singletons", a.no_singletons,
                  "hypergraph folders: do not add a singleton hyperedge per vertex (added by default, as AllSet does)");
  train->add_option("--optimizer", a.optimizer, "adam (default), adamw or sgd")
      ->check(CLI::IsMember(choice_names<models::OptimizerKind>()));
  train->add_option("--momentum", a.momentum, "sgd momentum (default 0.9)")->check(finite_in(0, 0.999));
  train->add_option("--schedule", a.schedule, "learning-rate schedule: none, step, cosine or plateau")
      ->check(CLI::IsMember(choice_names<models::Schedule>()));
  train->add_option("--step-size", a.step_size, "step schedule: epochs between decays (default 50)")
      ->check(whole_in(1, 10000000));
  train->add_option("--gamma", a.gamma, "step schedule: decay factor (default 0.5)")->check(finite_in(0, 1, true));
  train->add_option("--plateau-patience", a.plateau_patience, "plateau schedule: epochs without gain (default 10)")
      ->check(whole_in(0, 10000000));
  train->add_option("--min-lr", a.min_lr, "cosine and plateau schedules: the lowest learning rate")
      ->check(finite_in(0, 100));
  train->add_option("--clip-grad", a.clip_grad, "clip the gradient norm to this (0: off)")->check(finite_in(0, 1e12));
  train->add_option("--monitor", a.monitor,
                    "metric that picks the kept weights and drives --patience (default val_acc; *_loss minimised)");
  train->add_option("--patience", a.patience, "early stopping: epochs without gain on the monitor (0: off)")
      ->check(whole_in(0, 10000000));
  train->add_option("--checkpoint", a.checkpoint, "directory for checkpoints (one per seed, written every epoch)");
  train->add_flag("--resume", a.resume, "continue from the checkpoints in --checkpoint (finished seeds are kept)");
  train->add_option("--seed", a.seed, "random seed (data generation, initialisation, dropout, random splits)");
  train->add_option("--seeds", a.seeds, "runs with seeds seed, seed+1, ...; reports mean ± std")->check(whole_in(1, 100000));
  train->add_option("--split", a.split, "the folder's own split (default), split k (splits/k), or random:TRAIN,VAL");
  train->add_option("--device", a.device, "cpu, cuda or cuda:N (GPU N)")->check(device_name());
  train->add_option("--save", a.save, "write the model of the best-validation run (loads with loom eval/predict)");
  train->add_option("--log", a.log, "append per-epoch metrics as CSV (seed,epoch,loss,lr,<metrics>,seconds)");
  train->add_option("--json-log", a.json_log, "append per-epoch metrics as JSON lines");
  train->add_flag("--quiet", a.quiet, "no progress lines");
  // The generated default graph (contextual stochastic block model), used when --data is not given: its flags
  // with --data are an error, not silently ignored.
  train->add_option("--nodes", a.csbm.num_nodes, "generated graph: nodes")->check(whole_in(1, 1 << 30))
      ->excludes(data);
  train->add_option("--classes", a.csbm.num_classes, "generated graph: classes")->check(whole_in(1, 1 << 20))
      ->excludes(data);
  train->add_option("--features", a.csbm.num_features, "generated graph: feature dimension")->check(whole_in(1, 1 << 20))
      ->excludes(data);
  train->add_option("--avg-degree", a.csbm.avg_degree, "generated graph: mean degree")->check(finite_in(0, 1e6))
      ->excludes(data);
  train->add_option("--homophily", a.csbm.homophily, "generated graph: fraction of same-class edges")
      ->check(finite_in(0, 1))
      ->excludes(data);
  train->add_option("--signal", a.csbm.signal, "generated graph: distance between class means (noise units)")
      ->check(finite_in(0, 1e6))
      ->excludes(data);
  return train;
}

models::TrainerOptions seed_run_options(const TrainArgs& a, const models::TrainerOptions& base, uint64_t seed) {
  models::TrainerOptions run_opt = base;
  if (!a.checkpoint.empty()) {
    run_opt.checkpoint_dir = (std::filesystem::path(a.checkpoint) / ("seed-" + std::to_string(seed))).string();
  }
  const std::vector<std::pair<std::string, std::string>> prefix{{"seed", std::to_string(seed)}};
  if (!a.log.empty()) run_opt.callbacks.push_back(std::make_shared<models::CsvLog>(a.log, prefix));
  if (!a.json_log.empty()) run_opt.callbacks.push_back(std::make_shared<models::JsonLog>(a.json_log, prefix));
  if (!a.quiet) {
    run_opt.callbacks.push_back(
        std::make_shared<models::ProgressLine>("seed " + std::to_string(seed) + "  ", base.epochs));
  }
  return run_opt;
}

models::TrainerOptions trainer_options(const TrainArgs& a, const models::TrainingDefaults& defaults) {
  models::TrainerOptions topt;
  topt.epochs = a.epochs.value_or(defaults.epochs);
  topt.lr = a.lr.value_or(defaults.lr);
  topt.weight_decay = a.weight_decay.value_or(defaults.weight_decay);
  topt.optimizer = parse_choice<models::OptimizerKind>(a.optimizer);
  topt.momentum = a.momentum;
  topt.schedule = parse_choice<models::Schedule>(a.schedule);
  topt.step_size = a.step_size;
  topt.gamma = a.gamma;
  topt.min_lr = a.min_lr;
  topt.plateau_patience = a.plateau_patience;
  topt.clip_grad_norm = a.clip_grad;
  topt.monitor = a.monitor;
  topt.patience = a.patience.value_or(0);
  topt.resume = a.resume;
  return topt;
}

int run_train(const TrainArgs& a) {
  const models::CatalogueEntry* entry = models::find_in_catalogue(a.model);
  LOOM_CHECK(entry != nullptr, ValueError, "--model ", a.model, ": unknown model (expected ",
             loom::detail::join_names(models::catalogue_names()), ")");
  const bool recommender = entry->family == models::ModelFamily::kRecommender;
  if (recommender != (a.task == "recommend")) {
    throw ValueError("--model " + a.model +
                     (recommender ? " is a recommender: use it with --task recommend"
                                  : " is not a recommender: --task recommend takes " +
                                        loom::detail::join_names(
                                            models::catalogue_names(models::ModelFamily::kRecommender))));
  }
  const bool metapath = entry->family == models::ModelFamily::kMetaPath;
  // --reorder is applied by the single-process node path below; every other path would ignore it.
  const std::string keeps_order = a.task != "node"      ? "--task " + a.task
                                  : metapath            ? "--model " + a.model
                                  : a.parts > 0         ? std::string("--parts")
                                  : a.data_parallel > 0 ? std::string("--data-parallel")
                                                        : std::string();
  LOOM_CHECK(a.reorder == "none" || keeps_order.empty(), ValueError, "--reorder ", a.reorder,
             " reorders the graph of --task node (graph and hypergraph models); ", keeps_order,
             " keeps the data's order");
  // Checked before the models that take their own path, which would otherwise ignore the flag.
  LOOM_CHECK((a.parts == 0 && a.data_parallel == 0) || !(recommender || metapath), ValueError,
             a.parts > 0 ? "--parts" : "--data-parallel", " trains node classifiers on homogeneous graphs; --model ",
             a.model, " is not one");
  // Here, not in run_train_metapath, so that no model (meta-path or not) ignores it silently.
  const bool meow = metapath && models::find_metapath_model(a.model)->kind == models::MetaPathKind::kMeow;
  LOOM_CHECK(a.weighting.empty() || meow, ValueError, "--weighting is MEOW's (--model meow); --model ", a.model,
             " has no weighted negatives");
  const bool pogat = metapath && models::find_metapath_model(a.model)->kind == models::MetaPathKind::kPogat;
  LOOM_CHECK((!a.ontology_instances && !a.perturb_ratio) || pogat, ValueError, "--ontology-instances and ",
             "--perturb-ratio are POGAT's (--model pogat); --model ", a.model, " has no ontology subgraphs");
  if (recommender) return run_train_recommend(a);
  if (metapath) return run_train_metapath(a);
  // gae and vgae name a link architecture; the network is then --encoder's (gcn unless set).
  const bool arch = entry->family == models::ModelFamily::kLink;
  LOOM_CHECK(!arch || a.task == "link", ValueError, "--model ", a.model,
             " is a link prediction model: use it with --task link");
  LOOM_CHECK(a.encoder.empty() || arch, ValueError, "--encoder ", a.encoder,
             " needs --model gae or vgae (with --model ", a.model, " the encoder is ", a.model, ")");
  if (a.task == "graph") return run_train_graph(a);
  LOOM_CHECK(a.parts > 0 || a.data_parallel > 0 || (a.threads_per_part == 0 && !a.comm_timeout), ValueError,
             "--threads-per-part and --comm-timeout set up processes: give --parts or --data-parallel");
  LOOM_CHECK(!a.staleness || a.parts > 0, ValueError, "--staleness bounds how old --parts' halo rows may be: ",
             a.data_parallel > 0 ? "--data-parallel exchanges no halo (each process samples its own mini-batches)"
                                 : "give --parts P");
  LOOM_CHECK(!a.staleness || *a.staleness >= 0, ValueError,
             "--staleness must be >= 0 (epochs a halo row may be old; 0 = exact), got ", *a.staleness);
  LOOM_CHECK(a.comm == "auto" || (a.parts > 0 && a.device.starts_with("cuda")), ValueError,
             "--comm chooses how --parts' GPU processes exchange rows: give --parts P --device cuda");
  if (a.parts > 0 || a.data_parallel > 0) {
    check_parts_flags(a, models::find_model(arch ? "gcn" : a.model).input == models::Input::kGraph);
    if (const int rc = maybe_spawn_parts(a); rc >= 0) return rc;
  }
  const std::string net = arch ? (a.encoder.empty() ? std::string("gcn") : a.encoder) : a.model;
  const models::ModelSpec& spec = models::find_model(net);
  const bool multi_process = a.parts > 0 || a.data_parallel > 0;
  const Device device = parse_device(multi_process ? parts_device(a) : a.device);
  LOOM_CHECK(a.seeds >= 1, ValueError, "--seeds must be >= 1, got ", a.seeds);
  LOOM_CHECK(!(a.normalize_features && a.no_normalize_features), ValueError,
             "--normalize-features and --no-normalize-features contradict each other");
  LOOM_CHECK(!a.resume || !a.checkpoint.empty(), ValueError, "--resume needs --checkpoint DIR");
  if (!a.save.empty()) {
    // Refuse a destination that cannot be written before training, not after it.
    const std::filesystem::path dir = std::filesystem::absolute(a.save).parent_path();
    LOOM_CHECK(std::filesystem::is_directory(dir), ValueError, "--save ", a.save, ": the directory ", dir.string(),
               " does not exist");
  }
  manual_seed(a.seed);
  data::NodeDataset d = load(a);
  const bool explicit_features = a.normalize_features || a.no_normalize_features;
  // The generated graph's features are Gaussian, not bag-of-words: its default is to use them as they are. Link
  // prediction keeps the raw features as GAE's code does (on Cora they beat row-normalised ones on validation AUC
  // GAE: 93.1 vs 92.2 with the full loss, 92.8 vs 89.8 with the sampled one).
  const models::FeatureTransform wanted = a.no_normalize_features ? models::FeatureTransform::kNone
                                          : a.normalize_features  ? models::FeatureTransform::kRowNormalize
                                          : a.data.empty() || a.task == "link" ? models::FeatureTransform::kNone
                                                                               : spec.training.features;
  const models::FeatureTransform features = prepare_features(d, wanted, explicit_features);
  // --reorder: the structure and the features are stored in the new order. Each run's split is drawn in the data's
  // own ids and then mapped (in the loop below), so a reordered run trains and is scored on the same nodes.
  const graph::Reorder order = parse_choice<graph::Reorder>(a.reorder);
  graph::Reordering reordering;
  data::NodeDataset stored = d;
  if (order != graph::Reorder::kNone) {
    reordering = graph::reorder(graph::Graph::from_edge_index(d.edge_index, d.num_nodes()), order,
                                graph::ReorderOptions().seed(a.seed));
    reorder_nodes(stored, reordering.permutation);
    if (!a.quiet) std::fprintf(stderr, "reorder: %s\n", reordering.str().c_str());
  }
  // --parts partitions the whole graph on the CPU; each process moves its part to its device.
  const PreparedStructure structure = build_structure(stored, spec, !a.no_singletons, multi_process ? kCPU : device);
  const models::Structure view = structure.view();

  models::GnnOptions opts = models::paper_options(net, d.num_features(), d.num_classes);
  opts.num_layers(a.layers.value_or(2))
      .norm(parse_choice<NormLayer>(a.norm))
      .jk(parse_choice<models::JumpingKnowledge>(a.jk))
      .residual(a.residual)
      .num_hyperedges(a.num_hyperedges);
  if (a.hidden) opts.hidden(*a.hidden);
  if (a.heads) opts.heads(*a.heads);
  if (a.dropout) opts.dropout(*a.dropout);
  if (a.attention_dropout) opts.attention_dropout(*a.attention_dropout);
  if (!a.activation.empty()) opts.activation(parse_choice<Activation>(a.activation));
  if (!a.aggr.empty()) opts.aggr(parse_choice<Aggregation>(a.aggr));

  const models::TrainerOptions topt = trainer_options(a, spec.training);

  const std::vector<int64_t> fanouts = parse_fanouts(a.fanouts);
  LOOM_CHECK(fanouts.empty() || a.task == "node", ValueError, "--fanouts samples node neighbourhoods for --task node, "
             "not --task ", a.task);
  LOOM_CHECK(fanouts.empty() || view.graph, ValueError, "--fanouts: model ", a.model,
             " runs on a hypergraph, which the neighbour sampler does not sample");
  LOOM_CHECK(fanouts.empty() || static_cast<int64_t>(fanouts.size()) == opts.num_layers(), ValueError, "--fanouts ",
             a.fanouts, " gives ", fanouts.size(), " fan-outs for ", opts.num_layers(),
             " layers (one per layer; set --layers to match)");
  LOOM_CHECK(!a.history || (a.task == "node" && view.graph), ValueError,
             "--history trains node classifiers on graphs, not --task ", a.task, " or hypergraph models");
  graph::Partition clusters;
  if (a.history) {
    const bool fallback = a.partition == "metis" && !graph::has_metis();
    clusters = graph::partition_graph(
        *view.graph, a.clusters,
        graph::PartitionOptions()
            .method(fallback ? graph::PartitionMethod::kStreaming : parse_choice<graph::PartitionMethod>(a.partition))
            .seed(a.seed));
    if (!a.quiet) std::fprintf(stderr, "clusters: %s\n", clusters.str().c_str());
  }
  if (multi_process) return run_train_parts(a, d, opts, topt, *view.graph, features, fanouts, device);
  if (a.task == "link") return run_train_link(a, d, opts, topt, device, features);
  std::vector<double> test, val;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  double best_val = -INFINITY;
  for (int i = 0; i < a.seeds; ++i) {
    const uint64_t seed = a.seed + static_cast<uint64_t>(i);
    data::NodeDataset run_data = d;
    apply_split(run_data, a.split, seed);
    if (order != graph::Reorder::kNone) reorder_nodes(run_data, reordering.permutation);
    to_device(run_data, device);

    manual_seed(seed);
    auto model = std::make_shared<models::NodeClassifier>(opts);
    model->to(device);
    const Tensor x = run_data.x;
    std::unique_ptr<models::Task> task;
    if (a.history) {
      task = std::make_unique<models::GasNodeTask>(run_data, *view.graph, *model, clusters.part, a.clusters,
                                                   a.clusters_per_batch);
    } else if (fanouts.empty()) {
      task = std::make_unique<models::NodeClassificationTask>(run_data, [&] { return model->forward(view, x); });
    } else {
      task = std::make_unique<models::SampledNodeTask>(run_data, *view.graph, *model,
                                                       graph::SampleOptions().fanouts(fanouts).seed(seed),
                                                       a.batch.value_or(1024));
    }
    models::TrainerOptions run_opt = seed_run_options(a, topt, seed);
    run_opt.model_config = models::options_to_json(opts);
    const models::TrainResult r = models::fit(*model, *task, run_opt);
    const auto test_acc = metric_or_null(r.final, "test_acc");
    const auto val_acc = metric_or_null(r.final, "val_acc");
    if (!a.quiet) {
      std::fprintf(stderr, "seed %llu: %s  (best epoch %d of %d%s, %.2f s)\n", static_cast<unsigned long long>(seed),
                   nlohmann::json(r.final).dump().c_str(), r.best_epoch, r.epochs_run,
                   r.resumed_from > 0 ? (", resumed after epoch " + std::to_string(r.resumed_from)).c_str() : "",
                   r.seconds);
    }
    if (!test_acc.is_null()) test.push_back(test_acc.get<double>());
    if (!val_acc.is_null()) val.push_back(val_acc.get<double>());
    runs.push_back({{"seed", seed},
                    {"test_acc", test_acc},
                    {"val_acc", val_acc},
                    {"best_epoch", r.best_epoch},
                    {"epochs", r.epochs_run},
                    {"resumed_from", r.resumed_from},
                    {"seconds", r.seconds}});
    // --save keeps the run with the best validation accuracy (never chosen by test accuracy); the first run when
    // there is no validation split.
    const double v = val_acc.is_null() ? -1.0 : val_acc.get<double>();
    if (!a.save.empty() && v > best_val) {
      best_val = v;
      models::SavedModelInfo info{features, !a.no_singletons, d.name, seed, ""};
      models::save(*model, a.save, info);
    }
  }
  nlohmann::ordered_json out = {{"model", a.model},
                                {"dataset", d.name},
                                {"test_acc", stat_or_null(test, mean_of)},
                                {"test_acc_mean", stat_or_null(test, mean_of)},
                                {"test_acc_std", stat_or_null(test, std_of)},
                                {"val_acc_mean", stat_or_null(val, mean_of)},
                                {"seeds", a.seeds},
                                {"epochs", topt.epochs},
                                {"features", to_string(features)},
                                {"fanouts", fanouts.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(fanouts)},
                                {"batch_size", fanouts.empty() ? nlohmann::ordered_json(nullptr)
                                                               : nlohmann::ordered_json(a.batch.value_or(1024))},
                                {"history", a.history ? nlohmann::ordered_json{{"clusters", a.clusters},
                                                                               {"clusters_per_batch", a.clusters_per_batch},
                                                                               {"partition", clusters.method},
                                                                               {"edge_cut", clusters.edge_cut}}
                                                      : nlohmann::ordered_json(nullptr)},
                                {"reorder", order == graph::Reorder::kNone
                                                ? nlohmann::ordered_json(nullptr)
                                                : nlohmann::ordered_json{{"order", a.reorder},
                                                                         {"order_seconds", reordering.order_seconds},
                                                                         {"apply_seconds", reordering.apply_seconds},
                                                                         {"mean_gap_before", reordering.before.mean_edge_gap},
                                                                         {"mean_gap_after", reordering.after.mean_edge_gap}}},
                                {"device", device.str()},
                                {"test_accs", test},
                                {"runs", runs}};
  if (!a.quiet && a.seeds > 1 && !test.empty()) {
    std::fprintf(stderr, "%s on %s over %d seeds: test %.2f ± %.2f %%\n", a.model.c_str(), d.name.c_str(), a.seeds,
                 100 * mean_of(test), 100 * std_of(test));
  }
  std::cout << out.dump() << std::endl;
  LOOM_CHECK(std::cout.good(), Error, "writing the result to standard output failed");
  return 0;
}

}  // namespace loom::cli
