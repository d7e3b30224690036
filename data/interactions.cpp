// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// User-item interactions: reading ratings.npy and its official splits, per-user splits, a generated bipartite graph.
#include "loom/data/interactions.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <unordered_set>

#include "loom/core/error.h"
#include "loom/core/random.h"
#include "loom/core/tensor.h"
#include "loom/data/npy.h"

namespace loom::data {
namespace fs = std::filesystem;

Interactions Interactions::select(const std::vector<int64_t>& rows) const {
  Interactions out;
  out.name = name;
  out.num_users = num_users;
  out.num_items = num_items;
  const bool rated = !rating.empty(), timed = !time.empty();
  for (int64_t r : rows) {
    LOOM_CHECK(r >= 0 && r < size(), IndexError, "Interactions::select: row ", r, " is outside [0, ", size(), ")");
    out.user.push_back(user[r]);
    out.item.push_back(item[r]);
    if (rated) out.rating.push_back(rating[r]);
    if (timed) out.time.push_back(time[r]);
  }
  return out;
}

namespace {

std::optional<int64_t> meta_count(const fs::path& dir, const char* key) {
  const fs::path p = dir / "meta.json";
  if (!fs::exists(p)) return std::nullopt;
  std::ifstream in(p);
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(detail::str_cat(p.string(), " is not valid JSON: ", e.what()));
  }
  if (!meta.is_object() || !meta.contains("counts") || !meta["counts"].is_object()) return std::nullopt;
  const auto& c = meta["counts"];
  if (!c.contains(key) || !c[key].is_number_integer()) return std::nullopt;
  return c[key].get<int64_t>();
}

// All rows of ratings.npy, unfiltered.
Interactions read_ratings(const fs::path& dir) {
  const fs::path file = dir / "ratings.npy";
  LOOM_CHECK(fs::exists(file), Error, "load_interactions: ", file.string(), " does not exist");
  const Tensor t = read_npy(file.string());
  LOOM_CHECK(t.dtype() == kInt64 && t.dim() == 2 && t.size(1) == 4, FormatError, "load_interactions: ",
             file.string(), " must be int64 [R, 4] (user, item, rating, timestamp), got ", dtype_name(t.dtype()), " ",
             t.shape_str());
  Interactions d;
  d.name = fs::path(dir).filename().string();
  if (d.name.empty()) d.name = fs::path(dir).parent_path().filename().string();
  const int64_t n = t.size(0);
  const int64_t* p = t.data<int64_t>();
  d.user.resize(n);
  d.item.resize(n);
  d.rating.resize(n);
  d.time.resize(n);
  int64_t max_user = -1, max_item = -1;
  for (int64_t r = 0; r < n; ++r) {
    d.user[r] = p[4 * r];
    d.item[r] = p[4 * r + 1];
    d.rating[r] = p[4 * r + 2];
    d.time[r] = p[4 * r + 3];
    LOOM_CHECK(d.user[r] >= 0 && d.item[r] >= 0, FormatError, "load_interactions: ", file.string(), " row ", r,
               " has a negative id (user ", d.user[r], ", item ", d.item[r], ")");
    max_user = std::max(max_user, d.user[r]);
    max_item = std::max(max_item, d.item[r]);
  }
  d.num_users = max_user + 1;
  d.num_items = max_item + 1;
  if (const auto users = meta_count(dir, "users")) {
    LOOM_CHECK(max_user < *users, FormatError, "load_interactions: ", file.string(), " has user id ", max_user,
               " but meta.json counts ", *users, " users");
    d.num_users = *users;
  }
  if (const auto items = meta_count(dir, "items")) {
    LOOM_CHECK(max_item < *items, FormatError, "load_interactions: ", file.string(), " has item id ", max_item,
               " but meta.json counts ", *items, " items");
    d.num_items = *items;
  }
  return d;
}

std::vector<int64_t> kept_rows(const Interactions& all, int64_t min_rating) {
  std::vector<int64_t> rows;
  for (int64_t r = 0; r < all.size(); ++r)
    if (min_rating <= 0 || all.rating[r] >= min_rating) rows.push_back(r);
  return rows;
}

std::vector<int64_t> read_rows(const fs::path& file, int64_t limit) {
  LOOM_CHECK(fs::exists(file), Error, "official_split: ", file.string(), " does not exist");
  const Tensor t = read_npy(file.string());
  LOOM_CHECK(t.dtype() == kInt64 && t.dim() == 1, FormatError, "official_split: ", file.string(),
             " must be int64 [n], got ", dtype_name(t.dtype()), " ", t.shape_str());
  std::vector<int64_t> rows(t.data<int64_t>(), t.data<int64_t>() + t.numel());
  for (int64_t r : rows)
    LOOM_CHECK(r >= 0 && r < limit, IndexError, "official_split: ", file.string(), " names row ", r,
               " but ratings.npy has ", limit, " rows");
  return rows;
}

// Rows grouped by user, each group in row order.
std::vector<std::vector<int64_t>> rows_by_user(const Interactions& all) {
  std::vector<std::vector<int64_t>> by(all.num_users);
  for (int64_t r = 0; r < all.size(); ++r) by[all.user[r]].push_back(r);
  return by;
}

InteractionSplit split_rows(const Interactions& all, std::vector<int64_t> train, std::vector<int64_t> test) {
  std::sort(train.begin(), train.end());
  std::sort(test.begin(), test.end());
  return {all.select(train), all.select(test)};
}

}  // namespace

