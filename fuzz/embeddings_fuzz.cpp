// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: loom::serve's embedding file (docs/embedding-format.md), then one exact top-k query on what it
// accepts, as a recommender backend would after loading it.
#include "fuzz_common.h"
#include "loom/serve/embedding_file.h"
#include "loom/serve/index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = loom::fuzz::write_temp(data, size, "embeddings.safetensors");
  return loom::fuzz::accept_typed_errors([&] {
    const loom::serve::EmbeddingTables t = loom::serve::load_embeddings(path);
    if (t.num_users() == 0 || t.num_items() == 0) return;
    const int64_t user = t.user_ids.front();
    const loom::serve::EmbeddingIndex index(t);
    const auto best = index.recommend(user, 1, loom::serve::Filter{.exclude_seen = false});
    if (best.size() != 1) __builtin_trap();
  });
}
