// `loom train`: its arguments, the per-model defaults (the papers' Cora hyper-parameters) and the run itself.
#pragma once
#include <cstdint>
#include <string>

#include "loom/data/csbm.h"

namespace loom::cli {

struct TrainArgs {
  std::string model = "gcn";
  std::string data;  // empty: a generated CSBM graph
  // Hyper-parameters; < 0 (or empty) means "the model's default" (see model_defaults in train.cpp).
  int epochs = -1;
  double lr = -1, weight_decay = -1, dropout = -1, attention_dropout = -1;
  int64_t hidden = -1, heads = -1;
  int layers = 2;
  int64_t num_hyperedges = 16;  // softhgnn: the SoftHGNN block's soft hyperedges
  std::string activation, norm = "none", jk = "none", aggr;
  bool residual = false;
  bool normalize_features = false;
  bool no_singletons = false;  // hypergraph folders: do not add a singleton hyperedge per vertex
  uint64_t seed = 0;
  int seeds = 1;
  std::string split;  // "" (the folder's own), "k" (splits/k), "random:TRAIN,VAL"
  std::string device = "cpu";
  std::string save, log;
  int patience = 0;
  bool quiet = false;
  data::CsbmOptions csbm;
};

int run_train(const TrainArgs& args);

}  // namespace loom::cli
