// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom info`: resolves DIR (a folder, else a data-set name under $LOOM_DATA), inspects it and prints the report.
// The exit code is the verdict (1: missing or unusable), so scripts can check a folder before training on it.
#include "apps/info.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "loom/core/error.h"
#include "loom/data/dataset.h"
#include "loom/data/inspect.h"

namespace loom::cli {

CLI::App* add_info_command(CLI::App& app, InfoArgs& args) {
  CLI::App* info = app.add_subcommand("info", "inspect a data-set folder: counts, statistics and every problem");
  info->add_option("DIR", args.dir, "data-set folder, or a name under $LOOM_DATA")->required();
  info->add_flag("--json", args.json, "print the report as one JSON object");
  return info;
}

int run_info(const InfoArgs& args) {
  std::string dir = args.dir;
  std::string not_found;  // why DIR is neither a folder nor a known data set
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    try {
      dir = data::find_dataset(args.dir);
    } catch (const ValueError& e) {
      not_found = e.what();
    }
  }
  data::DatasetReport r = data::inspect_dataset(dir);
  // The report says "not a directory"; find_dataset's message adds where names were looked up and what is there.
  if (!not_found.empty()) r.problems.push_back(not_found);
  const std::string text = args.json ? data::render_json(r) + "\n" : data::render_text(r);
  std::fputs(text.c_str(), stdout);
  return r.usable ? 0 : 1;
}

}  // namespace loom::cli
