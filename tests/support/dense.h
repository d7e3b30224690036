// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Dense float64 matrices for the references of the layer and hypergraph suites (DHG-style: the sparse result
// against H @ H^T @ x written with plain loops): conversion from and to tensors, product, transpose, the largest
// difference and a closeness check.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "loom/core/tensor.h"

namespace loom::testing {

using Mat = std::vector<std::vector<double>>;

// t [r] (one column) or [r, ...] (the trailing dimensions flattened into the columns) as an r x k matrix.
inline Mat to_mat(const Tensor& t) {
  const Tensor c = t.detach().cpu().to(kFloat64);
  const auto v = c.to_vector<double>();
  const int64_t r = c.size(0), k = c.dim() == 1 ? 1 : c.numel() / std::max<int64_t>(r, 1);
  Mat m(static_cast<size_t>(r), std::vector<double>(static_cast<size_t>(k)));
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < k; ++j) m[i][j] = v[static_cast<size_t>(i * k + j)];
  return m;
}

inline Tensor from_mat(const Mat& m) {
  std::vector<double> v;
  for (const auto& row : m) v.insert(v.end(), row.begin(), row.end());
  return from_vector<double>(v, {static_cast<int64_t>(m.size()), static_cast<int64_t>(m.at(0).size())});
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

// Largest |a - b|; infinity when the shapes differ, NaN when a difference is NaN.
inline double max_diff(const Mat& a, const Mat& b) {
  double worst = a.size() == b.size() ? 0.0 : INFINITY;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].size() != b[i].size()) return INFINITY;
    for (size_t j = 0; j < a[i].size(); ++j) {
      const double d = std::abs(a[i][j] - b[i][j]);
      if (std::isnan(d)) return d;
      worst = std::max(worst, d);
    }
  }
  return worst;
}

// got (as to_mat) has want's shape and every element within tol.
inline void expect_close(const Tensor& got, const Mat& want, double tol, const char* what) {
  const Mat g = to_mat(got);
  ASSERT_EQ(g.size(), want.size()) << what;
  for (size_t i = 0; i < g.size(); ++i) ASSERT_EQ(g[i].size(), want[i].size()) << what;
  EXPECT_LE(max_diff(g, want), tol) << what;
}

}  // namespace loom::testing
