// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// EmbeddingIndex against the naive reference (score every candidate in double, sort): integer-valued embeddings
// score exactly, so answers must be equal, ties and their order included; float data within rounding. Then batch
// == single, the device path's merge, similar_items, errors, and HNSW recall and filters.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "loom/core/device.h"
#include "loom/core/error.h"
#include "serve_util.h"

namespace loom::serve::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::vector<Filter> filters(const EmbeddingTables& t) {
  Filter none, keep_seen, deny, allow, both;
  keep_seen.exclude_seen = false;
  deny.deny = {t.item_ids[0], t.item_ids[7], t.item_ids[150], t.item_ids[299], t.item_ids[7]};
  allow.allow = std::vector<int64_t>();
  for (size_t i = 0; i < t.item_ids.size(); i += 3) allow.allow->push_back(t.item_ids[i]);
  both.allow = allow.allow;
  both.deny = {t.item_ids[3], t.item_ids[6], t.item_ids[1]};
  return {none, keep_seen, deny, allow, both};
}

TEST(ServeExact, MatchesNaiveReferenceExactly) {
  const EmbeddingTables t = random_tables({});
  for (int64_t block : {int64_t{4096}, int64_t{7}}) {  // one item block, and many with a ragged end
    IndexOptions o;
    o.item_block = block;
    const EmbeddingIndex index(t, o);
    for (const Filter& f : filters(t))
      for (int64_t k : {1, 5, 17})
        for (int64_t user : t.user_ids) ASSERT_EQ(index.recommend(user, k, f), naive_recommend(t, user, k, f)) << user;
  }
}

TEST(ServeExact, FloatDataWithinRounding) {
  const EmbeddingTables t = random_tables({.users = 20, .items = 500, .dim = 24, .integer = false});
  const EmbeddingIndex index(t);
  for (int64_t user : t.user_ids) {
    const auto got = index.recommend(user, 10), want = naive_recommend(t, user, 10, {});
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_NEAR(got[i].score, want[i].score, 1e-4) << user << " rank " << i;
      // An id may differ from the reference only where two scores are within rounding of each other.
      if (got[i].id != want[i].id) {
        EXPECT_NEAR(got[i].score, want[i + (i + 1 < got.size())].score, 1e-4);
      }
    }
  }
}

TEST(ServeExact, TiesGoToTheLowerPosition) {
  EmbeddingTables t = random_tables({.users = 2, .items = 50, .dim = 3});
  for (size_t i = 0; i < t.item_embeddings.size(); ++i) t.item_embeddings[i] = (i % 3 == 0) ? 1.0f : 0.0f;
  const EmbeddingIndex index(t);
  Filter f;
  f.exclude_seen = false;
  const auto got = index.recommend(t.user_ids[1], 10, f);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].id, t.item_ids[i]);  // all equal: positions 0..9
}

TEST(ServeExact, UserWhoHasSeenAllButKItems) {
  EmbeddingTables t = random_tables({.users = 3, .items = 40, .dim = 4, .max_seen = 0});
  const int64_t k = 4;
  t.seen_items.clear();
  for (int64_t i = 0; i < 40 - k; ++i) t.seen_items.push_back((i * 7) % 40);  // a permutation's prefix
  t.seen_indptr = {0, 0, 40 - k, 40 - k};
  const EmbeddingIndex index(t);
  const int64_t user = t.user_ids[1];
  const auto got = index.recommend(user, k);
  EXPECT_EQ(got, naive_recommend(t, user, k, {}));
  std::set<int64_t> unseen;
  for (int64_t i = 40 - k; i < 40; ++i) unseen.insert(t.item_ids[static_cast<size_t>((i * 7) % 40)]);
  for (const auto& s : got) EXPECT_TRUE(unseen.count(s.id)) << s.id;
  EXPECT_THAT([&] { index.recommend(user, k + 1); },
              ThrowsMessage<ValueError>(HasSubstr("k = 5 exceeds the 4 candidate items of user " + std::to_string(user))));
}

TEST(ServeExact, KEqualsCatalogueSize) {
  const EmbeddingTables t = random_tables({.users = 4, .items = 60, .dim = 5});
  const EmbeddingIndex index(t);
  Filter f;
  f.exclude_seen = false;
  const auto got = index.recommend(t.user_ids[2], 60, f);
  EXPECT_EQ(got, naive_recommend(t, t.user_ids[2], 60, f));
  EXPECT_THAT([&] { index.recommend(t.user_ids[2], 61, f); }, ThrowsMessage<ValueError>(HasSubstr("k = 61 exceeds the 60")));
}

