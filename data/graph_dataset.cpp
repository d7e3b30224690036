// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph-classification data sets: the consistency checks and the global in-edge Csr (index_graphs), the shared
// folder reader, and cross-validation folds (stratified, holdouts, and a check of a folder's own folds).
#include <algorithm>
#include <filesystem>
#include <numeric>
#include <random>

#include "core/detail/file_errors.h"
#include "data/one_hot.h"
#include "data/problems.h"
#include "loom/core/error.h"
#include "loom/data/graph_dataset.h"
#include "loom/data/npy.h"

namespace loom::data {

namespace fs = std::filesystem;
using loom::detail::str_cat;

namespace {

Tensor as_int64(const Tensor& t) { return t.dtype() == kInt64 ? t : t.to(kInt64); }

// Reads `rel` under `dir` as an integer array of rank `rank`, returned as int64.
Tensor read_ints(const std::string& who, const std::string& dir, const std::string& rel, int64_t rank) {
  const std::string p = (fs::path(dir) / rel).string();
  LOOM_CHECK(fs::exists(p), FormatError, who, ": missing file ", p);
  Tensor t = read_npy(p);
  LOOM_CHECK(t.dtype() == kInt64 || t.dtype() == kInt32, FormatError, who, ": ", rel, " must be int32 or int64, got ",
             dtype_name(t.dtype()));
  LOOM_CHECK(t.dim() == rank, FormatError, who, ": ", rel, " must have rank ", rank, ", got shape ", t.shape_str());
  return as_int64(t);
}

}  // namespace

void index_graphs(GraphDataset& d, const std::string& who) {
  const int64_t n = d.num_nodes(), g = d.num_graphs();
  LOOM_CHECK(d.graph_ptr.defined() && d.graph_ptr.dim() == 1 && d.graph_ptr.numel() >= 1, ShapeError, who,
             ": graph_ptr must have shape [G + 1]");
  const std::vector<int64_t> ptr = as_int64(d.graph_ptr).to_vector<int64_t>();
  LOOM_CHECK(ptr.front() == 0, ValueError, who, ": graph_ptr[0] = ", ptr.front(), ", expected 0");
  for (int64_t k = 1; k <= g; ++k)
    LOOM_CHECK(ptr[k] >= ptr[k - 1], ValueError, who, ": graph_ptr[", k, "] = ", ptr[k], " is below graph_ptr[", k - 1,
               "] = ", ptr[k - 1]);
  LOOM_CHECK(ptr.back() == n, ShapeError, who, ": graph_ptr ends at ", ptr.back(), " but there are ", n, " nodes");
  LOOM_CHECK(d.y.defined() && d.y.numel() == g, ShapeError, who, ": ", d.y.defined() ? d.y.numel() : 0,
             " graph labels for ", g, " graphs");
  for (int64_t k = 0; const int64_t c : d.y.to_vector<int64_t>()) {
    LOOM_CHECK(c >= 0 && c < d.num_classes, IndexError, who, ": graph ", k, " has class ", c, ", expected 0 .. ",
               d.num_classes - 1);
    ++k;
  }
  if (!d.edge_index.defined()) d.edge_index = empty({2, 0}, kInt64);
  LOOM_CHECK(d.edge_index.dim() == 2 && d.edge_index.size(0) == 2 && d.edge_index.dtype() == kInt64, ShapeError, who,
             ": edge_index must be int64 [2, E], got ", d.edge_index.str());
  const int64_t e = d.num_edges();
  const int64_t* src = d.edge_index.data<int64_t>();
  const int64_t* dst = src + e;
  std::vector<int64_t> graph_of(static_cast<size_t>(n));
  for (int64_t k = 0; k < g; ++k) std::fill(graph_of.begin() + ptr[k], graph_of.begin() + ptr[k + 1], k);
  for (int64_t k = 0; k < e; ++k) {
    LOOM_CHECK(src[k] >= 0 && src[k] < n && dst[k] >= 0 && dst[k] < n, IndexError, who, ": edge ", k, " (", src[k],
               " -> ", dst[k], ") is out of range for ", n, " nodes");
    LOOM_CHECK(graph_of[src[k]] == graph_of[dst[k]], ValueError, who, ": edge ", k, " (", src[k], " -> ", dst[k],
               ") joins graph ", graph_of[src[k]], " and graph ", graph_of[dst[k]]);
  }
  if (d.edge_attr.defined())
    LOOM_CHECK(d.edge_attr.dim() == 2 && d.edge_attr.size(0) == e, ShapeError, who, ": edge_attr has shape ",
               d.edge_attr.shape_str(), " for ", e, " edges");
  d.csr = Csr::from_coo(d.edge_index.narrow_rows(1, 2).view({e}), d.edge_index.narrow_rows(0, 1).view({e}), n, n);
}

GraphDataset load_graph_folder(const std::string& dir) {
  const std::string who = str_cat("load_graph_folder(\"", dir, "\")");
  LOOM_CHECK(fs::is_directory(dir), FormatError, who, ": not a directory");
  return loom::detail::reading_file(who, [&] {
    problems::Problems problems(who);
    GraphDataset d;
    fs::path p(dir);
    d.name = (p.has_filename() ? p : p.parent_path()).filename().string();
    problems.attempt([&] { d.graph_ptr = read_ints(who, dir, "graph_ptr.npy", 1); });
    problems.attempt([&] {
      d.edge_index = read_ints(who, dir, "edge_index.npy", 2);
      LOOM_CHECK(d.edge_index.size(0) == 2, FormatError, who, ": edge_index.npy must have shape [2, E], got ",
                 d.edge_index.shape_str());
    });
    problems.attempt([&] {
      d.y = read_ints(who, dir, "y.npy", 1);
      const std::vector<int64_t> y = d.y.to_vector<int64_t>();
      d.num_classes = y.empty() ? 0 : *std::max_element(y.begin(), y.end()) + 1;
    });
    problems.attempt([&] {
      if (fs::exists(fs::path(dir) / "x.npy")) {
        d.x = read_npy((fs::path(dir) / "x.npy").string());
        LOOM_CHECK(d.x.dim() == 2 && (d.x.dtype() == kFloat32 || d.x.dtype() == kFloat64), FormatError, who,
                   ": x.npy must be float32 or float64 [N, F], got ", d.x.str());
        d.x = d.x.to(kFloat32);
      } else {
        LOOM_CHECK(fs::exists(fs::path(dir) / "node_labels.npy"), FormatError, who, ": missing file ",
                   (fs::path(dir) / "x.npy").string(), " (or node_labels.npy)");
        const std::vector<int64_t> labels = read_ints(who, dir, "node_labels.npy", 1).to_vector<int64_t>();
        d.x = detail::one_hot_columns(labels, static_cast<int64_t>(labels.size()), 1);
      }
    });
    problems.attempt([&] {
      if (!fs::exists(fs::path(dir) / "edge_attr.npy")) return;
      d.edge_attr = read_npy((fs::path(dir) / "edge_attr.npy").string());
      LOOM_CHECK(d.edge_attr.dim() == 2 && (d.edge_attr.dtype() == kFloat32 || d.edge_attr.dtype() == kFloat64),
                 FormatError, who, ": edge_attr.npy must be float32 or float64 [E, D], got ", d.edge_attr.str());
      d.edge_attr = d.edge_attr.to(kFloat32);
    });
    problems.throw_if_any();
    index_graphs(d, who);
    return d;
  });
}

std::vector<Fold> load_folds(const std::string& dir, int64_t num_graphs) {
  const std::string who = str_cat("load_folds(\"", dir, "\")");
  std::vector<Fold> folds;
  for (int k = 0;; ++k) {
    const fs::path sdir = fs::path(dir) / "splits" / std::to_string(k);
    if (!fs::is_directory(sdir)) break;
    Fold f;
    auto read = [&](const char* file, bool required) {
      if (!required && !fs::exists(sdir / file)) return empty({0}, kInt64);
      Tensor t = read_ints(who, sdir.string(), file, 1);
      for (const int64_t i : t.to_vector<int64_t>())
        LOOM_CHECK(i >= 0 && i < num_graphs, IndexError, who, ": ", (sdir / file).string(), " holds graph ", i,
                   ", out of range for ", num_graphs, " graphs");
      return t;
    };
    f.train_idx = read("train_idx.npy", true);
    f.val_idx = read("val_idx.npy", false);
    f.test_idx = read("test_idx.npy", true);
    folds.push_back(std::move(f));
  }
  return folds;
}

GraphDataset load_graph_dataset(const std::string& dir) {
  if (fs::exists(fs::path(dir) / "graph_ptr.npy")) return load_graph_folder(dir);
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string f = e.path().filename().string();
      if (f.size() > 6 && f.ends_with("_A.txt")) return load_tu_dataset(dir);
    }
  throw FormatError(str_cat("load_graph_dataset(\"", dir, "\"): not a graph-classification folder (expected ",
                            "graph_ptr.npy with edge_index.npy and y.npy, or the TU files DS_A.txt, ",
                            "DS_graph_indicator.txt, DS_graph_labels.txt)"));
}

