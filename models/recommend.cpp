// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// LightGCN / matrix factorisation with BPR, the popularity baseline and blockwise full-ranking metrics.
#include "loom/models/recommend.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tbb/parallel_for.h>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/models/mmhcl.h"

namespace loom::models {

graph::Graph interaction_graph(const data::UserItems& train, int64_t users, int64_t items) {
  LOOM_CHECK(static_cast<int64_t>(train.indptr.size()) == users + 1, ShapeError, "interaction_graph: ",
             train.indptr.size() - 1, " users in the interactions, ", users, " expected");
  const int64_t nnz = static_cast<int64_t>(train.items.size());
  std::vector<int64_t> ei(4 * nnz);
  int64_t k = 0;
  for (int64_t u = 0; u < users; ++u) {
    for (int64_t p = train.indptr[u]; p < train.indptr[u + 1]; ++p) {
      const int64_t item = train.items[p];
      LOOM_CHECK(item >= 0 && item < items, IndexError, "interaction_graph: item ", item, " of user ", u,
                 " is outside [0, ", items, ")");
      ei[k] = u, ei[2 * nnz + k] = users + item, ++k;             // user -> item
      ei[k] = users + item, ei[2 * nnz + k] = u, ++k;             // item -> user
    }
  }
  return graph::Graph::from_edge_index(from_vector(ei, {2, 2 * nnz}), users + items);
}

namespace {
std::shared_ptr<Recommender> make_lightgcn(const RecommenderInputs& in) {
  return std::make_shared<LightGCN>(interaction_graph(in.train, in.users, in.items), in.users, in.items, in.dim,
                                    in.layers);
}
std::shared_ptr<Recommender> make_mmhcl(const RecommenderInputs& in) {
  MmhclOptions o;
  o.ui_layers = in.layers;
  return std::make_shared<MMHCL>(interaction_graph(in.train, in.users, in.items), user_hypergraph(in.train, in.items),
                                 item_hypergraph(in.train, in.items, in.item_features, o.knn), in.users, in.items,
                                 in.dim, o);
}
}  // namespace

const std::vector<RecommenderSpec>& recommender_registry() {
  static const std::vector<RecommenderSpec> table = {
      {"lightgcn", "LightGCN: propagation without weights or nonlinearity, layer mean, BPR (He et al. 2020)", 3,
       true, 200, 1e-3, 64, 1e-4, make_lightgcn},
      {"mf", "matrix factorisation with BPR (Rendle et al. 2009): LightGCN with no propagation layer", 0, true, 200,
       1e-3, 64, 1e-4, make_lightgcn},
      // MMHCL's structure and loss weights are its Clothing log's (k 10, L_u = L_i = 2, lambda_u 0.1, lambda_i 0.7,
      // tau 0.4, L2 1e-3 on the final rows); training follows the LightGCN protocol here so the two compare.
      {"mmhcl", "MMHCL: LightGCN + user-user and item-item hypergraphs, InfoNCE between views (Guo et al. 2025)", 2,
       true, 200, 1e-3, 64, 1e-3, make_mmhcl},
      {"popularity", "popularity baseline: every user gets the most interacted items (nothing is trained)", 0,
       false},
  };
  return table;
}

const RecommenderSpec* find_recommender(std::string_view name) {
  for (const auto& r : recommender_registry())
    if (r.name == name) return &r;
  return nullptr;
}

LightGCN::LightGCN(graph::Graph graph, int64_t users, int64_t items, int64_t dim, int layers)
    : Recommender("LightGCN"), graph_(std::move(graph)), users_(users), items_(items), layers_(layers) {
  LOOM_CHECK(users > 0 && items > 0 && dim > 0 && layers >= 0, ValueError,
             "LightGCN: users, items and dim must be positive and layers non-negative, got ", users, ", ", items, ", ",
             dim, ", ", layers);
  LOOM_CHECK(graph_.num_nodes() == users + items, ShapeError, "LightGCN: the graph has ", graph_.num_nodes(),
             " nodes, the model ", users, " users + ", items, " items");
  embedding = register_parameter("embedding", empty({users + items, dim}));
  nn::init::normal_(embedding, 0.0, 0.1);
}

Tensor LightGCN::forward() {
  if (layers_ == 0) return embedding;
  if (graph_.device() != embedding.device()) graph_ = graph_.to(embedding.device());
  const Tensor coef = graph_.norm(graph::Norm::kSym, embedding.dtype());
  Tensor layer = embedding, total = embedding;
  for (int k = 0; k < layers_; ++k) {
    layer = mp::propagate(graph_.csr(), {mp::u_mul_e, mp::sum, mp::Update{}}, layer, coef);
    total = add(total, layer);
  }
  return mul_scalar(total, 1.0 / (layers_ + 1));
}

std::pair<Tensor, Tensor> LightGCN::embed() {
  const Tensor e = forward();
  return {e.narrow_rows(0, users_), e.narrow_rows(users_, users_ + items_)};
}

Tensor LightGCN::loss(const Tensor& users, const Tensor& pos, const Tensor& neg, double reg) {
  const auto [eu, ei] = embed();
  const Tensor bpr = bpr_loss(eu, ei, users, pos, neg);
  if (reg <= 0) return bpr;
  // LightGCN regularises the ego embeddings E0, not the propagated ones.
  return add(bpr, batch_l2(embedding.narrow_rows(0, users_), embedding.narrow_rows(users_, users_ + items_), users,
                           pos, neg, reg));
}

Metrics ranking_metrics(const Tensor& user_emb, const Tensor& item_emb, const data::UserItems& exclude,
                        const data::UserItems& test, const std::vector<int64_t>& ks, int64_t block) {
  LOOM_CHECK(user_emb.dim() == 2 && item_emb.dim() == 2 && user_emb.size(1) == item_emb.size(1), ShapeError,
             "ranking_metrics: embeddings must be [users, D] and [items, D], got ", user_emb.shape_str(), " and ",
             item_emb.shape_str());
  const int64_t users = user_emb.size(0), items = item_emb.size(0);
  LOOM_CHECK(static_cast<int64_t>(exclude.indptr.size()) == users + 1 &&
                 static_cast<int64_t>(test.indptr.size()) == users + 1,
             ShapeError, "ranking_metrics: the excluded and test interactions must cover ", users, " users");
  LOOM_CHECK(!ks.empty() && block > 0, ValueError, "ranking_metrics: no K given, or block ", block, " <= 0");
  const int64_t kmax = *std::max_element(ks.begin(), ks.end());
  for (int64_t k : ks) LOOM_CHECK(k > 0, ValueError, "ranking_metrics: K must be positive, got ", k);
  const Tensor u_cpu = user_emb.to(kCPU).to(kFloat32), i_t = transpose(item_emb.to(kCPU).to(kFloat32), 0, 1);

  std::vector<int64_t> ranked;  // users with test items
  for (int64_t u = 0; u < users; ++u)
    if (test.count(u) > 0) ranked.push_back(u);
  const size_t nk = ks.size();
  std::vector<double> recall(ranked.size() * nk), ndcg(ranked.size() * nk);
  std::vector<double> discount(kmax + 1);
  for (int64_t r = 0; r <= kmax; ++r) discount[r] = 1.0 / std::log2(static_cast<double>(r) + 2.0);

  for (size_t b0 = 0; b0 < ranked.size(); b0 += static_cast<size_t>(block)) {
    const size_t b1 = std::min(ranked.size(), b0 + static_cast<size_t>(block));
    const std::vector<int64_t> rows(ranked.begin() + b0, ranked.begin() + b1);
    const Tensor scores = matmul(index_select(u_cpu, from_vector(rows, {static_cast<int64_t>(rows.size())})), i_t);
    const float* s = scores.data<float>();
    tbb::parallel_for(size_t{0}, rows.size(), [&](size_t r) {
      const int64_t u = rows[r];
      const float* row = s + r * items;
      std::vector<int64_t> cand;
      cand.reserve(items);
      for (int64_t i = 0; i < items; ++i)
        if (!exclude.contains(u, i)) cand.push_back(i);
      const int64_t top = std::min<int64_t>(kmax, static_cast<int64_t>(cand.size()));
      auto better = [&](int64_t a, int64_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); };
      std::partial_sort(cand.begin(), cand.begin() + top, cand.end(), better);
      const int64_t truth = test.count(u);
      for (size_t q = 0; q < nk; ++q) {
        const int64_t k = ks[q];
        double hits = 0, dcg = 0, idcg = 0;
        for (int64_t p = 0; p < std::min(k, top); ++p)
          if (test.contains(u, cand[p])) hits += 1, dcg += discount[p];
        for (int64_t p = 0; p < std::min(k, truth); ++p) idcg += discount[p];
        recall[(b0 + r) * nk + q] = hits / static_cast<double>(truth);
        ndcg[(b0 + r) * nk + q] = dcg / idcg;
      }
    });
  }
  Metrics m;
  for (size_t q = 0; q < nk; ++q) {
    double rs = 0, ns = 0;
    for (size_t r = 0; r < ranked.size(); ++r) rs += recall[r * nk + q], ns += ndcg[r * nk + q];
    const double n = ranked.empty() ? 1.0 : static_cast<double>(ranked.size());
    m["recall@" + std::to_string(ks[q])] = rs / n;
    m["ndcg@" + std::to_string(ks[q])] = ns / n;
  }
  m["users"] = static_cast<double>(ranked.size());
  return m;
}

