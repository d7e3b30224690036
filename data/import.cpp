// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// import_dataset: three passes. (1) Read every table and check its shape, collecting every problem; (2) resolve
// the node ids of all files together (their mode and the node count depend on all of them); (3) read the values
// (weights, features, labels) against those ids, then write the folder.
#include "loom/data/import.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "loom/core/error.h"
#include "loom/core/tensor.h"
#include "loom/data/npy.h"

namespace loom::data {
namespace {

namespace fs = std::filesystem;

// Problems collected across files, thrown together so that one run reports all of them.
class Problems {
 public:
  void add(std::string message) { list_.push_back(std::move(message)); }
  // Runs `step`; a loom::Error it throws becomes one problem and the caller carries on with the next file.
  template <class Step>
  bool attempt(Step&& step) {
    try {
      step();
      return true;
    } catch (const Error& e) {
      add(e.what());
      return false;
    }
  }
  bool any() const { return !list_.empty(); }
  void throw_if_any() const {
    if (list_.empty()) return;
    if (list_.size() == 1) throw FormatError("import: " + list_[0]);
    std::string all = detail::str_cat("import: ", list_.size(), " problems:");
    for (const auto& p : list_) all += "\n  " + p;
    throw FormatError(all);
  }

 private:
  std::vector<std::string> list_;
};

// Node ids of every file, mapped to 0..n-1: integers as they are, strings in order of first appearance.
class NodeIds {
 public:
  explicit NodeIds(bool strings) : strings_(strings) {}
  int64_t get(const Table& t, int64_t row, int64_t col) {
    const std::string_view s = t.field(row, col);
    if (!strings_) {
      const int64_t id = t.integer(row, col);
      LOOM_CHECK(id >= 0, FormatError, t.where(row, col), "node id ", id, " is negative");
      if (id > max_id_) max_id_ = id, max_where_ = t.where(row, col);
      return id;
    }
    const auto [it, added] = ids_.try_emplace(std::string(s), static_cast<int64_t>(names_.size()));
    if (added) names_.emplace_back(s), first_seen_.emplace_back(&t, row), uses_.push_back(0);
    ++uses_[static_cast<size_t>(it->second)];
    return it->second;
  }
  bool strings() const { return strings_; }
  int64_t count() const { return strings_ ? static_cast<int64_t>(names_.size()) : max_id_ + 1; }
  const std::string& max_where() const { return max_where_; }
  const std::vector<std::string>& names() const { return names_; }
  std::string name(int64_t id) const { return strings_ ? names_[static_cast<size_t>(id)] : std::to_string(id); }

  // A name that appears once, on the first row of a file read without a header: the row is most likely a header
  // the auto rule could not see (every column text). Every real node appears at least twice (its label and an
  // edge or features), but for a labelled node with no edges and no features, which --header no keeps.
  std::string header_suspect(const Table& t) const {
    if (!strings_ || !t.header().empty() || t.num_rows() == 0) return "";
    for (size_t id = 0; id < names_.size(); ++id)
      if (first_seen_[id].first == &t && first_seen_[id].second == 0 && uses_[id] == 1)
        return detail::str_cat(t.name(), ":", t.line(0), ": node '", names_[id], "' appears nowhere else: if this line ",
                               "is a header, pass --header yes; if it is data, --header no");
    return "";
  }

 private:
  bool strings_;
  int64_t max_id_ = -1;
  std::string max_where_;
  std::unordered_map<std::string, int64_t> ids_;
  std::vector<std::string> names_;
  std::vector<std::pair<const Table*, int64_t>> first_seen_;  // the table and row where each name first appears
  std::vector<int64_t> uses_;                                   // how often each name appears in all files
};

// A field quoted as RFC 4180 says when it holds a comma or a quote (a name read from a TSV file may).
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Writes `text` to `path` through a temporary file renamed over it, as write_npy does.
void write_text_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    LOOM_CHECK(out.is_open(), Error, "import: cannot write ", tmp.string());
    out << text;
    out.flush();
    LOOM_CHECK(out.good(), Error, "import: writing ", tmp.string(), " failed");
  }
  fs::rename(tmp, path);
}

void check_columns(const Table& t, int64_t lo, int64_t hi, const char* layout) {
  if (t.num_rows() == 0) throw FormatError(detail::str_cat(t.name(), ": no rows (expected ", layout, ")"));
  LOOM_CHECK(t.num_columns() >= lo && t.num_columns() <= hi, FormatError, t.name(), ":", t.line(0), ": expected ",
             layout, ", got ", t.num_columns(), " fields");
}

