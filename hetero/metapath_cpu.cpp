// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU meta-path products on oneTBB, row-parallel (Gustavson): a per-thread dense marker and accumulator over C's
// columns. Each row is written by one task adding its paths in a fixed order, so results never depend on threads.
// The symbolic pass needs only the marker; the numeric pass selects the top k of a row with nth_element under a
// total order (count descending, column ascending), so pruning is deterministic too.
#include <oneapi/tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <vector>

#include "core/detail/parallel.h"
#include "hetero/metapath_kernels.h"
#include "loom/core/error.h"

namespace loom::hetero::detail {
namespace {

constexpr int64_t kRowGrain = 32;

struct Operand {
  const int64_t* ip;
  const int32_t* ix;
  int64_t rows, cols;
};
Operand view(const Csr& c) {
  return {c.indptr().data<int64_t>(), c.indices().data<int32_t>(), c.num_rows(), c.num_cols()};
}
template <class T>
const T* values_or_null(const Csr& c) {
  return c.values().defined() ? c.values().data<T>() : nullptr;
}

}  // namespace

void product_count_cpu(const Csr& a, const Csr& b, bool split_diag, int64_t* distinct, uint8_t* has_diag) {
  const Operand A = view(a), B = view(b);
  oneapi::tbb::enumerable_thread_specific<std::vector<int64_t>> markers(
      [&] { return std::vector<int64_t>(static_cast<size_t>(B.cols), -1); });
  loom::detail::parallel_for(A.rows, kRowGrain, [&](int64_t r0, int64_t r1) {
    std::vector<int64_t>& mark = markers.local();
    for (int64_t r = r0; r < r1; ++r) {
      int64_t count = 0;
      for (int64_t p = A.ip[r]; p < A.ip[r + 1]; ++p) {
        const int64_t j = A.ix[p];
        for (int64_t q = B.ip[j]; q < B.ip[j + 1]; ++q) {
          const int32_t c = B.ix[q];
          if (mark[c] != r) {
            mark[c] = r;
            ++count;
          }
        }
      }
      if (split_diag) {
        const bool diag = mark[r] == r;
        has_diag[r] = diag ? 1 : 0;
        count -= diag ? 1 : 0;
      }
      distinct[r] = count;
    }
  });
}

ProductArrays product_fill_cpu(const Csr& a, const Csr& b, const Tensor& indptr, SelfLoops policy, bool split_diag,
                               int64_t k, DType dtype) {
  const Operand A = view(a), B = view(b);
  const int64_t* op = indptr.data<int64_t>();
  const int64_t nnz = op[A.rows];
  ProductArrays out{indptr, empty({nnz}, kInt32), empty({nnz}, dtype)};
  int32_t* oi = out.indices.data<int32_t>();
  const auto fill = [&]<class T>() {
    const T *av = values_or_null<T>(a), *bv = values_or_null<T>(b);
    T* ov = out.values.data<T>();
    struct Scratch {
      std::vector<int64_t> mark;
      std::vector<T> acc;
      std::vector<int32_t> cols;
    };
    oneapi::tbb::enumerable_thread_specific<Scratch> scratch([&] {
      return Scratch{std::vector<int64_t>(static_cast<size_t>(B.cols), -1), std::vector<T>(static_cast<size_t>(B.cols)),
                     {}};
    });
    loom::detail::parallel_for(A.rows, kRowGrain, [&](int64_t r0, int64_t r1) {
      Scratch& s = scratch.local();
      for (int64_t r = r0; r < r1; ++r) {
        s.cols.clear();
        for (int64_t p = A.ip[r]; p < A.ip[r + 1]; ++p) {
          const int64_t j = A.ix[p];
          const T x = av ? av[p] : T(1);
          for (int64_t q = B.ip[j]; q < B.ip[j + 1]; ++q) {
            const int32_t c = B.ix[q];
            const T y = bv ? bv[q] : T(1);
            if (s.mark[c] != r) {
              s.mark[c] = r;
              s.acc[c] = x * y;
              s.cols.push_back(c);
            } else {
              s.acc[c] += x * y;
            }
          }
        }
        // The diagonal leaves the competition for the top k when the policy handles it.
        bool diag = false;
        if (split_diag) {
          auto it = std::find(s.cols.begin(), s.cols.end(), static_cast<int32_t>(r));
          if (it != s.cols.end()) {
            diag = true;
            s.cols.erase(it);
          }
        }
        if (k > 0 && static_cast<int64_t>(s.cols.size()) > k) {
          const auto heavier = [&](int32_t x, int32_t y) { return s.acc[x] != s.acc[y] ? s.acc[x] > s.acc[y] : x < y; };
          std::nth_element(s.cols.begin(), s.cols.begin() + (k - 1), s.cols.end(), heavier);
          s.cols.resize(static_cast<size_t>(k));
        }
        if (split_diag && policy == SelfLoops::kAdd) {
          if (!diag) s.acc[r] = T(1);  // no path back: HAN's self loop with weight 1
          s.cols.push_back(static_cast<int32_t>(r));
        }
        std::sort(s.cols.begin(), s.cols.end());
        int64_t w = op[r];
        LOOM_ASSERT(w + static_cast<int64_t>(s.cols.size()) == op[r + 1], "metapath row ", r, " fills ",
                    s.cols.size(), " entries, the symbolic pass counted ", op[r + 1] - w);
        for (int32_t c : s.cols) {
          oi[w] = c;
          ov[w++] = s.acc[c];
        }
      }
    });
  };
  LOOM_CHECK(dtype == kFloat32 || dtype == kFloat64, DTypeError, "metapath_adjacency: dtype must be float32 or float64, got ",
             dtype_name(dtype));
  if (dtype == kFloat32) {
    fill.template operator()<float>();
  } else {
    fill.template operator()<double>();
  }
  return out;
}

}  // namespace loom::hetero::detail
