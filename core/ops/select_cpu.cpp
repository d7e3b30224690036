// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of the selection family: one task per block of slices, so every output is written by one task.
// topk keeps a heap of the k best when k is small next to L (O(L log k), k entries of memory), otherwise partially
// sorts the positions; both use the same strict order (value, then lower index), so they give the same answer.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/ops/select.h"

namespace loom::detail {

namespace {
// Slices per task: about this many elements of work each.
int64_t grain_for(int64_t per_row) { return std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(1, per_row)); }
}  // namespace

int64_t topk_cpu(const Tensor& x, int64_t rows, int64_t L, int64_t k, bool largest, const Tensor& values,
                 const Tensor& indices) {
  std::vector<uint8_t> nan(static_cast<size_t>(rows), 0);
  dispatch_floating(x.dtype(), "topk", [&]<class T>() {
    const T* px = x.data<T>();
    T* pv = values.data<T>();
    int64_t* pi = indices.data<int64_t>();
    parallel_for(rows, grain_for(L), [&](int64_t r0, int64_t r1) {
      std::vector<int64_t> pos;
      for (int64_t r = r0; r < r1; ++r) {
        const T* s = px + r * L;
        bool has_nan = false;
        for (int64_t i = 0; i < L; ++i) has_nan |= std::isnan(s[i]);
        if (has_nan) {
          nan[static_cast<size_t>(r)] = 1;
          continue;
        }
        // a before b: strictly better value, or an equal one at a lower index (a strict total order).
        auto before = [&](int64_t a, int64_t b) {
          if (s[a] != s[b]) return largest ? s[a] > s[b] : s[a] < s[b];
          return a < b;
        };
        if (k * 8 < L) {
          // Heap of the k best so far, the worst on top; a newcomer enters only if it beats the top.
          pos.assign(static_cast<size_t>(k), 0);
          std::iota(pos.begin(), pos.end(), int64_t{0});
          std::make_heap(pos.begin(), pos.end(), before);
          for (int64_t i = k; i < L; ++i) {
            if (before(i, pos.front())) {
              std::pop_heap(pos.begin(), pos.end(), before);
              pos.back() = i;
              std::push_heap(pos.begin(), pos.end(), before);
            }
          }
          std::sort(pos.begin(), pos.end(), before);
        } else {
          pos.resize(static_cast<size_t>(L));
          std::iota(pos.begin(), pos.end(), int64_t{0});
          std::partial_sort(pos.begin(), pos.begin() + k, pos.end(), before);
        }
        for (int64_t j = 0; j < k; ++j) {
          pv[r * k + j] = s[pos[static_cast<size_t>(j)]];
          pi[r * k + j] = pos[static_cast<size_t>(j)];
        }
      }
    });
  });
  for (int64_t r = 0; r < rows; ++r)
    if (nan[static_cast<size_t>(r)]) return r;
  return -1;
}

void gather_last_cpu(const Tensor& x, const Tensor& index, int64_t rows, int64_t L, int64_t K, const Tensor& out) {
  dispatch_index(index.dtype(), "gather_last", [&]<class I>() {
    const I* idx = index.data<I>();
    auto run = [&](auto e) {
      using E = decltype(e);
      const E* px = static_cast<const E*>(x.raw_data());
      E* po = static_cast<E*>(out.raw_data());
      parallel_for(rows, grain_for(K), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r)
          for (int64_t j = 0; j < K; ++j) po[r * K + j] = px[r * L + static_cast<int64_t>(idx[r * K + j])];
      });
    };
    if (dtype_size(x.dtype()) == 4) run(uint32_t{});
    else run(uint64_t{});
  });
}

void scatter_last_add_cpu(const Tensor& src, const Tensor& index, int64_t rows, int64_t L, int64_t K,
                          const Tensor& out) {
  dispatch_index(index.dtype(), "gather_last backward", [&]<class I>() {
    const I* idx = index.data<I>();
    dispatch_floating(src.dtype(), "gather_last backward", [&]<class T>() {
      const T* ps = src.data<T>();
      T* po = out.data<T>();
      parallel_for(rows, grain_for(L + K), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          T* o = po + r * L;
          std::fill(o, o + L, T(0));
          for (int64_t j = 0; j < K; ++j) o[static_cast<int64_t>(idx[r * K + j])] += ps[r * K + j];
        }
      });
    });
  });
}

}  // namespace loom::detail