// A weight or feature: finite, and finite still as the float32 it is stored as (1e300 is not silently inf).
float finite_float(const Table& t, int64_t row, int64_t col) {
  const double v = t.finite_number(row, col);
  const float f = static_cast<float>(v);
  LOOM_CHECK(std::isfinite(f), FormatError, t.where(row, col), "'", t.field(row, col),
             "' is out of range for float32 (|x| < 3.4e38)");
  return f;
}

// Every id column of every table: integers when all are non-negative integers.
bool all_integer_ids(const std::vector<std::pair<const Table*, int64_t>>& id_columns) {
  for (const auto& [t, cols] : id_columns)
    for (int64_t r = 0; r < t->num_rows(); ++r)
      for (int64_t c = 0; c < cols; ++c) {
        int64_t v = 0;
        if (!parse_int64(t->field(r, c), v) || v < 0) return false;
      }
  return true;
}

// x [n, f] from the feature table in `format` (feat_node: each row's node, unless rows are in node order).
Tensor build_features(const Table& t, FeatureFormat format, const std::vector<int64_t>& feat_node, int64_t n,
                      const NodeIds& ids) {
  const bool dense_rows = format == FeatureFormat::kDense;
  const bool sparse = format == FeatureFormat::kSparse;
  int64_t f = sparse ? 0 : t.num_columns() - (dense_rows ? 0 : 1);
  if (sparse)
    for (int64_t r = 0; r < t.num_rows(); ++r) {
      const int64_t c = t.integer(r, 1);
      LOOM_CHECK(c >= 0 && c < (int64_t{1} << 24), FormatError, t.where(r, 1), "feature column ", c,
                 " is outside [0, 16777216)");
      f = std::max(f, c + 1);
    }
  LOOM_CHECK(n == 0 || f <= (int64_t{1} << 31) / n, FormatError, t.name(), ": ", n, " nodes x ", f,
             " features is too large for a dense float32 x.npy");
  Tensor x = zeros({n, f}, kFloat32);
  float* p = x.data<float>();
  std::vector<int64_t> seen_line(static_cast<size_t>(sparse ? 0 : n), 0);
  std::vector<char> filled(static_cast<size_t>(sparse ? n * f : 0), 0);
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    if (sparse) {
      const int64_t node = feat_node[static_cast<size_t>(r)], c = t.integer(r, 1);
      char& seen = filled[static_cast<size_t>(node * f + c)];
      LOOM_CHECK(!seen, FormatError, t.where(r, 1), "node '", ids.name(node), "' column ", c,
                 " already has a value (a duplicate entry)");
      seen = 1;
      p[node * f + c] = finite_float(t, r, 2);
      continue;
    }
    const int64_t node = dense_rows ? r : feat_node[static_cast<size_t>(r)];
    int64_t& line = seen_line[static_cast<size_t>(node)];
    LOOM_CHECK(line == 0, FormatError, t.name(), ":", t.line(r), ": node '", ids.name(node),
               "' already has features on line ", line);
    line = t.line(r);
    for (int64_t c = 0; c < f; ++c) p[node * f + c] = finite_float(t, r, c + (dense_rows ? 0 : 1));
  }
  if (!sparse) {
    const auto missing = std::find(seen_line.begin(), seen_line.end(), 0);
    LOOM_CHECK(missing == seen_line.end(), FormatError, t.name(), ": no features for node '",
               ids.name(missing - seen_line.begin()), "' (",
               std::count(seen_line.begin(), seen_line.end(), 0), " nodes have none; every node needs a row)");
  }
  return x;
}

struct Labels {
  std::vector<int64_t> y;                // a class per node
  std::vector<std::string> class_names;  // id -> name, when the labels are names
  int64_t classes = 0;
};

