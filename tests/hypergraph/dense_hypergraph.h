// Support for the hypergraph suites: random incidence lists from random_graph (empty hyperedges, isolated vertices,
// duplicate incidences, a huge hyperedge) and a dense float64 reference built independently from the raw input.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "loom/core/tensor.h"
#include "loom/hypergraph/hypergraph.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom::testing::hg {

using Mat = std::vector<std::vector<double>>;

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

inline Mat matmul_d(const Mat& a, const Mat& b) {
  Mat c(a.size(), std::vector<double>(b.at(0).size(), 0.0));
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t k = 0; k < b.size(); ++k)
      if (a[i][k] != 0)
        for (size_t j = 0; j < b[0].size(); ++j) c[i][j] += a[i][k] * b[k][j];
  return c;
}

inline Mat transpose_d(const Mat& a) {
  Mat t(a.at(0).size(), std::vector<double>(a.size()));
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < a[0].size(); ++j) t[j][i] = a[i][j];
  return t;
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

inline Mat to_mat(const Tensor& t) {
  const Tensor c = t.detach().cpu().to(kFloat64);
  const auto v = c.to_vector<double>();
  const int64_t r = c.size(0), k = c.dim() == 1 ? 1 : c.numel() / std::max<int64_t>(r, 1);
  Mat m(static_cast<size_t>(r), std::vector<double>(static_cast<size_t>(k)));
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < k; ++j) m[i][j] = v[static_cast<size_t>(i * k + j)];
  return m;
}

inline double max_diff(const Mat& a, const Mat& b) {
  double worst = a.size() == b.size() ? 0.0 : INFINITY;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].size() != b[i].size()) return INFINITY;
    for (size_t j = 0; j < a[i].size(); ++j) worst = std::max(worst, std::abs(a[i][j] - b[i][j]));
  }
  return worst;
}

}  // namespace loom::testing::hg
