// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom eval` (a saved model's metrics on a data folder, as JSON) and `loom predict` (per-node classes and
// probabilities as .npy and CSV). Both rebuild the model from its file alone (models::load).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loom/core/tensor.h"

namespace CLI {
class App;
}

namespace loom::cli {

struct EvalArgs {
  std::string load, data, split, device = "cpu";
  std::string out;    // predict: the prefix of the files written
  std::string nodes;  // predict: a file of node ids (predict only those, from their receptive field)
  std::string pairs;  // predict: a file of node pairs for a link model (apps/predict_link.cpp)
};

// loom predict --pairs: one probability per pair as CSV (src,dst,score) on stdout, or with --out PREFIX as
// PREFIX.csv and PREFIX.score.npy (float32 [k]) and a JSON line.
int run_predict_pairs(const EvalArgs& args);

CLI::App* add_eval_command(CLI::App& app, EvalArgs& args);
CLI::App* add_predict_command(CLI::App& app, EvalArgs& args);
int run_eval(const EvalArgs& args);
int run_predict(const EvalArgs& args);

}  // namespace loom::cli
