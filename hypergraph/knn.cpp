// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// DHG's k-nearest-neighbour hypergraph (Hypergraph::from_knn): hyperedge v = {v} plus its k nearest other vertices.
// Distances a tile at a time (a block of query rows x a range of candidate columns), so memory is O(tile), never
// N x N: one GEMM gives, for query a and every b of the tile, ||b||^2 - 2 a.b (the rank-preserving part of
// ||a - b||^2: ||a||^2 is constant along a row); topk keeps each row's k + 1 smallest of the tile; a last topk over
// the tiles' candidates (in column order, so ties still go to the lower id) gives the k + 1 nearest, and self is
// dropped from them (or the last one when self is not among them, which happens only when k + 1 others tie with
// it). Only the [N, k + 1] neighbour ids visit the host, to assemble the incidence.
#include "hypergraph/knn.h"

#include <algorithm>
#include <vector>

#include "core/detail/check.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom::hypergraph {

namespace detail {

namespace {
constexpr int64_t kBlockBytes = int64_t{256} << 20;  // one tile's distance matrix
constexpr int64_t kTileCols = 65536;
constexpr int64_t kCudaTopkMaxK = 1024;              // topk's per-row limit on CUDA
}  // namespace

int64_t knn_tile_cols(int64_t n) { return std::clamp<int64_t>(n, 1, kTileCols); }

int64_t knn_block_rows(int64_t n, DType dtype) {
  const int64_t row_bytes = knn_tile_cols(n) * static_cast<int64_t>(dtype_size(dtype));
  return std::clamp<int64_t>(kBlockBytes / row_bytes, 1, std::max<int64_t>(1, n));
}

Hypergraph knn_hypergraph(const Tensor& features, int64_t k, int64_t block_rows, int64_t tile_cols) {
  const char* op = "Hypergraph::from_knn";
  loom::detail::check_floating(op, "features", features);
  LOOM_CHECK(features.dim() == 2, ShapeError, op, ": 'features' must have rank 2 ([N, F]), got shape ",
             features.shape_str());
  const int64_t n = features.size(0);
  LOOM_CHECK(k >= 1 && k < n, ValueError, op, ": k = ", k, " is out of range for N = ", n,
             " vertices (expected 1 <= k < N)");
  LOOM_CHECK(!features.is_cuda() || k + 1 <= kCudaTopkMaxK, ValueError, op, ": k = ", k,
             " is too large on CUDA (at most ", kCudaTopkMaxK - 1, ": topk takes k + 1 per row)");
  LOOM_CHECK(!has_nonfinite(features), ValueError, op, ": 'features' ", features.shape_str(),
             " contains NaN or infinite values");
  LOOM_CHECK(block_rows >= 1, ValueError, op, ": block_rows must be >= 1, got ", block_rows);
  if (tile_cols <= 0) tile_cols = knn_tile_cols(n);
  NoGradGuard no_grad;
  const Device dev = features.device();
  const DType dt = features.dtype();

  // Moving the origin to vertex 0 shrinks the norms (less cancellation in the GEMM form) and keeps integer
  // coordinates integer, so exact ties stay exact.
  const Tensor x = sub(features, features.narrow_rows(0, 1));
  const Tensor sq = sum(mul(x, x), 1);  // [N]
  LOOM_CHECK(!has_nonfinite(sq), ValueError, op, ": 'features' are too large: squared norms overflow ",
             dtype_name(dt));
  // right = [x^T; ||x||^2] [F + 1, N], cut into column tiles once; a block's left = [-2 a, 1] [B, F + 1]:
  // left x right = ||b||^2 - 2 a.b.
  const Tensor right = concat({transpose(x, 0, 1), sq.view({1, n})}, 0);
  std::vector<Tensor> tiles;
  std::vector<int64_t> tile_start;
  for (int64_t c0 = 0; c0 < n; c0 += tile_cols) {
    tiles.push_back(tile_cols >= n ? right : slice(right, 1, c0, std::min(n, c0 + tile_cols)));
    tile_start.push_back(c0);
  }

  std::vector<int64_t> ids(static_cast<size_t>(n * (k + 1)));
  for (int64_t r0 = 0; r0 < n; r0 += block_rows) {
    const int64_t r1 = std::min(n, r0 + block_rows), b = r1 - r0;
    const Tensor left = concat({mul_scalar(x.narrow_rows(r0, r1), -2.0), ones({b, 1}, dt, dev)}, 1);
    Tensor near;
    if (tiles.size() == 1) {
      near = topk(matmul(left, right), k + 1, /*largest=*/false).indices;
    } else {
      // Each tile's k + 1 nearest (ids made global), then the k + 1 nearest of all candidates.
      std::vector<Tensor> values, cols;
      for (size_t t = 0; t < tiles.size(); ++t) {
        const Tensor d = matmul(left, tiles[t]);
        const TopK best = topk(d, std::min<int64_t>(k + 1, d.size(1)), /*largest=*/false);
        values.push_back(best.values);
        cols.push_back(add_scalar(best.indices.to(kFloat64), static_cast<double>(tile_start[t])));
      }
      const Tensor pick = topk(concat(values, 1), k + 1, /*largest=*/false).indices;
      near = gather_last(concat(cols, 1), pick).to(kInt64);
    }
    const std::vector<int64_t> h = near.cpu().to_vector<int64_t>();
    std::copy(h.begin(), h.end(), ids.begin() + r0 * (k + 1));
  }

  // Incidence: hyperedge v holds v, then its k neighbours (self dropped from the k + 1 picks).
  const int64_t nnz = n * (k + 1);
  std::vector<int64_t> inc(static_cast<size_t>(2 * nnz));
  for (int64_t v = 0; v < n; ++v) {
    const int64_t* row = ids.data() + v * (k + 1);
    int64_t* vs = inc.data() + v * (k + 1);
    int64_t* es = inc.data() + nnz + v * (k + 1);
    vs[0] = v;
    for (int64_t j = 0, out = 1; j <= k && out <= k; ++j)
      if (row[j] != v) vs[out++] = row[j];
    std::fill(es, es + k + 1, v);
  }
  return Hypergraph::from_incidence(from_vector<int64_t>(inc, {2, nnz}, dev), n, n, Tensor(),
                                    EmptyHyperedges::kError);
}

}  // namespace detail

Hypergraph Hypergraph::from_knn(const Tensor& features, int64_t k) {
  const int64_t n = features.defined() && features.dim() == 2 ? features.size(0) : 0;
  const DType dt = features.defined() ? features.dtype() : kFloat32;
  return detail::knn_hypergraph(features, k, detail::knn_block_rows(n, dt));
}

}  // namespace loom::hypergraph
