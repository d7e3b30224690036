// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The UniqueSignature generator: per graph, n nodes, independent undirected edges with probability p (both
// directions stored), integer features, and the label "a neighbour equals the neighbourhood sum".
#include "loom/data/unique_signature.h"

#include <cmath>
#include <random>
#include <vector>

#include "data/seeded.h"
#include "loom/core/error.h"

namespace loom::data {
namespace {

using seeded::bounded;
using seeded::splitmix64;
using seeded::uniform01;

void validate(const UniqueSignatureOptions& o) {
  const char* who = "unique_signature";
  LOOM_CHECK(o.num_graphs >= 0, ValueError, who, ": num_graphs must be >= 0, got ", o.num_graphs);
  LOOM_CHECK(o.min_nodes >= 1 && o.max_nodes >= o.min_nodes, ValueError, who,
             ": need 1 <= min_nodes <= max_nodes, got min_nodes ", o.min_nodes, ", max_nodes ", o.max_nodes);
  LOOM_CHECK(o.max_nodes <= 100000, ValueError, who, ": max_nodes must be <= 100000 (dense O(n^2) edge draws), got ",
             o.max_nodes);
  LOOM_CHECK(std::isfinite(o.edge_prob) && o.edge_prob >= 0 && o.edge_prob <= 1, ValueError, who,
             ": edge_prob must be in [0, 1], got ", o.edge_prob);
  LOOM_CHECK(o.feature_range >= 1, ValueError, who, ": feature_range (K) must be >= 1, got ", o.feature_range);
}

}  // namespace

UniqueSignature unique_signature(const UniqueSignatureOptions& o) {
  validate(o);
  std::vector<int64_t> src, dst, label, gid, ptr{0};
  std::vector<float> feat;
  for (int64_t gi = 0; gi < o.num_graphs; ++gi) {
    std::mt19937_64 gen(splitmix64(splitmix64(o.seed) ^ static_cast<uint64_t>(gi)));
    const int64_t n = o.min_nodes + static_cast<int64_t>(bounded(gen, static_cast<uint64_t>(o.max_nodes - o.min_nodes + 1)));
    const int64_t base = ptr.back();
    std::vector<int64_t> x(static_cast<size_t>(n));
    for (auto& v : x) v = static_cast<int64_t>(bounded(gen, static_cast<uint64_t>(o.feature_range))) - o.feature_range / 2;
    std::vector<std::vector<int64_t>> nbr(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = i + 1; j < n; ++j) {
        if (uniform01(gen) >= o.edge_prob) continue;
        nbr[static_cast<size_t>(i)].push_back(j);
        nbr[static_cast<size_t>(j)].push_back(i);
      }
    }
    for (int64_t u = 0; u < n; ++u) {
      const auto& nu = nbr[static_cast<size_t>(u)];
      int64_t s = 0;
      for (int64_t v : nu) s += x[static_cast<size_t>(v)];
      int64_t y = 0;
      for (int64_t v : nu) y |= x[static_cast<size_t>(v)] == s ? 1 : 0;
      for (int64_t v : nu) {  // edge v -> u (u's in-edges; the reverse is added when v is the centre)
        src.push_back(base + v);
        dst.push_back(base + u);
      }
      feat.push_back(static_cast<float>(x[static_cast<size_t>(u)]));
      label.push_back(y);
      gid.push_back(gi);
    }
    ptr.push_back(base + n);
  }
  UniqueSignature b;
  b.num_graphs = o.num_graphs;
  b.num_nodes = ptr.back();
  const int64_t e = static_cast<int64_t>(src.size());
  std::vector<int64_t> ei(src);
  ei.insert(ei.end(), dst.begin(), dst.end());
  b.edge_index = from_vector<int64_t>(ei, {2, e});
  b.x = from_vector<float>(feat, {b.num_nodes, 1});
  b.y = from_vector<int64_t>(label, {b.num_nodes});
  b.graph_id = from_vector<int64_t>(gid, {b.num_nodes});
  b.graph_ptr = from_vector<int64_t>(ptr, {b.num_graphs + 1});
  return b;
}

}  // namespace loom::data
