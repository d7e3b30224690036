// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Interactions: ratings.npy and official splits (hand-made folders and MovieLens-100K), per-user splits, the
// generated bipartite graph and the per-user item lists.
#include "loom/data/interactions.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "loom/core/error.h"
#include "loom/data/npy.h"
#include "support/testing.h"

namespace loom::data {
namespace {

// A folder with `rows` as ratings.npy (user, item, rating, time) and split "a" = train rows / test rows.
std::string folder(const std::vector<std::array<int64_t, 4>>& rows, const std::vector<int64_t>& train,
                   const std::vector<int64_t>& test) {
  const auto dir = loom::testing::temp_dir();
  std::vector<int64_t> flat;
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  write_npy((dir / "ratings.npy").string(), from_vector(flat, {static_cast<int64_t>(rows.size()), 4}));
  std::filesystem::create_directories(dir / "splits" / "a");
  write_npy((dir / "splits/a/train_idx.npy").string(), from_vector(train, {static_cast<int64_t>(train.size())}));
  write_npy((dir / "splits/a/test_idx.npy").string(), from_vector(test, {static_cast<int64_t>(test.size())}));
  return dir.string();
}

TEST(Interactions, ReadsRatingsAndOfficialSplits) {
  const std::string dir = folder({{0, 1, 5, 10}, {0, 2, 1, 11}, {1, 0, 4, 12}, {2, 2, 3, 13}}, {0, 1, 3}, {2});
  const Interactions all = load_interactions(dir);
  EXPECT_EQ(all.size(), 4);
  EXPECT_EQ(all.num_users, 3);
  EXPECT_EQ(all.num_items, 3);
  EXPECT_EQ(all.rating[3], 3);
  EXPECT_EQ(load_interactions(dir, 4).size(), 2);  // ratings 5 and 4

  const InteractionSplit s = official_split(dir, "a");
  EXPECT_EQ(s.train.user, (std::vector<int64_t>{0, 0, 2}));
  EXPECT_EQ(s.train.item, (std::vector<int64_t>{1, 2, 2}));
  EXPECT_EQ(s.test.user, (std::vector<int64_t>{1}));
  // The rating filter drops rows from both parts.
  const InteractionSplit f = official_split(dir, "a", 4);
  EXPECT_EQ(f.train.size(), 1);
  EXPECT_EQ(f.test.size(), 1);
  EXPECT_EQ(f.train.num_users, 3);  // id spaces are kept
}

TEST(Interactions, BadFoldersNameTheProblem) {
  const std::string dir = folder({{0, 1, 5, 10}, {1, 0, 4, 12}}, {0}, {7});
  EXPECT_THROW(
      {
        try {
          official_split(dir, "u9");
        } catch (const ValueError& e) {
          EXPECT_NE(std::string(e.what()).find("has no split 'u9' (it has a)"), std::string::npos) << e.what();
          throw;
        }
      },
      ValueError);
  EXPECT_THROW(official_split(dir, "a"), IndexError);  // row 7 of 2
  write_npy(dir + "/ratings.npy", from_vector(std::vector<int64_t>{0, 1, 5}, {1, 3}));
  EXPECT_THROW(load_interactions(dir), FormatError);
  write_npy(dir + "/ratings.npy", from_vector(std::vector<int64_t>{0, -1, 5, 1}, {1, 4}));
  EXPECT_THROW(load_interactions(dir), FormatError);
  std::ofstream(dir + "/meta.json") << R"({"counts": {"users": 1, "items": 1}})";
  write_npy(dir + "/ratings.npy", from_vector(std::vector<int64_t>{0, 3, 5, 1}, {1, 4}));
  EXPECT_THROW(load_interactions(dir), FormatError);  // item 3 past meta.json's one item
}

TEST(Interactions, RandomUserSplitKeepsATrainingItemPerUser) {
  BipartiteOptions o;
  o.users = 300;
  o.items = 200;
  o.interactions = 6000;
  const Interactions all = generate_interactions(o);
  const InteractionSplit s = random_user_split(all, 0.2, 7);
  EXPECT_EQ(s.train.size() + s.test.size(), all.size());
  const UserItems all_items = user_items(all), tr = user_items(s.train), te = user_items(s.test);
  for (int64_t u = 0; u < all.num_users; ++u) {
    const int64_t n = all_items.count(u);
    if (n >= 2) EXPECT_GE(tr.count(u), 1);
    if (n >= 2) EXPECT_EQ(te.count(u), std::min<int64_t>(n - 1, std::max<int64_t>(1, std::llround(0.2 * n))));
    for (int64_t p = te.indptr[u]; p < te.indptr[u + 1]; ++p) EXPECT_FALSE(tr.contains(u, te.items[p]));
  }
  const InteractionSplit again = random_user_split(all, 0.2, 7), other = random_user_split(all, 0.2, 8);
  EXPECT_EQ(again.test.item, s.test.item);
  EXPECT_NE(other.test.item, s.test.item);
  EXPECT_THROW(random_user_split(all, 1.0, 0), ValueError);
}

TEST(Interactions, LeaveLastOutTakesTheLatest) {
  const std::string dir = folder({{0, 1, 5, 30}, {0, 2, 1, 20}, {0, 3, 1, 25}, {1, 0, 4, 12}}, {0}, {1});
  const InteractionSplit s = leave_last_out_split(load_interactions(dir));
  EXPECT_EQ(s.test.user, (std::vector<int64_t>{0}));
  EXPECT_EQ(s.test.item, (std::vector<int64_t>{1}));  // time 30
  EXPECT_EQ(s.train.size(), 3);                        // user 1's only interaction stays in train
  Interactions untimed = load_interactions(dir);
  untimed.time.clear();
  EXPECT_THROW(leave_last_out_split(untimed), ValueError);
}

TEST(Interactions, GeneratedGraphIsDistinctAndSeeded) {
  BipartiteOptions o;
  o.users = 100;
  o.items = 80;
  o.interactions = 2000;
  o.seed = 3;
  const Interactions a = generate_interactions(o), b = generate_interactions(o);
  EXPECT_EQ(a.size(), 2000);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.item, b.item);
  std::set<std::pair<int64_t, int64_t>> pairs;
  for (int64_t r = 0; r < a.size(); ++r) pairs.insert({a.user[r], a.item[r]});
  EXPECT_EQ(static_cast<int64_t>(pairs.size()), a.size());
  o.interactions = 100 * 80;
  EXPECT_THROW(generate_interactions(o), ValueError);
}

TEST(Interactions, UserItemsSortsAndDropsRepeats) {
  Interactions d;
  d.num_users = 3;
  d.num_items = 5;
  d.user = {2, 0, 2, 2, 0};
  d.item = {4, 3, 1, 4, 0};
  const UserItems u = user_items(d);
  EXPECT_EQ(u.indptr, (std::vector<int64_t>{0, 2, 2, 4}));
  EXPECT_EQ(u.items, (std::vector<int64_t>{0, 3, 1, 4}));
  EXPECT_TRUE(u.contains(2, 4));
  EXPECT_FALSE(u.contains(1, 4));
  d.item[0] = 5;
  EXPECT_THROW(user_items(d), IndexError);
}

TEST(Interactions, MovieLensOfficialSplits) {
  LOOM_REQUIRE_DATASET("movielens-100k");
  const std::string dir = loom::testing::data_dir() + "/movielens-100k";
  const Interactions all = load_interactions(dir);
  EXPECT_EQ(all.size(), 100000);
  EXPECT_EQ(all.num_users, 943);
  EXPECT_EQ(all.num_items, 1682);
  for (const char* name : {"u1", "u2", "u3", "u4"}) {
    const InteractionSplit s = official_split(dir, name);
    EXPECT_EQ(s.train.size(), 80000) << name;
    EXPECT_EQ(s.test.size(), 20000) << name;
  }
  EXPECT_LT(load_interactions(dir, 4).size(), 60000);  // ratings of 4 and 5 only
}

}  // namespace
}  // namespace loom::data
