// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph partitions (loom/graph/partition.h). Every method sees the same input: the graph made symmetric, without
// self loops or parallel edges (what METIS requires, and the graph whose cut the others are scored on).
#include "loom/graph/partition.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "graph/edges.h"
#include "loom/core/error.h"
#include "loom/core/random.h"

#if LOOM_HAS_METIS
#include <metis.h>
#endif

namespace loom::graph {
namespace {

using detail::Adjacency;

std::vector<int64_t> random_parts(int64_t n, int64_t parts, uint64_t seed) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[random_bits(seed, static_cast<uint64_t>(i)) % (i + 1)]);
  std::vector<int64_t> part(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) part[order[i]] = i % parts;  // sizes differ by at most one
  return part;
}

// Linear deterministic greedy in node order: score(p) = |placed neighbours in p| x (1 - size(p) / capacity); ties
// and all-zero scores go to the least-filled part (then the lowest id), so isolated nodes fill the parts evenly.
std::vector<int64_t> streaming_parts(const Adjacency& a, int64_t parts, double slack) {
  const int64_t n = a.n();
  const double capacity = std::ceil(static_cast<double>(n) / static_cast<double>(parts)) * slack;
  std::vector<int64_t> part(static_cast<size_t>(n), -1), size(static_cast<size_t>(parts), 0), hits(size.size(), 0);
  for (int64_t v = 0; v < n; ++v) {
    for (int64_t k = a.ptr[v]; k < a.ptr[v + 1]; ++k)
      if (part[a.nbr[k]] >= 0) ++hits[part[a.nbr[k]]];
    int64_t best = -1;
    double best_score = -1;
    for (int64_t p = 0; p < parts; ++p) {
      if (static_cast<double>(size[p]) >= capacity) continue;
      const double score = static_cast<double>(hits[p]) * (1.0 - static_cast<double>(size[p]) / capacity);
      if (best < 0 || score > best_score || (score == best_score && size[p] < size[best])) best = p, best_score = score;
    }
    if (best < 0) best = std::min_element(size.begin(), size.end()) - size.begin();  // every part full (rounding)
    part[v] = best;
    ++size[best];
    for (int64_t k = a.ptr[v]; k < a.ptr[v + 1]; ++k)
      if (part[a.nbr[k]] >= 0 && a.nbr[k] != v) hits[part[a.nbr[k]]] = 0;
  }
  return part;
}

#if LOOM_HAS_METIS
std::vector<int64_t> metis_parts(const Adjacency& a, int64_t parts, uint64_t seed) {
  LOOM_CHECK(a.n() < std::numeric_limits<idx_t>::max() &&
                 static_cast<int64_t>(a.nbr.size()) < std::numeric_limits<idx_t>::max(),
             ValueError, "partition_graph: ", a.n(), " nodes and ", a.nbr.size(),
             " adjacency entries exceed METIS's 32-bit indices; use the streaming method");
  std::vector<idx_t> xadj(a.ptr.begin(), a.ptr.end()), adjncy(a.nbr.begin(), a.nbr.end());
  std::vector<idx_t> part(static_cast<size_t>(a.n()), 0);
  idx_t nvtxs = static_cast<idx_t>(a.n()), ncon = 1, nparts = static_cast<idx_t>(parts), objval = 0;
  idx_t options[METIS_NOPTIONS];
  METIS_SetDefaultOptions(options);
  options[METIS_OPTION_SEED] = static_cast<idx_t>(seed & 0x7fffffff);
  options[METIS_OPTION_NUMBERING] = 0;
  if (parts > 1) {
    const int status = METIS_PartGraphKway(&nvtxs, &ncon, xadj.data(), adjncy.data(), nullptr, nullptr, nullptr,
                                           &nparts, nullptr, nullptr, options, &objval, part.data());
    LOOM_CHECK(status == METIS_OK, Error, "partition_graph: METIS_PartGraphKway failed with status ", status,
               status == METIS_ERROR_MEMORY ? " (out of memory)" : "");
  }
  return {part.begin(), part.end()};
}
#endif

}  // namespace

bool has_metis() { return LOOM_HAS_METIS != 0; }

std::string Partition::str() const {
  const auto [lo, hi] = std::minmax_element(sizes.begin(), sizes.end());
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: %lld parts of %lld nodes (%lld..%lld), edge cut %lld of %lld (%.1f%%), %.3f s, "
                "input %.1f MiB", method.c_str(), static_cast<long long>(num_parts),
                static_cast<long long>(part.numel()), static_cast<long long>(sizes.empty() ? 0 : *lo),
                static_cast<long long>(sizes.empty() ? 0 : *hi), static_cast<long long>(edge_cut),
                static_cast<long long>(undirected_edges),
                undirected_edges ? 100.0 * static_cast<double>(edge_cut) / static_cast<double>(undirected_edges) : 0.0,
                seconds, static_cast<double>(input_bytes) / (1 << 20));
  return buf;
}

Partition partition_graph(const Graph& g, int64_t parts, const PartitionOptions& o) {
  const int64_t n = g.num_nodes();
  LOOM_CHECK(parts >= 1 && parts <= std::max<int64_t>(n, 1), ValueError, "partition_graph: ", parts,
             " parts for a graph of ", n, " nodes (expected 1 to ", std::max<int64_t>(n, 1), ")");
  LOOM_CHECK(o.capacity_slack() >= 1.0, ValueError, "partition_graph: capacity_slack must be >= 1, got ",
             o.capacity_slack());
  LOOM_CHECK(o.method() != PartitionMethod::kMetis || has_metis(), ValueError,
             "partition_graph: this Loom was built without METIS (install libmetis-dev and rebuild); the random "
             "and streaming methods need nothing");
  const Adjacency a = detail::symmetric_adjacency(g);
  Partition r;
  r.num_parts = parts;
  r.method = std::string(to_string(o.method()));
  r.input_bytes = static_cast<int64_t>((a.ptr.size() + a.nbr.size()) * sizeof(int64_t));
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<int64_t> part;
  switch (o.method()) {
    case PartitionMethod::kRandom: part = random_parts(n, parts, o.seed()); break;
    case PartitionMethod::kStreaming: part = streaming_parts(a, parts, o.capacity_slack()); break;
    case PartitionMethod::kMetis:
#if LOOM_HAS_METIS
      part = metis_parts(a, parts, o.seed());
#endif
      break;
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.sizes.assign(static_cast<size_t>(parts), 0);
  for (int64_t v = 0; v < n; ++v) {
    ++r.sizes[part[v]];
    for (int64_t k = a.ptr[v]; k < a.ptr[v + 1]; ++k)
      if (a.nbr[k] > v) ++r.undirected_edges, r.edge_cut += part[a.nbr[k]] != part[v] ? 1 : 0;
  }
  r.part = from_vector<int64_t>(part, {n});
  return r;
}

}  // namespace loom::graph
