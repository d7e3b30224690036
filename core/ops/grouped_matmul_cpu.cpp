// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU grouped product: one flat list of (group, row block) tiles over all groups, spread over oneTBB, each tile one
// single-threaded Eigen GEMM against its group's weight. Small groups share the cores with one huge group instead of
// running one after another. The weight gradient sums fixed row chunks in a fixed order, so every result is the same
// for any thread count.
#include <Eigen/Core>

#include <algorithm>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/ops/grouped_matmul.h"

namespace loom::detail {

namespace {

template <class T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Rows per tile: large enough that Eigen's packing of W_g is amortised, small enough to balance one huge group.
constexpr int64_t kTileRows = 128;
// Rows per partial product of the weight gradient: fixed, so the summation order never depends on the schedule.
constexpr int64_t kChunkRows = 4096;

struct Tile {
  int64_t group, row0, rows;
};

std::vector<Tile> tiles_of(const std::vector<int64_t>& offsets, int64_t tile_rows) {
  std::vector<Tile> tiles;
  for (size_t g = 0; g + 1 < offsets.size(); ++g) {
    for (int64_t r = offsets[g]; r < offsets[g + 1]; r += tile_rows) {
      tiles.push_back({static_cast<int64_t>(g), r, std::min(tile_rows, offsets[g + 1] - r)});
    }
  }
  return tiles;
}

}  // namespace

void grouped_gemm_cpu(const Tensor& x, const Tensor& w, bool trans_w, const Tensor& bias,
                      const std::vector<int64_t>& offsets, const Tensor& y) {
  const int64_t k = w.size(1), m = w.size(2);
  const int64_t in = trans_w ? m : k, out = trans_w ? k : m;
  const std::vector<Tile> tiles = tiles_of(offsets, kTileRows);
  dispatch_floating(x.dtype(), "grouped_matmul", [&]<class T>() {
    const T* px = x.data<T>();
    const T* pw = w.data<T>();
    const T* pb = bias.defined() ? bias.data<T>() : nullptr;
    T* py = y.data<T>();
    using Map = Eigen::Map<const RowMajor<T>>;
    parallel_for(static_cast<int64_t>(tiles.size()), 1, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) {
        const Tile& t = tiles[static_cast<size_t>(i)];
        const Map xt(px + t.row0 * in, t.rows, in);
        const Map wg(pw + t.group * k * m, k, m);
        Eigen::Map<RowMajor<T>> yt(py + t.row0 * out, t.rows, out);
        if (trans_w) {
          yt.noalias() = xt * wg.transpose();
        } else {
          yt.noalias() = xt * wg;
          if (pb != nullptr) yt.rowwise() += Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(pb + t.group * m, m);
        }
      }
    });
  });
}

void grouped_gemm_weight_grad_cpu(const Tensor& x, const Tensor& dy, const std::vector<int64_t>& offsets,
                                  const Tensor& dw, const Tensor& db) {
  const int64_t groups = dw.size(0), k = dw.size(1), m = dw.size(2);
  const std::vector<Tile> chunks = tiles_of(offsets, kChunkRows);
  dispatch_floating(x.dtype(), "grouped_matmul", [&]<class T>() {
    // One [K, M] partial (and [M] column sum) per chunk, then each group's partials summed in chunk order.
    std::vector<T> partial(chunks.size() * static_cast<size_t>(k * m));
    std::vector<T> partial_b(db.defined() ? chunks.size() * static_cast<size_t>(m) : 0);
    const T* px = x.data<T>();
    const T* pdy = dy.data<T>();
    using Map = Eigen::Map<const RowMajor<T>>;
    parallel_for(static_cast<int64_t>(chunks.size()), 1, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) {
        const Tile& c = chunks[static_cast<size_t>(i)];
        const Map xc(px + c.row0 * k, c.rows, k);
        const Map dyc(pdy + c.row0 * m, c.rows, m);
        Eigen::Map<RowMajor<T>>(partial.data() + i * k * m, k, m).noalias() = xc.transpose() * dyc;
        if (!partial_b.empty()) {
          Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>(partial_b.data() + i * m, m) = dyc.colwise().sum();
        }
      }
    });
    T* pdw = dw.data<T>();
    T* pdb = db.defined() ? db.data<T>() : nullptr;
    std::fill(pdw, pdw + groups * k * m, T(0));
    if (pdb != nullptr) std::fill(pdb, pdb + groups * m, T(0));
    // Chunks are in group order; the sums run over the [K, M] entries in parallel, over chunks in order.
    parallel_for(groups, 1, [&](int64_t g0, int64_t g1) {
      for (size_t i = 0; i < chunks.size(); ++i) {
        const int64_t g = chunks[i].group;
        if (g < g0 || g >= g1) continue;
        T* dst = pdw + g * k * m;
        const T* src = partial.data() + i * static_cast<size_t>(k * m);
        for (int64_t j = 0; j < k * m; ++j) dst[j] += src[j];
        if (pdb != nullptr) {
          for (int64_t j = 0; j < m; ++j) pdb[g * m + j] += partial_b[i * static_cast<size_t>(m) + j];
        }
      }
    });
  });
}

}  // namespace loom::detail
