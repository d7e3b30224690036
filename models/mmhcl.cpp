// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MMHCL: the user-user and item-item hypergraphs, their propagations, the chunked InfoNCE and the model.
#include "loom/models/mmhcl.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tbb/parallel_for.h>

#include "loom/core/error.h"
#include "loom/core/nn.h"
#include "loom/core/ops.h"

namespace loom::models {

hypergraph::Hypergraph user_hypergraph(const data::UserItems& train, int64_t items) {
  const int64_t users = static_cast<int64_t>(train.indptr.size()) - 1, nnz = static_cast<int64_t>(train.items.size());
  std::vector<int64_t> inc(2 * nnz);
  for (int64_t u = 0; u < users; ++u)
    for (int64_t p = train.indptr[u]; p < train.indptr[u + 1]; ++p) inc[p] = u, inc[nnz + p] = train.items[p];
  // Items nobody chose are empty hyperedges: dropped, they carry nothing between users.
  return hypergraph::Hypergraph::from_incidence(from_vector(inc, {2, nnz}), users, items);
}

namespace {

// For each item: itself and the k items most often chosen by the same users (ties to the lower id).
std::vector<std::vector<int64_t>> cointeraction_neighbours(const data::UserItems& train, int64_t items, int64_t k) {
  const int64_t users = static_cast<int64_t>(train.indptr.size()) - 1;
  // Item -> users (the transpose of the training CSR).
  std::vector<int64_t> ptr(items + 1, 0), who(train.items.size());
  for (int64_t i : train.items) ++ptr[i + 1];
  std::partial_sum(ptr.begin(), ptr.end(), ptr.begin());
  std::vector<int64_t> fill(ptr.begin(), ptr.end() - 1);
  for (int64_t u = 0; u < users; ++u)
    for (int64_t p = train.indptr[u]; p < train.indptr[u + 1]; ++p) who[fill[train.items[p]]++] = u;
  std::vector<std::vector<int64_t>> out(items);
  tbb::parallel_for(int64_t{0}, items, [&](int64_t i) {
    // Counts in a hash-free way: a sorted list of every co-chosen item, then runs (cost: sum of the users' degrees).
    std::vector<int64_t> seen;
    for (int64_t p = ptr[i]; p < ptr[i + 1]; ++p) {
      const int64_t u = who[p];
      for (int64_t q = train.indptr[u]; q < train.indptr[u + 1]; ++q)
        if (train.items[q] != i) seen.push_back(train.items[q]);
    }
    std::sort(seen.begin(), seen.end());
    std::vector<std::pair<int64_t, int64_t>> counted;  // (-count, item): sorts by count desc, then id asc
    for (size_t a = 0; a < seen.size();) {
      size_t b = a;
      while (b < seen.size() && seen[b] == seen[a]) ++b;
      counted.push_back({-static_cast<int64_t>(b - a), seen[a]});
      a = b;
    }
    const size_t top = std::min<size_t>(static_cast<size_t>(k), counted.size());
    std::partial_sort(counted.begin(), counted.begin() + top, counted.end());
    out[i].push_back(i);
    for (size_t r = 0; r < top; ++r) out[i].push_back(counted[r].second);
  });
  return out;
}

// Rows scaled to unit length (a zero row stays zero): cosine similarity as a dot product.
Tensor normalize_rows(const Tensor& x) {
  return div(x, sqrt(add_scalar(sum(mul(x, x), 1, true), 1e-24)));
}

}  // namespace

hypergraph::Hypergraph item_hypergraph(const data::UserItems& train, int64_t items, const Tensor& features,
                                       int64_t k) {
  LOOM_CHECK(k >= 1, ValueError, "item_hypergraph: k must be at least 1, got ", k);
  std::vector<hypergraph::Hypergraph> parts;
  if (features.defined()) {
    LOOM_CHECK(features.dim() == 2 && features.size(0) == items, ShapeError, "item_hypergraph: features must be [",
               items, ", F], got ", features.shape_str());
    LOOM_CHECK(k < items, ValueError, "item_hypergraph: k = ", k, " needs more than ", items, " items");
    // On unit rows the Euclidean order is the cosine order: from_knn's nearest are the most similar.
    parts.push_back(hypergraph::Hypergraph::from_knn(normalize_rows(features.to(kFloat32)), k));
  }
  parts.push_back(hypergraph::Hypergraph::from_vertex_lists(cointeraction_neighbours(train, items, k), items));
  return parts.size() == 1 ? parts.front() : hypergraph::Hypergraph::merge(parts);
}

Tensor user_propagate(const hypergraph::Hypergraph& h, const Tensor& x) {
  const Tensor y = hypergraph::e2v(h, hypergraph::v2e(h, x, mp::sum), mp::sum);
  // diag(H H^T) = each user's hyperedge count c; row sums of H H^T = sum of the sizes of its hyperedges.
  const Tensor c = h.vertex_degrees().to(x.device()).to(x.dtype()).reshape({-1, 1});
  const Tensor sizes = h.hyperedge_sizes().to(x.device()).to(x.dtype()).reshape({-1, 1});
  const Tensor s = sub(hypergraph::e2v(h, sizes, mp::sum), c);
  // 1/s where s > 0 and 0 where s = 0 (s is a whole number, so s^2 + 1e-30 is s^2 exactly when s >= 1).
  const Tensor inv = div(s, add_scalar(mul(s, s), 1e-30));
  return mul(sub(y, mul(x, c)), inv);
}

Tensor item_propagate(const hypergraph::Hypergraph& h, const Tensor& x) {
  const Tensor sizes = h.hyperedge_sizes().to(x.device()).to(x.dtype()).reshape({-1, 1});
  // Every item is in its own hyperedge (itself and its neighbours), so the row sums are at least 1.
  const Tensor d = pow(hypergraph::e2v(h, sizes, mp::sum), -0.5);
  return mul(hypergraph::e2v(h, hypergraph::v2e(h, mul(x, d), mp::sum), mp::sum), d);
}

Tensor info_nce(const Tensor& a, const Tensor& b, double tau, int64_t chunk) {
  LOOM_CHECK(a.dim() == 2 && a.shape() == b.shape() && a.size(0) > 0, ShapeError,
             "info_nce: a and b must be equal non-empty [n, D], got ", a.shape_str(), " and ", b.shape_str());
  LOOM_CHECK(tau > 0 && chunk > 0, ValueError, "info_nce: tau and chunk must be positive, got ", tau, " and ", chunk);
  const int64_t n = a.size(0);
  const Tensor an = normalize_rows(a), bn = normalize_rows(b);
  const Tensor at = transpose(an, 0, 1), bt = transpose(bn, 0, 1);
  Tensor total;
  for (int64_t r0 = 0; r0 < n; r0 += chunk) {
    const int64_t r1 = std::min(n, r0 + chunk);
    const Tensor ar = an.narrow_rows(r0, r1), br = bn.narrow_rows(r0, r1);
    const Tensor intra = sum(exp(mul_scalar(matmul(ar, at), 1.0 / tau)), 1);
    const Tensor inter = sum(exp(mul_scalar(matmul(ar, bt), 1.0 / tau)), 1);
    // The intra-view sum holds the anchor with itself, e^{1/tau}: it is not a negative.
    const Tensor denom = add_scalar(add(intra, inter), -std::exp(1.0 / tau));
    const Tensor pos = mul_scalar(sum(mul(ar, br), 1), 1.0 / tau);
    const Tensor part = sum(sub(log(denom), pos));
    total = total.defined() ? add(total, part) : part;
  }
  return mul_scalar(total, 1.0 / static_cast<double>(n));
}

MMHCL::MMHCL(graph::Graph ui, hypergraph::Hypergraph users_h, hypergraph::Hypergraph items_h, int64_t users,
             int64_t items, int64_t dim, MmhclOptions options)
    : Recommender("MMHCL"), ui_(std::move(ui)), users_h_(std::move(users_h)), items_h_(std::move(items_h)),
      users_(users), items_(items), options_(options) {
  LOOM_CHECK(users > 0 && items > 0 && dim > 0, ValueError, "MMHCL: users, items and dim must be positive, got ",
             users, ", ", items, ", ", dim);
  LOOM_CHECK(ui_.num_nodes() == users + items && users_h_.num_vertices() == users && items_h_.num_vertices() == items,
             ShapeError, "MMHCL: the structures have ", ui_.num_nodes(), " nodes, ", users_h_.num_vertices(),
             " user vertices and ", items_h_.num_vertices(), " item vertices for ", users, " users and ", items,
             " items");
  LOOM_CHECK(options.ui_layers >= 0 && options.user_layers >= 0 && options.item_layers >= 0 && options.tau > 0,
             ValueError, "MMHCL: layer counts must be non-negative and tau positive");
  ui_embedding = register_parameter("ui_embedding", empty({users + items, dim}));
  user_embedding = register_parameter("user_embedding", empty({users, dim}));
  item_embedding = register_parameter("item_embedding", empty({items, dim}));
  for (Tensor* t : {&ui_embedding, &user_embedding, &item_embedding}) nn::init::xavier_uniform_(*t);
}

MMHCL::Views MMHCL::views() {
  const Device dev = ui_embedding.device();
  if (ui_.device() != dev) ui_ = ui_.to(dev), users_h_ = users_h_.to(dev), items_h_ = items_h_.to(dev);
  // The CF branch: LightGCN's layer mean over the user-item graph.
  const Tensor coef = ui_.norm(graph::Norm::kSym, ui_embedding.dtype());
  Tensor layer = ui_embedding, total = ui_embedding;
  for (int k = 0; k < options_.ui_layers; ++k) {
    layer = mp::propagate(ui_.csr(), {mp::u_mul_e, mp::sum, mp::Update{}}, layer, coef);
    total = add(total, layer);
  }
  const Tensor e = mul_scalar(total, 1.0 / (options_.ui_layers + 1));
  // The hypergraph branches: plain propagations, the last layer only.
  Tensor zu = user_embedding, zi = item_embedding;
  for (int k = 0; k < options_.user_layers; ++k) zu = user_propagate(users_h_, zu);
  for (int k = 0; k < options_.item_layers; ++k) zi = item_propagate(items_h_, zi);
  return {add(e.narrow_rows(0, users_), normalize_rows(zu)),
          add(e.narrow_rows(users_, users_ + items_), normalize_rows(zi)), zu, zi};
}

std::pair<Tensor, Tensor> MMHCL::embed() {
  const Views v = views();
  return {v.users, v.items};
}

Tensor MMHCL::loss(const Tensor& users, const Tensor& pos, const Tensor& neg, double reg) {
  const Views v = views();
  Tensor loss = bpr_loss(v.users, v.items, users, pos, neg);
  // MMHCL regularises the final (propagated) rows of the batch, unlike LightGCN.
  if (reg > 0) loss = add(loss, batch_l2(v.users, v.items, users, pos, neg, reg));
  if (options_.lambda_item > 0)
    loss = add(loss, mul_scalar(info_nce(v.items, v.z_items, options_.tau), options_.lambda_item));
  if (options_.lambda_user > 0)
    loss = add(loss, mul_scalar(info_nce(v.users, v.z_users, options_.tau), options_.lambda_user));
  return loss;
}

}  // namespace loom::models
