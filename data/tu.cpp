// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The raw TU graph-classification format (TUDataset, Morris et al. 2020): comma-separated text files with 1-based
// node and graph ids. Every file is parsed and checked, and every problem names the file and its line, because
// these files are downloaded and hand-edited; the problems of all files are reported together.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/detail/file_errors.h"
#include "data/one_hot.h"
#include "data/problems.h"
#include "loom/core/error.h"
#include "loom/data/graph_dataset.h"

namespace loom::data {

namespace fs = std::filesystem;
using loom::detail::str_cat;

namespace {

// A parsed file: `cols` numbers per row, row-major, and each row's 1-based line number for messages.
template <class T>
struct Table {
  std::vector<T> v;
  std::vector<int64_t> line;
  int64_t cols = 0;
  int64_t rows() const { return static_cast<int64_t>(line.size()); }
  T at(int64_t r, int64_t c) const { return v[static_cast<size_t>(r * cols + c)]; }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Blank lines are skipped (PyG's reader skips them too); every other line must have the same number of fields,
// `want_cols` when it is positive.
template <class T>
Table<T> parse_table(const std::string& file, const std::string& text, int64_t want_cols) {
  Table<T> t;
  size_t pos = 0;
  for (int64_t line_no = 1; pos < text.size(); ++line_no) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = trim(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
    if (line.empty()) continue;
    int64_t fields = 0;
    size_t start = 0;
    while (true) {
      const size_t comma = line.find(',', start);
      const std::string_view f = trim(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start));
      T value{};
      const auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), value);
      LOOM_CHECK(!f.empty() && ec == std::errc() && ptr == f.data() + f.size(), FormatError, file, ":", line_no,
                 ": field ", fields + 1, " '", std::string(f.substr(0, 40)), "' is not ",
                 std::is_integral_v<T> ? "an integer" : "a number");
      if constexpr (std::is_floating_point_v<T>)
        LOOM_CHECK(std::isfinite(value), FormatError, file, ":", line_no, ": field ", fields + 1, " is not finite");
      t.v.push_back(value);
      ++fields;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    const int64_t expect = want_cols > 0 ? want_cols : (t.cols > 0 ? t.cols : fields);
    LOOM_CHECK(fields == expect, FormatError, file, ":", line_no, ": ", fields, " field(s), expected ", expect,
               want_cols > 0 ? "" : str_cat(" as on line ", t.line.front()).c_str());
    t.cols = expect;
    t.line.push_back(line_no);
  }
  return t;
}

void check_rows(const std::string& file, int64_t rows, int64_t want, const char* what) {
  LOOM_CHECK(rows == want, ShapeError, file, ": ", rows, " lines, expected ", want, " (", what, ")");
}

}  // namespace

GraphDataset parse_tu(const TuFiles& f) {
  const std::string who =
      f.dir.empty() ? str_cat("parse_tu(", f.name, ")") : str_cat("load_tu_dataset(\"", f.dir, "\")");
  const std::string base = f.dir.empty() ? f.name : (fs::path(f.dir) / f.name).string();
  const std::string name_a = base + "_A.txt", name_gi = base + "_graph_indicator.txt",
                    name_gl = base + "_graph_labels.txt", name_nl = base + "_node_labels.txt",
                    name_na = base + "_node_attributes.txt", name_el = base + "_edge_labels.txt";
  problems::Problems problems(who);
  GraphDataset d;
  d.name = f.name;

  // The graph indicator fixes N, G and graph_ptr; the other files are checked against it.
  int64_t n = -1, g = -1;
  std::vector<int64_t> graph_of;  // 0-based graph of each node
  problems.attempt([&] {
    const Table<int64_t> gi = parse_table<int64_t>(name_gi, f.graph_indicator, 1);
    std::vector<int64_t> ptr;  // the first node of each graph opened so far
    for (int64_t i = 0; i < gi.rows(); ++i) {
      const int64_t id = gi.v[i];
      LOOM_CHECK(id >= 1 && id <= gi.rows(), IndexError, name_gi, ":", gi.line[i], ": graph id ", id,
                 " is out of range (ids run from 1 to at most the ", gi.rows(), " nodes)");
      const int64_t prev = static_cast<int64_t>(ptr.size());  // graphs opened so far
      LOOM_CHECK(id >= prev, ValueError, name_gi, ":", gi.line[i], ": node ", i + 1, " is in graph ", id,
                 " after nodes of graph ", prev, " (nodes must be grouped by graph, in graph order)");
      LOOM_CHECK(id <= prev + 1, ValueError, name_gi, ":", gi.line[i], ": graph ", prev + 1,
                 " has no nodes (the ids jump from ", prev, " to ", id, ")");
      if (id == prev + 1) ptr.push_back(i);
      graph_of.push_back(id - 1);
    }
    ptr.push_back(gi.rows());
    LOOM_CHECK(gi.rows() > 0, ValueError, name_gi, ": no nodes");
    n = gi.rows();
    g = static_cast<int64_t>(ptr.size()) - 1;
    d.graph_ptr = from_vector<int64_t>(ptr, {g + 1});
  });

  int64_t e = -1;
  problems.attempt([&] {
    const Table<int64_t> a = parse_table<int64_t>(name_a, f.a, 2);
    e = a.rows();
    if (n < 0) return;  // the graph indicator failed: ids cannot be checked, and that problem is already reported
    std::vector<int64_t> ei(static_cast<size_t>(2 * e));
    for (int64_t k = 0; k < e; ++k) {
      const int64_t u = a.at(k, 0), v = a.at(k, 1);
      for (const int64_t id : {u, v})
        LOOM_CHECK(id >= 1 && id <= n, IndexError, name_a, ":", a.line[k], ": node id ", id,
                   " is out of range (1 .. ", n, ", the lines of ", name_gi, ")");
      LOOM_CHECK(graph_of[u - 1] == graph_of[v - 1], ValueError, name_a, ":", a.line[k], ": edge ", u, " -> ", v,
                 " joins graph ", graph_of[u - 1] + 1, " and graph ", graph_of[v - 1] + 1);
      ei[k] = u - 1;
      ei[e + k] = v - 1;
    }
    d.edge_index = from_vector<int64_t>(ei, {2, e});
  });

  problems.attempt([&] {
    const Table<int64_t> gl = parse_table<int64_t>(name_gl, f.graph_labels, 1);
    if (g >= 0) check_rows(name_gl, gl.rows(), g, str_cat("one per graph of ", name_gi).c_str());
    std::vector<int64_t> sorted = gl.v;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::vector<int64_t> y;
    for (const int64_t v : gl.v) y.push_back(std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin());
    d.num_classes = static_cast<int64_t>(sorted.size());
    d.y = from_vector<int64_t>(y, {gl.rows()});
  });

  Tensor labels, attributes;
  if (!f.node_labels.empty())
    problems.attempt([&] {
      const Table<int64_t> nl = parse_table<int64_t>(name_nl, f.node_labels, 0);
      if (n >= 0) check_rows(name_nl, nl.rows(), n, str_cat("one per node of ", name_gi).c_str());
      labels = detail::one_hot_columns(nl.v, nl.rows(), nl.cols);
    });
  if (!f.node_attributes.empty())
    problems.attempt([&] {
      const Table<float> na = parse_table<float>(name_na, f.node_attributes, 0);
      if (n >= 0) check_rows(name_na, na.rows(), n, str_cat("one per node of ", name_gi).c_str());
      attributes = from_vector<float>(na.v, {na.rows(), na.cols});
    });
  if (!f.edge_labels.empty())
    problems.attempt([&] {
      const Table<int64_t> el = parse_table<int64_t>(name_el, f.edge_labels, 0);
      if (e >= 0) check_rows(name_el, el.rows(), e, str_cat("one per edge of ", name_a).c_str());
      d.edge_attr = detail::one_hot_columns(el.v, el.rows(), el.cols);
    });
  problems.throw_if_any();

  // x = [attributes, one-hot labels] (PyG's order); a constant feature when the folder has neither.
  if (attributes.defined() && labels.defined()) {
    const int64_t fa = attributes.size(1), fl = labels.size(1);
    Tensor x = empty({n, fa + fl});
    const float *pa = attributes.data<float>(), *pl = labels.data<float>();
    float* px = x.data<float>();
    for (int64_t i = 0; i < n; ++i) {
      std::copy(pa + i * fa, pa + (i + 1) * fa, px + i * (fa + fl));
      std::copy(pl + i * fl, pl + (i + 1) * fl, px + i * (fa + fl) + fa);
    }
    d.x = x;
  } else {
    d.x = attributes.defined() ? attributes : labels.defined() ? labels : ones({n, 1});
  }
  index_graphs(d, who);
  return d;
}

GraphDataset load_tu_dataset(const std::string& dir, const std::string& name) {
  const std::string who = str_cat("load_tu_dataset(\"", dir, "\")");
  LOOM_CHECK(fs::is_directory(dir), FormatError, who, ": not a directory");
  std::string prefix = name;
  if (prefix.empty()) {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string fname = entry.path().filename().string();
      if (fname.size() > 6 && fname.ends_with("_A.txt")) found.push_back(fname.substr(0, fname.size() - 6));
    }
    LOOM_CHECK(found.size() == 1, FormatError, who, ": expected one DS_A.txt file, found ", found.size());
    prefix = found.front();
  }
  return loom::detail::reading_file(who, [&] {
    auto read = [&](const std::string& suffix, bool required) -> std::string {
      const fs::path p = fs::path(dir) / (prefix + suffix);
      if (!fs::exists(p)) {
        LOOM_CHECK(!required, FormatError, who, ": missing file ", p.string());
        return {};
      }
      std::ifstream in(p, std::ios::binary);
      LOOM_CHECK(in.is_open(), FormatError, who, ": cannot open ", p.string());
      std::ostringstream s;
      s << in.rdbuf();
      return s.str();
    };
    TuFiles f;
    f.name = prefix;
    f.dir = dir;
    f.a = read("_A.txt", true);
    f.graph_indicator = read("_graph_indicator.txt", true);
    f.graph_labels = read("_graph_labels.txt", true);
    f.node_labels = read("_node_labels.txt", false);
    f.node_attributes = read("_node_attributes.txt", false);
    f.edge_labels = read("_edge_labels.txt", false);
    return parse_tu(f);
  });
}

}  // namespace loom::data
