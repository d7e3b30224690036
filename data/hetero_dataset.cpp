// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Loading heterogeneous folders. Every file is read and checked even after an earlier one failed, so that one run
// names every problem (loom info shows them all); the node-type counts of meta.json are the reference that feature
// rows, edge ids, labels and split ids are checked against.
#include "loom/data/hetero_dataset.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/detail/file_errors.h"
#include "data/problems.h"
#include "data/hetero_loader.h"
#include "loom/core/error.h"
#include "loom/data/mtx.h"
#include "loom/data/npy.h"

namespace loom::data {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class HeteroLoader {
 public:
  explicit HeteroLoader(const std::string& dir)
      : dir_(dir), who_(detail::str_cat("load_hetero_dataset(\"", dir, "\")")) {}

  HeteroDataset load(const std::string& split) {
    LOOM_CHECK(fs::is_directory(dir_), FormatError, who_, ": not a directory");
    HeteroDataset ds;
    // Without the counts nothing else can be checked: a meta.json problem stops here.
    read_meta(ds);
    attempt([&] { check_node_folders(ds); });
    for (HeteroNodeType& t : ds.node_types) attempt([&] { read_features(t); });
    attempt([&] { read_relations(ds); });
    const HeteroNodeType* target = ds.target_type.empty() ? nullptr : ds.find_type(ds.target_type);
    attempt([&] {
      LOOM_CHECK(ds.target_type.empty() || target, FormatError, who_, ": meta.json target_node_type '",
                 ds.target_type, "' is not one of the node types (", type_list(ds), ")");
    });
    const int64_t n = target ? target->num_nodes : -1;
    if (exists("y.npy")) {
      attempt([&] {
        ds.y = read_ints("y.npy", 1);
        LOOM_CHECK(target, FormatError, who_, ": y.npy needs meta.json target_node_type (whose nodes it labels)");
        LOOM_CHECK(ds.y.numel() == n, ShapeError, who_, ": y.npy has ", ds.y.numel(), " labels but node type '",
                   ds.target_type, "' has ", n, " nodes");
        const std::vector<int64_t> y = ds.y.to_vector<int64_t>();
        const int64_t max_y = y.empty() ? -1 : *std::max_element(y.begin(), y.end());
        ds.num_classes = meta_int("classes").value_or(max_y + 1);
        check_ids(ds.y, ds.num_classes, "y.npy", "class id");
      });
    }
    read_split(ds, split, n);
    finish();
    return ds;
  }

  // For the inspector: the messages instead of an exception.
  std::vector<std::string> take_messages() { return problems_.take_messages(); }
  bool collect = false;

 private:
  std::string path(const std::string& rel) const { return (fs::path(dir_) / rel).string(); }
  bool exists(const std::string& rel) const {
    std::error_code ec;
    return fs::exists(path(rel), ec);
  }
  static std::string type_list(const HeteroDataset& ds) {
    std::string s;
    for (const auto& t : ds.node_types) s += (s.empty() ? "" : ", ") + t.name;
    return s;
  }
  std::optional<int64_t> meta_int(const char* key) const {
    if (!meta_.contains("counts") || !meta_["counts"].is_object()) return std::nullopt;
    const json& c = meta_["counts"];
    if (!c.contains(key) || !c[key].is_number_integer()) return std::nullopt;
    return c[key].get<int64_t>();
  }

  void read_meta(HeteroDataset& ds) {
    LOOM_CHECK(exists("meta.json"), FormatError, who_, ": missing file ", path("meta.json"),
               " (it gives the node count of every type: counts.nodes)");
    std::ifstream in(path("meta.json"));
    LOOM_CHECK(in.is_open(), Error, who_, ": cannot open ", path("meta.json"));
    try {
      meta_ = json::parse(in);
    } catch (const json::exception& e) {
      throw FormatError(detail::str_cat(who_, ": meta.json is not valid JSON: ", e.what()));
    }
    LOOM_CHECK(meta_.is_object() && meta_.contains("counts") && meta_["counts"].is_object() &&
                   meta_["counts"].contains("nodes") && meta_["counts"]["nodes"].is_object(),
               FormatError, who_, ": meta.json must give counts.nodes as {\"<type>\": <count>, ...}");
    const json& nodes = meta_["counts"]["nodes"];
    std::vector<std::string> order;
    if (meta_.contains("node_types") && meta_["node_types"].is_array()) {
      for (const json& t : meta_["node_types"]) {
        LOOM_CHECK(t.is_string() && nodes.contains(t.get<std::string>()), FormatError, who_,
                   ": meta.json node_types lists ", t.dump(), ", which counts.nodes does not count");
        order.push_back(t.get<std::string>());
      }
    }
    for (auto it = nodes.begin(); it != nodes.end(); ++it)
      if (std::find(order.begin(), order.end(), it.key()) == order.end()) order.push_back(it.key());
    for (const std::string& name : order) {
      const json& c = nodes[name];
      LOOM_CHECK(c.is_number_integer() && c.get<int64_t>() >= 0, FormatError, who_, ": meta.json counts.nodes.",
                 name, " must be a count >= 0, got ", c.dump());
      LOOM_CHECK(!name.empty() && name.find("__") == std::string::npos, FormatError, who_, ": node type '", name,
                 "' in meta.json is empty or contains \"__\" (the separator of relation file names)");
      ds.node_types.push_back({name, c.get<int64_t>(), "", Tensor(), Csr()});
    }
    ds.name = meta_.contains("name") && meta_["name"].is_string() ? meta_["name"].get<std::string>()
                                                                  : fs::path(dir_).filename().string();
    if (meta_.contains("target_node_type") && meta_["target_node_type"].is_string())
      ds.target_type = meta_["target_node_type"].get<std::string>();
  }