std::pair<Tensor, Tensor> popularity_embeddings(const data::UserItems& train, int64_t items) {
  const int64_t users = static_cast<int64_t>(train.indptr.size()) - 1;
  std::vector<float> count(items, 0.0f);
  for (int64_t item : train.items) {
    LOOM_CHECK(item >= 0 && item < items, IndexError, "popularity_embeddings: item ", item, " is outside [0, ",
               items, ")");
    count[item] += 1.0f;
  }
  return {full({users, 1}, 1.0), from_vector(count, {items, 1})};
}

BprTriples draw_bpr_triples(const data::UserItems& train, int64_t items, uint64_t seed) {
  const int64_t users = static_cast<int64_t>(train.indptr.size()) - 1;
  const int64_t n = static_cast<int64_t>(train.items.size());
  for (int64_t u = 0; u < users; ++u)
    LOOM_CHECK(train.count(u) < items, ValueError, "draw_bpr_triples: user ", u, " interacted with all ", items,
               " items, so BPR has no negative item to draw");
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[i], order[static_cast<int64_t>(random_bits(seed, static_cast<uint64_t>(i)) %
                                                   static_cast<uint64_t>(i + 1))]);
  // The user of each CSR position.
  std::vector<int64_t> owner(n);
  for (int64_t u = 0; u < users; ++u)
    std::fill(owner.begin() + train.indptr[u], owner.begin() + train.indptr[u + 1], u);
  BprTriples t;
  t.user.resize(n);
  t.pos.resize(n);
  t.neg.resize(n);
  const uint64_t neg_seed = random_bits(seed, ~uint64_t{0});
  tbb::parallel_for(int64_t{0}, n, [&](int64_t i) {
    const int64_t u = owner[order[i]];
    t.user[i] = u;
    t.pos[i] = train.items[order[i]];
    // Rejection sampling: the expected number of draws is items / (items - count(u)).
    for (uint64_t attempt = 0;; ++attempt) {
      const int64_t j = static_cast<int64_t>(random_bits(neg_seed, (static_cast<uint64_t>(i) << 20) + attempt) %
                                             static_cast<uint64_t>(items));
      if (!train.contains(u, j)) {
        t.neg[i] = j;
        break;
      }
    }
  });
  return t;
}

