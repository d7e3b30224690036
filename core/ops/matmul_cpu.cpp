// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU product: Eigen maps of the row-major operands, one Eigen GEMM per output tile, tiles spread over oneTBB.
// Eigen's own GEMM runs single-threaded here, so the tiling is what uses the cores. Tile sizes depend only on the
// shapes, never on the thread count, so results are identical for any number of threads.
#include <Eigen/Core>

#include <algorithm>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/ops/matmul.h"

namespace loom::detail {

namespace {

template <class T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Tile of the output [rows, cols]. Large tiles keep Eigen's packing cheap relative to the arithmetic; tiles shrink
// (down to 16 rows) until there are enough of them to occupy a many-core machine.
struct Tiling {
  int64_t rows, cols, row_tiles, col_tiles;
};
Tiling choose_tiling(const GemmArgs& g) {
  constexpr int64_t kMaxRows = 256, kMaxCols = 512, kMinRows = 16, kWantTiles = 128;
  Tiling t;
  t.cols = std::min(g.n, kMaxCols);
  t.col_tiles = (g.n + t.cols - 1) / t.cols;
  t.rows = std::min(g.m, kMaxRows);
  while (t.rows > kMinRows && g.batch * t.col_tiles * ((g.m + t.rows - 1) / t.rows) < kWantTiles) t.rows /= 2;
  t.rows = std::max<int64_t>(1, t.rows);
  t.row_tiles = (g.m + t.rows - 1) / t.rows;
  return t;
}

template <class T>
void gemm_tile(const GemmArgs& g, const T* a, const T* b, T* c, int64_t r0, int64_t nr, int64_t c0, int64_t nc) {
  using Map = Eigen::Map<const RowMajor<T>>;
  Eigen::Map<RowMajor<T>, 0, Eigen::OuterStride<>> out(c + r0 * g.n + c0, nr, nc, Eigen::OuterStride<>(g.n));
  // The stored matrices: A is [m, k] or [k, m]; B is [k, n] or [n, k].
  const Map am(a, g.trans_a ? g.k : g.m, g.trans_a ? g.m : g.k);
  const Map bm(b, g.trans_b ? g.n : g.k, g.trans_b ? g.k : g.n);
  if (!g.trans_a && !g.trans_b) {
    out.noalias() = am.middleRows(r0, nr) * bm.middleCols(c0, nc);
  } else if (!g.trans_a && g.trans_b) {
    out.noalias() = am.middleRows(r0, nr) * bm.middleRows(c0, nc).transpose();
  } else if (g.trans_a && !g.trans_b) {
    out.noalias() = am.middleCols(r0, nr).transpose() * bm.middleCols(c0, nc);
  } else {
    out.noalias() = am.middleCols(r0, nr).transpose() * bm.middleRows(c0, nc).transpose();
  }
}

}  // namespace

void gemm_cpu(const GemmArgs& g, const Tensor& a, const Tensor& b, const Tensor& c) {
  const Tiling t = choose_tiling(g);
  const int64_t tiles = g.batch * t.row_tiles * t.col_tiles;
  // Small products run as one task: threading them costs more than it saves.
  const bool small = g.batch * g.m * g.n * g.k <= (int64_t{1} << 18);
  dispatch_floating(a.dtype(), "matmul", [&]<class T>() {
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* pc = c.data<T>();
    parallel_for(tiles, small ? tiles : 1, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) {
        const int64_t bi = i / (t.row_tiles * t.col_tiles);
        const int64_t rt = (i / t.col_tiles) % t.row_tiles, ct = i % t.col_tiles;
        const int64_t r0 = rt * t.rows, c0 = ct * t.cols;
        gemm_tile<T>(g, pa + bi * g.stride_a, pb + bi * g.stride_b, pc + bi * g.stride_c, r0,
                     std::min(t.rows, g.m - r0), c0, std::min(t.cols, g.n - c0));
      }
    });
  });
}

}  // namespace loom::detail
