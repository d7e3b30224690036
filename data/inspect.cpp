// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// inspect_dataset: reads a node-classification folder with the same readers as load_node_dataset, but where the
// loader throws at the first fault this records every problem (file + what is wrong) and keeps going, so that one
// run of `loom info` lists everything to fix. The checks live here; file formats stay in npy.cpp and mtx.cpp, degree
// and edge counting in inspect_stats.cpp, rendering in inspect_render.cpp.
#include "loom/data/inspect.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <new>
#include <nlohmann/json.hpp>

#include "data/hetero_loader.h"
#include "data/inspect_stats.h"
#include "loom/core/error.h"
#include "loom/data/dataset.h"
#include "loom/data/mtx.h"
#include "loom/data/npy.h"

namespace loom::data {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class Inspector {
 public:
  explicit Inspector(const std::string& dir) : dir_(dir) { r_.dir = dir; }

  DatasetReport run() {
    r_.name = fs::path(dir_).filename().string();
    if (r_.name.empty()) r_.name = fs::path(dir_).parent_path().filename().string();  // "dir/"
    std::error_code ec;
    if (!fs::is_directory(dir_, ec)) {
      problem(dir_, "not a directory");
      return std::move(r_);
    }
    if (is_hetero_folder(dir_)) return inspect_hetero_dataset(dir_);
    read_meta();
    read_features();
    read_labels();
    check_meta_counts();
    read_graph();
    read_splits();
    // The cross-check: the checks above aim to catch whatever the loader rejects; if one slipped through, the
    // loader's own message is the problem, so `usable` never promises more than load_node_dataset delivers.
    if (r_.problems.empty())
      guarded("", [&] { load_node_dataset(dir_, has_split_files(dir_) ? kDefaultSplit : kNoSplit); });
    r_.usable = r_.problems.empty();
    return std::move(r_);
  }

 private:
  template <class... Args>
  void problem(const std::string& file, const Args&... what) {
    r_.problems.push_back(detail::str_cat(file, ": ", what...));
  }
  template <class... Args>
  void warn(const std::string& file, const Args&... what) {
    r_.warnings.push_back(detail::str_cat(file, ": ", what...));
  }
  std::string path(const std::string& rel) const { return (fs::path(dir_) / rel).string(); }
  bool exists(const std::string& rel) const {
    std::error_code ec;
    return fs::exists(path(rel), ec);
  }
  // Runs a reader; its typed error becomes a problem, prefixed with the file where the message does not name it
  // (an allocation failure for a corrupt declared size, say). Running out of memory on such a size is a problem of
  // the folder too, not a crash of the inspector.
  template <class F>
  bool guarded(const std::string& rel, F&& f) {
    try {
      f();
      return true;
    } catch (const Error& e) {
      const std::string msg = e.what();
      r_.problems.push_back(rel.empty() || msg.find(rel) != std::string::npos ? msg : rel + ": " + msg);
    } catch (const std::bad_alloc&) {
      problem(rel.empty() ? dir_ : rel, "declares more data than fits in memory");
    }
    return false;
  }

  void read_meta() {
    if (!exists("meta.json")) return;  // optional, as for the loader
    std::ifstream in(path("meta.json"));
    try {
      meta_ = json::parse(in);
    } catch (const json::exception& e) {
      problem("meta.json", "not valid JSON: ", e.what());
      meta_ = json::object();
      return;
    }
    if (!meta_.is_object()) {
      problem("meta.json", "must hold a JSON object");
      meta_ = json::object();
      return;
    }
    if (meta_.contains("name") && meta_["name"].is_string()) r_.name = meta_["name"].get<std::string>();
    // The shared data also holds graph-classification, heterogeneous and recommendation folders; say so, since
    // their problems then only mean that load_node_dataset reads another layout.
    if (meta_.contains("task") && meta_["task"].is_string()) {
      const std::string task = meta_["task"].get<std::string>();
      if (task.find("node classification") == std::string::npos || task.find("heterogeneous") != std::string::npos)
        warn("meta.json", "task is '", task, "', but load_node_dataset reads homogeneous node-classification folders");
    }
  }
  std::optional<int64_t> meta_count(const char* key) const {
    if (!meta_.contains("counts") || !meta_["counts"].is_object()) return std::nullopt;
    const json& c = meta_["counts"];
    if (!c.contains(key) || !c[key].is_number_integer()) return std::nullopt;
    return c[key].get<int64_t>();
  }

