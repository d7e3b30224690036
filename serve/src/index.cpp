// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// EmbeddingIndex: id maps and sorted seen lists built once, then every query resolved (ids -> positions, filter ->
// candidates, k checked against what this user can get) before one of the search paths runs.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "index_impl.h"
#include "loom/core/error.h"

namespace loom::serve {

using detail::Candidates;
using detail::Hit;
using loom::detail::str_cat;

namespace {

std::vector<ScoredItem> to_items(const std::vector<Hit>& hits, const EmbeddingTables& t) {
  std::vector<ScoredItem> out;
  out.reserve(hits.size());
  for (const Hit& h : hits) out.push_back({t.item_ids[static_cast<size_t>(h.pos)], h.score});
  return out;
}

}  // namespace

EmbeddingIndex::EmbeddingIndex(EmbeddingTables tables, IndexOptions options)
    : tables_(std::move(tables)), options_(options), impl_(std::make_unique<Impl>()) {
  check_embeddings(tables_, "EmbeddingIndex");
  LOOM_CHECK(options_.item_block >= 1 && options_.device_item_block >= 1, ValueError,
             "EmbeddingIndex: item_block and device_item_block must be >= 1, got ", options_.item_block, " and ",
             options_.device_item_block);
  LOOM_CHECK(options_.hnsw_m >= 2 && options_.ef_construction >= 1 && options_.ef_search >= 1, ValueError,
             "EmbeddingIndex: hnsw_m must be >= 2 and ef_construction, ef_search >= 1, got ", options_.hnsw_m, ", ",
             options_.ef_construction, ", ", options_.ef_search);
  const EmbeddingTables& t = tables_;
  for (size_t i = 0; i < t.user_ids.size(); ++i) impl_->user_pos.emplace(t.user_ids[i], static_cast<int64_t>(i));
  for (size_t i = 0; i < t.item_ids.size(); ++i) impl_->item_pos.emplace(t.item_ids[i], static_cast<int64_t>(i));
  // Sorted, unique seen lists: the kernels skip them with a cursor that only moves forward.
  impl_->seen_indptr.assign(t.user_ids.size() + 1, 0);
  for (size_t u = 0; u < t.user_ids.size(); ++u) {
    std::vector<int64_t> row;
    if (!t.seen_indptr.empty())
      row.assign(t.seen_items.begin() + t.seen_indptr[u], t.seen_items.begin() + t.seen_indptr[u + 1]);
    std::sort(row.begin(), row.end());
    row.erase(std::unique(row.begin(), row.end()), row.end());
    impl_->seen.insert(impl_->seen.end(), row.begin(), row.end());
    impl_->seen_indptr[u + 1] = static_cast<int64_t>(impl_->seen.size());
  }
  impl_->item_inv_norm.resize(t.item_ids.size());
  for (size_t i = 0; i < t.item_ids.size(); ++i) {
    double n2 = 0;
    for (int64_t d = 0; d < t.dim; ++d) n2 += double(t.item_embeddings[i * t.dim + d]) * t.item_embeddings[i * t.dim + d];
    impl_->item_inv_norm[i] = n2 > 0 ? static_cast<float>(1.0 / std::sqrt(n2)) : 0.0f;
  }
  if (options_.approximate) impl_->hnsw = detail::build_hnsw(t, options_);
  if (options_.exact_path != ExactPath::kCpu) impl_->device = detail::build_device_items(t, options_);
}

EmbeddingIndex::~EmbeddingIndex() = default;

std::shared_ptr<const EmbeddingIndex> EmbeddingIndex::load(const std::string& path, IndexOptions options) {
  return std::make_shared<const EmbeddingIndex>(load_embeddings(path), options);
}

bool EmbeddingIndex::has_hnsw() { return detail::hnsw_compiled(); }

namespace {

struct Query {  // a resolved query
  std::vector<int64_t> users;  // positions
  Candidates c;
};

}  // namespace

// Ids -> positions, filter -> candidates, and k against what each user can get.
static Query resolve(const EmbeddingIndex& index, const EmbeddingIndex::Impl& impl, const char* op,
                     std::span<const int64_t> user_ids, int64_t k, const Filter& f) {
  const EmbeddingTables& t = index.tables();
  Query q;
  LOOM_CHECK(k >= 1, ValueError, op, ": k must be >= 1, got ", k);
  for (int64_t id : user_ids) {
    auto it = impl.user_pos.find(id);
    LOOM_CHECK(it != impl.user_pos.end(), IndexError, op, ": unknown user id ", id, " (the index has ",
               t.num_users(), " users)");
    q.users.push_back(it->second);
  }
  const auto item = [&](int64_t id, const char* list) {
    auto it = impl.item_pos.find(id);
    LOOM_CHECK(it != impl.item_pos.end(), IndexError, op, ": unknown item id ", id, " in the ", list, " list");
    return it->second;
  };
  q.c.catalogue = t.num_items();
  std::vector<int64_t> deny;
  for (int64_t id : f.deny) deny.push_back(item(id, "deny"));
  std::sort(deny.begin(), deny.end());
  deny.erase(std::unique(deny.begin(), deny.end()), deny.end());
  if (f.allow) {
    q.c.all = false;
    for (int64_t id : *f.allow) q.c.positions.push_back(item(id, "allow"));
    std::sort(q.c.positions.begin(), q.c.positions.end());
    q.c.positions.erase(std::unique(q.c.positions.begin(), q.c.positions.end()), q.c.positions.end());
    std::vector<int64_t> kept;
    std::set_difference(q.c.positions.begin(), q.c.positions.end(), deny.begin(), deny.end(), std::back_inserter(kept));
    q.c.positions = std::move(kept);
    q.c.count = static_cast<int64_t>(q.c.positions.size());
  } else {
    q.c.deny = std::move(deny);
    q.c.count = t.num_items() - static_cast<int64_t>(q.c.deny.size());
  }
  for (int64_t u : q.users) {
    int64_t available = q.c.count;
    if (f.exclude_seen)
      for (int64_t e = impl.seen_indptr[u]; e < impl.seen_indptr[u + 1]; ++e) available -= q.c.contains(impl.seen[e]);
    LOOM_CHECK(k <= available, ValueError, op, ": k = ", k, " exceeds the ", available, " candidate items of user ",
               t.user_ids[u], " (", t.num_items(), " items, minus the filter", f.exclude_seen ? " and seen items" : "",
               ")");
  }
  return q;
}

std::vector<std::vector<ScoredItem>> EmbeddingIndex::recommend_exact(std::span<const int64_t> user_ids, int64_t k,
                                                                     const Filter& filter) const {
  const Query q = resolve(*this, *impl_, "recommend", user_ids, k, filter);
  const int64_t rows = static_cast<int64_t>(q.users.size()), dim = tables_.dim;
  std::vector<float> queries(static_cast<size_t>(rows * dim));
  for (int64_t r = 0; r < rows; ++r)
    std::copy_n(tables_.user_embeddings.begin() + q.users[r] * dim, dim, queries.begin() + r * dim);
  const detail::Exclusions skip = [&](int64_t r) -> std::span<const int64_t> {
    if (!filter.exclude_seen) return {};
    const int64_t u = q.users[static_cast<size_t>(r)];
    return {impl_->seen.data() + impl_->seen_indptr[u], static_cast<size_t>(impl_->seen_indptr[u + 1] - impl_->seen_indptr[u])};
  };
  std::vector<std::vector<Hit>> hits;
  if (!impl_->device || !impl_->device->topk(queries.data(), rows, q.c, skip, k, hits))
    hits = detail::topk_cpu(queries.data(), rows, tables_.item_embeddings.data(), dim, q.c, skip, k, nullptr,
                            options_.item_block);
  std::vector<std::vector<ScoredItem>> out;
  out.reserve(hits.size());
  for (const auto& h : hits) out.push_back(to_items(h, tables_));
  return out;
}

std::vector<std::vector<ScoredItem>> EmbeddingIndex::recommend_batch(std::span<const int64_t> user_ids, int64_t k,
                                                                     const Filter& filter) const {
  if (!impl_->hnsw) return recommend_exact(user_ids, k, filter);
  const Query q = resolve(*this, *impl_, "recommend", user_ids, k, filter);
  const int64_t dim = tables_.dim;
  std::vector<std::vector<ScoredItem>> out;
  for (size_t r = 0; r < q.users.size(); ++r) {
    const int64_t u = q.users[r];
    const float* query = tables_.user_embeddings.data() + u * dim;
    const auto seen_begin = impl_->seen.begin() + impl_->seen_indptr[u], seen_end = impl_->seen.begin() + impl_->seen_indptr[u + 1];
    // Over-fetch by what the filter can remove, doubling while the graph's answer is too thin after filtering;
    // past the catalogue size the exact path answers (the graph may not reach every item).
    int64_t want = k + (filter.exclude_seen ? seen_end - seen_begin : 0) + (tables_.num_items() - q.c.count);
    std::vector<Hit> hits;
    for (;;) {
      want = std::min(want, tables_.num_items());
      hits.clear();
      for (int64_t pos : impl_->hnsw->search(query, want)) {
        if (!q.c.contains(pos) || (filter.exclude_seen && std::binary_search(seen_begin, seen_end, pos))) continue;
        // Rescored with the exact path's kernel: an item both paths return has the same score.
        hits.push_back({detail::dot_fixed(query, tables_.item_embeddings.data() + pos * dim, dim), pos});
      }
      if (static_cast<int64_t>(hits.size()) >= k || want >= tables_.num_items()) break;
      want *= 2;
    }
    if (static_cast<int64_t>(hits.size()) < k) {
      const int64_t id = tables_.user_ids[u];
      out.push_back(recommend_exact({&id, 1}, k, filter)[0]);
      continue;
    }
    std::sort(hits.begin(), hits.end(), detail::better);
    hits.resize(static_cast<size_t>(k));
    out.push_back(to_items(hits, tables_));
  }
  return out;
}

std::vector<ScoredItem> EmbeddingIndex::recommend(int64_t user_id, int64_t k, const Filter& filter) const {
  return recommend_batch({&user_id, 1}, k, filter)[0];
}

std::vector<ScoredItem> EmbeddingIndex::similar_items(int64_t item_id, int64_t k, const Filter& filter) const {
  auto it = impl_->item_pos.find(item_id);
  LOOM_CHECK(it != impl_->item_pos.end(), IndexError, "similar_items: unknown item id ", item_id, " (the index has ",
             num_items(), " items)");
  const int64_t self = it->second, dim = tables_.dim;
  Query q = resolve(*this, *impl_, "similar_items", {}, k, filter);
  const int64_t available = q.c.count - q.c.contains(self);
  LOOM_CHECK(k <= available, ValueError, "similar_items: k = ", k, " exceeds the ", available,
             " candidate items (", num_items(), " items, minus the filter and the item itself)");
  // The query is the unit vector; the kernel scales each candidate's dot by 1/|candidate|.
  std::vector<float> query(tables_.item_embeddings.begin() + self * dim, tables_.item_embeddings.begin() + (self + 1) * dim);
  for (float& v : query) v *= impl_->item_inv_norm[static_cast<size_t>(self)];
  const detail::Exclusions skip = [&](int64_t) { return std::span<const int64_t>(&self, 1); };
  auto hits = detail::topk_cpu(query.data(), 1, tables_.item_embeddings.data(), dim, q.c, skip, k,
                               impl_->item_inv_norm.data(), options_.item_block);
  return to_items(hits[0], tables_);
}

double EmbeddingIndex::recall_at_k(int64_t k, int64_t sample_users, uint64_t seed) const {
  LOOM_CHECK(sample_users >= 1 && sample_users <= num_users(), ValueError, "recall_at_k: sample_users must be in [1, ",
             num_users(), "], got ", sample_users);
  std::vector<int64_t> order(static_cast<size_t>(num_users()));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < sample_users; ++i) ids.push_back(tables_.user_ids[static_cast<size_t>(order[i])]);
  const auto exact = recommend_exact(ids, k), approx = recommend_batch(ids, k);
  double sum = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    int64_t hit = 0;
    for (const ScoredItem& a : approx[i])
      hit += std::any_of(exact[i].begin(), exact[i].end(), [&](const ScoredItem& e) { return e.id == a.id; });
    sum += static_cast<double>(hit) / static_cast<double>(k);
  }
  return sum / static_cast<double>(ids.size());
}

}  // namespace loom::serve
