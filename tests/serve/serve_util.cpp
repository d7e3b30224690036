// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The serve suites' helpers (serve_util.h).
#include "serve_util.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <sstream>
#include <unordered_map>

#include "loom/core/checksum.h"

namespace loom::serve::testing {

EmbeddingTables random_tables(const TableSpec& s) {
  std::mt19937_64 rng(s.seed);
  EmbeddingTables t;
  t.dim = s.dim;
  std::uniform_int_distribution<int> small(-3, 3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const auto fill = [&](std::vector<float>& v, int64_t n) {
    v.resize(static_cast<size_t>(n * s.dim));
    for (float& x : v) x = s.integer ? static_cast<float>(small(rng)) : normal(rng);
  };
  fill(t.user_embeddings, s.users);
  fill(t.item_embeddings, s.items);
  const auto ids = [&](int64_t n) {
    std::vector<int64_t> v(static_cast<size_t>(n));
    std::iota(v.begin(), v.end(), s.id_offset);
    std::shuffle(v.begin(), v.end(), rng);
    return v;
  };
  t.user_ids = ids(s.users);
  t.item_ids = ids(s.items);
  t.seen_indptr.push_back(0);
  for (int64_t u = 0; u < s.users; ++u) {
    const int64_t n = u == 0 ? 0 : std::uniform_int_distribution<int64_t>(0, s.max_seen)(rng);
    for (int64_t e = 0; e < n; ++e)  // duplicates allowed: the format does not forbid them
      t.seen_items.push_back(std::uniform_int_distribution<int64_t>(0, s.items - 1)(rng));
    t.seen_indptr.push_back(static_cast<int64_t>(t.seen_items.size()));
  }
  t.source_json = R"({"test":"random_tables","seed":)" + std::to_string(s.seed) + "}";
  return t;
}

namespace {

std::vector<ScoredItem> rank(const EmbeddingTables& t, const std::vector<double>& score,
                             const std::vector<bool>& ok, int64_t k) {
  std::vector<int64_t> order;
  for (size_t i = 0; i < ok.size(); ++i)
    if (ok[i]) order.push_back(static_cast<int64_t>(i));
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return score[a] > score[b]; });
  std::vector<ScoredItem> out;
  for (int64_t i = 0; i < k && i < static_cast<int64_t>(order.size()); ++i)
    out.push_back({t.item_ids[order[i]], static_cast<float>(score[order[i]])});
  return out;
}

std::vector<bool> allowed(const EmbeddingTables& t, const Filter& f) {
  std::unordered_map<int64_t, size_t> pos;
  for (size_t i = 0; i < t.item_ids.size(); ++i) pos[t.item_ids[i]] = i;
  std::vector<bool> ok(t.item_ids.size(), !f.allow.has_value());
  if (f.allow)
    for (int64_t id : *f.allow) ok[pos.at(id)] = true;
  for (int64_t id : f.deny) ok[pos.at(id)] = false;
  return ok;
}

}  // namespace

std::vector<ScoredItem> naive_recommend(const EmbeddingTables& t, int64_t user_id, int64_t k, const Filter& f) {
  const size_t u = std::find(t.user_ids.begin(), t.user_ids.end(), user_id) - t.user_ids.begin();
  std::vector<bool> ok = allowed(t, f);
  if (f.exclude_seen && !t.seen_indptr.empty())
    for (int64_t e = t.seen_indptr[u]; e < t.seen_indptr[u + 1]; ++e) ok[t.seen_items[e]] = false;
  std::vector<double> score(t.item_ids.size());
  for (size_t i = 0; i < score.size(); ++i)
    for (int64_t d = 0; d < t.dim; ++d)
      score[i] += double(t.user_embeddings[u * t.dim + d]) * t.item_embeddings[i * t.dim + d];
  return rank(t, score, ok, k);
}

std::vector<ScoredItem> naive_similar(const EmbeddingTables& t, int64_t item_id, int64_t k, const Filter& f) {
  const size_t q = std::find(t.item_ids.begin(), t.item_ids.end(), item_id) - t.item_ids.begin();
  std::vector<bool> ok = allowed(t, f);
  ok[q] = false;
  const auto norm = [&](size_t i) {
    double s = 0;
    for (int64_t d = 0; d < t.dim; ++d) s += double(t.item_embeddings[i * t.dim + d]) * t.item_embeddings[i * t.dim + d];
    return std::sqrt(s);
  };
  std::vector<double> score(t.item_ids.size());
  for (size_t i = 0; i < score.size(); ++i) {
    double dot = 0;
    for (int64_t d = 0; d < t.dim; ++d) dot += double(t.item_embeddings[q * t.dim + d]) * t.item_embeddings[i * t.dim + d];
    const double n = norm(q) * norm(i);
    score[i] = n > 0 ? dot / n : 0;
  }
  return rank(t, score, ok, k);
}

std::vector<RawTensor> raw_tensors(const EmbeddingTables& t) {
  const auto bytes = [](const auto& v) {
    return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(v[0]));
  };
  const auto u = static_cast<uint64_t>(t.user_ids.size()), i = static_cast<uint64_t>(t.item_ids.size()),
             d = static_cast<uint64_t>(t.dim);
  return {{"user_ids", "I64", {u}, bytes(t.user_ids)},
          {"item_ids", "I64", {i}, bytes(t.item_ids)},
          {"seen_indptr", "I64", {t.seen_indptr.size()}, bytes(t.seen_indptr)},
          {"seen_items", "I64", {t.seen_items.size()}, bytes(t.seen_items)},
          {"user_embeddings", "F32", {u, d}, bytes(t.user_embeddings)},
          {"item_embeddings", "F32", {i, d}, bytes(t.item_embeddings)}};
}

void write_raw(const std::string& path, const std::vector<RawTensor>& tensors, const std::string& checksum) {
  using Json = nlohmann::ordered_json;
  std::string data;
  Json header = Json::object();
  uint64_t users = 0, items = 0, dim = 0;
  for (const RawTensor& x : tensors) {
    const uint64_t begin = data.size();
    data += x.bytes;
    header[x.name] = {{"dtype", x.dtype}, {"shape", x.shape}, {"data_offsets", {begin, data.size()}}};
    if (x.name == "user_ids") users = x.shape.at(0);
    if (x.name == "item_ids") items = x.shape.at(0);
    if (x.name == "item_embeddings" && x.shape.size() == 2) dim = x.shape[1];
  }
  const Json card = {{"format_version", 1}, {"dim", dim}, {"users", users}, {"items", items}, {"score", "dot"},
                     {"checksum", checksum.empty() ? fnv1a64_card(data.data(), data.size()) : checksum},
                     {"source", Json::object()}};
  Json full = {{"__metadata__", {{"loom.embeddings", card.dump()}}}};
  for (auto& [k, v] : header.items()) full[k] = v;
  std::string text = full.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  for (int b = 0; b < 8; ++b) out[b] = static_cast<char>(static_cast<uint64_t>(text.size()) >> (8 * b));
  write_bytes(path, out + text + data);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace loom::serve::testing