  void read_features() {
    std::string file;
    for (const char* f : {"features.mtx", "x.npy", "features.npy"})  // the loader's order of preference
      if (file.empty() && exists(f)) file = f;
    if (file.empty()) {
      problem("features.mtx", "missing (node features come from features.mtx, x.npy or features.npy)");
      return;
    }
    Tensor x;
    if (!guarded(file, [&] { x = file == "features.mtx" ? coo_to_dense(read_mtx(path(file))) : read_npy(path(file)); }))
      return;
    if (x.dim() != 2) {
      problem(file, "must be a matrix [nodes, features], got shape ", x.shape_str());
      return;
    }
    if (x.dtype() != kFloat32) x = x.to(kFloat32);
    r_.num_nodes = x.size(0);
    r_.num_features = x.size(1);
    FeatureFacts f;
    f.file = file;
    const float* p = x.data<float>();
    const int64_t cols = x.size(1);
    int64_t first_bad = -1;
    for (int64_t i = 0; i < r_.num_nodes; ++i) {
      bool zero = true;
      for (int64_t j = 0; j < cols; ++j) {
        const float v = p[i * cols + j];
        if (!std::isfinite(v) && f.non_finite++ == 0) first_bad = i * cols + j;
        f.has_negative |= v < 0;
        zero &= v == 0;
      }
      f.zero_rows += zero;
    }
    if (f.non_finite)
      problem(file, "non-finite entries (NaN or Inf): ", f.non_finite, "; the first at row ", first_bad / cols,
              ", column ", first_bad % cols);
    if (f.zero_rows) warn(file, "nodes with all-zero features: ", f.zero_rows, " of ", r_.num_nodes);
    r_.features = f;
  }

  // An integer array of the given rank (and leading size), as int64; nullopt (with a problem) when it is not.
  std::optional<Tensor> read_ints(const std::string& rel, int64_t rank, int64_t rows = -1) {
    Tensor t;
    if (!guarded(rel, [&] { t = read_npy(path(rel)); })) return std::nullopt;
    if (t.dtype() != kInt64 && t.dtype() != kInt32) {
      problem(rel, "must hold integers, got ", dtype_name(t.dtype()));
      return std::nullopt;
    }
    if (t.dim() != rank || (rows >= 0 && t.size(0) != rows)) {
      problem(rel, "must have shape ", rank == 1 ? "[n]" : "[2, n]", ", got ", t.shape_str());
      return std::nullopt;
    }
    return t.dtype() == kInt64 ? t : t.to(kInt64);
  }

  // Counts the ids of p[0..count) outside [0, limit) and names the first by its position in the file (row `row`
  // of a [2, n] array, or a plain index when row < 0).
  void check_range(const std::string& rel, const int64_t* p, int64_t count, int64_t limit, const char* what,
                   int row = -1) {
    int64_t bad = 0, first = -1;
    for (int64_t k = 0; k < count; ++k)
      if ((p[k] < 0 || p[k] >= limit) && bad++ == 0) first = k;
    if (!bad) return;
    const std::string pos = row < 0 ? std::to_string(first) : detail::str_cat("(", row, ", ", first, ")");
    problem(rel, what, "s out of range [0, ", limit, "): ", bad, " of ", count, "; the first at position ", pos,
            " holds ", p[first]);
  }

  void read_labels() {
    if (!exists("y.npy")) {
      problem("y.npy", "missing (the class id of every node)");
      return;
    }
    const auto y = read_ints("y.npy", 1);
    if (!y) return;
    const int64_t n = y->numel();
    if (r_.num_nodes < 0) {
      r_.num_nodes = n;
    } else if (n != r_.num_nodes) {
      problem("y.npy", "has ", n, " labels but ", r_.features->file, " has ", r_.num_nodes, " rows");
    }
    const int64_t* p = y->data<int64_t>();
    const int64_t max_y = n ? *std::max_element(p, p + n) : -1;
    r_.num_classes = meta_count("classes").value_or(max_y + 1);
    check_range("y.npy", p, n, r_.num_classes, "class id");
    if (r_.num_classes > (int64_t{1} << 24)) {  // a corrupt label, not a real class count: do not allocate for it
      warn("y.npy", r_.num_classes, " classes: the count per class is left out");
      return;
    }
    r_.label_counts.assign(static_cast<size_t>(std::max<int64_t>(r_.num_classes, 0)), 0);
    for (int64_t k = 0; k < n; ++k)
      if (p[k] >= 0 && p[k] < r_.num_classes) ++r_.label_counts[static_cast<size_t>(p[k])];
    std::string empty_classes;
    int64_t n_empty = 0;
    for (size_t c = 0; c < r_.label_counts.size(); ++c)
      if (!r_.label_counts[c] && n_empty++ < 10) empty_classes += (n_empty > 1 ? ", " : "") + std::to_string(c);
    if (n_empty)
      warn("y.npy", "no node has class ", empty_classes, n_empty > 10 ? ", ..." : "", " (", n_empty, " of ",
           r_.num_classes, " classes empty)");
  }

