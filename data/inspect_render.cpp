// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Rendering a DatasetReport: one JSON object for scripts, a short aligned block for people. Kept apart from the
// checks in inspect.cpp so that neither file has to be read to change the other.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "loom/data/inspect.h"

namespace loom::data {
namespace {

using nlohmann::json;

json degree_json(const DegreeStats& d) {
  return {{"min", d.min}, {"max", d.max}, {"mean", d.mean}, {"median", d.median}};
}

// -1 stands for "could not be told" in the report; JSON says that with null.
json count_json(int64_t v) { return v < 0 ? json(nullptr) : json(v); }

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}
std::string count_str(int64_t v) { return v < 0 ? "?" : std::to_string(v); }

std::string degree_str(const DegreeStats& d) {
  return "min " + std::to_string(d.min) + ", max " + std::to_string(d.max) + ", mean " + fixed(d.mean, 2) +
         ", median " + fixed(d.median, d.median == static_cast<double>(static_cast<int64_t>(d.median)) ? 0 : 1);
}

}  // namespace

std::string render_json(const DatasetReport& r) {
  json j = {{"name", r.name},
            {"dir", r.dir},
            {"usable", r.usable},
            {"nodes", count_json(r.num_nodes)},
            {"features", count_json(r.num_features)},
            {"classes", count_json(r.num_classes)},
            {"isolated_nodes", r.isolated_nodes},
            {"self_loops", r.self_loops},
            {"duplicate_edges", r.duplicate_edges},
            {"label_counts", r.label_counts},
            {"split_folders", r.num_split_folders},
            {"problems", r.problems},
            {"warnings", r.warnings}};
  if (!r.node_types.empty() || !r.relations.empty()) {
    json types = json::object(), rels = json::object();
    for (const NodeTypeFacts& t : r.node_types)
      types[t.name] = {{"nodes", t.nodes}, {"features", t.features}, {"feature_file", t.feature_file}};
    for (const RelationFacts& e : r.relations) rels[e.name] = {{"edges", e.edges}, {"duplicate_edges", e.duplicate_edges}};
    j["target_type"] = r.target_type;
    j["node_types"] = types;
    j["relations"] = rels;
  }
  if (r.num_edges) j["edges"] = *r.num_edges;
  if (r.num_hyperedges) j["hyperedges"] = *r.num_hyperedges;
  if (r.num_incidences) j["incidences"] = *r.num_incidences;
  if (r.in_degree) j["in_degree"] = degree_json(*r.in_degree);
  if (r.vertex_degree) j["vertex_degree"] = degree_json(*r.vertex_degree);
  if (r.split) {
    j["split"] = {{"dir", r.split->dir}, {"train", r.split->train}, {"test", r.split->test}};
    j["split"]["val"] = r.split->has_val ? json(r.split->val) : json(nullptr);
  }
  if (r.features)
    j["feature_facts"] = {{"file", r.features->file},
                          {"non_finite", r.features->non_finite},
                          {"has_negative", r.features->has_negative},
                          {"zero_rows", r.features->zero_rows}};
  return j.dump();
}

std::string render_text(const DatasetReport& r) {
  std::string out = r.name + " (" + r.dir + "): " + (r.usable ? "usable" : "NOT usable") + "\n";
  const auto line = [&](const char* key, const std::string& value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "  %-14s", key);
    out += buf + value + "\n";
  };
  line("nodes", count_str(r.num_nodes) + (r.node_types.empty() ? "" : " in " + std::to_string(r.node_types.size()) +
                                                                        " types (target: " + r.target_type + ")"));
  // A heterogeneous folder: one line per node type and per relation instead of the homogeneous feature facts.
  for (const NodeTypeFacts& t : r.node_types)
    line(("  " + t.name).c_str(), std::to_string(t.nodes) + " nodes, " +
                                      (t.feature_file.empty() ? std::string("no features")
                                                              : std::to_string(t.features) + " features (" +
                                                                    t.feature_file + ")"));
  for (const RelationFacts& e : r.relations)
    line("relation", e.name + ": " + std::to_string(e.edges) + " edges" +
                         (e.duplicate_edges ? ", duplicates " + std::to_string(e.duplicate_edges) : ""));
  if (r.node_types.empty()) {
    std::string f = count_str(r.num_features);
    if (r.features)
      f += " (" + r.features->file + "): non-finite " + std::to_string(r.features->non_finite) + ", negative " +
           (r.features->has_negative ? "yes" : "no") + ", all-zero rows " + std::to_string(r.features->zero_rows);
    line("features", f);
  }
  std::string labels = count_str(r.num_classes);
  for (size_t c = 0; c < r.label_counts.size() && c < 20; ++c)
    labels += (c ? " " : ", per class ") + std::to_string(c) + ":" + std::to_string(r.label_counts[c]);
  if (r.label_counts.size() > 20) labels += " ...";
  line("classes", labels);
  if (r.num_edges)
    line("edges", std::to_string(*r.num_edges) + ", self loops " + std::to_string(r.self_loops) + ", duplicates " +
                      std::to_string(r.duplicate_edges));
  if (r.in_degree) line("in-degree", degree_str(*r.in_degree));
  if (r.num_hyperedges)
    line("hyperedges",
         std::to_string(*r.num_hyperedges) + ", incidences " + std::to_string(r.num_incidences.value_or(0)));
  if (r.vertex_degree) line("vertex degree", degree_str(*r.vertex_degree));
  if (r.num_edges || r.num_hyperedges) line("isolated", std::to_string(r.isolated_nodes) + " nodes");
  if (r.split) {
    const SplitSizes& s = *r.split;
    line("split", "train " + std::to_string(s.train) + ", val " + (s.has_val ? std::to_string(s.val) : "-") +
                      ", test " + std::to_string(s.test) + " (" + (s.dir.empty() ? "top level" : s.dir) + "); " +
                      std::to_string(r.num_split_folders) + " splits/<k> folders");
  } else if (r.num_split_folders == 0 && r.num_nodes >= 0) {
    line("split", "none (draw one: loom train --split random:TRAIN,VAL)");
  }
  out += "problems: " + (r.problems.empty() ? std::string("none") : std::to_string(r.problems.size())) + "\n";
  for (const auto& p : r.problems) out += "problem: " + p + "\n";
  out += "warnings: " + (r.warnings.empty() ? std::string("none") : std::to_string(r.warnings.size())) + "\n";
  for (const auto& w : r.warnings) out += "warning: " + w + "\n";
  return out;
}

}  // namespace loom::data
