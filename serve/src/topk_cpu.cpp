// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The exact CPU search: a blocked user x item product with a partial top-k per user, never more than
// kRowBlock x item_block scores alive per task. The product is our own fixed-order dot product rather than Eigen's
// GEMM: Eigen picks different kernels (GEMV for one row, GEBP panels and their remainders for many) whose rounding
// differs, so a user's answer would depend on which other users shared the batch. Here it never does.
#include <algorithm>

#include "core/detail/parallel.h"
#include "index_impl.h"

namespace loom::serve::detail {

namespace {

constexpr int64_t kRowBlock = 32;  // users sharing one pass over the items: 32 x dim floats stay in L1

}  // namespace

void TopK::push(const Hit& h) {
  if (heap_.size() < k_) {
    heap_.push_back(h);
    std::push_heap(heap_.begin(), heap_.end(), better);
  } else if (better(h, heap_.front())) {
    std::pop_heap(heap_.begin(), heap_.end(), better);
    heap_.back() = h;
    std::push_heap(heap_.begin(), heap_.end(), better);
  }
}

std::vector<Hit> TopK::sorted() && {
  std::sort_heap(heap_.begin(), heap_.end(), better);
  return std::move(heap_);
}

bool Candidates::contains(int64_t pos) const {
  if (!all) return std::binary_search(positions.begin(), positions.end(), pos);
  return pos >= 0 && pos < catalogue && !std::binary_search(deny.begin(), deny.end(), pos);
}

std::vector<std::vector<Hit>> topk_cpu(const float* queries, int64_t rows, const float* items, int64_t dim,
                                       const Candidates& c, const Exclusions& skip, int64_t k, const float* scale,
                                       int64_t item_block) {
  std::vector<std::vector<Hit>> out(static_cast<size_t>(rows));
  const int64_t scan = c.all ? c.catalogue : static_cast<int64_t>(c.positions.size());
  const auto position = [&](int64_t j) { return c.all ? j : c.positions[static_cast<size_t>(j)]; };
  const int64_t blocks = (rows + kRowBlock - 1) / kRowBlock;
  loom::detail::parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    std::vector<float> s(static_cast<size_t>(kRowBlock * item_block));
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t r0 = b * kRowBlock, nr = std::min(rows, r0 + kRowBlock) - r0;
      std::vector<TopK> tops(static_cast<size_t>(nr), TopK(k));
      std::vector<std::span<const int64_t>> ex(static_cast<size_t>(nr));
      std::vector<size_t> cur(static_cast<size_t>(nr), 0);  // positions only grow, so each cursor only advances
      for (int64_t r = 0; r < nr; ++r) ex[static_cast<size_t>(r)] = skip(r0 + r);
      size_t deny_cur = 0;
      for (int64_t j0 = 0; j0 < scan; j0 += item_block) {
        const int64_t nj = std::min(scan, j0 + item_block) - j0;
        for (int64_t j = 0; j < nj; ++j) {
          const float* item = items + position(j0 + j) * dim;
          for (int64_t r = 0; r < nr; ++r) s[static_cast<size_t>(r * item_block + j)] = dot_fixed(queries + (r0 + r) * dim, item, dim);
        }
        const size_t deny_begin = deny_cur;
        for (int64_t r = 0; r < nr; ++r) {
          const auto& e = ex[static_cast<size_t>(r)];
          size_t& ec = cur[static_cast<size_t>(r)];
          size_t dc = deny_begin;
          TopK& top = tops[static_cast<size_t>(r)];
          const float* row = s.data() + r * item_block;
          for (int64_t j = 0; j < nj; ++j) {
            const int64_t pos = position(j0 + j);
            while (ec < e.size() && e[ec] < pos) ++ec;
            if (ec < e.size() && e[ec] == pos) continue;
            if (c.all) {
              while (dc < c.deny.size() && c.deny[dc] < pos) ++dc;
              if (dc < c.deny.size() && c.deny[dc] == pos) continue;
            }
            top.push({scale ? row[j] * scale[pos] : row[j], pos});
          }
          deny_cur = dc;
        }
      }
      for (int64_t r = 0; r < nr; ++r) out[static_cast<size_t>(r0 + r)] = std::move(tops[static_cast<size_t>(r)]).sorted();
    }
  });
  return out;
}

}  // namespace loom::serve::detail