  // The loader rejects a folder whose meta.json disagrees with its features; the other counts are documentation
  // only, so their mismatches are warnings (see read_graph).
  void check_meta_counts() {
    if (!r_.features) return;
    const auto check = [&](const char* key, int64_t found, const char* unit) {
      if (const auto want = meta_count(key); want && *want != found)
        problem("meta.json", "counts.", key, " = ", *want, " but ", r_.features->file, " has ", found, " ", unit);
    };
    check("nodes", r_.num_nodes, "rows");
    check("features", r_.num_features, "columns");
  }

  void read_graph() {
    const bool has_edges = exists("edge_index.npy"), has_hyper = exists("hyperedge_index.npy");
    if (!has_edges && !has_hyper)
      problem("edge_index.npy", "missing (a folder needs edge_index.npy or hyperedge_index.npy)");
    const int64_t n = r_.num_nodes;
    std::vector<char> touched(static_cast<size_t>(std::max<int64_t>(n, 0)), 0);  // by any edge or hyperedge
    bool graph_read = false;
    if (has_edges)
      if (const auto e = read_ints("edge_index.npy", 2, 2)) {
        graph_read = true;
        const int64_t m = e->size(1);
        r_.num_edges = m;
        if (const auto want = meta_count("edges_directed"); want && *want != m)
          warn("meta.json", "counts.edges_directed = ", *want, " but edge_index.npy has ", m, " edges");
        const int64_t *src = e->data<int64_t>(), *dst = src + m;
        if (n >= 0) {
          check_range("edge_index.npy", src, m, n, "node id", 0);
          check_range("edge_index.npy", dst, m, n, "node id", 1);
          stats::EdgeFacts f = stats::edge_facts(src, dst, m, touched);
          r_.self_loops = f.self_loops;
          r_.duplicate_edges = f.duplicates;
          r_.in_degree = stats::degree_stats(std::move(f.in_degree));
          if (f.self_loops) warn("edge_index.npy", "self loops: ", f.self_loops);
          if (f.duplicates) warn("edge_index.npy", "duplicate edges (a repeated source, target pair): ", f.duplicates);
        }
      }
    if (has_hyper)
      if (const auto h = read_ints("hyperedge_index.npy", 2, 2)) {
        graph_read = true;
        hyperedge_stats(*h, touched);
      }
    if (n >= 0 && graph_read) {
      r_.isolated_nodes = std::count(touched.begin(), touched.end(), 0);
      if (r_.isolated_nodes)
        warn(has_edges ? "edge_index.npy" : "hyperedge_index.npy", "isolated nodes (",
             has_edges ? "no edge" : "", has_edges && has_hyper ? " and " : "", has_hyper ? "in no hyperedge" : "",
             "): ", r_.isolated_nodes, " of ", n);
    }
  }

  void hyperedge_stats(const Tensor& h, std::vector<char>& touched) {
    const int64_t nnz = h.size(1), n = static_cast<int64_t>(touched.size());
    const int64_t *vtx = h.data<int64_t>(), *edge = vtx + nnz;
    r_.num_incidences = nnz;
    if (const auto want = meta_count("incidences"); want && *want != nnz)
      warn("meta.json", "counts.incidences = ", *want, " but hyperedge_index.npy has ", nnz, " columns");
    const auto m = meta_count("hyperedges");
    const int64_t max_e = nnz ? *std::max_element(edge, edge + nnz) : -1;
    r_.num_hyperedges = m.value_or(std::max<int64_t>(max_e + 1, 0));
    check_range("hyperedge_index.npy", edge, nnz, m.value_or(nnz), "hyperedge id", 1);
    if (r_.num_nodes < 0) return;
    check_range("hyperedge_index.npy", vtx, nnz, n, "vertex id", 0);
    r_.vertex_degree = stats::degree_stats(stats::vertex_degrees(vtx, nnz, touched));
  }

