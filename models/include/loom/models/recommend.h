// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Recommendation from implicit feedback on the one trainer: embedding models of users and items (LightGCN; matrix
// factorisation is LightGCN with no propagation layer), BPR over minibatches of training interactions, a
// popularity baseline, and full-ranking evaluation (Recall@K, NDCG@K over all items with each user's training items
// excluded), computed over blocks of users so that no users x items matrix is ever held.
// Method notes: ../shared/papers/lightgcn.md. Score: e_u . e_i.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loom/core/nn.h"
#include "loom/core/tensor.h"
#include "loom/data/interactions.h"
#include "loom/graph/graph.h"
#include "loom/models/task.h"

namespace loom::models {

// The user-item graph on users + items nodes (user u is node u, item i is node users + i), every training
// interaction as an edge in both directions, no self loops; repeats of a pair count once.
graph::Graph interaction_graph(const data::UserItems& train, int64_t users, int64_t items);

// A model that scores (user, item) pairs by e_u . e_i from learned embeddings, trained by RecommendationTask.
// It owns the structures it propagates over (cheap handles), so that embed() needs no argument; they follow the
// parameters to their device on first use after to(device).
class Recommender : public nn::Module {
 public:
  using nn::Module::Module;
  virtual int64_t users() const = 0;
  virtual int64_t items() const = 0;
  // Final embeddings: users [U, D] and items [I, D] (differentiable in training mode).
  virtual std::pair<Tensor, Tensor> embed() = 0;
  // The training loss of a batch of triples (int64 [b] each on the model's device; item ids 0-based): BPR plus
  // whatever the model adds (its regularisers, contrastive terms).
  virtual Tensor loss(const Tensor& users, const Tensor& pos, const Tensor& neg, double reg) = 0;
};

// LightGCN (He et al. 2020): E = 1/(K+1) sum_k A^k E0 with A = D^-1/2 [[0, R], [R^T, 0]] D^-1/2 over `graph`
// (interaction_graph of the training interactions), where E0 [users + items, dim] is the only parameter (normal,
// std 0.1, as the authors' code). layers = 0 is matrix factorisation (E = E0).
class LightGCN : public Recommender {
 public:
  LightGCN(graph::Graph graph, int64_t users, int64_t items, int64_t dim, int layers);
  // Final embeddings [users + items, dim].
  Tensor forward();
  std::pair<Tensor, Tensor> embed() override;
  // bpr_loss with the L2 term on E0's rows (LightGCN's regulariser).
  Tensor loss(const Tensor& users, const Tensor& pos, const Tensor& neg, double reg) override;
  int64_t users() const override { return users_; }
  int64_t items() const override { return items_; }
  int layers() const { return layers_; }
  Tensor embedding;  // E0

 private:
  graph::Graph graph_;
  int64_t users_, items_;
  int layers_;
};

// What a recommender is built from: the training interactions, the id spaces, the embedding width, its layer
// count, and the items' features when the data set has them (undefined otherwise).
struct RecommenderInputs {
  const data::UserItems& train;
  int64_t users = 0, items = 0, dim = 64;
  int layers = 0;
  Tensor item_features;
};

// The recommenders `loom train --task recommend` knows, with their papers' settings. They learn from interactions
// (no node features), so they are not in the node models' registry (loom/models/registry.h).
struct RecommenderSpec {
  std::string name, summary;
  int layers = 0;        // propagation layers (0: matrix factorisation)
  bool trained = true;   // false: a fixed ranking (popularity)
  int epochs = 200;
  double lr = 1e-3;
  int64_t dim = 64;
  double reg = 1e-4;     // BPR's L2 weight
  // Builds the model on the CPU; nullptr for a model that is not trained.
  std::shared_ptr<Recommender> (*make)(const RecommenderInputs& inputs) = nullptr;
};
const std::vector<RecommenderSpec>& recommender_registry();
// nullptr when `name` is not a recommender.
const RecommenderSpec* find_recommender(std::string_view name);

// Full-ranking metrics of scores e_u . e_i: for every user with test items, the top max(ks) items among all items
// but the user's `exclude` items (ties to the lower item id), then recall@K = hits / |test items| and ndcg@K =
// DCG / IDCG with IDCG over min(|test items|, K) ideal hits, averaged over those users. Embeddings are
// [users, D] and [items, D] on any device (scored on the CPU, `block` users at a time, in parallel).
// Returns "recall@K" and "ndcg@K" for each K, and "users" (how many users were ranked).
Metrics ranking_metrics(const Tensor& user_emb, const Tensor& item_emb, const data::UserItems& exclude,
                        const data::UserItems& test, const std::vector<int64_t>& ks, int64_t block = 512);

// The popularity baseline as embeddings of width 1: every user 1, every item its number of training users, so
// that e_u . e_i ranks items by popularity.
std::pair<Tensor, Tensor> popularity_embeddings(const data::UserItems& train, int64_t items);

// One epoch of BPR triples: every interaction of `train` once, in an order shuffled with `seed`, each with a negative
// item drawn uniformly from the items its user has not interacted with. Counter-based draws: the result depends on
// the seed alone, not on the number of threads. ValueError for a user who interacted with all `items` items.
struct BprTriples {
  std::vector<int64_t> user, pos, neg;
};
BprTriples draw_bpr_triples(const data::UserItems& train, int64_t items, uint64_t seed);

// BPR's loss: mean softplus(-(u_b . i_b - u_b . j_b)) over a batch, from the final embeddings users_emb [U, D] and
// items_emb [I, D] and the batch's ids (int64 [b] each, on their device).
Tensor bpr_loss(const Tensor& users_emb, const Tensor& items_emb, const Tensor& users, const Tensor& pos,
                const Tensor& neg);
// reg * (|a_u|^2 + |b_i|^2 + |b_j|^2) / 2 / b over a batch's rows of user table a and item table b.
Tensor batch_l2(const Tensor& a, const Tensor& b, const Tensor& users, const Tensor& pos, const Tensor& neg, double reg);

struct BprOptions {
  int64_t batch = 2048;
  double reg = 1e-4;  // L2 on the batch's E0 rows: reg * (|e_u|^2 + |e_i|^2 + |e_j|^2) / 2 / batch
};

// BPR (Rendle et al. 2009) for a Recommender: each epoch, every training interaction (u, i) once, in an order shuffled
// with a seed from the global generator, with one negative item j drawn uniformly from the items u has not
// interacted with; loss = mean softplus(-(s_ui - s_uj)) + the L2 term. One optimizer step per minibatch.
// test() reports ranking_metrics on `test` at K = 10 and 20 (training items excluded); evaluate() reports nothing
// (the protocol has no validation part: the last epoch's weights are kept).
class RecommendationTask : public Task {
 public:
  RecommendationTask(Recommender& model, data::UserItems train, data::UserItems test, BprOptions options);
  std::string name() const override { return "recommend"; }
  Tensor training_loss(nn::Module& model) override;
  Metrics evaluate(nn::Module&) override { return {}; }
  Metrics test(nn::Module& model) override;
  std::string default_monitor() const override { return ""; }
  int steps_per_epoch() const override;
 private:
  Recommender& model_;
  data::UserItems train_, test_;
  BprOptions options_;
  // This epoch's triples on the model's device, uploaded once per epoch.
  Tensor epoch_user_, epoch_pos_, epoch_neg_;
  int64_t cursor_ = 0;
};

}  // namespace loom::models