  void check_node_folders(const HeteroDataset& ds) const {
    std::error_code ec;
    if (!fs::is_directory(path("nodes"), ec)) return;  // no type has features
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path("nodes"))) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    for (const std::string& name : names)
      LOOM_CHECK(ds.find_type(name), FormatError, who_, ": folder nodes/", name, "/ is for node type '", name,
                 "', which meta.json counts.nodes does not list (", type_list(ds), ")");
  }

  void read_features(HeteroNodeType& t) const {
    const std::string base = "nodes/" + t.name + "/";
    for (const char* f : {"features.mtx", "features.npy", "x.npy"})
      if (t.feature_file.empty() && exists(base + f)) t.feature_file = base + f;
    if (t.feature_file.empty()) return;  // optional: DBLP's conferences have none
    const std::string& file = t.feature_file;
    if (file.ends_with(".mtx")) {
      // Kept sparse: DBLP's paper features densify to 14328 x 4231 floats (242 MB) for 95030 non-zeros.
      const CooMatrix m = read_mtx(path(file));
      LOOM_CHECK(m.n_rows == t.num_nodes, ShapeError, who_, ": ", file, " has ", m.n_rows, " rows but node type '",
                 t.name, "' has ", t.num_nodes, " nodes (meta.json)");
      t.x_sparse = Csr::from_coo(m.rows, m.cols, m.n_rows, m.n_cols, m.values.to(kFloat32), DupPolicy::kSum);
      return;
    }
    Tensor x = read_npy(path(file));
    LOOM_CHECK(x.dim() == 2 && is_floating(x.dtype()), FormatError, who_, ": ", file,
               " must be a float matrix [nodes, features], got ", dtype_name(x.dtype()), x.shape_str());
    LOOM_CHECK(x.size(0) == t.num_nodes, ShapeError, who_, ": ", file, " has ", x.size(0), " rows but node type '",
               t.name, "' has ", t.num_nodes, " nodes (meta.json)");
    x = x.dtype() == kFloat32 ? x : x.to(kFloat32);
    const float* p = x.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i)
      LOOM_CHECK(std::isfinite(p[i]), ValueError, who_, ": ", file, " holds ", p[i], " at node ", i / x.size(1),
                 ", feature ", i % x.size(1), " (features must be finite)");
    t.x = x;
  }

  void read_relations(HeteroDataset& ds) {
    std::error_code ec;
    LOOM_CHECK(fs::is_directory(path("edges"), ec), FormatError, who_, ": missing folder ", path("edges"),
               " (one edges/<src>__<relation>__<dst>.npy per relation)");
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(path("edges")))
      if (e.path().extension() == ".npy") files.push_back(e.path().filename().string());
    std::sort(files.begin(), files.end());
    LOOM_CHECK(!files.empty(), FormatError, who_, ": folder edges/ holds no .npy relation file");
    for (const std::string& f : files) attempt([&] { ds.relations.push_back(read_relation(ds, f)); });
  }

  HeteroRelation read_relation(const HeteroDataset& ds, const std::string& f) const {
    HeteroRelation r;
    r.file = "edges/" + f;
    const std::string stem = f.substr(0, f.size() - 4);
    const size_t a = stem.find("__"), b = a == std::string::npos ? a : stem.find("__", a + 2);
    LOOM_CHECK(a != std::string::npos && b != std::string::npos && stem.find("__", b + 2) == std::string::npos &&
                   a > 0 && b > a + 2 && b + 2 < stem.size(),
               FormatError, who_, ": ", r.file, " is not named <src>__<relation>__<dst>.npy");
    r.src = stem.substr(0, a);
    r.rel = stem.substr(a + 2, b - a - 2);
    r.dst = stem.substr(b + 2);
    for (const std::string* t : {&r.src, &r.dst})
      LOOM_CHECK(ds.find_type(*t), FormatError, who_, ": ", r.file, ": relation (", r.src, ", ", r.rel, ", ", r.dst,
                 ") names node type '", *t, "', which meta.json counts.nodes does not list (", type_list(ds), ")");
    r.edge_index = read_ints(r.file, 2, 2);
    const int64_t e = r.edge_index.size(1);
    const int64_t* p = r.edge_index.data<int64_t>();
    const int64_t ns = ds.find_type(r.src)->num_nodes, nd = ds.find_type(r.dst)->num_nodes;
    for (int64_t k = 0; k < e; ++k) {
      const int64_t s = p[k], d = p[e + k];
      LOOM_CHECK(s >= 0 && s < ns, IndexError, who_, ": ", r.file, ": edge ", k, " (", s, " -> ", d, ") has source id ",
                 s, ", out of range for node type '", r.src, "' (", ns, " nodes)");
      LOOM_CHECK(d >= 0 && d < nd, IndexError, who_, ": ", r.file, ": edge ", k, " (", s, " -> ", d, ") has target id ",
                 d, ", out of range for node type '", r.dst, "' (", nd, " nodes)");
    }
    return r;
  }

  void read_split(HeteroDataset& ds, const std::string& split, int64_t n) {
    std::string sdir;
    if (!split.empty()) {
      sdir = "splits/" + split + "/";
      std::error_code ec;
      if (!fs::is_directory(path(sdir), ec)) {
        attempt([&] { throw ValueError(detail::str_cat(who_, ": split '", split, "' not found: no folder ", path(sdir))); });
        return;
      }
    }
    Tensor* parts[3] = {&ds.train_idx, &ds.val_idx, &ds.test_idx};
    const char* names[3] = {"train_idx.npy", "val_idx.npy", "test_idx.npy"};
    for (int s = 0; s < 3; ++s) {
      *parts[s] = empty({0}, kInt64);
      const std::string rel = sdir + names[s];
      if (!exists(rel)) {
        if (!split.empty()) attempt([&] { throw FormatError(detail::str_cat(who_, ": missing file ", path(rel))); });
        continue;
      }
      attempt([&] {
        LOOM_CHECK(n >= 0, FormatError, who_, ": ", rel, " needs meta.json target_node_type (whose ids it lists)");
        *parts[s] = read_ints(rel, 1);
        check_ids(*parts[s], n, rel, "node id");
      });
    }
  }

  Tensor read_ints(const std::string& rel, int64_t rank, int64_t rows = -1) const {
    Tensor t = read_npy(path(rel));
    LOOM_CHECK(t.dtype() == kInt64 || t.dtype() == kInt32, FormatError, who_, ": ", rel,
               " must hold integers, got ", dtype_name(t.dtype()));
    LOOM_CHECK(t.dim() == rank && (rows < 0 || t.size(0) == rows), ShapeError, who_, ": ", rel, " must have shape ",
               rank == 1 ? "[n]" : "[2, E]", ", got ", t.shape_str());
    return t.dtype() == kInt64 ? t : t.to(kInt64);
  }

  void check_ids(const Tensor& ids, int64_t limit, const std::string& file, const char* what) const {
    const int64_t* p = ids.data<int64_t>();
    for (int64_t k = 0; k < ids.numel(); ++k)
      LOOM_CHECK(p[k] >= 0 && p[k] < limit, IndexError, who_, ": ", file, " position ", k, " holds ", what, " ", p[k],
                 ", out of range [0, ", limit, ")");
  }

  template <class Step>
  void attempt(Step&& step) {
    problems_.attempt(std::forward<Step>(step));
  }
  void finish() const {
    if (!collect) problems_.throw_if_any();
  }

  std::string dir_, who_;
  json meta_ = json::object();
  problems::Problems problems_{who_};
};

}  // namespace

