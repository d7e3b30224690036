// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom import --edges E.csv [--features X.csv] --labels Y.csv --out DIR`: your own tables turned into a data-set
// folder (loom/data/import.h does the work; docs/import.md shows the formats).
#pragma once
#include <string>

#include "loom/data/import.h"

namespace CLI {
class App;
}

namespace loom::cli {

struct ImportArgs {
  data::ImportOptions options;
  std::string node_ids = "auto";          // auto, integer or string
  std::string features_format = "dense";  // dense, dense-id or sparse
  std::string header = "auto";            // auto, yes or no
};

// Adds the `import` subcommand to `app`, its options stored in `args` (which must outlive the parse).
CLI::App* add_import_command(CLI::App& app, ImportArgs& args);

// Writes the folder and prints a JSON summary to stdout; every problem with the inputs is thrown as one error.
int run_import(const ImportArgs& args);

}  // namespace loom::cli
