// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom info DIR [--json]`: inspects a data-set folder (see loom/data/inspect.h) and prints what it finds.
#pragma once
#include <string>

namespace CLI {
class App;
}

namespace loom::cli {

struct InfoArgs {
  std::string dir;    // a folder, or the name of a data set under $LOOM_DATA
  bool json = false;  // print the report as one JSON object instead of text
};

// Adds the `info` subcommand to `app`, its options stored in `args` (which must outlive the parse).
CLI::App* add_info_command(CLI::App& app, InfoArgs& args);

// Prints the report to stdout; returns 1 when the folder is missing or unusable, 0 otherwise.
int run_info(const InfoArgs& args);

}  // namespace loom::cli
