// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Contextual stochastic block model generator. Edges are sampled endpoint by endpoint (never an N x N pass) and
// deduplicated by sorting 64-bit pair keys; features are drawn in fixed row blocks with their own seeds, so the
// result does not depend on the number of threads.
#include "loom/data/csbm.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "core/detail/parallel.h"
#include "data/seeded.h"
#include "loom/core/error.h"

namespace loom::data {
namespace {

using seeded::bounded;
using seeded::splitmix64;
using seeded::uniform01;

template <class V>
void fisher_yates(V& v, std::mt19937_64& g) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[bounded(g, i)]);
}

void validate(const CsbmOptions& o) {
  const char* who = "make_csbm";
  LOOM_CHECK(o.num_classes >= 1, ValueError, who, ": num_classes must be >= 1, got ", o.num_classes);
  LOOM_CHECK(o.num_nodes >= 2 * o.num_classes, ValueError, who, ": num_nodes must be at least 2 * num_classes = ",
             2 * o.num_classes, " (every class needs two nodes), got ", o.num_nodes);
  LOOM_CHECK(o.num_nodes <= (int64_t{1} << 31), ValueError, who, ": num_nodes must be at most 2^31, got ",
             o.num_nodes);
  LOOM_CHECK(std::isfinite(o.avg_degree) && o.avg_degree >= 0, ValueError, who,
             ": avg_degree must be finite and >= 0, got ", o.avg_degree);
  LOOM_CHECK(o.homophily >= 0 && o.homophily <= 1, ValueError, who, ": homophily must be in [0, 1], got ",
             o.homophily);
  LOOM_CHECK(o.num_classes > 1 || o.homophily == 1, ValueError, who,
             ": homophily must be 1 with a single class (there is no other class to link to), got ", o.homophily);
  LOOM_CHECK(o.num_features >= o.num_classes, ValueError, who, ": num_features must be >= num_classes = ",
             o.num_classes, " (each class mean lies on its own feature axis), got ", o.num_features);
  LOOM_CHECK(std::isfinite(o.signal) && o.signal >= 0, ValueError, who, ": signal must be finite and >= 0, got ",
             o.signal);
  if (o.train_fraction > 0) {
    LOOM_CHECK(o.train_fraction < 1, ValueError, who, ": train_fraction must be in (0, 1), got ", o.train_fraction);
    LOOM_CHECK(o.val_fraction >= 0 && o.train_fraction + o.val_fraction <= 1, ValueError, who,
               ": val_fraction must be >= 0 with train_fraction + val_fraction <= 1, got ", o.val_fraction);
  } else {
    LOOM_CHECK(o.train_fraction == 0, ValueError, who, ": train_fraction must be >= 0, got ", o.train_fraction);
    const int64_t smallest = o.num_nodes / o.num_classes;
    LOOM_CHECK(o.train_per_class >= 1 && o.train_per_class <= smallest, ValueError, who,
               ": train_per_class must be in [1, ", smallest, "] (the smallest class), got ", o.train_per_class);
    LOOM_CHECK(o.num_val >= 0 && o.train_per_class * o.num_classes + o.num_val <= o.num_nodes, ValueError, who,
               ": num_val must be in [0, num_nodes - train_per_class * num_classes = ",
               o.num_nodes - o.train_per_class * o.num_classes, "], got ", o.num_val);
  }
  // Rejection of duplicates must terminate quickly: ask for at most half of the possible pairs of each kind.
  const double n = static_cast<double>(o.num_nodes), c = static_cast<double>(o.num_classes);
  const double m = n * o.avg_degree / 2;
  const double intra_pairs = c * (n / c) * (n / c - 1) / 2, inter_pairs = n * (n - 1) / 2 - intra_pairs;
  LOOM_CHECK(o.homophily * m <= 0.5 * intra_pairs && (1 - o.homophily) * m <= 0.5 * inter_pairs, ValueError, who,
             ": avg_degree ", o.avg_degree, " is too dense for ", o.num_nodes, " nodes in ", o.num_classes,
             " classes at homophily ", o.homophily, " (at most half of the possible node pairs may be edges)");
}

// Sorted, unique undirected pair keys a * n + b (a < b).
std::vector<uint64_t> sample_edges(const CsbmOptions& o, const std::vector<int64_t>& y,
                                   const std::vector<int64_t>& by_class, const std::vector<int64_t>& start,
                                   std::mt19937_64& g) {
  const auto n = static_cast<uint64_t>(o.num_nodes);
  const auto m = static_cast<size_t>(std::llround(static_cast<double>(o.num_nodes) * o.avg_degree / 2));
  std::vector<uint64_t> keys;
  keys.reserve(m);
  for (int round = 0; keys.size() < m; ++round) {
    LOOM_ASSERT(round < 10000, "make_csbm: edge sampling did not converge");
    const size_t old = keys.size();
    for (size_t k = old; k < m; ++k) {
      const uint64_t u = bounded(g, n);
      const int64_t c = y[u];
      const auto s = static_cast<uint64_t>(start[c]), size = static_cast<uint64_t>(start[c + 1] - start[c]);
      uint64_t v;
      if (uniform01(g) < o.homophily) {
        // Uniform over the class without u: draw among size - 1 slots; u's slot stands for the last one.
        v = static_cast<uint64_t>(by_class[s + bounded(g, size - 1)]);
        if (v == u) v = static_cast<uint64_t>(by_class[s + size - 1]);
      } else {
        // Uniform over the nodes of other classes: skip the block of class c in the class-sorted order.
        uint64_t r = bounded(g, n - size);
        if (r >= s) r += size;
        v = static_cast<uint64_t>(by_class[r]);
      }
      keys.push_back(std::min(u, v) * n + std::max(u, v));
    }
    std::sort(keys.begin() + static_cast<std::ptrdiff_t>(old), keys.end());
    std::inplace_merge(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(old), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  }
  return keys;
}

// Both directions of every pair, columns sorted by (source, target), via a CSR fill.
Tensor to_edge_index(const std::vector<uint64_t>& keys, int64_t n) {
  std::vector<int64_t> ptr(static_cast<size_t>(n) + 1, 0);
  const auto un = static_cast<uint64_t>(n);
  for (uint64_t k : keys) {
    ++ptr[k / un + 1];
    ++ptr[k % un + 1];
  }
  std::partial_sum(ptr.begin(), ptr.end(), ptr.begin());
  const int64_t e = ptr.back();
  Tensor ei = empty({2, e}, kInt64);
  int64_t* src = ei.data<int64_t>();
  int64_t* dst = src + e;
  std::vector<int64_t> fill(ptr.begin(), ptr.end() - 1);
  for (uint64_t k : keys) {
    const auto a = static_cast<int64_t>(k / un), b = static_cast<int64_t>(k % un);
    dst[fill[a]++] = b;
    dst[fill[b]++] = a;
  }
  detail::parallel_for(n, 1024, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      std::sort(dst + ptr[i], dst + ptr[i + 1]);
      std::fill(src + ptr[i], src + ptr[i + 1], i);
    }
  });
  return ei;
}