Interactions load_interactions(const std::string& dir, int64_t min_rating) {
  const Interactions all = read_ratings(dir);
  if (min_rating <= 0) return all;
  return all.select(kept_rows(all, min_rating));
}

InteractionSplit official_split(const std::string& dir, const std::string& name, int64_t min_rating) {
  const fs::path split_dir = fs::path(dir) / "splits" / name;
  if (!fs::is_directory(split_dir)) {
    std::vector<std::string> names;
    if (fs::is_directory(fs::path(dir) / "splits"))
      for (const auto& e : fs::directory_iterator(fs::path(dir) / "splits"))
        if (e.is_directory()) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw ValueError(detail::str_cat("official_split: ", dir, " has no split '", name, "' (it has ",
                                     list.empty() ? std::string("none") : list, ")"));
  }
  const Interactions all = read_ratings(dir);
  auto keep = [&](std::vector<int64_t> rows) {
    if (min_rating > 0)
      rows.erase(std::remove_if(rows.begin(), rows.end(), [&](int64_t r) { return all.rating[r] < min_rating; }),
                 rows.end());
    return rows;
  };
  return split_rows(all, keep(read_rows(split_dir / "train_idx.npy", all.size())),
                    keep(read_rows(split_dir / "test_idx.npy", all.size())));
}

InteractionSplit random_user_split(const Interactions& all, double test_fraction, uint64_t seed) {
  LOOM_CHECK(test_fraction > 0 && test_fraction < 1, ValueError, "random_user_split: test_fraction must be in (0, 1), got ",
             test_fraction);
  std::vector<int64_t> train, test;
  const auto by = rows_by_user(all);
  for (size_t u = 0; u < by.size(); ++u) {
    std::vector<int64_t> rows = by[u];
    const int64_t n = static_cast<int64_t>(rows.size());
    int64_t k = n >= 2 ? std::max<int64_t>(1, std::llround(test_fraction * static_cast<double>(n))) : 0;
    k = std::min(k, n - 1);  // every user keeps a training interaction
    // A counter-based stream per user: the split of a user does not depend on the users before it.
    for (int64_t i = n - 1; i > 0; --i) {
      const uint64_t bits = random_bits(seed, (static_cast<uint64_t>(u) << 32) + static_cast<uint64_t>(i));
      std::swap(rows[i], rows[static_cast<int64_t>(bits % static_cast<uint64_t>(i + 1))]);
    }
    test.insert(test.end(), rows.begin(), rows.begin() + k);
    train.insert(train.end(), rows.begin() + k, rows.end());
  }
  return split_rows(all, std::move(train), std::move(test));
}

InteractionSplit leave_last_out_split(const Interactions& all) {
  LOOM_CHECK(!all.time.empty(), ValueError, "leave_last_out_split: '", all.name, "' carries no timestamps");
  std::vector<int64_t> train, test;
  for (const auto& rows : rows_by_user(all)) {
    if (rows.empty()) continue;
    size_t last = 0;
    for (size_t i = 1; i < rows.size(); ++i)
      if (all.time[rows[i]] >= all.time[rows[last]]) last = i;
    for (size_t i = 0; i < rows.size(); ++i) (rows.size() >= 2 && i == last ? test : train).push_back(rows[i]);
  }
  return split_rows(all, std::move(train), std::move(test));
}

