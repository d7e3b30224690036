// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Support for the hypergraph suites: random incidence lists from random_graph (empty hyperedges, isolated vertices,
// duplicate incidences, a huge hyperedge) and a dense float64 reference built independently from the raw input.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <vector>

#include "loom/core/message.h"
#include "loom/core/tensor.h"
#include "loom/hypergraph/hypergraph.h"
#include "support/dense.h"
#include "support/gradcheck.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom::testing::hg {

// A raw incidence list as a user passes it: vertex[k] belongs to hyperedge edge[k]; weights per input hyperedge.
struct RawIncidence {
  int64_t n = 0, m = 0;  // vertices, input hyperedges
  std::vector<int64_t> vertex, edge;
  std::vector<double> w;  // empty: unweighted
  Tensor tensor(Device device = kCPU) const {
    std::vector<int64_t> v(vertex);
    v.insert(v.end(), edge.begin(), edge.end());
    return from_vector<int64_t>(v, {2, static_cast<int64_t>(vertex.size())}, device);
  }
  Tensor weight(DType dtype = kFloat64, Device device = kCPU) const {
    return w.empty() ? Tensor() : from_vector<double>(w, {m}).to(dtype).to(device);
  }
  hypergraph::Hypergraph build(Device device = kCPU, DType wdtype = kFloat64) const {
    return hypergraph::Hypergraph::from_incidence(tensor(device), n, m, weight(wdtype, device));
  }
};

// random_graph(seed, m, n): destinations are hyperedges, sources are vertices.
inline RawIncidence random_incidence(uint32_t seed, int64_t n, int64_t m, int64_t avg_size, bool weighted) {
  const RandomGraph rg = random_graph(seed, m, n, avg_size);
  RawIncidence r;
  r.n = n;
  r.m = m;
  r.vertex = rg.src.to_vector<int64_t>();
  r.edge = rg.dst.to_vector<int64_t>();
  if (weighted) r.w = random_tensor({m}, seed + 7, 0.5, 2.0).to_vector<double>();
  return r;
}

// The reference hypergraph: distinct members per hyperedge, empty hyperedges dropped (kept = surviving input ids).
struct DenseHypergraph {
  int64_t n = 0, m = 0;
  Mat h;                  // [n][m] 0/1
  std::vector<double> w;  // [m]
  std::vector<int64_t> kept;
  std::vector<std::set<int64_t>> members;  // per kept hyperedge
};

inline DenseHypergraph dense_of(const RawIncidence& r) {
  std::vector<std::set<int64_t>> sets(static_cast<size_t>(r.m));
  for (size_t k = 0; k < r.vertex.size(); ++k) sets[r.edge[k]].insert(r.vertex[k]);
  DenseHypergraph d;
  d.n = r.n;
  for (int64_t e = 0; e < r.m; ++e) {
    if (sets[e].empty()) continue;
    d.kept.push_back(e);
    d.members.push_back(sets[e]);
    d.w.push_back(r.w.empty() ? 1.0 : r.w[e]);
  }
  d.m = static_cast<int64_t>(d.kept.size());
  d.h.assign(static_cast<size_t>(d.n), std::vector<double>(static_cast<size_t>(d.m), 0.0));
  for (int64_t e = 0; e < d.m; ++e)
    for (int64_t v : d.members[e]) d.h[v][e] = 1.0;
  return d;
}

// HGNN: D_v^-1/2 H W D_e^-1 H^T D_v^-1/2 (D_v weighted); HGNN+: D_v^-1 H W D_e^-1 H^T (D_v counted).
// Zero degrees give zero rows/columns. Returned as a dense [n][n] operator.
inline Mat smoothing_matrix(const DenseHypergraph& d, bool plus) {
  std::vector<double> dv(static_cast<size_t>(d.n), 0.0), de(static_cast<size_t>(d.m), 0.0);
  for (int64_t v = 0; v < d.n; ++v)
    for (int64_t e = 0; e < d.m; ++e) {
      dv[v] += d.h[v][e] * (plus ? 1.0 : d.w[e]);
      de[e] += d.h[v][e];
    }
  Mat left = d.h;  // [n][m]: left[v][e] = dv_l(v) H w_e / |e|
  for (int64_t v = 0; v < d.n; ++v)
    for (int64_t e = 0; e < d.m; ++e) {
      const double dl = dv[v] == 0 ? 0.0 : (plus ? 1.0 / dv[v] : 1.0 / std::sqrt(dv[v]));
      left[v][e] *= dl * d.w[e] / de[e];
    }
  Mat right = transpose_d(d.h);  // [m][n]
  if (!plus) {
    for (int64_t e = 0; e < d.m; ++e)
      for (int64_t v = 0; v < d.n; ++v) right[e][v] *= dv[v] == 0 ? 0.0 : 1.0 / std::sqrt(dv[v]);
  }
  if (d.m == 0) return Mat(static_cast<size_t>(d.n), std::vector<double>(static_cast<size_t>(d.n), 0.0));
  return matmul_d(left, right);
}

// Naive weighted v2e / e2v on the reference: reduce of h[v][e] x over the members of each hyperedge (to_edges:
// x [n][f] -> [m][f]) or over the hyperedges of each vertex (x [m][f] -> [n][f]), in index order; sum, mean (by
// the member count) or max; empty rows give 0.
inline Mat naive_reduce(const DenseHypergraph& d, const Mat& x, mp::Reduce reduce, bool to_edges) {
  const int64_t rows = to_edges ? d.m : d.n;
  const size_t f = x.at(0).size();
  Mat out(static_cast<size_t>(rows), std::vector<double>(f, 0.0));
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> acc(f, reduce == mp::max ? -std::numeric_limits<double>::infinity() : 0.0);
    int64_t count = 0;
    for (int64_t e = 0; e < d.m; ++e)
      for (int64_t v : d.members[e]) {
        if (to_edges ? e != r : v != r) continue;
        const int64_t c = to_edges ? v : e;
        ++count;
        for (size_t j = 0; j < f; ++j) {
          const double msg = d.h[v][e] * x[c][j];
          acc[j] = reduce == mp::max ? std::max(acc[j], msg) : acc[j] + msg;
        }
      }
    for (size_t j = 0; count > 0 && j < f; ++j) out[r][j] = reduce == mp::mean ? acc[j] / double(count) : acc[j];
  }
  return out;
}

}  // namespace loom::testing::hg
