// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// User-item interactions for recommendation (implicit feedback): a data-set folder's ratings.npy
// (int64 [R, 4] = user, item, rating, timestamp, 0-based ids), its official splits (splits/<k>/train_idx.npy and
// test_idx.npy index rows of ratings.npy, as MovieLens-100K's u1..u5), per-user random and leave-last-out splits
// for data without official ones, and a generated bipartite graph for runs and benchmarks that need no files.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace loom::data {

struct Interactions {
  std::string name;
  int64_t num_users = 0, num_items = 0;  // id spaces: users [0, num_users), items [0, num_items)
  std::vector<int64_t> user, item;        // one entry per interaction
  std::vector<int64_t> rating, time;      // same length as user, or empty when the source has none
  int64_t size() const { return static_cast<int64_t>(user.size()); }
  // The interactions at rows `rows` (any order; repeats kept); id spaces unchanged.
  Interactions select(const std::vector<int64_t>& rows) const;
};

// Reads `dir`/ratings.npy. num_users and num_items are meta.json's "users" and "items" counts when it gives them
// (an id at or past them is a FormatError), else one past the largest id. Interactions with a rating below
// `min_rating` are dropped (0: keep every rating, as "every rating an interaction"). FormatError for a file that is
// not int64 [R, 4] or a negative id.
Interactions load_interactions(const std::string& dir, int64_t min_rating = 0);

struct InteractionSplit {
  Interactions train, test;
};

// The folder's official split `name` (splits/<name>/train_idx.npy and test_idx.npy, rows of ratings.npy before the
// rating filter; rows the filter dropped are dropped from both parts). ValueError listing the folder's splits when
// `name` is not one of them; IndexError for a row past the file's end.
InteractionSplit official_split(const std::string& dir, const std::string& name, int64_t min_rating = 0);

// Per user, a fraction `test_fraction` of the user's interactions (rounded, at least one when the user has two or
// more, none when the user has one) go to test, chosen with `seed`.
InteractionSplit random_user_split(const Interactions& all, double test_fraction, uint64_t seed);
// Per user with two or more interactions, the latest (by time; ties to the later row) goes to test. ValueError when
// the interactions carry no times.
InteractionSplit leave_last_out_split(const Interactions& all);

// A generated implicit-feedback graph: `interactions` distinct (user, item) pairs whose items follow a Zipf-like
// popularity (exponent `skew`) and whose users fall into `communities` groups with preferred item ranges, so that
// collaborative filtering has something to learn. Deterministic for a seed. ValueError when more pairs are asked
// than users x items / 2.
struct BipartiteOptions {
  int64_t users = 2000, items = 1000, interactions = 40000;
  int64_t communities = 8;
  double skew = 0.8;
  uint64_t seed = 0;
};
Interactions generate_interactions(const BipartiteOptions& options);

// Per user, the sorted distinct items it interacted with: CSR (indptr [num_users + 1], items).
struct UserItems {
  std::vector<int64_t> indptr, items;
  int64_t count(int64_t user) const { return indptr[user + 1] - indptr[user]; }
  bool contains(int64_t user, int64_t item) const;
};
UserItems user_items(const Interactions& interactions);

}  // namespace loom::data
