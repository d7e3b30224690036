// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// What the index's source files share: the resolved form of a query (candidate items, per-row exclusions), the
// partial top-k, the exact CPU kernel, and the optional HNSW and device back ends.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "loom/serve/index.h"

namespace loom::serve::detail {

struct Hit {
  float score;
  int64_t pos;  // internal item position
};
// The ranking: score descending, equal scores to the lower position.
inline bool better(const Hit& a, const Hit& b) { return a.score > b.score || (a.score == b.score && a.pos < b.pos); }

// The one score kernel: eight independent partial sums (vectorisable without reassociation), reduced in a fixed
// tree, so every path that scores a (user, item) pair on the CPU gets the same bits.
inline float dot_fixed(const float* a, const float* b, int64_t dim) {
  constexpr int kLanes = 8;
  float acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= dim; i += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += a[i + l] * b[i + l];
  for (int l = 0; i < dim; ++i, ++l) acc[l] += a[i] * b[i];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

// A partial top-k: a heap whose front is the worst kept hit.
class TopK {
 public:
  explicit TopK(int64_t k) : k_(static_cast<size_t>(k)) { heap_.reserve(k_); }
  void push(const Hit& h);
  std::vector<Hit> sorted() &&;  // best first
 private:
  size_t k_;
  std::vector<Hit> heap_;
};

// The items a query may return: all (positions empty) or the sorted positions an allow-list leaves; minus `deny`
// (sorted positions).
struct Candidates {
  bool all = true;
  std::vector<int64_t> positions;  // when !all: ascending, deny already removed
  std::vector<int64_t> deny;       // when all: ascending
  int64_t catalogue = 0;  // items in the index
  int64_t count = 0;      // items a query may return before per-row exclusions
  bool contains(int64_t pos) const;
};

// Per query row: sorted positions it must skip (seen items, or the query item itself).
using Exclusions = std::function<std::span<const int64_t>(int64_t row)>;

// Exact top-k of rows of `queries` [rows, dim] against `items` [items, dim] restricted to `c`, skipping each row's
// exclusions; scores are query·item times scale[pos] when `scale` is given. Every score is computed by one
// fixed-order dot product, so an answer is bitwise the same whatever the batch and the thread count.
std::vector<std::vector<Hit>> topk_cpu(const float* queries, int64_t rows, const float* items, int64_t dim,
                                       const Candidates& c, const Exclusions& skip, int64_t k, const float* scale,
                                       int64_t item_block);

// hnswlib's inner-product graph over the items (hnsw.cpp; NotImplementedError without hnswlib).
class Hnsw {
 public:
  virtual ~Hnsw() = default;
  // Up to n item positions, roughly best first.
  virtual std::vector<int64_t> search(const float* query, int64_t n) const = 0;
};
std::unique_ptr<Hnsw> build_hnsw(const EmbeddingTables& t, const IndexOptions& o);
bool hnsw_compiled();

// The device path (device_path.cpp): item blocks as core tensors, core matmul + topk per block, merged on the host.
class DeviceItems {
 public:
  virtual ~DeviceItems() = default;
  // As topk_cpu without a scale; returns false (nothing done) where the device cannot answer (k too large for
  // core topk on CUDA): the caller then runs the CPU path.
  virtual bool topk(const float* queries, int64_t rows, const Candidates& c, const Exclusions& skip, int64_t k,
                    std::vector<std::vector<Hit>>& out) const = 0;
};
std::unique_ptr<DeviceItems> build_device_items(const EmbeddingTables& t, const IndexOptions& o);

}  // namespace loom::serve::detail

namespace loom::serve {
struct EmbeddingIndex::Impl {
  std::unordered_map<int64_t, int64_t> user_pos, item_pos;
  std::vector<int64_t> seen_indptr, seen;  // per user: sorted, unique positions
  std::vector<float> item_inv_norm;        // 1/|item| (0 for a zero vector), for cosine
  std::unique_ptr<detail::Hnsw> hnsw;
  std::unique_ptr<detail::DeviceItems> device;
};
}  // namespace loom::serve