RecommendationTask::RecommendationTask(Recommender& model, data::UserItems train, data::UserItems test,
                                       BprOptions options)
    : model_(model), train_(std::move(train)), test_(std::move(test)), options_(options) {
  LOOM_CHECK(options_.batch > 0 && options_.reg >= 0, ValueError,
             "RecommendationTask: batch must be positive and reg non-negative, got ", options_.batch, " and ",
             options_.reg);
  const int64_t users = model_.users();
  LOOM_CHECK(static_cast<int64_t>(train_.indptr.size()) == users + 1 &&
                 static_cast<int64_t>(test_.indptr.size()) == users + 1,
             ShapeError, "RecommendationTask: the interactions must cover the model's ", users, " users");
  LOOM_CHECK(!train_.items.empty(), ValueError, "RecommendationTask: there are no training interactions");
  for (int64_t u = 0; u < users; ++u)
    LOOM_CHECK(train_.count(u) < model_.items(), ValueError, "RecommendationTask: user ", u, " interacted with all ",
               model_.items(), " items, so BPR has no negative item to draw");
}

int RecommendationTask::steps_per_epoch() const {
  const int64_t n = static_cast<int64_t>(train_.items.size());
  return static_cast<int>((n + options_.batch - 1) / options_.batch);
}

Tensor bpr_loss(const Tensor& users_emb, const Tensor& items_emb, const Tensor& users, const Tensor& pos,
                const Tensor& neg) {
  LOOM_CHECK(users.dim() == 1 && users.numel() > 0 && pos.shape() == users.shape() && neg.shape() == users.shape(),
             ShapeError, "bpr_loss: users, pos and neg must be equal non-empty [b], got ", users.shape_str(), ", ",
             pos.shape_str(), " and ", neg.shape_str());
  const Tensor diff =
      sum(mul(index_select(users_emb, users), sub(index_select(items_emb, pos), index_select(items_emb, neg))), 1);
  // -log sigmoid(x) is binary cross-entropy against 1.
  return binary_cross_entropy_with_logits(diff, full({users.numel()}, 1.0, diff.dtype(), diff.device()));
}

