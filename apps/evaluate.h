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

// --pairs FILE: int64 [2, k] pairs, and for a text file the line of each pair (for errors naming it). A .npy (by its
// magic bytes) holds int32/int64 [2, k] or [k, 2] ([2, 2] reads as [2, k]); text holds one 'src,dst' (or space/tab
// separated) pair per line, '#' comments, blank lines and a header row without digits skipped. FormatError names
// the file and line of a malformed row.
struct PairList {
  Tensor pairs;
  std::vector<int64_t> lines;  // empty for .npy
};
PairList read_pairs(const std::string& path);
// loom predict --pairs: one probability per pair as CSV (src,dst,score) on stdout, or with --out PREFIX as
// PREFIX.csv and PREFIX.score.npy (float32 [k]) and a JSON line.
int run_predict_pairs(const EvalArgs& args);

CLI::App* add_eval_command(CLI::App& app, EvalArgs& args);
CLI::App* add_predict_command(CLI::App& app, EvalArgs& args);
int run_eval(const EvalArgs& args);
int run_predict(const EvalArgs& args);

}  // namespace loom::cli
