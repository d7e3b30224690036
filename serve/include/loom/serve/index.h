// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Top-k retrieval over an embedding file: the k items with the largest user·item score for a user (exact, or
// approximate with HNSW), items similar to an item, and an IndexHandle that swaps in a new file while queries run.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loom/serve/embedding_file.h"

namespace loom::serve {

// Which candidates a query may return. Ids are external item ids; an id the catalogue does not have is an
// IndexError (a typo in a filter should not silently filter nothing).
struct Filter {
  bool exclude_seen = true;                   // drop the user's training items (seen_indptr/seen_items)
  std::optional<std::vector<int64_t>> allow;  // when set: only these items
  std::vector<int64_t> deny;                  // never these items
};

struct ScoredItem {
  int64_t id = 0;     // external item id
  float score = 0;    // user·item (recommend) or cosine (similar_items)
  bool operator==(const ScoredItem&) const = default;
};

// How exact search runs. kCpu: a blocked dot-product loop of fixed rounding order (a user's answer is bitwise the
// same alone or in a batch), oneTBB over user blocks. kCuda: core matmul over item blocks on
// the GPU plus core topk, merged on the host (CUDA builds only). kOpsOnCpu: that same device code on CPU tensors,
// so its blocking and merging are tested on machines without a GPU.
enum class ExactPath { kCpu, kCuda, kOpsOnCpu };

struct IndexOptions {
  bool approximate = false;  // recommend and recommend_batch through an HNSW inner-product graph (hnswlib)
  int hnsw_m = 16;           // graph degree
  int ef_construction = 200;
  int ef_search = 64;        // raised to the number fetched when that is larger
  uint64_t hnsw_seed = 100;
  ExactPath exact_path = ExactPath::kCpu;
  int64_t item_block = 4096;       // items per GEMM block on the CPU path (bounds the per-task score buffer)
  int64_t device_item_block = 1 << 18;  // items per block on the device path (one [users, block] score matrix)
};

class EmbeddingIndex {
 public:
  // The tables are checked as save_embeddings checks them (ValueError). Options are checked too.
  explicit EmbeddingIndex(EmbeddingTables tables, IndexOptions options = {});
  static std::shared_ptr<const EmbeddingIndex> load(const std::string& path, IndexOptions options = {});
  ~EmbeddingIndex();
  EmbeddingIndex(const EmbeddingIndex&) = delete;
  EmbeddingIndex& operator=(const EmbeddingIndex&) = delete;

  // The k best items for a user, score descending, equal scores to the lower internal item position. IndexError for
  // an unknown user or filter item; ValueError for k <= 0 or k above the number of items the filter leaves this
  // user. Uses the HNSW graph when the index was built approximate.
  std::vector<ScoredItem> recommend(int64_t user_id, int64_t k, const Filter& filter = {}) const;
  // recommend for each user, in order (the same answers, computed as one blocked pass).
  std::vector<std::vector<ScoredItem>> recommend_batch(std::span<const int64_t> user_ids, int64_t k,
                                                       const Filter& filter = {}) const;
  // Always exact, whatever the options: the reference that recall is measured against.
  std::vector<std::vector<ScoredItem>> recommend_exact(std::span<const int64_t> user_ids, int64_t k,
                                                       const Filter& filter = {}) const;
  // The k items most similar to an item by COSINE similarity (dot over both norms; a zero vector scores 0), never
  // the item itself. exclude_seen has no meaning here and is ignored. Always exact, on the CPU.
  std::vector<ScoredItem> similar_items(int64_t item_id, int64_t k, const Filter& filter = {}) const;

  // Mean over `sample_users` users (drawn with `seed`, without replacement) of |approximate ∩ exact| / k for
  // top-k with the default filter. 1 for an exact index. ValueError when k or sample_users is out of range.
  double recall_at_k(int64_t k, int64_t sample_users, uint64_t seed = 0) const;

  int64_t dim() const { return tables_.dim; }
  int64_t num_users() const { return tables_.num_users(); }
  int64_t num_items() const { return tables_.num_items(); }
  const EmbeddingTables& tables() const { return tables_; }
  const IndexOptions& options() const { return options_; }
  // Whether hnswlib was compiled in (approximate = true throws NotImplementedError otherwise).
  static bool has_hnsw();

  struct Impl;

 private:
  EmbeddingTables tables_;
  IndexOptions options_;
  std::unique_ptr<Impl> impl_;
};

// The serving handle: queries take a snapshot (one model, whole, for the query's lifetime) while reload() builds
// the next model beside it and swaps it in. A failed reload throws and leaves the current model serving.
class IndexHandle {
 public:
  IndexHandle(const std::string& path, IndexOptions options = {});
  std::shared_ptr<const EmbeddingIndex> snapshot() const;
  // Loads `path` (empty: the current file again) with the handle's options; on success it becomes the model.
  void reload(const std::string& path = "");
  std::string path() const;
  uint64_t generation() const;  // 1 after construction, +1 per successful reload

 private:
  IndexOptions options_;
  mutable std::mutex mutex_;   // guards the three below; held only to copy or swap, never while loading
  std::mutex reload_mutex_;    // one reload at a time
  std::shared_ptr<const EmbeddingIndex> index_;
  std::string path_;
  uint64_t generation_ = 0;
};

}  // namespace loom::serve
