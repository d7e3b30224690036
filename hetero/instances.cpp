// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Meta-path instances (loom/hetero/instances.h). Three passes over the path's relations (out_csr: rows are sources):
// completion counts backwards (c_L = 1, c_i(x) = sum over x's out-neighbours y of c_{i+1}(y)), the per-target sizes
// and the budget check, then one task per block of targets writing its own rows: a depth-first walk that skips
// branches with no completion, or seeded uniform draws. A walk is identified by the edge positions it takes, not its
// node ids, so parallel (duplicate) edges give distinct instances, as they count separately in the counts and in
// metapath_adjacency.
#include "loom/hetero/instances.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "core/detail/parallel.h"
#include "loom/core/error.h"
#include "loom/core/random.h"

namespace loom::hetero {
namespace {

constexpr int64_t kTargetGrain = 64;

// The draws' generator and its two uses; each target's stream starts from random_bits(seed, target).
using Rng = std::mt19937_64;
double uniform01(Rng& g) { return static_cast<double>(g() >> 11) * 0x1.0p-53; }
uint64_t bounded(Rng& g, uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(g()) * n) >> 64); }

struct Hop {  // one relation of the path on the CPU: x's out-neighbours are ix[ip[x] .. ip[x + 1])
  const int64_t* ip;
  const int32_t* ix;
};

struct Walker {
  std::vector<Csr> csr;                  // keeps the CPU copies alive
  std::vector<Hop> hops;                 // L of them
  std::vector<std::vector<double>> c;    // c[i][x]: completions from node x at position i; c[L] = 1

  Walker(const HeteroGraph& g, const MetaPath& path) {
    const int64_t L = path.length();
    for (const EdgeType& et : path.relations) {
      csr.push_back(g.out_csr(et).to(kCPU));
      hops.push_back({csr.back().indptr().data<int64_t>(), csr.back().indices().data<int32_t>()});
    }
    c.resize(static_cast<size_t>(L + 1));
    c[L].assign(static_cast<size_t>(g.num_nodes(path.end_type())), 1.0);
    for (int64_t i = L - 1; i >= 0; --i) {
      const Hop h = hops[i];
      const std::vector<double>& next = c[i + 1];
      std::vector<double>& here = c[i];
      here.assign(static_cast<size_t>(csr[i].num_rows()), 0.0);
      loom::detail::parallel_for(csr[i].num_rows(), 1024, [&](int64_t r0, int64_t r1) {
        for (int64_t x = r0; x < r1; ++x) {
          double s = 0;
          for (int64_t k = h.ip[x]; k < h.ip[x + 1]; ++k) s += next[h.ix[k]];
          here[x] = s;
        }
      });
    }
  }
  int64_t length() const { return static_cast<int64_t>(hops.size()); }

  // Every instance of v in lexicographic order, through `emit(edge positions)`.
  template <class Emit>
  void enumerate(int64_t v, Emit&& emit) const {
    const int64_t L = length();
    std::vector<int64_t> pos(static_cast<size_t>(L)), node(static_cast<size_t>(L + 1));
    node[0] = v;
    int64_t depth = 0;
    pos[0] = hops[0].ip[v] - 1;
    while (depth >= 0) {
      const Hop& h = hops[depth];
      int64_t k = pos[depth] + 1;
      // Skip neighbours that lead nowhere (no completion below them).
      while (k < h.ip[node[depth] + 1] && c[depth + 1][h.ix[k]] == 0) ++k;
      if (k >= h.ip[node[depth] + 1]) {
        --depth;
        continue;
      }
      pos[depth] = k;
      node[depth + 1] = h.ix[k];
      if (depth + 1 == L) {
        emit(pos);
      } else {
        ++depth;
        pos[depth] = hops[depth].ip[node[depth]] - 1;
      }
    }
  }

  // One instance of v drawn uniformly: each step picks y with probability c_{i+1}(y) / c_i(x).
  void draw(int64_t v, Rng& rng, std::vector<int64_t>& pos) const {
    int64_t x = v;
    for (int64_t i = 0; i < length(); ++i) {
      const Hop& h = hops[i];
      double u = uniform01(rng) * c[i][x];
      int64_t k = h.ip[x], last = h.ip[x];
      for (; k < h.ip[x + 1]; ++k) {
        const double w = c[i + 1][h.ix[k]];
        if (w == 0) continue;
        last = k;
        if (u < w) break;
        u -= w;
      }
      if (k == h.ip[x + 1]) k = last;  // rounding left u at the end: the last live neighbour
      pos[static_cast<size_t>(i)] = k;
      x = h.ix[k];
    }
  }

  // Writes the nodes of the walk taking edge positions `pos` from v into row[0 .. L].
  void write(int64_t v, const std::vector<int64_t>& pos, int64_t* row) const {
    row[0] = v;
    for (int64_t i = 0; i < length(); ++i) row[i + 1] = hops[i].ix[pos[static_cast<size_t>(i)]];
  }
};

