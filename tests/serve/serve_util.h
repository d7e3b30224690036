// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Shared by the serve suites: scratch paths, random tables (integer-valued ones score exactly, so they test ties and
// equality without tolerance), a naive score-everything-and-sort reference, and a raw writer for corrupt files.
#pragma once
#include "../support/scratch.h"
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "loom/serve/embedding_file.h"
#include "loom/serve/index.h"

namespace loom::serve::testing {

inline std::string temp_path(const std::string& name) { return loom::testing::scratch_path("serve", name); }

struct TableSpec {
  int64_t users = 40, items = 300, dim = 12;
  uint64_t seed = 1;
  bool integer = true;       // entries in {-3..3}: every dot product is exact in float, ties are common
  int64_t max_seen = 30;     // per user, uniform in [0, max_seen]; user 0 always has none
  int64_t id_offset = 1000;  // external ids are shuffled values >= id_offset (never equal to positions)
};
EmbeddingTables random_tables(const TableSpec& spec);

// The reference: every candidate scored in double, sorted by (score desc, position asc), the first k.
std::vector<ScoredItem> naive_recommend(const EmbeddingTables& t, int64_t user_id, int64_t k, const Filter& f);
std::vector<ScoredItem> naive_similar(const EmbeddingTables& t, int64_t item_id, int64_t k, const Filter& f);

// Writes the format of docs/embedding-format.md without any check (for malformed files): `mutate` may edit the
// tensors' bytes and header entries before the checksum is computed (unless `checksum` is given).
struct RawTensor {
  std::string name, dtype;
  std::vector<uint64_t> shape;
  std::string bytes;
};
std::vector<RawTensor> raw_tensors(const EmbeddingTables& t);
void write_raw(const std::string& path, const std::vector<RawTensor>& tensors, const std::string& checksum = "");
std::string read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::string& bytes);

}  // namespace loom::serve::testing
