// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The approximate path: hnswlib's HNSW graph over the items with its inner-product space (distance 1 - u·v), so
// the nearest items are the highest-scoring ones. Compiled only where hnswlib was found (LOOM_SERVE_HAS_HNSW).
#include "index_impl.h"
#include "loom/core/error.h"

#if LOOM_SERVE_HAS_HNSW
#include <hnswlib/hnswlib.h>

#include <algorithm>

#include "core/detail/parallel.h"
#endif

namespace loom::serve::detail {

#if LOOM_SERVE_HAS_HNSW

namespace {

class HnswIndex final : public Hnsw {
 public:
  HnswIndex(const EmbeddingTables& t, const IndexOptions& o) : space_(static_cast<size_t>(t.dim)) {
    const auto n = static_cast<size_t>(t.num_items());
    graph_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(&space_, n, static_cast<size_t>(o.hnsw_m),
                                                               static_cast<size_t>(o.ef_construction), o.hnsw_seed);
    // hnswlib's insertions are thread-safe; the graph then depends on the schedule (recall does not, measurably).
    const float* emb = t.item_embeddings.data();
    graph_->addPoint(emb, 0);
    loom::detail::parallel_for(static_cast<int64_t>(n) - 1, 256, [&](int64_t b, int64_t e) {
      for (int64_t i = b + 1; i < e + 1; ++i) graph_->addPoint(emb + i * t.dim, static_cast<size_t>(i));
    });
    graph_->setEf(static_cast<size_t>(o.ef_search));  // before any query: setEf is not safe beside searches
  }

  std::vector<int64_t> search(const float* query, int64_t n) const override {
    auto heap = graph_->searchKnn(query, static_cast<size_t>(n));  // worst on top
    std::vector<int64_t> out(heap.size());
    for (size_t i = out.size(); i-- > 0; heap.pop()) out[i] = static_cast<int64_t>(heap.top().second);
    return out;
  }

 private:
  hnswlib::InnerProductSpace space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph_;
};

}  // namespace

std::unique_ptr<Hnsw> build_hnsw(const EmbeddingTables& t, const IndexOptions& o) {
  return std::make_unique<HnswIndex>(t, o);
}
bool hnsw_compiled() { return true; }

#else

std::unique_ptr<Hnsw> build_hnsw(const EmbeddingTables&, const IndexOptions&) {
  throw NotImplementedError(
      "EmbeddingIndex: approximate = true needs hnswlib, which this build of Loom did not find (install "
      "libhnswlib-dev and reconfigure)");
}
bool hnsw_compiled() { return false; }

#endif

}  // namespace loom::serve::detail