// x[i] = signal / sqrt(2) * e_{axis[y_i]} + N(0, I): any two class means are `signal` apart.
Tensor make_features(const CsbmOptions& o, const std::vector<int64_t>& y, const std::vector<int64_t>& axis) {
  const int64_t n = o.num_nodes, f = o.num_features;
  Tensor x = empty({n, f}, kFloat32);
  float* p = x.data<float>();
  const double shift = o.signal / std::sqrt(2.0);
  constexpr int64_t kBlock = 256;  // rows per independently seeded generator: fixed, so thread count is irrelevant
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  detail::parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      std::mt19937_64 g(splitmix64(o.seed ^ splitmix64(static_cast<uint64_t>(b) + 0x5EED)));
      float* row0 = p + b * kBlock * f;
      const int64_t count = (std::min(n, (b + 1) * kBlock) - b * kBlock) * f;
      // Box-Muller in pairs (portable, unlike std::normal_distribution).
      for (int64_t k = 0; k < count; k += 2) {
        const double u1 = 1.0 - uniform01(g), u2 = uniform01(g);
        const double r = std::sqrt(-2.0 * std::log(u1)), t = 2.0 * M_PI * u2;
        row0[k] = static_cast<float>(r * std::cos(t));
        if (k + 1 < count) row0[k + 1] = static_cast<float>(r * std::sin(t));
      }
      for (int64_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i)
        p[i * f + axis[static_cast<size_t>(y[i])]] += static_cast<float>(shift);
    }
  });
  return x;
}

Tensor sorted_tensor(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  const auto len = static_cast<int64_t>(v.size());
  return from_vector<int64_t>(v, {len});
}

}  // namespace

NodeDataset make_csbm(const CsbmOptions& o) {
  validate(o);
  const int64_t n = o.num_nodes, c = o.num_classes;
  std::mt19937_64 g(o.seed);

  // Balanced labels in a random order, and the nodes grouped by class.
  std::vector<int64_t> y(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) y[i] = i % c;
  fisher_yates(y, g);
  std::vector<int64_t> start(static_cast<size_t>(c) + 1, 0);
  for (int64_t v : y) ++start[v + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<int64_t> by_class(static_cast<size_t>(n));
  {
    std::vector<int64_t> fill(start.begin(), start.end() - 1);
    for (int64_t i = 0; i < n; ++i) by_class[fill[y[i]]++] = i;
  }

  NodeDataset ds;
  ds.name = "csbm";
  ds.num_classes = c;
  ds.edge_index = to_edge_index(sample_edges(o, y, by_class, start, g), n);

  // Each class mean on its own randomly chosen feature axis.
  std::vector<int64_t> axes(static_cast<size_t>(o.num_features));
  std::iota(axes.begin(), axes.end(), 0);
  fisher_yates(axes, g);
  axes.resize(static_cast<size_t>(c));
  ds.x = make_features(o, y, axes);
  ds.y = from_vector<int64_t>(y, {n});

  std::vector<int64_t> train, val, test;
  if (o.train_fraction > 0) {
    std::vector<int64_t> perm(static_cast<size_t>(n));
    std::iota(perm.begin(), perm.end(), 0);
    fisher_yates(perm, g);
    const auto nt = std::max<int64_t>(1, std::llround(o.train_fraction * static_cast<double>(n)));
    const auto nv = std::min<int64_t>(n - nt, std::llround(o.val_fraction * static_cast<double>(n)));
    train.assign(perm.begin(), perm.begin() + nt);
    val.assign(perm.begin() + nt, perm.begin() + nt + nv);
    test.assign(perm.begin() + nt + nv, perm.end());
  } else {
    std::vector<int64_t> rest;
    for (int64_t k = 0; k < c; ++k) {
      std::vector<int64_t> members(by_class.begin() + start[k], by_class.begin() + start[k + 1]);
      fisher_yates(members, g);
      train.insert(train.end(), members.begin(), members.begin() + o.train_per_class);
      rest.insert(rest.end(), members.begin() + o.train_per_class, members.end());
    }
    fisher_yates(rest, g);
    val.assign(rest.begin(), rest.begin() + o.num_val);
    test.assign(rest.begin() + o.num_val, rest.end());
  }
  ds.train_idx = sorted_tensor(std::move(train));
  ds.val_idx = sorted_tensor(std::move(val));
  ds.test_idx = sorted_tensor(std::move(test));
  return ds;
}

}  // namespace loom::data
