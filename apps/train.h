// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train`: its arguments and the run. Model defaults come from the registry (loom/models/registry.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "loom/core/device.h"
#include "loom/data/csbm.h"
#include "loom/data/dataset.h"
#include "loom/models/gnn.h"
#include "loom/models/registry.h"
#include "loom/models/trainer.h"

namespace CLI {
class App;
}

namespace loom::cli {

struct TrainArgs {
  std::string model = "gcn";
  std::string task = "node";  // node (classification), link (prediction), graph (classification), recommend
  std::optional<int64_t> embedding_dim;  // link: the encoder's output width (16); recommend: the embeddings' (64)
  // link: the encoder of --model gae/vgae (default gcn), the pair decoder, the loss and K of Hits@K.
  std::string encoder, decoder = "inner_product", link_loss = "sampled";
  int64_t hits_k = 20;
  std::string data;  // empty: a generated CSBM graph
  // Hyper-parameters: unset means "the model's default" (its ModelSpec).
  std::optional<int> epochs;
  std::optional<double> lr, weight_decay, dropout, attention_dropout;
  std::optional<int64_t> hidden, heads;
  std::optional<int> layers;  // node, link: 2; recommend: the recommender's (lightgcn 3)
  int64_t num_hyperedges = 16;  // softhgnn: the SoftHGNN block's soft hyperedges
  std::string activation, norm = "none", jk = "none", aggr;
  bool residual = false;
  // Feature preprocessing: the model's default unless one of these is given.
  bool normalize_features = false, no_normalize_features = false;
  bool no_singletons = false;  // hypergraph folders: do not add a singleton hyperedge per vertex
  // The trainer.
  std::string optimizer = "adam", schedule = "none", monitor;
  double momentum = 0.9, clip_grad = 0.0, gamma = 0.5, min_lr = 0.0;
  int step_size = 50, plateau_patience = 10;
  std::optional<int> patience;  // unset: 0 (off), or the model's (han: 100)
  std::string checkpoint;  // a directory: one checkpoint per seed, written every epoch
  bool resume = false;
  uint64_t seed = 0;
  int seeds = 1;
  std::string split;  // "" (the folder's own), "k" (splits/k), "random:TRAIN,VAL"
  std::string device = "cpu";
  std::string save, log, json_log;
  bool quiet = false;
  data::CsbmOptions csbm;
  // recommend: BPR minibatch, L2 on the batch's embeddings, interactions kept (rating >= min_rating; 0: all), and
  // the serving file written from the first seed's embeddings.
  std::optional<int64_t> batch;  // recommend: 2048; node with --fanouts: 1024; graph: 32 (unless set)
  std::string fanouts;            // node: "15,10,5" trains on sampled blocks (one fan-out per layer, -1 = all)
  // node, GNNAutoScale: cluster batches with historical embeddings of each batch's halo.
  bool history = false;
  int64_t clusters = 32, clusters_per_batch = 4;
  // node: the order the graph's nodes are stored in (graph/reorder.h); results are reported in the data's own ids.
  std::string reorder = "none";
  std::string partition = "metis";  // how the clusters (or --parts' parts) are made, streaming where no METIS
  // node, partition-parallel: one process per part (0: off), a partition read from a .npy file instead of computed,
  // how long a process waits for a peer before failing, and each process's threads (0: the cores / parts).
  int64_t parts = 0;
  int64_t data_parallel = 0;  // node with --fanouts: processes that split every mini-batch (0: off)
  std::string partition_file;
  std::optional<double> comm_timeout;  // unset: 300 s
  int64_t threads_per_part = 0;
  std::optional<int64_t> staleness;  // --parts: epochs a halo row may be old (unset: 0, exact)
  std::string comm = "auto";  // --parts on GPUs: nccl, mpi (staged through host memory) or auto (nccl where it can)
  // graph: cross-validation folds, the per-graph readout, GIN's learnable eps, and last-layer-only readout.
  int folds = 10;
  std::string readout = "sum";
  bool train_eps = false, no_jk = false;
  // graph, --readout histograph: train the backbone first (last-layer readout), cache its per-layer states in eval
  // mode, then train the HISTOGRAPH head alone on them.
  bool freeze_backbone = false;
  std::optional<double> reg;  // the recommender's (lightgcn 1e-4, mmhcl 1e-3)
  int64_t min_rating = 0;
  std::string export_path;
  // han, magnn: the meta-paths (required), the semantic vector's size; han: the per-row top-k of their adjacency
  // (0 keeps all); magnn: the meta-path instances kept per target node (sampled past it; 0 keeps all).
  std::string metapaths;
  int64_t metapath_topk = 0;
  int64_t semantic_dim = 128;
  int64_t instances_per_target = 100;
  std::string instance_encoder = "rotation";  // magnn: mean | rotation (the RotatE-style default)
  // meow: PathSim top-k and edge-drop fraction per meta-path, k-means cluster counts (comma lists; DBLP's code
  // defaults when unset on dblp), temperature, feature-mask fraction, lambda of the prototype loss, k-means
  // iterations, and the linear probe's runs and learning rate (HeCo's protocol).
  std::string nei_max, adj_mask, meow_clusters;
  std::optional<double> tau, feat_mask, lambda_proto;
  int64_t kmeans_iters = 20;
  // meow: how negatives are weighted: "clusters" (MEOW, k-means) or "learned" (AdaMEOW's pairwise MLP);
  // empty: clusters.
  std::string weighting;
  // metahgnie: the weight of the contrastive term (0: the ablation without it; default the code's 0.1).
  std::optional<double> lambda_con;
  // pogat: instances per ontology subgraph (default 8) and the share of its non-target nodes perturbed (default 0.25).
  std::optional<int64_t> ontology_instances;
  std::optional<double> perturb_ratio;
  int64_t probe_runs = 50;
  double probe_lr = 0.01;
};

// Declares the subcommand's flags (the model list and its help come from the registry).
CLI::App* add_train_command(CLI::App& app, TrainArgs& args);
int run_train(const TrainArgs& args);
// --task link (apps/train_link.cpp): per seed a leakage-free link split, a LinkModel with `opts` as its encoder;
// `opts` and `topt` are the node task's, adjusted there to the GAE protocol where the user set nothing.
int run_train_link(const TrainArgs& args, const data::NodeDataset& d, models::GnnOptions opts,
                   models::TrainerOptions topt, Device device, models::FeatureTransform features);
// --task recommend (apps/train_recommend.cpp): user-item ranking with a recommender model (lightgcn, mf,
// popularity) on an interaction data set's split, BPR, Recall/NDCG@10/20 over seeds.
int run_train_recommend(const TrainArgs& args);
// --metapaths: "APA,APCPA" -> {APA, APCPA}; with a ';' anywhere the meta-paths are separated by ';' (relation lists
// use ','). An empty item is a ValueError.
std::vector<std::string> split_metapaths(const std::string& s);
// --model han | magnn (apps/train_han.cpp): a heterogeneous folder's target type, its meta-path graphs (HAN) or
// meta-path instances (MAGNN), the model per seed through models::fit, Macro-F1 and Micro-F1 over seeds.
int run_train_metapath(const TrainArgs& args);
// --parts P and --data-parallel P (apps/train_parts.cpp). check_parts_flags: the flags they cannot combine with.
// maybe_spawn_parts:
// outside an MPI job with P > 1, starts P copies of this command under mpirun and does not return (unless the
// launcher cannot start: an Error); otherwise -1. parts_device: the --device this process trains on ("cuda" becomes
// GPU (local rank mod GPUs), one per process of a host). run_train_parts: this process's part of the run (inside
// mpirun, or alone for P = 1); g on the CPU, the parts moved to `device`.
void check_parts_flags(const TrainArgs& args, bool graph_model);
int maybe_spawn_parts(const TrainArgs& args);
std::string parts_device(const TrainArgs& args);
int run_train_parts(const TrainArgs& args, const data::NodeDataset& d, const models::GnnOptions& opts,
                    const models::TrainerOptions& topt, const graph::Graph& g, models::FeatureTransform features,
                    const std::vector<int64_t>& fanouts, Device device);
// --model meow (apps/train_meow.cpp): self-supervised MEOW embeddings, HeCo's linear probe on each split.
int run_train_meow(const TrainArgs& args);
// --model pogat (apps/train_pogat.cpp): self-supervised POGAT embeddings (ontology subgraphs, perturbed negatives),
// HeCo's linear probe on each split.
int run_train_pogat(const TrainArgs& args);
// The trainer's settings from the flags, `defaults` where a flag is unset (patience: 0).
models::TrainerOptions trainer_options(const TrainArgs& args, const models::TrainingDefaults& defaults);
// One seed's run of `base`: its checkpoint folder (--checkpoint DIR/seed-S), the CSV and JSON logs (rows prefixed with
// the seed) and, unless --quiet, the progress line.
models::TrainerOptions seed_run_options(const TrainArgs& args, const models::TrainerOptions& base, uint64_t seed);
// --task graph (apps/train_graph.cpp): k-fold cross-validation of a GraphClassifier, reported under GIN's protocol
// and the fair one (Errica et al. 2020) side by side.
int run_train_graph(const TrainArgs& args);

}  // namespace loom::cli