Interactions generate_interactions(const BipartiteOptions& o) {
  LOOM_CHECK(o.users > 0 && o.items > 0 && o.communities > 0 && o.interactions >= 0, ValueError,
             "generate_interactions: users, items and communities must be positive, got ", o.users, ", ", o.items,
             ", ", o.communities);
  LOOM_CHECK(o.interactions <= o.users * o.items / 2, ValueError, "generate_interactions: ", o.interactions,
             " interactions do not fit ", o.users, " users x ", o.items, " items at most half full");
  // Item popularity ~ 1 / (rank + 1)^skew, sampled by inverting the cumulative weights.
  std::vector<double> cdf(o.items);
  double total = 0;
  for (int64_t i = 0; i < o.items; ++i) cdf[i] = total += std::pow(static_cast<double>(i + 1), -o.skew);
  const int64_t span = std::max<int64_t>(1, o.items / o.communities);
  Interactions d;
  d.name = "generated-bipartite";
  d.num_users = o.users;
  d.num_items = o.items;
  std::unordered_set<uint64_t> seen;
  seen.reserve(static_cast<size_t>(o.interactions) * 2);
  uint64_t counter = 0;
  while (d.size() < o.interactions) {
    const uint64_t a = random_bits(o.seed, counter++), b = random_bits(o.seed, counter++);
    const int64_t user = static_cast<int64_t>(a % static_cast<uint64_t>(o.users));
    const double x = static_cast<double>(b >> 11) * 0x1.0p-53 * total;
    int64_t item = std::lower_bound(cdf.begin(), cdf.end(), x) - cdf.begin();
    item = std::min(item, o.items - 1);
    // Three of four picks fall into the user's community's item range (shifted by the popularity rank): the
    // structure a collaborative filter can find.
    if ((a >> 40) % 4 != 0) item = (item + (user % o.communities) * span) % o.items;
    if (!seen.insert(static_cast<uint64_t>(user) * static_cast<uint64_t>(o.items) + static_cast<uint64_t>(item)).second)
      continue;
    d.user.push_back(user);
    d.item.push_back(item);
    d.time.push_back(d.size());
  }
  return d;
}

bool UserItems::contains(int64_t user, int64_t item) const {
  return std::binary_search(items.begin() + indptr[user], items.begin() + indptr[user + 1], item);
}

UserItems user_items(const Interactions& d) {
  UserItems u;
  u.indptr.assign(d.num_users + 1, 0);
  for (int64_t r = 0; r < d.size(); ++r) {
    LOOM_CHECK(d.user[r] >= 0 && d.user[r] < d.num_users && d.item[r] >= 0 && d.item[r] < d.num_items, IndexError,
               "user_items: interaction ", r, " (user ", d.user[r], ", item ", d.item[r], ") is outside ",
               d.num_users, " users x ", d.num_items, " items");
    ++u.indptr[d.user[r] + 1];
  }
  std::partial_sum(u.indptr.begin(), u.indptr.end(), u.indptr.begin());
  u.items.resize(d.size());
  std::vector<int64_t> fill(u.indptr.begin(), u.indptr.end() - 1);
  for (int64_t r = 0; r < d.size(); ++r) u.items[fill[d.user[r]]++] = d.item[r];
  // Sort each user's items and drop repeats (a user who rated an item twice interacted with it once).
  std::vector<int64_t> out_ptr(d.num_users + 1, 0);
  int64_t w = 0;
  for (int64_t user = 0; user < d.num_users; ++user) {
    auto b = u.items.begin() + u.indptr[user], e = u.items.begin() + u.indptr[user + 1];
    std::sort(b, e);
    const auto last = std::unique(b, e);
    for (auto it = b; it != last; ++it) u.items[w++] = *it;
    out_ptr[user + 1] = w;
  }
  u.items.resize(w);
  u.indptr = std::move(out_ptr);
  return u;
}

}  // namespace loom::data
