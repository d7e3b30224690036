// The `loom` command line: train (a node classifier on a data folder or a generated graph), eval and predict (a
// saved model on a data folder), info (what a data folder holds and what is wrong with it).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "apps/evaluate.h"
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
  CLI11_PARSE(app, argc, argv);
  try {
    if (*train) return loom::cli::run_train(train_args);
    if (*eval) return loom::cli::run_eval(eval_args);
    if (*predict) return loom::cli::run_predict(predict_args);
    if (*info) return loom::cli::run_info(info_args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loom: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