const HeteroNodeType* HeteroDataset::find_type(const std::string& type) const {
  for (const auto& t : node_types)
    if (t.name == type) return &t;
  return nullptr;
}

bool is_hetero_folder(const std::string& dir) {
  std::error_code ec;
  if (fs::is_directory(fs::path(dir) / "edges", ec) || fs::is_directory(fs::path(dir) / "nodes", ec)) return true;
  std::ifstream in(fs::path(dir) / "meta.json");
  if (!in) return false;
  const json meta = json::parse(in, nullptr, /*allow_exceptions=*/false);
  return meta.is_object() && meta.contains("counts") && meta["counts"].is_object() &&
         meta["counts"].contains("nodes") && meta["counts"]["nodes"].is_object();
}

HeteroDataset load_hetero_dataset(const std::string& dir, const std::string& split) {
  return detail::reading_file(detail::str_cat("load_hetero_dataset(\"", dir, "\")"),
                              [&] { return HeteroLoader(dir).load(split); });
}

HeteroDataset load_hetero_collecting(const std::string& dir, std::vector<std::string>& problems) {
  HeteroLoader loader(dir);
  loader.collect = true;
  HeteroDataset ds;
  try {
    ds = detail::reading_file(detail::str_cat("load_hetero_dataset(\"", dir, "\")"),
                                    [&] { return loader.load(""); });
  } catch (const Error& e) {
    problems.emplace_back(e.what());
  }
  for (std::string& m : loader.take_messages()) problems.push_back(std::move(m));
  return ds;
}

}  // namespace loom::data