  // The default split (as the loader picks it) and every splits/<k>/ (k a number, as load_node_dataset(dir, k)
  // takes it), each checked; the sizes are those of the default split.
  void read_splits() {
    std::vector<std::string> folders;
    std::error_code ec;
    if (fs::is_directory(path("splits"), ec))
      for (const auto& e : fs::directory_iterator(path("splits"), ec)) {
        const std::string f = e.path().filename().string();
        if (e.is_directory() && !f.empty() && f.find_first_not_of("0123456789") == std::string::npos)
          folders.push_back(f);
      }
    std::sort(folders.begin(), folders.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() < b.size() : a < b;  // 2 before 10
    });
    r_.num_split_folders = static_cast<int64_t>(folders.size());
    const bool top = exists("train_idx.npy");
    if (!top && folders.empty()) {
      // Usable all the same: `loom train --split random:TRAIN,VAL` draws one (a `loom import` folder has none).
      warn("train_idx.npy", "missing (and no splits/<k>/ folder): the folder has no split; train with "
                            "--split random:TRAIN,VAL");
      return;
    }
    if (!top && !exists("splits/0")) problem("splits/0", "missing (the default split when there is no train_idx.npy)");
    if (top) r_.split = check_split("");
    for (const auto& f : folders) {
      const std::string sdir = "splits/" + f + "/";
      SplitSizes s = check_split(sdir);
      if (!top && f == "0") r_.split = s;
    }
    if (r_.split && !r_.split->has_val) warn(r_.split->dir + "val_idx.npy", "missing: no validation split");
    else if (r_.split && r_.split->val == 0) warn(r_.split->dir + "val_idx.npy", "empty: no validation split");
  }

  // One split: each file in range, train and test not empty, and no node twice (within a file or across files).
  SplitSizes check_split(const std::string& sdir) {
    SplitSizes s;
    s.dir = sdir;
    const char* names[3] = {"train_idx.npy", "val_idx.npy", "test_idx.npy"};
    int64_t* sizes[3] = {&s.train, &s.val, &s.test};
    const int64_t n = r_.num_nodes;
    std::vector<int8_t> owner(static_cast<size_t>(std::max<int64_t>(n, 0)), -1);
    for (int part = 0; part < 3; ++part) {
      const std::string rel = sdir + names[part];
      if (part == 1 && !exists(rel)) continue;  // val is optional
      if (!exists(rel)) {
        problem(rel, "missing");
        continue;
      }
      const auto idx = read_ints(rel, 1);
      if (!idx) continue;
      s.has_val |= part == 1;
      *sizes[part] = idx->numel();
      if (idx->numel() == 0 && part != 1) problem(rel, "empty split (0 nodes)");
      if (n < 0) continue;
      const int64_t* p = idx->data<int64_t>();
      check_range(rel, p, idx->numel(), n, "node id");
      int64_t repeats[3] = {0, 0, 0}, first[3] = {-1, -1, -1};
      for (int64_t k = 0; k < idx->numel(); ++k) {
        if (p[k] < 0 || p[k] >= n) continue;
        int8_t& o = owner[static_cast<size_t>(p[k])];
        if (o >= 0 && repeats[o]++ == 0) first[o] = p[k];
        if (o < 0) o = static_cast<int8_t>(part);
      }
      for (int other = 0; other <= part; ++other) {
        if (!repeats[other]) continue;
        if (other == part)
          problem(rel, "node ids repeated within the file: ", repeats[other], " (the first: node ", first[other], ")");
        else
          problem(rel, "nodes also in ", sdir, names[other], ": ", repeats[other], " (the first: node ", first[other],
                  ")");
      }
    }
    return s;
  }

  std::string dir_;
  DatasetReport r_;
  json meta_ = json::object();
};

}  // namespace

DatasetReport inspect_dataset(const std::string& dir) { return Inspector(dir).run(); }

}  // namespace loom::data