TEST(ServeExact, BatchEqualsSingleBitwise) {
  const EmbeddingTables t = random_tables({.users = 100, .items = 700, .dim = 19, .integer = false, .max_seen = 50});
  const EmbeddingIndex index(t);
  std::vector<int64_t> ids(t.user_ids.rbegin(), t.user_ids.rend());  // 100 users: several row blocks
  ids.push_back(ids[3]);  // a repeated user
  for (const Filter& f : {Filter{}, filters(random_tables({}))[1]}) {
    const auto batch = index.recommend_batch(ids, 12, f);
    ASSERT_EQ(batch.size(), ids.size());
    for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(batch[i], index.recommend(ids[i], 12, f)) << i;
  }
}

TEST(ServeExact, DevicePathOnCpuMatchesCpuPath) {
  const EmbeddingTables t = random_tables({.max_seen = 80});
  IndexOptions o;
  o.exact_path = ExactPath::kOpsOnCpu;
  o.device_item_block = 37;  // nine blocks, the last ragged: the merge is exercised
  const EmbeddingIndex device(t, o), cpu(t);
  for (const Filter& f : filters(t))
    for (int64_t k : {1, 9, 40}) EXPECT_EQ(device.recommend_batch(t.user_ids, k, f), cpu.recommend_batch(t.user_ids, k, f));
}

TEST(ServeExact, CudaPathMatchesCpuPath) {
  if (!cuda::is_available()) GTEST_SKIP() << "no CUDA device: the CUDA exact path is checked on a GPU only";
  const EmbeddingTables t = random_tables({.users = 300, .items = 5000, .dim = 16, .max_seen = 80});
  IndexOptions o;
  o.exact_path = ExactPath::kCuda;
  o.device_item_block = 1500;
  const EmbeddingIndex device(t, o), cpu(t);
  for (const Filter& f : filters(t))  // integer data: cuBLAS's sums are exact too
    EXPECT_EQ(device.recommend_batch(t.user_ids, 10, f), cpu.recommend_batch(t.user_ids, 10, f));
}

TEST(ServeExact, SimilarItemsIsCosineWithoutTheItem) {
  EmbeddingTables t = random_tables({.users = 2, .items = 400, .dim = 8, .integer = false});
  std::fill_n(t.item_embeddings.begin() + 5 * 8, 8, 0.0f);  // a zero vector scores 0
  const EmbeddingIndex index(t);
  for (const Filter& f : filters(random_tables({.users = 2, .items = 400}))) {
    Filter g = f;  // the same shape of filter, over this table's ids
    if (g.allow) for (auto& id : *g.allow) id = t.item_ids[static_cast<size_t>(id - 1000) % 400];
    for (auto& id : g.deny) id = t.item_ids[static_cast<size_t>(id - 1000) % 400];
    for (int64_t q : {t.item_ids[0], t.item_ids[5], t.item_ids[33]}) {
      const auto got = index.similar_items(q, 8, g), want = naive_similar(t, q, 8, g);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_NE(got[i].id, q);
        EXPECT_NEAR(got[i].score, want[i].score, 1e-5);
      }
    }
  }
  EXPECT_THAT([&] { index.similar_items(t.item_ids[0], 400); }, ThrowsMessage<ValueError>(HasSubstr("k = 400 exceeds the 399")));
}

