// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Loading node-classification folders: each file is read, converted to Loom's dtypes and checked against the
// others (lengths, id ranges, meta.json counts) so that a broken folder fails here, not inside a kernel.
#include "loom/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/detail/env.h"
#include "core/detail/file_errors.h"
#include "data/problems.h"
#include "loom/core/error.h"
#include "loom/data/mtx.h"
#include "loom/data/npy.h"

namespace loom::data {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class FolderLoader {
 public:
  explicit FolderLoader(const std::string& dir)
      : dir_(dir), who_(detail::str_cat("load_node_dataset(\"", dir, "\")")) {}

  // Every file is read even when an earlier one failed: the problems are collected and thrown together (one
  // alone keeps its own type and text; several become one FormatError, one problem per line). Checks that need
  // another file (lengths, id ranges, the split against the node count) run only when that file loaded.
  NodeDataset load(int split) {
    LOOM_CHECK(fs::is_directory(dir_), FormatError, who_, ": not a directory");
    NodeDataset ds;
    attempt([&] { read_meta(); });
    ds.name = meta_.contains("name") && meta_["name"].is_string() ? meta_["name"].get<std::string>() : folder_name();

    int64_t n = -1;  // the node count, once the features loaded
    attempt([&] {
      ds.x = read_features();
      n = ds.x.size(0);
      check_count("nodes", n, "rows of the features");
      check_count("features", ds.x.size(1), "columns of the features");
    });

    attempt([&] {
      ds.y = read_ints("y.npy", 1);
      if (n < 0) return;
      LOOM_CHECK(ds.y.numel() == n, ShapeError, who_, ": y.npy has ", ds.y.numel(), " labels but the features have ",
                 n, " rows");
      const std::vector<int64_t> y = ds.y.to_vector<int64_t>();
      const int64_t max_y = y.empty() ? -1 : *std::max_element(y.begin(), y.end());
      ds.num_classes = meta_count("classes").value_or(max_y + 1);
      check_ids(ds.y, ds.num_classes, "y.npy", "class id");
    });

    const bool has_edges = exists("edge_index.npy"), has_hyper = exists("hyperedge_index.npy");
    attempt([&] {
      LOOM_CHECK(has_edges || has_hyper, FormatError, who_, ": missing file ", path("edge_index.npy"),
                 " (a folder needs edge_index.npy or hyperedge_index.npy)");
    });
    if (has_edges) {
      attempt([&] {
        ds.edge_index = read_ints("edge_index.npy", 2, /*rows=*/2);
        if (n >= 0) check_ids(ds.edge_index, n, "edge_index.npy", "node id");
      });
    } else {
      ds.edge_index = empty({2, 0}, kInt64);
    }
    if (has_hyper) {
      attempt([&] {
        ds.hyperedge_index = read_ints("hyperedge_index.npy", 2, /*rows=*/2);
        const int64_t nnz = ds.hyperedge_index.size(1);
        if (n >= 0)
          check_ids(ds.hyperedge_index.narrow_rows(0, 1).view({nnz}), n, "hyperedge_index.npy", "vertex id", 0);
        // Without a declared count, hyperedge ids may not exceed the number of incidences: every hyperedge has at
        // least one, so a larger id is a corrupt file whose structure would need memory for ids nobody uses.
        const int64_t m = meta_count("hyperedges").value_or(nnz);
        check_ids(ds.hyperedge_index.narrow_rows(1, 2).view({nnz}), m, "hyperedge_index.npy", "hyperedge id", 1);
      });
    }

    if (split == kNoSplit) {
      ds.train_idx = empty({0}, kInt64);
      ds.val_idx = empty({0}, kInt64);
      ds.test_idx = empty({0}, kInt64);
    } else {
      std::optional<std::string> sdir;
      attempt([&] { sdir = split_dir(split); });
      if (sdir) {
        const size_t before = problems_.size();
        attempt([&] { ds.train_idx = read_split(*sdir, "train_idx.npy", n, true); });
        attempt([&] { ds.val_idx = read_split(*sdir, "val_idx.npy", n, false); });
        attempt([&] { ds.test_idx = read_split(*sdir, "test_idx.npy", n, true); });
        if (problems_.size() == before && n >= 0) attempt([&] { check_disjoint(ds, n, *sdir); });
      }
    }
    throw_problems();
    return ds;
  }

