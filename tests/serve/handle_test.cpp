// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// IndexHandle under load: query threads run while another thread reloads between two models; every answer must be
// one model's exact answer and no query may fail. A failed reload keeps the old model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "loom/core/error.h"
#include "serve_util.h"

namespace loom::serve::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(ServeIndexHandle, ConcurrentQueriesDuringReloadsSeeWholeModels) {
  // Two models over the same ids with different embeddings and seen lists: their answers differ.
  const EmbeddingTables a = random_tables({.users = 50, .items = 2000, .dim = 16, .seed = 1, .integer = false}),
                        b = random_tables({.users = 50, .items = 2000, .dim = 16, .seed = 2, .integer = false});
  EmbeddingTables b_same_ids = b;
  b_same_ids.user_ids = a.user_ids;
  b_same_ids.item_ids = a.item_ids;
  const std::string path_a = temp_path("a.safetensors"), path_b = temp_path("b.safetensors");
  save_embeddings(a, path_a);
  save_embeddings(b_same_ids, path_b);
  const EmbeddingIndex ia(a), ib(b_same_ids);
  std::vector<std::vector<ScoredItem>> want_a, want_b;
  for (int64_t u : a.user_ids) want_a.push_back(ia.recommend(u, 10)), want_b.push_back(ib.recommend(u, 10));
  int differ = 0;
  for (size_t i = 0; i < want_a.size(); ++i) differ += want_a[i] != want_b[i];
  ASSERT_GT(differ, 40);

  IndexHandle handle(path_a);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> queries{0}, wrong{0}, failed{0}, saw_b{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w)
    threads.emplace_back([&, w] {
      for (size_t i = static_cast<size_t>(w); !stop.load(); i = (i + 7) % a.user_ids.size()) {
        try {
          const auto got = handle.snapshot()->recommend(a.user_ids[i], 10);
          if (got == want_b[i] && got != want_a[i]) ++saw_b;
          if (got != want_a[i] && got != want_b[i]) ++wrong;
        } catch (...) {
          ++failed;
        }
        ++queries;
      }
    });
  const int reloads = 30;
  for (int r = 0; r < reloads; ++r) {
    // Let a few queries finish on the current model first: on a loaded machine the reloads alone could end before
    // the query threads are scheduled, and the test would check nothing concurrent.
    const int64_t before = queries.load();
    while (queries.load() < before + 4) std::this_thread::yield();
    handle.reload(r % 2 == 0 ? path_b : path_a);
  }
  handle.reload();  // the current file again: after an even number of swaps, path_a
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(queries.load(), 100);
  EXPECT_EQ(handle.generation(), 1u + reloads + 1u);
  EXPECT_EQ(handle.path(), path_a);
  std::printf("%lld queries during %d reloads, %lld answered by model b\n", static_cast<long long>(queries.load()),
              reloads, static_cast<long long>(saw_b.load()));
}

TEST(ServeIndexHandle, FailedReloadKeepsTheOldModel) {
  const EmbeddingTables a = random_tables({.users = 5, .items = 30, .dim = 4});
  const std::string path = temp_path("keep_a.safetensors"), bad = temp_path("corrupt.safetensors");
  save_embeddings(a, path);
  std::string bytes = read_bytes(path);
  bytes[bytes.size() - 1] ^= 1;
  write_bytes(bad, bytes);
  IndexHandle handle(path);
  const auto before = handle.snapshot();
  const auto answer = before->recommend(a.user_ids[1], 3);
  EXPECT_THAT([&] { handle.reload(bad); }, ThrowsMessage<FormatError>(HasSubstr("checksum mismatch")));
  EXPECT_THAT([&] { handle.reload(temp_path("nothing.safetensors")); }, ThrowsMessage<Error>(HasSubstr("cannot open")));
  EXPECT_EQ(handle.snapshot(), before);
  EXPECT_EQ(handle.generation(), 1u);
  EXPECT_EQ(handle.path(), path);
  EXPECT_EQ(handle.snapshot()->recommend(a.user_ids[1], 3), answer);
}

}  // namespace
}  // namespace loom::serve::testing
