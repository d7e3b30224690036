// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom import`: flags to data::ImportOptions, then the summary of what was written as one JSON object.
#include "apps/import.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace loom::cli {

CLI::App* add_import_command(CLI::App& app, ImportArgs& args) {
  data::ImportOptions& o = args.options;
  CLI::App* cmd = app.add_subcommand("import", "turn CSV/TSV edge, feature and label files into a data-set folder");
  cmd->add_option("--edges", o.edges, "edge list: src,dst or src,dst,weight per line (CSV, or TSV by .tsv or tabs)")
      ->required();
  cmd->add_option("--features", o.features, "node features (layout: --features-format; default: one constant 1)");
  cmd->add_option("--labels", o.labels, "node,label per line: an integer class >= 0 or a class name, every node")
      ->required();
  cmd->add_option("--out", o.out, "the folder to write (created; must be empty unless --force)")->required();
  cmd->add_flag("--undirected", o.undirected, "add the reverse of every edge (self loops kept once)");
  cmd->add_flag("--force", o.force, "write into a non-empty folder, replacing an earlier import's files");
  cmd->add_option("--node-ids", args.node_ids,
                  "auto (integers when every id is a non-negative integer, else strings), integer or string")
      ->check(CLI::IsMember({"auto", "integer", "string"}));
  cmd->add_option("--features-format", args.features_format,
                  "dense (row i is node i), dense-id (node,f0,f1,...) or sparse (node,column,value)")
      ->check(CLI::IsMember({"dense", "dense-id", "sparse"}));
  cmd->add_option("--header", args.header,
                  "first line of each file: auto (a header when it is text where the other rows hold numbers), yes, no")
      ->check(CLI::IsMember({"auto", "yes", "no"}));
  cmd->add_option("--name", o.name, "the data set's name in meta.json (default: the folder's name)");
  return cmd;
}

int run_import(const ImportArgs& args) {
  data::ImportOptions o = args.options;
  o.node_ids = args.node_ids == "integer"  ? data::NodeIdMode::kInteger
               : args.node_ids == "string" ? data::NodeIdMode::kString
                                           : data::NodeIdMode::kAuto;
  o.feature_format = args.features_format == "sparse"     ? data::FeatureFormat::kSparse
                     : args.features_format == "dense-id" ? data::FeatureFormat::kDenseWithId
                                                          : data::FeatureFormat::kDense;
  o.header = args.header == "yes" ? data::HeaderRule::kPresent
             : args.header == "no" ? data::HeaderRule::kAbsent
                                   : data::HeaderRule::kAuto;
  const data::ImportSummary s = data::import_dataset(o);
  nlohmann::ordered_json j;
  j["name"] = s.name;
  j["out"] = o.out;
  j["nodes"] = s.nodes;
  j["edges"] = s.edges;
  j["input_edges"] = s.input_edges;
  j["weighted"] = s.weighted;
  j["features"] = s.features;
  j["classes"] = s.classes;
  j["node_ids"] = s.string_ids ? "string" : "integer";
  j["class_names"] = s.class_names;
  j["files"] = s.files;
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

}  // namespace loom::cli
