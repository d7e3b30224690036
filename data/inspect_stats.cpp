// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Degree statistics, self loops, duplicate edges and touched nodes for inspect_dataset (see inspect_stats.h).
#include "data/inspect_stats.h"

#include <algorithm>

namespace loom::data::stats {

DegreeStats degree_stats(std::vector<int64_t> deg) {
  DegreeStats s;
  if (deg.empty()) return s;
  const auto [lo, hi] = std::minmax_element(deg.begin(), deg.end());
  s.min = *lo;
  s.max = *hi;
  double total = 0;
  for (int64_t d : deg) total += static_cast<double>(d);
  s.mean = total / static_cast<double>(deg.size());
  // nth_element instead of a full sort: the degree vector is one entry per node.
  const auto mid = deg.begin() + static_cast<std::ptrdiff_t>(deg.size() / 2);
  std::nth_element(deg.begin(), mid, deg.end());
  s.median = static_cast<double>(*mid);
  if (deg.size() % 2 == 0) s.median = (s.median + static_cast<double>(*std::max_element(deg.begin(), mid))) / 2;
  return s;
}

EdgeFacts edge_facts(const int64_t* src, const int64_t* dst, int64_t m, std::vector<char>& touched) {
  const auto n = static_cast<int64_t>(touched.size());
  EdgeFacts f;
  f.in_degree.assign(touched.size(), 0);
  std::vector<int64_t> keys;  // u * n + v: one sortable key per pair, so duplicates are adjacent after the sort
  keys.reserve(static_cast<size_t>(m));
  for (int64_t k = 0; k < m; ++k) {
    const int64_t u = src[k], v = dst[k];
    if (u < 0 || u >= n || v < 0 || v >= n) continue;
    ++f.in_degree[static_cast<size_t>(v)];
    touched[static_cast<size_t>(u)] = touched[static_cast<size_t>(v)] = 1;
    f.self_loops += u == v;
    keys.push_back(u * n + v);
  }
  std::sort(keys.begin(), keys.end());
  f.duplicates = static_cast<int64_t>(keys.end() - std::unique(keys.begin(), keys.end()));
  return f;
}

std::vector<int64_t> vertex_degrees(const int64_t* vtx, int64_t nnz, std::vector<char>& touched) {
  const auto n = static_cast<int64_t>(touched.size());
  std::vector<int64_t> deg(touched.size(), 0);
  for (int64_t k = 0; k < nnz; ++k)
    if (vtx[k] >= 0 && vtx[k] < n) {
      ++deg[static_cast<size_t>(vtx[k])];
      touched[static_cast<size_t>(vtx[k])] = 1;
    }
  return deg;
}

}  // namespace loom::data::stats
