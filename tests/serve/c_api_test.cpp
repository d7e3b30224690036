// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The C API (loom_serve.h): answers equal to the C++ API's, and a status code with a message for every bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loom_serve.h"
#include "serve_util.h"

namespace loom::serve::testing {
namespace {

using ::testing::HasSubstr;

TEST(ServeCApi, AnswersMatchCpp) {
  const EmbeddingTables t = random_tables({.users = 10, .items = 80, .dim = 6});
  const std::string path = temp_path("c.safetensors");
  save_embeddings(t, path);
  loom_serve* h = nullptr;
  ASSERT_EQ(loom_serve_open(path.c_str(), nullptr, &h), LOOM_SERVE_OK) << loom_serve_last_error();
  EXPECT_EQ(loom_serve_num_users(h), 10);
  EXPECT_EQ(loom_serve_num_items(h), 80);
  EXPECT_EQ(loom_serve_dim(h), 6);
  const EmbeddingIndex index(t);
  int64_t ids[7], n = -1;
  float scores[7];
  for (int exclude : {0, 1}) {
    ASSERT_EQ(loom_serve_recommend(h, t.user_ids[4], 7, exclude, ids, scores, &n), LOOM_SERVE_OK);
    Filter f;
    f.exclude_seen = exclude != 0;
    const auto want = index.recommend(t.user_ids[4], 7, f);
    ASSERT_EQ(n, 7);
    for (int i = 0; i < 7; ++i) EXPECT_EQ((ScoredItem{ids[i], scores[i]}), want[static_cast<size_t>(i)]);
  }
  ASSERT_EQ(loom_serve_similar(h, t.item_ids[9], 7, ids, scores, &n), LOOM_SERVE_OK);
  const auto want = index.similar_items(t.item_ids[9], 7);
  for (int i = 0; i < 7; ++i) EXPECT_EQ((ScoredItem{ids[i], scores[i]}), want[static_cast<size_t>(i)]);
  EXPECT_EQ(loom_serve_reload(h, nullptr), LOOM_SERVE_OK);
  loom_serve_close(h);
  loom_serve_close(nullptr);
}

TEST(ServeCApi, ErrorCodes) {
  const EmbeddingTables t = random_tables({.users = 3, .items = 10, .dim = 2});
  const std::string path = temp_path("c_err.safetensors"), bad = temp_path("c_bad.safetensors");
  save_embeddings(t, path);
  write_bytes(bad, read_bytes(path).substr(0, 30));
  loom_serve* h = reinterpret_cast<loom_serve*>(1);
  EXPECT_EQ(loom_serve_open(temp_path("absent").c_str(), nullptr, &h), LOOM_SERVE_IO_ERROR);
  EXPECT_EQ(h, nullptr);
  EXPECT_THAT(loom_serve_last_error(), HasSubstr("cannot open"));
  EXPECT_EQ(loom_serve_open(bad.c_str(), nullptr, &h), LOOM_SERVE_FORMAT_ERROR);
  EXPECT_THAT(loom_serve_last_error(), HasSubstr("truncated"));
  EXPECT_EQ(loom_serve_open(nullptr, nullptr, &h), LOOM_SERVE_INVALID_ARGUMENT);
  EXPECT_EQ(loom_serve_open(path.c_str(), nullptr, nullptr), LOOM_SERVE_INVALID_ARGUMENT);
  loom_serve_options o;
  loom_serve_default_options(&o);
  o.hnsw_m = 0;
  EXPECT_EQ(loom_serve_open(path.c_str(), &o, &h), LOOM_SERVE_INVALID_ARGUMENT);
  EXPECT_THAT(loom_serve_last_error(), HasSubstr("hnsw_m"));

  ASSERT_EQ(loom_serve_open(path.c_str(), nullptr, &h), LOOM_SERVE_OK);
  int64_t ids[20], n = -1;
  float scores[20];
  EXPECT_EQ(loom_serve_recommend(h, 424242, 3, 1, ids, scores, &n), LOOM_SERVE_UNKNOWN_ID);
  EXPECT_THAT(loom_serve_last_error(), HasSubstr("unknown user id 424242"));
  EXPECT_EQ(n, 0);
  EXPECT_EQ(loom_serve_recommend(h, t.user_ids[0], 0, 1, ids, scores, &n), LOOM_SERVE_INVALID_ARGUMENT);
  EXPECT_THAT(loom_serve_last_error(), HasSubstr("k must be >= 1, got 0"));
  EXPECT_EQ(loom_serve_recommend(h, t.user_ids[0], 11, 0, ids, scores, &n), LOOM_SERVE_INVALID_ARGUMENT);
  EXPECT_THAT(loom_serve_last_error(), HasSubstr("k = 11 exceeds"));
  EXPECT_EQ(loom_serve_recommend(h, t.user_ids[0], 3, 1, nullptr, scores, &n), LOOM_SERVE_INVALID_ARGUMENT);
  EXPECT_EQ(loom_serve_recommend(nullptr, t.user_ids[0], 3, 1, ids, scores, &n), LOOM_SERVE_INVALID_ARGUMENT);
  EXPECT_EQ(loom_serve_similar(h, -5, 3, ids, scores, &n), LOOM_SERVE_UNKNOWN_ID);
  EXPECT_EQ(loom_serve_similar(h, t.item_ids[0], 10, ids, scores, &n), LOOM_SERVE_INVALID_ARGUMENT);
  EXPECT_EQ(loom_serve_reload(h, bad.c_str()), LOOM_SERVE_FORMAT_ERROR);
  EXPECT_EQ(loom_serve_reload(nullptr, path.c_str()), LOOM_SERVE_INVALID_ARGUMENT);
  EXPECT_EQ(loom_serve_num_items(nullptr), -1);
  // The failed reload left the model serving.
  EXPECT_EQ(loom_serve_recommend(h, t.user_ids[0], 3, 1, ids, scores, &n), LOOM_SERVE_OK);
  EXPECT_EQ(n, 3);
  loom_serve_close(h);
}

}  // namespace
}  // namespace loom::serve::testing
