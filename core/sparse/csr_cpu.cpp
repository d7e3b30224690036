// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of the Csr builders on oneTBB: a counting sort that groups positions by row (histogram, prefix sum,
// scatter), then sorts each group by (column, input position); the transpose uses the same grouping by column.
#include <oneapi/tbb/parallel_reduce.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <vector>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/sparse/csr_impl.h"

namespace loom::detail {
namespace {

constexpr int64_t kGrain = 1 << 14;      // elements per task in flat loops
constexpr int64_t kGroupGrain = 256;     // groups (rows) per task

// Groups positions [0, n) by key(i) in [0, groups): offsets[groups + 1] and order[n], each group listing its
// positions sorted by `less` (a total order). The histogram and the scatter use relaxed atomic counters: the order
// in which positions land inside a group depends on the schedule, but the per-group sort by a total order erases
// it, so the result is identical for every thread count.
template <class Key, class Less>
void group_positions(int64_t n, int64_t groups, Key key, Less less, int64_t* offsets, int64_t* order) {
  std::fill(offsets, offsets + groups + 1, int64_t{0});
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) std::atomic_ref<int64_t>(offsets[key(i) + 1]).fetch_add(1, std::memory_order_relaxed);
  });
  for (int64_t g = 0; g < groups; ++g) offsets[g + 1] += offsets[g];
  std::vector<int64_t> cursor(offsets, offsets + groups);
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t slot = std::atomic_ref<int64_t>(cursor[static_cast<size_t>(key(i))]).fetch_add(1, std::memory_order_relaxed);
      order[slot] = i;
    }
  });
  parallel_for(groups, kGroupGrain, [&](int64_t g0, int64_t g1) {
    for (int64_t g = g0; g < g1; ++g) std::sort(order + offsets[g], order + offsets[g + 1], less);
  });
}

// The earliest repeated input position among equal adjacent (row, col) pairs of a sorted structure.
struct DupMin {
  int64_t pos = INT64_MAX, k = -1, row = -1;
};

}  // namespace

CooBuild build_coo_cpu(const Tensor& rows, const Tensor& cols, int64_t num_rows, int64_t num_cols, DupPolicy dup) {
  const int64_t n = rows.numel();
  CooBuild b;
  Tensor indptr = empty({num_rows + 1}, kInt64);
  Tensor perm = empty({n}, kInt64);
  Tensor sorted_cols = empty({n}, kInt32);
  int64_t* off = indptr.data<int64_t>();
  int64_t* pp = perm.data<int64_t>();
  int32_t* sc = sorted_cols.data<int32_t>();
  dispatch_index(rows.dtype(), "Csr::from_coo", [&]<class I>() {
    dispatch_index(cols.dtype(), "Csr::from_coo", [&]<class J>() {
      const I* r = rows.data<I>();
      const J* c = cols.data<J>();
      group_positions(
          n, num_rows, [r](int64_t i) { return static_cast<int64_t>(r[i]); },
          [c](int64_t x, int64_t y) { return c[x] < c[y] || (c[x] == c[y] && x < y); }, off, pp);
      parallel_for(n, kGrain, [&](int64_t k0, int64_t k1) {
        for (int64_t k = k0; k < k1; ++k) sc[k] = static_cast<int32_t>(c[pp[k]]);
      });
    });
  });
  b.perm = perm;

  if (dup == DupPolicy::kKeep) {
    b.indptr = indptr;
    b.indices = sorted_cols;
    b.edge_ids = perm;
    return b;
  }
  if (dup == DupPolicy::kError) {
    const DupMin m = oneapi::tbb::parallel_reduce(
        oneapi::tbb::blocked_range<int64_t>(0, num_rows, kGroupGrain), DupMin{},
        [&](const oneapi::tbb::blocked_range<int64_t>& range, DupMin acc) {
          for (int64_t row = range.begin(); row < range.end(); ++row)
            for (int64_t k = off[row] + 1; k < off[row + 1]; ++k)
              if (sc[k] == sc[k - 1] && pp[k] < acc.pos) acc = DupMin{pp[k], k, row};
          return acc;
        },
        [](const DupMin& x, const DupMin& y) { return x.pos <= y.pos ? x : y; });
    if (m.k >= 0) {
      b.dup_first = pp[m.k - 1];  // the head of its run: the first input position of the pair
      b.dup_second = m.pos;
      b.dup_row = m.row;
      b.dup_col = sc[m.k];
    }
    b.indptr = indptr;
    b.indices = sorted_cols;
    b.edge_ids = perm;
    return b;
  }

  // kSum: one output entry per run of equal columns within a row.
  Tensor new_indptr = empty({num_rows + 1}, kInt64);
  int64_t* no = new_indptr.data<int64_t>();
  no[0] = 0;
  parallel_for(num_rows, kGroupGrain, [&](int64_t r0, int64_t r1) {
    for (int64_t row = r0; row < r1; ++row) {
      int64_t u = 0;
      for (int64_t k = off[row]; k < off[row + 1]; ++k) u += (k == off[row] || sc[k] != sc[k - 1]);
      no[row + 1] = u;
    }
  });
  for (int64_t row = 0; row < num_rows; ++row) no[row + 1] += no[row];
  const int64_t nnz = no[num_rows];
  if (nnz == n) {  // nothing merged
    b.indptr = indptr;
    b.indices = sorted_cols;
    b.edge_ids = perm;
    return b;
  }
  Tensor indices = empty({nnz}, kInt32), edge_ids = empty({nnz}, kInt64), group = empty({n}, kInt64);
  int32_t* oi = indices.data<int32_t>();
  int64_t* oe = edge_ids.data<int64_t>();
  int64_t* og = group.data<int64_t>();
  parallel_for(num_rows, kGroupGrain, [&](int64_t r0, int64_t r1) {
    for (int64_t row = r0; row < r1; ++row) {
      int64_t out = no[row] - 1;
      for (int64_t k = off[row]; k < off[row + 1]; ++k) {
        if (k == off[row] || sc[k] != sc[k - 1]) {
          ++out;
          oi[out] = sc[k];
          oe[out] = pp[k];  // the first input position of the run
        }
        og[k] = out;
      }
    }
  });
  b.indptr = new_indptr;
  b.indices = indices;
  b.edge_ids = edge_ids;
  b.group = group;
  return b;
}