std::vector<Fold> stratified_folds(const Tensor& y, int k, uint64_t seed) {
  const std::vector<int64_t> labels = y.to_vector<int64_t>();
  const int64_t g = static_cast<int64_t>(labels.size());
  LOOM_CHECK(k >= 2 && k <= g, ValueError, "stratified_folds: k must be in [2, ", g, "] (the number of graphs), got ",
             k);
  std::mt19937_64 rng(seed);
  const int64_t classes = g == 0 ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
  std::vector<int> fold_of(static_cast<size_t>(g));
  int next = 0;  // round-robin continues across classes so fold sizes stay within one of each other
  for (int64_t c = 0; c < classes; ++c) {
    std::vector<int64_t> members;
    for (int64_t i = 0; i < g; ++i)
      if (labels[i] == c) members.push_back(i);
    std::shuffle(members.begin(), members.end(), rng);
    for (const int64_t i : members) fold_of[i] = next++ % k;
  }
  std::vector<Fold> folds(static_cast<size_t>(k));
  for (int f = 0; f < k; ++f) {
    std::vector<int64_t> train, test;
    for (int64_t i = 0; i < g; ++i) (fold_of[i] == f ? test : train).push_back(i);
    folds[f] = {from_vector<int64_t>(train, {static_cast<int64_t>(train.size())}), empty({0}, kInt64),
                from_vector<int64_t>(test, {static_cast<int64_t>(test.size())})};
  }
  return folds;
}