TEST(ServeExact, ErrorsNameTheValue) {
  const EmbeddingTables t = random_tables({.users = 3, .items = 10, .dim = 2});
  const EmbeddingIndex index(t);
  EXPECT_THAT([&] { index.recommend(77, 3); }, ThrowsMessage<IndexError>(HasSubstr("unknown user id 77")));
  EXPECT_THAT([&] { index.recommend(t.user_ids[0], 0); }, ThrowsMessage<ValueError>(HasSubstr("k must be >= 1, got 0")));
  EXPECT_THAT([&] { index.recommend(t.user_ids[0], -2); }, ThrowsMessage<ValueError>(HasSubstr("got -2")));
  EXPECT_THAT([&] { index.similar_items(5, 3); }, ThrowsMessage<IndexError>(HasSubstr("unknown item id 5")));
  Filter f;
  f.deny = {12345};
  EXPECT_THAT([&] { index.recommend(t.user_ids[0], 1, f); },
              ThrowsMessage<IndexError>(HasSubstr("unknown item id 12345 in the deny list")));
  const std::vector<int64_t> ids = {t.user_ids[0], -9};
  EXPECT_THAT([&] { index.recommend_batch(ids, 1); }, ThrowsMessage<IndexError>(HasSubstr("unknown user id -9")));
  IndexOptions o;
  o.item_block = 0;
  EXPECT_THROW(EmbeddingIndex(t, o), ValueError);
  o = {};
  o.exact_path = ExactPath::kCuda;
  if (!cuda::is_available()) {
    EXPECT_THAT([&] { EmbeddingIndex(t, o); }, ThrowsMessage<DeviceError>(HasSubstr("kCuda")));
  }
}

// Items around 16 well-separated centres; users near a centre. Inner-product search on such data has a clear answer.
EmbeddingTables clustered(int64_t users, int64_t items, int64_t dim, uint64_t seed) {
  EmbeddingTables t = random_tables({.users = users, .items = items, .dim = dim, .seed = seed, .integer = false,
                                     .max_seen = 20});
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> centres(static_cast<size_t>(16 * dim));
  for (float& c : centres) c = 2.0f * n(rng);
  for (auto* table : {&t.user_embeddings, &t.item_embeddings})
    for (size_t r = 0; r < table->size() / dim; ++r) {
      const size_t c = rng() % 16;
      for (int64_t d = 0; d < dim; ++d) (*table)[r * dim + d] = centres[c * dim + d] + 0.5f * n(rng);
    }
  return t;
}

TEST(ServeApproximate, RecallAndFilters) {
  const EmbeddingTables t = clustered(300, 4000, 32, 5);
  IndexOptions o;
  o.approximate = true;
  if (!EmbeddingIndex::has_hnsw()) {
    EXPECT_THAT([&] { EmbeddingIndex(t, o); }, ThrowsMessage<NotImplementedError>(HasSubstr("libhnswlib-dev")));
    GTEST_SKIP() << "built without hnswlib";
  }
  const EmbeddingIndex approx(t, o), exact(t);
  const double recall = approx.recall_at_k(10, 200, 3);
  EXPECT_GE(recall, 0.9);
  EXPECT_EQ(exact.recall_at_k(10, 50), 1.0);
  std::printf("hnsw recall@10 on 200 users: %.3f\n", recall);
  for (const Filter& f : filters(random_tables({.users = 2, .items = 300}))) {
    Filter g = f;
    if (g.allow) for (auto& id : *g.allow) id = t.item_ids[static_cast<size_t>(id - 1000) * 13];
    for (auto& id : g.deny) id = t.item_ids[static_cast<size_t>(id - 1000) * 13];
    for (size_t u = 0; u < 30; ++u) {
      const int64_t user = t.user_ids[u];
      const auto got = approx.recommend(user, 10, g);
      ASSERT_EQ(got.size(), 10u);
      const std::set<int64_t> seen_ids = [&] {
        std::set<int64_t> s;
        for (int64_t e = t.seen_indptr[u]; e < t.seen_indptr[u + 1]; ++e) s.insert(t.item_ids[t.seen_items[e]]);
        return s;
      }();
      // Every answer passes the filter and scores as the exact path scores it.
      const auto all = exact.recommend(user, static_cast<int64_t>(naive_recommend(t, user, 100000, g).size()), g);
      for (size_t i = 0; i < got.size(); ++i) {
        if (i) {
          EXPECT_GE(got[i - 1].score, got[i].score);
        }
        EXPECT_TRUE(std::find(g.deny.begin(), g.deny.end(), got[i].id) == g.deny.end());
        if (g.allow) {
          EXPECT_TRUE(std::find(g.allow->begin(), g.allow->end(), got[i].id) != g.allow->end());
        }
        if (g.exclude_seen) {
          EXPECT_FALSE(seen_ids.count(got[i].id));
        }
        auto it = std::find_if(all.begin(), all.end(), [&](const ScoredItem& s) { return s.id == got[i].id; });
        ASSERT_NE(it, all.end());
        EXPECT_EQ(it->score, got[i].score);
      }
    }
  }
}

}  // namespace
}  // namespace loom::serve::testing
