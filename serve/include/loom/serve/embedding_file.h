// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The embedding file a recommender serves from (docs/embedding-format.md): user and item embeddings, their external
// ids and each user's already-seen items, in one safetensors file with a checksummed card.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loom/core/tensor.h"

namespace loom::serve {

struct EmbeddingTables {
  int64_t dim = 0;
  std::vector<float> user_embeddings;          // row-major [users, dim]
  std::vector<float> item_embeddings;          // row-major [items, dim]
  std::vector<int64_t> user_ids, item_ids;     // external ids, unique
  std::vector<int64_t> seen_indptr, seen_items;  // CSR over users (internal item positions); may be empty = none
  std::string source_json = "{}";              // free JSON describing where the embeddings came from

  int64_t num_users() const { return static_cast<int64_t>(user_ids.size()); }
  int64_t num_items() const { return static_cast<int64_t>(item_ids.size()); }
};

// Checks `tables` as load_embeddings would (ValueError naming the problem), then writes `path` atomically: a
// reader never sees a half-written file and a failed save leaves the old one.
void save_embeddings(const EmbeddingTables& tables, const std::string& path);
// Reads and checks everything: container layout, card, dtypes and shapes, checksum, finite embeddings, unique ids,
// the seen CSR. FormatError naming the file and the problem for a bad file; loom::Error when it cannot be read.
EmbeddingTables load_embeddings(const std::string& path);

// The checks both of the above apply, for tables built in memory: throws ValueError naming `who` and the problem.
void check_embeddings(const EmbeddingTables& tables, const std::string& who);

// The tables of a trained recommender: user embeddings [U, D] and item embeddings [I, D] (floating, any device;
// copied to the host as float32), external ids 0..U-1 and 0..I-1 (the data set's ids), and each user's training
// items as the seen CSR. Checked as save_embeddings checks (ValueError for NaN embeddings, a bad CSR, ...).
EmbeddingTables tables_from_tensors(const Tensor& user_embeddings, const Tensor& item_embeddings,
                                    std::vector<int64_t> seen_indptr, std::vector<int64_t> seen_items,
                                    std::string source_json = "{}");

}  // namespace loom::serve