// Instances of v with a cap below its count: without replacement, uniformly. When the count is at most twice the
// cap, all are listed and a seeded partial shuffle picks the cap; above that, draws are repeated until `cap`
// distinct walks are found (each draw is new with probability above 1/2).
void sample_target(const Walker& w, int64_t v, double total, int64_t cap, uint64_t seed, int64_t* rows) {
  const int64_t L = w.length();
  Rng rng(random_bits(seed, static_cast<uint64_t>(v)));
  if (total <= 2.0 * static_cast<double>(cap)) {
    std::vector<std::vector<int64_t>> all;
    w.enumerate(v, [&](const std::vector<int64_t>& pos) { all.push_back(pos); });
    for (int64_t i = 0; i < cap; ++i) {
      const auto j = i + static_cast<int64_t>(bounded(rng, static_cast<uint64_t>(all.size() - i)));
      std::swap(all[i], all[j]);
      w.write(v, all[i], rows + i * (L + 1));
    }
    return;
  }
  std::set<std::vector<int64_t>> seen;
  std::vector<int64_t> pos(static_cast<size_t>(L));
  int64_t kept = 0;
  for (int64_t tries = 0; kept < cap; ++tries) {
    LOOM_CHECK(tries < 64 * cap + 64, Error, "metapath_instances: drew ", tries, " walks for node ", v,
               " without finding ", cap, " distinct ones (internal error: its count is ", total, ")");
    w.draw(v, rng, pos);
    if (seen.insert(pos).second) w.write(v, pos, rows + (kept++) * (L + 1));
  }
}

}  // namespace

Csr MetaPathInstances::target_csr() const {
  LOOM_CHECK(num_instances() < (int64_t{1} << 31), ValueError, "MetaPathInstances::target_csr: ", num_instances(),
             " instances do not fit the Csr's int32 column ids");
  const Device d = indptr.device();
  return Csr::from_arrays(indptr, arange(num_instances(), kInt32, d), num_instances());
}

Tensor count_instances(const HeteroGraph& g, const MetaPath& path) {
  const Walker w(g, path);
  return from_vector<double>(w.c[0], {static_cast<int64_t>(w.c[0].size())}).to(g.device());
}

MetaPathInstances metapath_instances(const HeteroGraph& g, const MetaPath& path, const InstanceOptions& o) {
  LOOM_CHECK(o.max_per_target() >= 0, ValueError, "metapath_instances: max_per_target must be >= 0, got ",
             o.max_per_target());
  LOOM_CHECK(o.max_instances() >= 0, ValueError, "metapath_instances: max_instances must be >= 0, got ",
             o.max_instances());
  const Walker w(g, path);
  const int64_t L = path.length(), n = static_cast<int64_t>(w.c[0].size());
  const auto cap = static_cast<double>(o.max_per_target());
  std::vector<int64_t> indptr(static_cast<size_t>(n + 1), 0);
  double total = 0;
  for (int64_t v = 0; v < n; ++v) {
    const double k = o.max_per_target() > 0 ? std::min(w.c[0][v], cap) : w.c[0][v];
    total += k;
    // Past the budget the running sum stops: the message gives the full count, computed in double.
    if (total <= static_cast<double>(o.max_instances())) indptr[v + 1] = indptr[v] + static_cast<int64_t>(k);
  }
  if (total > static_cast<double>(o.max_instances())) {
    throw ValueError("metapath_instances: meta-path " + path.name + " has " + std::to_string(total) +
                     " instances (" + std::to_string(total * 8.0 * static_cast<double>(L + 1) / (1 << 20)) +
                     " MiB as int64 [" + std::to_string(total) + ", " + std::to_string(L + 1) +
                     "]), past the budget of " + std::to_string(o.max_instances()) +
                     " (max_instances); cap them with max_per_target");
  }
  Tensor nodes = empty({indptr[n], L + 1}, kInt64);
  int64_t* out = nodes.data<int64_t>();
  loom::detail::parallel_for(n, kTargetGrain, [&](int64_t v0, int64_t v1) {
    for (int64_t v = v0; v < v1; ++v) {
      int64_t* rows = out + indptr[v] * (L + 1);
      const int64_t keep = indptr[v + 1] - indptr[v];
      if (keep == 0) continue;
      if (static_cast<double>(keep) == w.c[0][v]) {
        int64_t r = 0;
        w.enumerate(v, [&](const std::vector<int64_t>& pos) { w.write(v, pos, rows + (r++) * (L + 1)); });
      } else {
        sample_target(w, v, w.c[0][v], keep, o.seed(), rows);
      }
    }
  });
  MetaPathInstances r;
  r.path = path;
  r.indptr = from_vector<int64_t>(indptr, {n + 1}).to(g.device());
  r.nodes = nodes.to(g.device());
  r.full_counts = from_vector<double>(w.c[0], {n}).to(g.device());
  return r;
}

}  // namespace loom::hetero
