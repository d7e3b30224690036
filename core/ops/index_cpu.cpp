// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of the index family. index_add groups sources by destination with a stable counting sort, then each
// destination row (one task) adds its sources in increasing position: bitwise identical for any thread count.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/ops/index.h"

namespace loom::detail {

namespace {
constexpr int64_t kIndexBlock = 1 << 16;
}  // namespace

BadIndex find_bad_index_cpu(const Tensor& index, int64_t rows) {
  return dispatch_index(index.dtype(), "index", [&]<class I>() {
    const I* p = index.data<I>();
    const int64_t n = index.numel();
    // Each block records its first bad position; the first block with one names the answer.
    const int64_t blocks = (n + kIndexBlock - 1) / kIndexBlock;
    std::vector<int64_t> first(static_cast<size_t>(blocks), -1);
    parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t end = std::min(n, (b + 1) * kIndexBlock);
        for (int64_t i = b * kIndexBlock; i < end; ++i) {
          if (p[i] < 0 || static_cast<int64_t>(p[i]) >= rows) {
            first[static_cast<size_t>(b)] = i;
            break;
          }
        }
      }
    });
    for (int64_t pos : first)
      if (pos >= 0) return BadIndex{pos, static_cast<int64_t>(p[pos])};
    return BadIndex{};
  });
}

void index_select_cpu(const Tensor& x, const Tensor& index, int64_t row, const Tensor& out) {
  const size_t bytes = static_cast<size_t>(row) * dtype_size(x.dtype());
  const char* px = static_cast<const char*>(x.raw_data());
  char* po = static_cast<char*>(out.raw_data());
  dispatch_index(index.dtype(), "index_select", [&]<class I>() {
    const I* idx = index.data<I>();
    parallel_for(index.numel(), std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(1, row)), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i)
        std::memcpy(po + static_cast<size_t>(i) * bytes, px + static_cast<size_t>(idx[i]) * bytes, bytes);
    });
  });
}

void index_add_cpu(const Tensor& x, const Tensor& index, const Tensor& src, int64_t row, const Tensor& out) {
  const int64_t rows = x.shape()[0], n = index.numel();
  // CSR of the index: offsets[r] .. offsets[r + 1] are the positions i with index[i] == r, in increasing order.
  std::vector<int64_t> offsets(static_cast<size_t>(rows) + 1, 0), order(static_cast<size_t>(n));
  dispatch_index(index.dtype(), "index_add", [&]<class I>() {
    const I* idx = index.data<I>();
    for (int64_t i = 0; i < n; ++i) ++offsets[static_cast<size_t>(idx[i]) + 1];
    for (int64_t r = 0; r < rows; ++r) offsets[static_cast<size_t>(r) + 1] += offsets[static_cast<size_t>(r)];
    std::vector<int64_t> next(offsets.begin(), offsets.end() - 1);
    for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(next[static_cast<size_t>(idx[i])]++)] = i;
  });
  dispatch_floating(x.dtype(), "index_add", [&]<class T>() {
    const T* px = x.data<T>();
    const T* ps = src.data<T>();
    T* po = out.data<T>();
    const int64_t avg = std::max<int64_t>(1, row * (1 + n / std::max<int64_t>(1, rows)));
    parallel_for(rows, std::max<int64_t>(1, (1 << 15) / avg), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        T* o = po + r * row;
        std::memcpy(o, px + r * row, static_cast<size_t>(row) * sizeof(T));
        for (int64_t j = offsets[static_cast<size_t>(r)]; j < offsets[static_cast<size_t>(r) + 1]; ++j) {
          const T* s = ps + order[static_cast<size_t>(j)] * row;
          for (int64_t c = 0; c < row; ++c) o[c] += s[c];
        }
      }
    });
  });
}

}  // namespace loom::detail