Tensor row_index_cpu(const Tensor& indptr, int64_t nnz) {
  const int64_t rows = indptr.numel() - 1;
  Tensor out = empty({nnz}, kInt32);
  const int64_t* p = indptr.data<int64_t>();
  int32_t* o = out.data<int32_t>();
  parallel_for(rows, kGroupGrain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) std::fill(o + p[r], o + p[r + 1], static_cast<int32_t>(r));
  });
  return out;
}

TransposeBuild transpose_cpu(const Tensor& indptr, const Tensor& indices, int64_t num_cols) {
  const int64_t nnz = indices.numel();
  TransposeBuild t;
  t.indptr = empty({num_cols + 1}, kInt64);
  t.edge_ids = empty({nnz}, kInt64);
  t.indices = empty({nnz}, kInt32);
  const int32_t* c = indices.data<int32_t>();
  int64_t* te = t.edge_ids.data<int64_t>();
  // Parent positions grow with the row, so ordering each column by position orders it by row.
  group_positions(
      nnz, num_cols, [c](int64_t k) { return static_cast<int64_t>(c[k]); },
      [](int64_t x, int64_t y) { return x < y; }, t.indptr.data<int64_t>(), te);
  const Tensor rows = row_index_cpu(indptr, nnz);
  const int32_t* r = rows.data<int32_t>();
  int32_t* ti = t.indices.data<int32_t>();
  parallel_for(nnz, kGrain, [&](int64_t j0, int64_t j1) {
    for (int64_t j = j0; j < j1; ++j) ti[j] = r[te[j]];
  });
  return t;
}

Tensor row_degrees_cpu(const Tensor& indptr) {
  const int64_t rows = indptr.numel() - 1;
  Tensor out = empty({rows}, kInt64);
  const int64_t* p = indptr.data<int64_t>();
  int64_t* o = out.data<int64_t>();
  parallel_for(rows, kGrain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) o[r] = p[r + 1] - p[r];
  });
  return out;
}

int64_t first_decrease_cpu(const Tensor& indptr) {
  const int64_t* p = indptr.data<int64_t>();
  const int64_t n = indptr.numel() - 1;  // pairs (i, i + 1)
  return oneapi::tbb::parallel_reduce(
      oneapi::tbb::blocked_range<int64_t>(0, std::max<int64_t>(n, 0), kGrain), int64_t{-1},
      [&](const oneapi::tbb::blocked_range<int64_t>& range, int64_t acc) {
        for (int64_t i = range.begin(); i < range.end(); ++i)
          if (p[i] > p[i + 1]) return acc < 0 ? i : std::min(acc, i);
        return acc;
      },
      [](int64_t x, int64_t y) { return x < 0 ? y : (y < 0 ? x : std::min(x, y)); });
}

}  // namespace loom::detail