Fold stratified_holdout(const Tensor& y, const Fold& fold, double fraction, uint64_t seed) {
  LOOM_CHECK(fraction >= 0 && fraction < 1, ValueError, "stratified_holdout: fraction must be in [0, 1), got ",
             fraction);
  const std::vector<int64_t> labels = y.to_vector<int64_t>();
  const std::vector<int64_t> train = fold.train_idx.to_vector<int64_t>();
  std::mt19937_64 rng(seed);
  std::vector<int64_t> keep, val;
  const int64_t classes = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
  for (int64_t c = 0; c < classes; ++c) {
    std::vector<int64_t> members;
    for (const int64_t i : train)
      if (labels[i] == c) members.push_back(i);
    std::shuffle(members.begin(), members.end(), rng);
    const auto take = static_cast<size_t>(std::llround(fraction * static_cast<double>(members.size())));
    val.insert(val.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(take));
    keep.insert(keep.end(), members.begin() + static_cast<std::ptrdiff_t>(take), members.end());
  }
  if (fraction > 0 && val.empty() && keep.size() > 1) {
    val.push_back(keep.back());
    keep.pop_back();
  }
  std::sort(keep.begin(), keep.end());
  std::sort(val.begin(), val.end());
  return {from_vector<int64_t>(keep, {static_cast<int64_t>(keep.size())}),
          from_vector<int64_t>(val, {static_cast<int64_t>(val.size())}), fold.test_idx};
}

bool are_cv_folds(const std::vector<Fold>& folds, int64_t num_graphs, std::string* why, int64_t* tested) {
  std::vector<int> test_fold(static_cast<size_t>(num_graphs), -1);
  auto fail = [&](std::string m) {
    if (why) *why = std::move(m);
    return false;
  };
  if (folds.size() < 2) return fail(str_cat(folds.size(), " fold(s); cross-validation needs at least 2"));
  for (size_t f = 0; f < folds.size(); ++f) {
    std::vector<char> seen(static_cast<size_t>(num_graphs), 0);
    for (const int64_t i : folds[f].test_idx.to_vector<int64_t>()) {
      if (test_fold[i] >= 0) return fail(str_cat("graph ", i, " is in the test sets of folds ", test_fold[i], " and ", f));
      test_fold[i] = static_cast<int>(f);
      seen[i] = 1;
    }
    for (const Tensor& part : {folds[f].train_idx, folds[f].val_idx})
      for (const int64_t i : part.to_vector<int64_t>()) {
        if (seen[i] == 1) return fail(str_cat("fold ", f, ": graph ", i, " is in both training and test"));
        seen[i] = 2;
      }
    const auto missing = std::find(seen.begin(), seen.end(), 0);
    if (missing != seen.end())
      return fail(str_cat("fold ", f, ": graph ", missing - seen.begin(), " is in neither training nor test"));
  }
  if (tested) *tested = std::count_if(test_fold.begin(), test_fold.end(), [](int f) { return f >= 0; });
  return true;
}

}  // namespace loom::data