Tensor batch_l2(const Tensor& a, const Tensor& b, const Tensor& users, const Tensor& pos, const Tensor& neg,
                double reg) {
  auto sq = [](const Tensor& table, const Tensor& ids) {
    const Tensor rows = index_select(table, ids);
    return sum(mul(rows, rows));
  };
  return mul_scalar(add(add(sq(a, users), sq(b, pos)), sq(b, neg)), reg / 2.0 / static_cast<double>(users.numel()));
}

Tensor RecommendationTask::training_loss(nn::Module&) {
  if (cursor_ == 0) {
    // One seed per epoch from the global generator (checkpointed with the run): a resumed run draws the same
    // triples. They go to the device once per epoch; each step takes a view of its slice.
    const BprTriples t = draw_bpr_triples(train_, model_.items(), random_bits(current_seed(), random_offset(1)));
    const Device dev = model_.parameters().front().device();
    const int64_t n = static_cast<int64_t>(t.user.size());
    epoch_user_ = from_vector(t.user, {n}).to(dev);
    epoch_pos_ = from_vector(t.pos, {n}).to(dev);
    epoch_neg_ = from_vector(t.neg, {n}).to(dev);
  }
  const int64_t n = epoch_user_.numel();
  const int64_t begin = cursor_, end = std::min(n, cursor_ + options_.batch);
  cursor_ = end == n ? 0 : end;
  return model_.loss(epoch_user_.narrow_rows(begin, end), epoch_pos_.narrow_rows(begin, end),
                     epoch_neg_.narrow_rows(begin, end), options_.reg);
}

Metrics RecommendationTask::test(nn::Module&) {
  NoGradGuard no_grad;
  const auto [users, items] = model_.embed();
  return ranking_metrics(users, items, train_, test_, {10, 20});
}

}  // namespace loom::models