// y from the label table: integer classes, or names numbered in sorted order; every node exactly once.
Labels build_labels(const Table& t, const std::vector<int64_t>& label_node, int64_t n, const NodeIds& ids) {
  Labels out;
  out.y.assign(static_cast<size_t>(n), -1);
  bool integers = true;
  for (int64_t r = 0; r < t.num_rows() && integers; ++r) {
    int64_t v = 0;
    integers = parse_int64(t.field(r, 1), v);
  }
  std::map<std::string, int64_t> class_id;
  if (!integers) {
    for (int64_t r = 0; r < t.num_rows(); ++r) class_id.emplace(std::string(t.field(r, 1)), 0);
    for (auto& [name, id] : class_id) id = static_cast<int64_t>(out.class_names.size()), out.class_names.push_back(name);
  }
  std::vector<int64_t> line_of(static_cast<size_t>(n), 0);
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    const int64_t node = label_node[static_cast<size_t>(r)];
    int64_t& line = line_of[static_cast<size_t>(node)];
    LOOM_CHECK(line == 0, FormatError, t.name(), ":", t.line(r), ": node '", ids.name(node),
               "' already has a label on line ", line);
    line = t.line(r);
    const int64_t c = integers ? t.integer(r, 1) : class_id.at(std::string(t.field(r, 1)));
    LOOM_CHECK(c >= 0, FormatError, t.where(r, 1), "class ", c, " is negative (classes are integers >= 0 or names)");
    // The model has one output per class: an id like 10^12 would be a silent request for terabytes.
    LOOM_CHECK(c < (int64_t{1} << 20), FormatError, t.where(r, 1), "class ", c,
               " is too large (integer classes are 0..K-1 with K <= 1048576; other codes can be given as names)");
    out.y[static_cast<size_t>(node)] = c;
    out.classes = std::max(out.classes, c + 1);
  }
  const auto missing = std::find(out.y.begin(), out.y.end(), -1);
  LOOM_CHECK(missing == out.y.end(), FormatError, t.name(), ": no label for node '", ids.name(missing - out.y.begin()),
             "' (", std::count(out.y.begin(), out.y.end(), -1), " nodes have none; every node needs a label)");
  return out;
}

}  // namespace

const std::vector<std::string>& import_owned_files() {
  static const std::vector<std::string> files{"meta.json",     "x.npy",         "y.npy",        "edge_index.npy",
                                              "edge_weight.npy", "node_ids.csv", "classes.csv",  "features.mtx",
                                              "features.npy",  "hyperedge_index.npy", "train_idx.npy", "val_idx.npy",
                                              "test_idx.npy",  "splits"};
  return files;
}