 private:
  std::string path(const std::string& rel) const { return (fs::path(dir_) / rel).string(); }
  bool exists(const std::string& rel) const { return fs::exists(path(rel)); }
  std::string folder_name() const {
    fs::path p(dir_);
    if (!p.has_filename()) p = p.parent_path();
    return p.filename().string();
  }

  void read_meta() {
    if (!exists("meta.json")) return;  // optional: hand-made folders may not have one
    std::ifstream in(path("meta.json"));
    LOOM_CHECK(in.is_open(), Error, who_, ": cannot open ", path("meta.json"));
    try {
      meta_ = json::parse(in);
    } catch (const json::exception& e) {
      throw FormatError(detail::str_cat(who_, ": ", path("meta.json"), " is not valid JSON: ", e.what()));
    }
    LOOM_CHECK(meta_.is_object(), FormatError, who_, ": ", path("meta.json"), " must hold a JSON object");
  }
  // counts.<key> when meta.json gives it as an integer (dblp gives per-type dicts: those are not checked).
  std::optional<int64_t> meta_count(const char* key) const {
    if (!meta_.contains("counts") || !meta_["counts"].is_object()) return std::nullopt;
    const json& c = meta_["counts"];
    if (!c.contains(key) || !c[key].is_number_integer()) return std::nullopt;
    return c[key].get<int64_t>();
  }
  void check_count(const char* key, int64_t found, const char* what) const {
    const auto want = meta_count(key);
    LOOM_CHECK(!want || *want == found, ShapeError, who_, ": meta.json counts.", key, " = ", *want, " but the ",
               what, " number ", found);
  }

  Tensor read_features() const {
    Tensor x;
    std::string file;
    if (exists("features.mtx")) {
      file = "features.mtx";
      x = coo_to_dense(read_mtx(path(file)));
    } else if (exists("x.npy") || exists("features.npy")) {
      file = exists("x.npy") ? "x.npy" : "features.npy";
      x = read_npy(path(file));
    } else {
      throw FormatError(detail::str_cat(who_, ": missing file ", path("features.mtx"),
                                        " (node features come from features.mtx, x.npy or features.npy)"));
    }
    LOOM_CHECK(x.dim() == 2, FormatError, who_, ": ", file, " must be a matrix [nodes, features], got shape ",
               x.shape_str());
    x = x.dtype() == kFloat32 ? x : x.to(kFloat32);
    // One NaN spreads through every layer and one inf makes each loss NaN: refuse them here, naming the first.
    const float* p = x.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i)
      LOOM_CHECK(std::isfinite(p[i]), ValueError, who_, ": ", file, " holds ", p[i], " at node ", i / x.size(1),
                 ", feature ", i % x.size(1), " (features must be finite)");
    return x;
  }

  // An integer array of the given rank (and leading size), as int64.
  Tensor read_ints(const std::string& rel, int64_t rank, int64_t rows = -1) const {
    LOOM_CHECK(exists(rel), FormatError, who_, ": missing file ", path(rel));
    Tensor t = read_npy(path(rel));
    LOOM_CHECK(t.dtype() == kInt64 || t.dtype() == kInt32, FormatError, who_, ": ", rel,
               " must hold integers, got ", dtype_name(t.dtype()));
    LOOM_CHECK(t.dim() == rank && (rows < 0 || t.size(0) == rows), FormatError, who_, ": ", rel, " must have shape ",
               rank == 1 ? "[n]" : "[2, n]", ", got ", t.shape_str());
    return t.dtype() == kInt64 ? t : t.to(kInt64);
  }

  // Every value of `ids` (int64, rank 1 or [2, n]) in [0, limit); the position is reported as the file's index.
  void check_ids(const Tensor& ids, int64_t limit, const std::string& file, const char* what, int row = -1) const {
    const int64_t* p = ids.data<int64_t>();
    const int64_t cols = ids.dim() == 2 ? ids.size(1) : ids.numel();
    for (int64_t k = 0; k < ids.numel(); ++k) {
      if (p[k] >= 0 && p[k] < limit) continue;
      std::string pos = std::to_string(k);
      if (ids.dim() == 2) pos = detail::str_cat("(", k / cols, ", ", k % cols, ")");
      if (row >= 0) pos = detail::str_cat("(", row, ", ", k, ")");
      throw IndexError(detail::str_cat(who_, ": ", file, " position ", pos, " holds ", what, " ", p[k],
                                       ", out of range [0, ", limit, ")"));
    }
  }

