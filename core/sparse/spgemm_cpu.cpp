// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU sparse products on oneTBB, row-parallel in two passes: count each result row's distinct columns with a dense
// marker per thread, prefix-sum the counts, then fill each row through a dense accumulator and sort its columns.
// Every row is produced by one task adding its contributions in a fixed order, so results do not depend on threads.
#include <oneapi/tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <vector>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/sparse/spgemm.h"

namespace loom::detail {
namespace {

constexpr int64_t kRowGrain = 64;

template <class T>
struct Scratch {
  std::vector<int64_t> marker;  // marker[c] == row: column c already seen in this row
  std::vector<T> acc;
};

// visit(row, emit) calls emit(col, value) for every contribution to `row`, in a fixed order.
template <class T, class Visit>
CsrArrays row_products(int64_t m, int64_t n, Visit visit) {
  CsrArrays out;
  out.indptr = empty({m + 1}, kInt64);
  int64_t* ip = out.indptr.data<int64_t>();
  ip[0] = 0;
  oneapi::tbb::enumerable_thread_specific<Scratch<T>> scratch([n] {
    return Scratch<T>{std::vector<int64_t>(static_cast<size_t>(n), -1), std::vector<T>(static_cast<size_t>(n), T(0))};
  });
  parallel_for(m, kRowGrain, [&](int64_t r0, int64_t r1) {
    std::vector<int64_t>& mark = scratch.local().marker;
    for (int64_t r = r0; r < r1; ++r) {
      int64_t count = 0;
      visit(r, [&](int32_t c, T) {
        if (mark[c] != r) {
          mark[c] = r;
          ++count;
        }
      });
      ip[r + 1] = count;
    }
  });
  for (int64_t r = 0; r < m; ++r) ip[r + 1] += ip[r];
  const int64_t nnz = ip[m];
  out.indices = empty({nnz}, kInt32);
  out.values = empty({nnz}, dtype_v<T>);
  int32_t* oi = out.indices.data<int32_t>();
  T* ov = out.values.data<T>();
  for (auto& s : scratch) std::fill(s.marker.begin(), s.marker.end(), int64_t{-1});
  parallel_for(m, kRowGrain, [&](int64_t r0, int64_t r1) {
    Scratch<T>& s = scratch.local();
    for (int64_t r = r0; r < r1; ++r) {
      int64_t w = ip[r];
      visit(r, [&](int32_t c, T v) {
        if (s.marker[c] != r) {
          s.marker[c] = r;
          s.acc[c] = v;
          oi[w++] = c;
        } else {
          s.acc[c] += v;
        }
      });
      std::sort(oi + ip[r], oi + ip[r + 1]);
      for (int64_t k = ip[r]; k < ip[r + 1]; ++k) ov[k] = s.acc[oi[k]];
    }
  });
  return out;
}

}  // namespace

CsrArrays spgemm_cpu(const CsrOperand& a, const CsrOperand& b) {
  return dispatch_floating(a.values.dtype(), "spgemm", [&]<class T>() {
    const int64_t *ap = a.indptr.data<int64_t>(), *bp = b.indptr.data<int64_t>();
    const int32_t *ai = a.indices.data<int32_t>(), *bi = b.indices.data<int32_t>();
    const T *av = a.values.data<T>(), *bv = b.values.data<T>();
    return row_products<T>(a.indptr.numel() - 1, b.num_cols, [=](int64_t r, auto&& emit) {
      for (int64_t k = ap[r]; k < ap[r + 1]; ++k) {
        const int64_t j = ai[k];
        for (int64_t l = bp[j]; l < bp[j + 1]; ++l) emit(bi[l], av[k] * bv[l]);
      }
    });
  });
}

CsrArrays sparse_add_cpu(const CsrOperand& a, const CsrOperand& b, double alpha, double beta) {
  return dispatch_floating(a.values.dtype(), "sparse_add", [&]<class T>() {
    const int64_t *ap = a.indptr.data<int64_t>(), *bp = b.indptr.data<int64_t>();
    const int32_t *ai = a.indices.data<int32_t>(), *bi = b.indices.data<int32_t>();
    const T *av = a.values.data<T>(), *bv = b.values.data<T>();
    const T ta = static_cast<T>(alpha), tb = static_cast<T>(beta);
    return row_products<T>(a.indptr.numel() - 1, a.num_cols, [=](int64_t r, auto&& emit) {
      for (int64_t k = ap[r]; k < ap[r + 1]; ++k) emit(ai[k], ta * av[k]);
      for (int64_t k = bp[r]; k < bp[r + 1]; ++k) emit(bi[k], tb * bv[k]);
    });
  });
}

}  // namespace loom::detail