ImportSummary import_dataset(const ImportOptions& o) {
  Problems problems;
  // ---- (1) the files: readable, well-formed, the right number of columns; the output folder usable.
  const TableOptions topt{0, o.header};
  std::optional<Table> edges, feats, labels;
  auto read = [&](const std::string& path, std::optional<Table>& into, int64_t lo, int64_t hi, const char* layout) {
    if (path.empty()) return;
    problems.attempt([&] {
      into = read_table(path, topt);
      check_columns(*into, lo, hi, layout);
    });
  };
  LOOM_CHECK(!o.edges.empty(), ValueError, "import: an edge file is required");
  read(o.edges, edges, 2, 3, "src,dst or src,dst,weight");
  if (o.feature_format == FeatureFormat::kSparse) read(o.features, feats, 3, 3, "node,column,value");
  else if (o.feature_format == FeatureFormat::kDenseWithId) read(o.features, feats, 2, INT64_MAX, "node,f0,f1,...");
  else read(o.features, feats, 1, INT64_MAX, "f0,f1,... (one row per node)");
  if (o.labels.empty()) problems.add("a label file is required (node,label: every node needs a class)");
  else read(o.labels, labels, 2, 2, "node,label");
  std::error_code ec;
  if (o.out.empty()) {
    problems.add("an output folder is required");
  } else if (fs::exists(o.out, ec) && !fs::is_directory(o.out, ec)) {
    problems.add(o.out + ": exists and is not a folder");
  } else if (fs::is_directory(o.out, ec) && !fs::is_empty(o.out, ec) && !o.force) {
    problems.add(o.out + ": the folder is not empty (force / --force replaces the files of an earlier import)");
  }
  problems.throw_if_any();

  // ---- (2) node ids, over every file at once.
  const bool dense_rows = feats && o.feature_format == FeatureFormat::kDense;
  std::vector<std::pair<const Table*, int64_t>> id_columns{{&*edges, 2}};
  if (feats && !dense_rows) id_columns.push_back({&*feats, 1});
  id_columns.push_back({&*labels, 1});
  const bool strings = o.node_ids == NodeIdMode::kString ||
                       (o.node_ids == NodeIdMode::kAuto && !all_integer_ids(id_columns));
  NodeIds ids(strings);
  std::vector<int64_t> src, dst, feat_node, label_node;
  auto resolve = [&](const Table& t, std::vector<int64_t>& into) {
    for (int64_t r = 0; r < t.num_rows(); ++r) into.push_back(ids.get(t, r, 0));
  };
  std::vector<float> weight;
  problems.attempt([&] {
    for (int64_t r = 0; r < edges->num_rows(); ++r) {
      src.push_back(ids.get(*edges, r, 0));
      dst.push_back(ids.get(*edges, r, 1));
      if (edges->num_columns() == 3) weight.push_back(finite_float(*edges, r, 2));
    }
  });
  if (feats && !dense_rows) problems.attempt([&] { resolve(*feats, feat_node); });
  problems.attempt([&] { resolve(*labels, label_node); });
  if (o.header == HeaderRule::kAuto && !problems.any())
    for (const Table* t : {&*edges, feats && !dense_rows ? &*feats : nullptr, &*labels})
      if (t != nullptr && !ids.header_suspect(*t).empty()) problems.add(ids.header_suspect(*t));
  int64_t n = ids.count();
  if (dense_rows) {
    if (strings) {
      problems.add(o.features + ": features in node order need integer node ids; with string ids give each row its "
                   "node (--features-format dense-id)");
    } else if (n > feats->num_rows()) {
      problems.add(detail::str_cat(ids.max_where(), "node id ", n - 1, " but ", o.features, " has ",
                                   feats->num_rows(), " rows (one per node, in node order)"));
    }
    n = std::max(n, feats->num_rows());
  }
  problems.throw_if_any();  // the values below are read against these ids

  // ---- (3) values: features and labels.
  ImportSummary s;
  s.nodes = n;
  s.string_ids = strings;
  s.input_edges = edges->num_rows();
  s.weighted = edges->num_columns() == 3;

  Tensor x = ones({n, 1}, kFloat32);  // without features: one constant feature per node
  if (feats) problems.attempt([&] { x = build_features(*feats, o.feature_format, feat_node, n, ids); });

  Labels labels_read;
  problems.attempt([&] { labels_read = build_labels(*labels, label_node, n, ids); });
  s.classes = labels_read.classes;
  const std::vector<int64_t>& y = labels_read.y;
  const std::vector<std::string>& class_names = labels_read.class_names;
  s.class_names = !class_names.empty();
  problems.throw_if_any();

  // ---- the edges as stored: each input edge, followed by its reverse when undirected (self loops once).
  std::vector<int64_t> rows, cols;
  std::vector<float> w;
  for (size_t k = 0; k < src.size(); ++k) {
    rows.push_back(src[k]), cols.push_back(dst[k]);
    if (s.weighted) w.push_back(weight[k]);
    if (!o.undirected || src[k] == dst[k]) continue;
    rows.push_back(dst[k]), cols.push_back(src[k]);
    if (s.weighted) w.push_back(weight[k]);
  }
  s.edges = static_cast<int64_t>(rows.size());
  s.features = x.size(1);
  rows.insert(rows.end(), cols.begin(), cols.end());

  // ---- write: clear what an earlier import left (with force), then each file atomically, meta.json last.
  const fs::path dir(o.out);
  fs::create_directories(dir);
  for (const auto& f : import_owned_files()) fs::remove_all(dir / f);
  s.name = o.name.empty() ? fs::absolute(dir).lexically_normal().filename().string() : o.name;
  if (s.name.empty()) s.name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  auto npy = [&](const char* file, const Tensor& t) {
    write_npy((dir / file).string(), t);
    s.files.emplace_back(file);
  };
  npy("x.npy", x);
  npy("y.npy", from_vector<int64_t>(y, {n}));
  npy("edge_index.npy", from_vector<int64_t>(rows, {2, s.edges}));
  if (s.weighted) npy("edge_weight.npy", from_vector<float>(w, {s.edges}));
  if (strings) {
    std::string text = "id,name\n";
    for (size_t i = 0; i < ids.names().size(); ++i) text += std::to_string(i) + "," + csv_field(ids.names()[i]) + "\n";
    write_text_atomically(dir / "node_ids.csv", text);
    s.files.emplace_back("node_ids.csv");
  }
  if (s.class_names) {
    std::string text = "id,name\n";
    for (size_t i = 0; i < class_names.size(); ++i) text += std::to_string(i) + "," + csv_field(class_names[i]) + "\n";
    write_text_atomically(dir / "classes.csv", text);
    s.files.emplace_back("classes.csv");
  }
  nlohmann::ordered_json meta;
  meta["name"] = s.name;
  meta["task"] = "node classification";
  meta["counts"] = {{"nodes", s.nodes}, {"edges", s.edges}, {"features", s.features}, {"classes", s.classes}};
  meta["source"] = {{"tool", "loom import"},  {"edges", o.edges},         {"features", o.features},
                    {"labels", o.labels},      {"undirected", o.undirected}, {"node_ids", strings ? "string" : "integer"}};
  meta["splits"] = "none: draw one with loom train --split random:TRAIN,VAL";
  s.files.emplace_back("meta.json");
  write_text_atomically(dir / "meta.json", meta.dump(2) + "\n");
  return s;
}

}  // namespace loom::data