  std::string split_dir(int split) const {
    if (split == kDefaultSplit) {
      if (exists("train_idx.npy")) return "";
      if (exists("splits/0")) return "splits/0/";
      throw FormatError(detail::str_cat(who_, ": missing file ", path("train_idx.npy"), " (and no splits/0/ folder)"));
    }
    LOOM_CHECK(split >= 0, ValueError, who_, ": split must be kDefaultSplit (-1), kNoSplit (-2) or a split number >= 0, got ", split);
    const std::string rel = detail::str_cat("splits/", split, "/");
    if (!fs::is_directory(path(rel))) {
      std::vector<std::string> have;
      if (fs::is_directory(path("splits")))
        for (const auto& e : fs::directory_iterator(path("splits"))) have.push_back(e.path().filename().string());
      std::sort(have.begin(), have.end());
      std::string list;
      for (const auto& h : have) list += (list.empty() ? "" : ", ") + h;
      throw ValueError(detail::str_cat(who_, ": split ", split, " not found: no folder ", path(rel),
                                       " (splits present: ", list.empty() ? "none" : list, ")"));
    }
    return rel;
  }

  Tensor read_split(const std::string& sdir, const std::string& file, int64_t n, bool required) const {
    const std::string rel = sdir + file;
    if (!required && !exists(rel)) return empty({0}, kInt64);
    Tensor t = read_ints(rel, 1);
    if (n >= 0) check_ids(t, n, rel, "node id");
    return t;
  }

  void check_disjoint(const NodeDataset& ds, int64_t n, const std::string& sdir) const {
    std::vector<int8_t> owner(static_cast<size_t>(n), -1);
    const Tensor* parts[3] = {&ds.train_idx, &ds.val_idx, &ds.test_idx};
    const char* names[3] = {"train_idx.npy", "val_idx.npy", "test_idx.npy"};
    for (int s = 0; s < 3; ++s) {
      const int64_t* p = parts[s]->data<int64_t>();
      for (int64_t k = 0; k < parts[s]->numel(); ++k) {
        int8_t& o = owner[static_cast<size_t>(p[k])];
        LOOM_CHECK(o == -1, FormatError, who_, ": node ", p[k], " appears twice in the split (", sdir, names[o < 0 ? 0 : o],
                   " and ", sdir, names[s], " position ", k, ")");
        o = static_cast<int8_t>(s);
      }
    }
  }

  template <class Step>
  void attempt(Step&& step) {
    problems_.attempt(std::forward<Step>(step));
  }
  void throw_problems() const { problems_.throw_if_any(); }

  std::string dir_;
  std::string who_;
  json meta_ = json::object();
  problems::Problems problems_{who_};
};

std::string root_or_default(const std::string& root) { return root.empty() ? resolve_data_dir() : root; }

}  // namespace

bool has_split_files(const std::string& dir) {
  std::error_code ec;
  return fs::exists(fs::path(dir) / "train_idx.npy", ec) || fs::is_directory(fs::path(dir) / "splits" / "0", ec);
}

NodeDataset load_node_dataset(const std::string& dir, int split) {
  return detail::reading_file(detail::str_cat("load_node_dataset(\"", dir, "\")"),
                              [&] { return FolderLoader(dir).load(split); });
}

std::string resolve_data_dir() {
  return detail::env_string("LOOM_DATA").value_or("../shared/data");
}

std::vector<std::string> list_datasets(const std::string& root) {
  const fs::path r(root_or_default(root));
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(r, ec)) return out;
  for (const auto& e : fs::directory_iterator(r, ec))
    if (e.is_directory() && fs::exists(e.path() / "meta.json")) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string find_dataset(const std::string& name, const std::string& root) {
  const std::string r = root_or_default(root);
  const fs::path p = fs::path(r) / name;
  if (!name.empty() && fs::exists(p / "meta.json")) return p.string();
  std::string list;
  for (const auto& d : list_datasets(r)) list += (list.empty() ? "" : ", ") + d;
  throw ValueError(detail::str_cat("find_dataset: no data set '", name, "' under '", r, "' (found: ",
                                   list.empty() ? "none" : list, "; set LOOM_DATA to the data folder)"));
}

}  // namespace loom::data
