// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MMHCL (Guo et al., TOMM 2025): a LightGCN collaborative-filtering branch plus a user-user hypergraph (each item a
// hyperedge over the users who chose it) and an item-item hypergraph (each item's k nearest items by feature
// similarity and by co-interaction), propagated without weights, added to the CF embeddings after row
// normalisation, and aligned with them by an InfoNCE loss over all users and all items ("synergistic" contrastive
// learning). Method notes: ../shared/papers/mmhcl.md (the procedure of the authors' released code).
#pragma once
#include <cstdint>

#include "loom/data/interactions.h"
#include "loom/hypergraph/hypergraph.h"
#include "loom/models/recommend.h"

namespace loom::models {

struct MmhclOptions {
  int ui_layers = 2, user_layers = 2, item_layers = 2;  // L_ui, L_u, L_i
  double tau = 0.4;                                     // InfoNCE temperature
  double lambda_user = 0.1, lambda_item = 0.7;          // weights of the two contrastive terms
  int64_t knn = 10;                                     // item_hypergraph's k
};

// Users as vertices, items as hyperedges (item i = the users who interacted with it): G_u = H H^T.
hypergraph::Hypergraph user_hypergraph(const data::UserItems& train, int64_t items);
// Items as vertices, one hyperedge per item and part: {i and its k nearest items by cosine similarity of
// `features` [I, F]} when features are given, and {i and the k items most often chosen by i's users} (ties to the
// lower id; fewer when i has fewer co-chosen items), merged (HGNN+'s groups). ValueError for k < 1.
hypergraph::Hypergraph item_hypergraph(const data::UserItems& train, int64_t items, const Tensor& features, int64_t k);

// G_u X = D^-1 (H H^T - diag(H H^T)) X: co-interaction counts without the diagonal, row-normalised (0 for a user who
// shares no item with anyone). G_i X = D^-1/2 H H^T D^-1/2 X with D = the row sums of H H^T.
Tensor user_propagate(const hypergraph::Hypergraph& users, const Tensor& x);
Tensor item_propagate(const hypergraph::Hypergraph& items, const Tensor& x);

// InfoNCE with intra-view negatives, MMHCL's form: for every row k of a and b ([n, D] each), with cosine
// similarities s(.,.) / tau, -log(e^{s(a_k,b_k)} / (sum_j e^{s(a_k,a_j)} - e^{1/tau} + sum_j e^{s(a_k,b_j)})),
// averaged over k, computed `chunk` rows at a time (memory chunk x n).
Tensor info_nce(const Tensor& a, const Tensor& b, double tau, int64_t chunk = 4096);

// Final embeddings: u = e_u + normalise(G_u^{L_u} E_uu), i = e_i + normalise(G_i^{L_i} E_ii), with e the LightGCN
// embeddings over the user-item graph. Four tables (Xavier init). The loss: BPR on the final embeddings, L2 (reg) on
// the batch's final rows, and lambda_item InfoNCE(items, Z_i) + lambda_user InfoNCE(users, Z_u).
class MMHCL : public Recommender {
 public:
  MMHCL(graph::Graph ui, hypergraph::Hypergraph users_h, hypergraph::Hypergraph items_h, int64_t users,
        int64_t items, int64_t dim, MmhclOptions options = {});
  std::pair<Tensor, Tensor> embed() override;
  Tensor loss(const Tensor& users, const Tensor& pos, const Tensor& neg, double reg) override;
  int64_t users() const override { return users_; }
  int64_t items() const override { return items_; }
  Tensor ui_embedding, user_embedding, item_embedding;  // E^{ui} [U + I, D], E^{uu} [U, D], E^{ii} [I, D]

 private:
  struct Views {
    Tensor users, items, z_users, z_items;
  };
  Views views();

  graph::Graph ui_;
  hypergraph::Hypergraph users_h_, items_h_;
  int64_t users_, items_;
  MmhclOptions options_;
};

}  // namespace loom::models
