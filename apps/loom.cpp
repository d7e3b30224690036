// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The `loom` command line: train (a node classifier on a data folder or a generated graph), eval and predict (a
// saved model on a data folder), info (what a data folder holds and what is wrong with it), import (CSV/TSV
// tables to a data folder), distill (a GNN/HGNN teacher into an MLP
// student) and export (a structure-free model for loom::runtime), --version.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>

#include "apps/commands.h"
#include "apps/distill.h"
#include "apps/evaluate.h"
#include "apps/import.h"
#include "apps/info.h"
#include "apps/train.h"

int main(int argc, char** argv) {
  CLI::App app{"loom: graph and hypergraph neural networks"};
  app.require_subcommand(1);
  loom::cli::TrainArgs train_args;
  loom::cli::EvalArgs eval_args, predict_args;
  CLI::App* train = loom::cli::add_train_command(app, train_args);
  CLI::App* eval = loom::cli::add_eval_command(app, eval_args);
  CLI::App* predict = loom::cli::add_predict_command(app, predict_args);
  loom::cli::InfoArgs info_args;
  CLI::App* info = loom::cli::add_info_command(app, info_args);
  loom::cli::ImportArgs import_args;
  CLI::App* import = loom::cli::add_import_command(app, import_args);
  loom::cli::DistillArgs distill_args;
  CLI::App* distill = loom::cli::add_distill_command(app, distill_args);
  loom::cli::ExportArgs export_args;
  CLI::App* export_cmd = loom::cli::add_export_command(app, export_args);
  app.set_version_flag("--version", loom::cli::version_line());
  // A mistyped subcommand: name the valid ones (and the nearest), instead of CLI11's "not expected".
  if (argc > 1 && argv[1][0] != '-' && !loom::cli::is_command(argv[1], app)) {
    std::fprintf(stderr, "loom: error: unknown command '%s'%s\n", argv[1],
                 loom::cli::suggest_command(argv[1], app).c_str());
    return 2;
  }
  CLI11_PARSE(app, argc, argv);
  int rc = 0;
  try {
    if (*train) rc = loom::cli::run_train(train_args);
    if (*eval) rc = loom::cli::run_eval(eval_args);
    if (*predict) rc = loom::cli::run_predict(predict_args);
    if (*info) rc = loom::cli::run_info(info_args);
    if (*import) rc = loom::cli::run_import(import_args);
    if (*distill) rc = loom::cli::run_distill(distill_args);
    if (*export_cmd) rc = loom::cli::run_export(export_args);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "loom: error: out of memory (an input or flag asked for more than this machine has)\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loom: error: %s\n", e.what());
    return 1;
  }
  // The results go to stdout: a write that failed there (a full disk, a closed pipe) is a failed run, not exit 0.
  std::cout.flush();
  if (!std::cout.good() || std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "loom: error: writing the results to standard output failed: %s\n", std::strerror(errno));
    return 1;
  }
  return rc;
}
