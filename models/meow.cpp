// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MEOW: preprocessing (PathSim pruning, augmentations, context patterns), the two views, k-means and the weighted
// contrastive loss, and AdaMEOW's learned weights; see loom/models/meow.h. Everything sparse stays sparse (the
// released code densifies the meta-path graphs); the N x N similarity and weight matrices are dense, which is what
// the method needs at N ~ 4k.
#include "loom/models/meow.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"

namespace loom::models {

namespace {

// Rows scaled to unit L2 norm (torch's F.normalize: the norm floored at 1e-12).
Tensor l2_normalize(const Tensor& z) { return div(z, add_scalar(sqrt(sum(mul(z, z), 1, true)), 1e-12)); }

// D^-1/2 A^T D^-1/2 with D the row sums of A, as the released code's normalize_adj computes it (so row i of the
// result gathers from the nodes that kept i among their neighbours).
Csr normalise(const Csr& a) {
  const std::vector<int64_t> ptr = a.indptr().to_vector<int64_t>();
  const std::vector<float> val = a.values().to(kFloat32).to_vector<float>();
  std::vector<float> d(static_cast<size_t>(a.num_rows()));
  for (size_t i = 0; i < d.size(); ++i) {
    double s = 0;
    for (int64_t e = ptr[i]; e < ptr[i + 1]; ++e) s += val[static_cast<size_t>(e)];
    d[i] = s > 0 ? static_cast<float>(1.0 / std::sqrt(s)) : 0.0f;
  }
  const Tensor s = from_vector<float>(d, {static_cast<int64_t>(d.size())});
  const Csr& t = a.transpose();
  return scale_cols(scale_rows(t, s), s);
}

}  // namespace

// ---------------------------------------------------------------- preprocessing

Csr pathsim_topk(const Csr& counts, int64_t k) {
  LOOM_CHECK(counts.num_rows() == counts.num_cols(), ValueError, "pathsim_topk: the meta-path adjacency must be ",
             "square, got ", counts.str());
  LOOM_CHECK(counts.values().defined(), ValueError, "pathsim_topk: needs path counts (a valued Csr)");
  const Csr c = counts.to(kCPU);
  const int64_t n = c.num_rows();
  const std::vector<int64_t> ptr = c.indptr().to_vector<int64_t>();
  const std::vector<int32_t> col = c.indices().to_vector<int32_t>();
  const std::vector<double> val = c.values().to(kFloat64).to_vector<double>();
  std::vector<double> diag(static_cast<size_t>(n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = ptr[i]; e < ptr[i + 1]; ++e)
      if (col[e] == i) diag[i] = val[e];
  std::vector<int64_t> out_ptr{0};
  std::vector<int32_t> out_col;
  std::vector<float> out_val;
  std::vector<int64_t> order;
  std::vector<double> sim;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t len = ptr[i + 1] - ptr[i];
    order.resize(static_cast<size_t>(len));
    sim.resize(static_cast<size_t>(len));
    for (int64_t e = 0; e < len; ++e) {
      const int64_t j = col[ptr[i] + e];
      const double den = diag[i] + diag[j];
      sim[e] = den > 0 ? 2.0 * val[ptr[i] + e] / den : 0.0;
      order[e] = e;
    }
    const int64_t keep = k > 0 ? std::min(k, len) : len;
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return sim[a] > sim[b]; });
    order.resize(static_cast<size_t>(keep));
    std::sort(order.begin(), order.end());  // back to column order (columns are sorted within a row)
    for (int64_t e : order) {
      out_col.push_back(col[ptr[i] + e]);
      out_val.push_back(static_cast<float>(val[ptr[i] + e]));
    }
    out_ptr.push_back(static_cast<int64_t>(out_col.size()));
  }
  const int64_t nnz = static_cast<int64_t>(out_col.size());
  return Csr::from_arrays(from_vector<int64_t>(out_ptr, {n + 1}), from_vector<int32_t>(out_col, {nnz}), n,
                          from_vector<float>(out_val, {nnz}));
}

MEOWInputs MEOWInputs::to(Device device) const {
  MEOWInputs o = *this;
  for (Csr& a : o.adj) a = a.to(device);
  for (Csr& a : o.adj_masked) a = a.to(device);
  o.coarse = coarse.to(device);
  for (auto& per : o.contexts)
    for (Csr& c : per) c = c.to(device);
  if (x_masked.defined()) o.x_masked = x_masked.to(device);
  if (x_masked_sparse.defined()) o.x_masked_sparse = x_masked_sparse.to(device);
  return o;
}

MEOWInputs meow_inputs(const hetero::HeteroGraph& g, const std::vector<hetero::MetaPath>& paths,
                       const std::string& target, const MEOWInputOptions& o) {
  LOOM_CHECK(!paths.empty(), ValueError, "MEOW: needs at least one meta-path (e.g. APA,APCPA,APTPA on DBLP)");
  const size_t S = paths.size();
  LOOM_CHECK(o.nei_max().empty() || o.nei_max().size() == S, ValueError, "MEOW: nei_max has ", o.nei_max().size(),
             " entries for ", S, " meta-paths");
  LOOM_CHECK(o.adj_mask().empty() || o.adj_mask().size() == S, ValueError, "MEOW: adj_mask has ",
             o.adj_mask().size(), " entries for ", S, " meta-paths");
  for (double f : o.adj_mask())
    LOOM_CHECK(f >= 0 && f < 1, ValueError, "MEOW: adj_mask fractions must be in [0, 1), got ", f);
  LOOM_CHECK(o.feat_mask() >= 0 && o.feat_mask() < 1, ValueError, "MEOW: feat_mask must be in [0, 1), got ",
             o.feat_mask());
  const hetero::HeteroGraph gc = g.to(kCPU);
  const Tensor& xd = gc.features(target);
  const Csr& xs = gc.sparse_features(target);
  LOOM_CHECK(xd.defined() || xs.defined(), ValueError, "MEOW: the target type '", target, "' has no features (its ",
             "masked copy is one of the two fine-grained views)");
  MEOWInputs in;
  in.paths = paths;
  in.target = target;
  std::mt19937_64 rng(o.seed() * 0x9E3779B97F4A7C15ULL + 17);
  for (size_t s = 0; s < S; ++s) {
    const hetero::MetaPath& p = paths[s];
    LOOM_CHECK(p.start_type() == target && p.end_type() == target, ValueError, "MEOW: meta-path '", p.name,
               "' runs from '", p.start_type(), "' to '", p.end_type(), "'; MEOW's meta-paths start and end at the ",
               "target type '", target, "'");
    const hetero::MetaPathAdjacency a = hetero::metapath_adjacency(gc, p, hetero::MetaPathOptions());
    const Csr pruned = pathsim_topk(a.adjacency, o.nei_max().empty() ? 0 : o.nei_max()[s]);
    in.full_nnz.push_back(a.adjacency.nnz());
    in.nnz.push_back(pruned.nnz());
    in.adj.push_back(normalise(pruned));
    // Edge dropping: the pruned pattern without its diagonal, a seeded shuffle, the first fraction dropped, + I.
    const std::vector<int64_t> ptr = pruned.indptr().to_vector<int64_t>();
    const std::vector<int32_t> col = pruned.indices().to_vector<int32_t>();
    std::vector<std::pair<int64_t, int64_t>> edges;
    for (int64_t i = 0; i + 1 < static_cast<int64_t>(ptr.size()); ++i)
      for (int64_t e = ptr[i]; e < ptr[i + 1]; ++e)
        if (col[e] != i) edges.emplace_back(i, col[e]);
    std::shuffle(edges.begin(), edges.end(), rng);
    const double frac = o.adj_mask().empty() ? 0.0 : o.adj_mask()[s];
    const size_t drop = static_cast<size_t>(frac * static_cast<double>(edges.size()));
    const int64_t n = pruned.num_rows();
    std::vector<int64_t> rows, cols;
    for (size_t e = drop; e < edges.size(); ++e) rows.push_back(edges[e].first), cols.push_back(edges[e].second);
    for (int64_t i = 0; i < n; ++i) rows.push_back(i), cols.push_back(i);
    const int64_t m = static_cast<int64_t>(rows.size());
    const Csr kept = Csr::from_coo(from_vector<int64_t>(rows, {m}), from_vector<int64_t>(cols, {m}), n, n,
                                   ones({m}), DupPolicy::kSum);
    in.adj_masked.push_back(normalise(kept));
    // Contexts: the pattern target -> position k of the meta-path, k = 1 .. L - 1.
    std::vector<Csr> ctx;
    std::vector<std::string> types;
    for (int64_t k = 1; k < p.length(); ++k) {
      const std::vector<hetero::EdgeType> prefix(p.relations.begin(), p.relations.begin() + k);
      const hetero::MetaPath pre = hetero::make_metapath(gc, prefix, p.name + "[0.." + std::to_string(k) + "]");
      ctx.push_back(hetero::metapath_adjacency(gc, pre, hetero::MetaPathOptions()).adjacency.with_values(Tensor()));
      types.push_back(pre.end_type());
    }
    in.contexts.push_back(std::move(ctx));
    in.context_types.push_back(std::move(types));
  }
  in.coarse = S == 1 ? in.adj[0] : sparse_add(in.adj[0], in.adj[1], 1.0 / double(S), 1.0 / double(S));
  for (size_t s = 2; s < S; ++s) in.coarse = sparse_add(in.coarse, in.adj[s], 1.0, 1.0 / double(S));
  // Feature masking: a fraction of the non-zero feature entries set to zero, once.
  auto mask_values = [&](std::vector<float>& v) {
    std::vector<size_t> nz;
    for (size_t i = 0; i < v.size(); ++i)
      if (v[i] != 0.0f) nz.push_back(i);
    std::shuffle(nz.begin(), nz.end(), rng);
    const size_t count = static_cast<size_t>(o.feat_mask() * static_cast<double>(nz.size()));
    for (size_t i = 0; i < count; ++i) v[nz[i]] = 0.0f;
  };
  if (xd.defined()) {
    std::vector<float> v = xd.to(kFloat32).to_vector<float>();
    mask_values(v);
    in.x_masked = from_vector<float>(v, xd.shape());
  } else {
    std::vector<float> v = xs.values().to(kFloat32).to_vector<float>();
    mask_values(v);
    in.x_masked_sparse = xs.with_values(from_vector<float>(v, {xs.nnz()}));
  }
  return in;
}

// ---------------------------------------------------------------- model

GCNEncoder::GCNEncoder(int64_t in, int64_t hidden, double dropout) : nn::Module("GCNEncoder"), dropout_(dropout) {
  // The code's GraphConv: uniform(-1/sqrt(out), 1/sqrt(out)); PReLU's slope starts at 0.25 (torch's default).
  const double b = 1.0 / std::sqrt(static_cast<double>(hidden));
  w1 = register_parameter("w1", nn::init::uniform_(empty({in, hidden}), -b, b));
  w2 = register_parameter("w2", nn::init::uniform_(empty({hidden, hidden}), -b, b));
  prelu = register_parameter("prelu", full({1}, 0.25));
}

Tensor GCNEncoder::forward(const Csr& adj, const Tensor& x) {
  LOOM_CHECK(adj.values().defined() && adj.num_cols() == x.size(0), ValueError, "GCNEncoder: the adjacency ",
             adj.str(), " must be valued and have one column per row of x ", x.shape_str());
  const Tensor h = gspmm(adj, mp::u_mul_e, mp::sum, dropout(matmul(x, w1), dropout_, is_training()), adj.values());
  const Tensor a = sub(relu(h), mul(prelu, relu(neg(h))));  // PReLU
  const Tensor z = gspmm(adj, mp::u_mul_e, mp::sum, dropout(matmul(a, w2), dropout_, is_training()), adj.values());
  // LayerNorm over the whole [N, d] tensor (torch's LayerNorm(Z.size()) without affine): one mean, one variance.
  const Tensor c = sub(z, mean(z).view({1, 1}));
  return div(c, sqrt(add_scalar(mean(mul(c, c)), 1e-5)).view({1, 1}));
}

MEOW::MEOW(const hetero::HeteroGraph& g, const MEOWInputs& in, const MEOWOptions& o)
    : nn::Module("MEOW"), options_(o), target_(in.target), num_paths_(in.paths.size()) {
  LOOM_CHECK(num_paths_ > 0, ValueError, "MEOW: the inputs have no meta-path (build them with meow_inputs)");
  LOOM_CHECK(o.hidden() > 0, ValueError, "MEOW: hidden must be positive, got ", o.hidden());
  LOOM_CHECK(o.dropout() >= 0 && o.dropout() < 1, ValueError, "MEOW: dropout must be in [0, 1), got ", o.dropout());
  LOOM_CHECK(o.tau() > 0, ValueError, "MEOW: tau must be positive, got ", o.tau());
  std::set<std::string> types{target_};
  for (const auto& per : in.context_types) types.insert(per.begin(), per.end());
  auto enc = register_module("encoders", std::make_shared<nn::Module>("ModuleDict"));
  for (const std::string& t : types)
    encoders_.emplace_back(t, enc->register_module(t, std::make_shared<hetero::TypeEncoder>(g, t, o.hidden())));
  auto ctx = register_module("context", std::make_shared<nn::ModuleList>());
  for (const auto& per : in.context_types) {
    auto list = std::make_shared<nn::ModuleList>();
    std::vector<std::shared_ptr<nn::Linear>> lins;
    for (size_t k = 0; k < per.size(); ++k) {
      auto lin = std::make_shared<nn::Linear>(nn::LinearOptions(o.hidden(), o.hidden()).bias(false));
      list->push_back(lin);
      lins.push_back(lin);
    }
    ctx->push_back(list);
    context_.push_back(std::move(lins));
  }
  gcn_ = register_module("gcn", std::make_shared<GCNEncoder>(o.hidden(), o.hidden(), o.dropout()));
  semantic_ = register_module("semantic", std::make_shared<SemanticAttention>(o.hidden(), o.hidden()));
  project_ = register_module("project", std::make_shared<nn::Linear>(o.hidden(), o.hidden()));
  if (o.weighting() == MEOWWeighting::kLearned) {
    LOOM_CHECK(o.weight_hidden() > 0, ValueError, "AdaMEOW: weight_hidden must be positive, got ", o.weight_hidden());
    pair_weight_ = register_module("pair_weight", std::make_shared<PairWeight>(o.hidden(), o.weight_hidden()));
  }
}

MEOWOutput MEOW::forward(const hetero::HeteroGraph& g, const MEOWInputs& in) {
  LOOM_CHECK(in.paths.size() == num_paths_ && in.contexts.size() == num_paths_, ValueError, "MEOW.forward: built for ",
             num_paths_, " meta-paths, got inputs of ", in.paths.size());
  const double p = options_.dropout();
  std::map<std::string, Tensor> h;
  std::shared_ptr<hetero::TypeEncoder> target_encoder;
  for (auto& [type, e] : encoders_) {
    h[type] = elu(dropout(e->forward(g), p, is_training()));
    if (type == target_) target_encoder = e;
  }
  // The masked target features through the same projection, without dropout (as the code does).
  Tensor hm;
  if (in.x_masked.defined()) {
    hm = add(matmul(in.x_masked.to(target_encoder->weight.dtype()), target_encoder->weight), target_encoder->bias);
  } else {
    LOOM_CHECK(in.x_masked_sparse.defined(), ValueError, "MEOW.forward: the inputs have no masked features");
    const Csr& x = in.x_masked_sparse;
    hm = mp::propagate(x, {mp::u_mul_e, mp::sum, mp::Update{.bias = target_encoder->bias}}, target_encoder->weight,
                       x.values().to(target_encoder->weight.dtype()));
  }
  hm = elu(hm);
  const Tensor& ht = h.at(target_);
  std::vector<Tensor> z;
  for (size_t s = 0; s < num_paths_; ++s) {
    LOOM_CHECK(in.contexts[s].size() == context_[s].size(), ValueError, "MEOW.forward: meta-path ", s, " has ",
               in.contexts[s].size(), " context positions, the model ", context_[s].size());
    Tensor c;
    for (size_t k = 0; k < context_[s].size(); ++k) {
      const Tensor mean_k = gspmm(in.contexts[s][k], mp::copy_u, mp::mean, h.at(in.context_types[s][k]));
      const Tensor term = dropout(context_[s][k]->forward(mean_k), p, is_training());
      c = c.defined() ? add(c, term) : term;
    }
    z.push_back(l2_normalize(gcn_->forward(in.adj[s], elu(add(ht, c)))));
    z.push_back(l2_normalize(gcn_->forward(in.adj_masked[s], elu(add(hm, c)))));
  }
  MEOWOutput out;
  out.embedding = semantic_->forward(z);
  out.fine = l2_normalize(tanh(project_->forward(out.embedding)));
  out.coarse = l2_normalize(tanh(project_->forward(gcn_->forward(in.coarse, ht))));
  return out;
}

// ---------------------------------------------------------------- clustering and losses

KMeansResult kmeans(const Tensor& x_in, int64_t k, int64_t iters, uint64_t seed) {
  LOOM_CHECK(x_in.dim() == 2, ShapeError, "kmeans: x must be [N, D], got ", x_in.shape_str());
  const int64_t n = x_in.size(0), d = x_in.size(1);
  LOOM_CHECK(k >= 1 && k <= n, ValueError, "kmeans: k must be in [1, N = ", n, "], got ", k);
  LOOM_CHECK(iters >= 1, ValueError, "kmeans: iters must be positive, got ", iters);
  const DType dt = x_in.dtype();
  const Tensor x = x_in.detach().cpu();
  const std::vector<double> xv = x.to(kFloat64).to_vector<double>();
  std::mt19937_64 rng(seed);
  std::vector<int64_t> ids(static_cast<size_t>(n));
  std::iota(ids.begin(), ids.end(), 0);
  for (int64_t i = 0; i < k; ++i) std::swap(ids[i], ids[i + static_cast<int64_t>(rng() % static_cast<uint64_t>(n - i))]);
  std::vector<double> cv(static_cast<size_t>(k * d));
  auto unit = [&](int64_t c) {
    double s = 0;
    for (int64_t j = 0; j < d; ++j) s += cv[c * d + j] * cv[c * d + j];
    if (s <= 0) return false;
    s = 1.0 / std::sqrt(s);
    for (int64_t j = 0; j < d; ++j) cv[c * d + j] *= s;
    return true;
  };
  for (int64_t c = 0; c < k; ++c) {
    std::copy_n(xv.begin() + ids[c] * d, d, cv.begin() + c * d);
    unit(c);
  }
  std::vector<int64_t> assign(static_cast<size_t>(n));
  std::vector<double> best(static_cast<size_t>(n));
  auto assign_all = [&] {
    const Tensor sims = matmul(x.to(dt), transpose(from_vector<double>(cv, {k, d}).to(dt), 0, 1));  // [N, k]
    const std::vector<double> sv = sims.to(kFloat64).to_vector<double>();
    for (int64_t i = 0; i < n; ++i) {
      int64_t a = 0;
      for (int64_t c = 1; c < k; ++c)
        if (sv[i * k + c] > sv[i * k + a]) a = c;
      assign[i] = a;
      best[i] = sv[i * k + a];
    }
  };
  for (int64_t it = 0; it < iters; ++it) {
    assign_all();
    std::vector<double> sumv(static_cast<size_t>(k * d), 0.0);
    std::vector<int64_t> count(static_cast<size_t>(k), 0);
    for (int64_t i = 0; i < n; ++i) {
      ++count[assign[i]];
      for (int64_t j = 0; j < d; ++j) sumv[assign[i] * d + j] += xv[i * d + j];
    }
    for (int64_t c = 0; c < k; ++c) {
      if (count[c] == 0) continue;  // an emptied cluster keeps its centroid
      const std::vector<double> old(cv.begin() + c * d, cv.begin() + (c + 1) * d);
      std::copy_n(sumv.begin() + c * d, d, cv.begin() + c * d);
      if (!unit(c)) std::copy(old.begin(), old.end(), cv.begin() + c * d);
    }
  }
  assign_all();
  KMeansResult r;
  r.assignment = from_vector<int64_t>(assign, {n});
  r.centroids = from_vector<double>(cv, {k, d}).to(dt);
  r.similarity = from_vector<double>(best, {n}).to(dt);
  return r;
}

Tensor cluster_weights(const std::vector<Tensor>& assignments, DType dtype) {
  LOOM_CHECK(!assignments.empty(), ValueError, "cluster_weights: no clustering given");
  const int64_t n = assignments[0].numel();
  std::vector<std::vector<int64_t>> a;
  for (const Tensor& t : assignments) {
    LOOM_CHECK(t.dim() == 1 && t.numel() == n, ShapeError, "cluster_weights: assignments of unequal length (", n,
               " and ", t.numel(), ")");
    a.push_back(t.cpu().to(kInt64).to_vector<int64_t>());
  }
  const double R = static_cast<double>(a.size());
  std::vector<float> w(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t same = 0;
      for (const auto& c : a) same += c[i] == c[j];
      w[i * n + j] = static_cast<float>(R - static_cast<double>(same));
    }
  return from_vector<float>(w, {n, n}).to(dtype);
}

Tensor weighted_info_nce(const Tensor& anchor, const Tensor& other, const Tensor& w, double tau) {
  LOOM_CHECK(anchor.dim() == 2 && other.shape() == anchor.shape(), ShapeError, "weighted_info_nce: anchor ",
             anchor.shape_str(), " and other ", other.shape_str(), " must both be [N, d]");
  const int64_t n = anchor.size(0);
  LOOM_CHECK(w.dim() == 2 && w.size(0) == n && w.size(1) == n, ShapeError, "weighted_info_nce: weights must be [",
             n, ", ", n, "], got ", w.shape_str());
  LOOM_CHECK(tau > 0, ValueError, "weighted_info_nce: tau must be positive, got ", tau);
  const Tensor s = mul_scalar(matmul(anchor, transpose(other, 0, 1)), 1.0 / tau);
  const Tensor denom = sum(mul(exp(s), w.to(anchor.dtype())), 1);
  const Tensor pos = mul_scalar(sum(mul(anchor, other), 1), 1.0 / tau);
  return mean(sub(log(denom), pos));
}

PairWeight::PairWeight(int64_t in, int64_t h) : nn::Module("PairWeight") {
  // torch.nn.Linear's initialisation, as the code's nn.Sequential uses.
  hidden = register_module("hidden", std::make_shared<nn::Linear>(in, h));
  out = register_module("out", std::make_shared<nn::Linear>(h, 1));
}

Tensor PairWeight::anchor_side(const Tensor& anchor) const {
  return add(matmul(anchor, transpose(hidden->weight, 0, 1)), hidden->bias);
}

// No bias here: b1 enters each pair once, through the anchor side.
Tensor PairWeight::other_side(const Tensor& other) const { return matmul(other, transpose(hidden->weight, 0, 1)); }

Tensor PairWeight::weights(const Tensor& a_rows, const Tensor& b) const {
  const int64_t r = a_rows.size(0), m = b.size(0), h = a_rows.size(1);
  LOOM_CHECK(b.dim() == 2 && b.size(1) == h, ShapeError, "PairWeight: the two sides ", a_rows.shape_str(), " and ",
             b.shape_str(), " differ in width");
  // [R, 1, h] + [1, M, h] -> [R, M, h]: the pairs' hidden pre-activations, by broadcasting.
  const Tensor t = tanh(add(a_rows.view({r, 1, h}), b.view({1, m, h})));
  const Tensor logit = matmul(t.view({r * m, h}), transpose(out->weight, 0, 1)).view({r, m});
  return sigmoid(add(logit, out->bias));
}

Tensor PairWeight::forward(const Tensor& anchor, const Tensor& other) const {
  return weights(anchor_side(anchor), other_side(other));
}

Tensor adaptive_info_nce(const Tensor& anchor, const Tensor& other, const PairWeight& weight, double tau,
                         int64_t tile_rows) {
  LOOM_CHECK(anchor.dim() == 2 && other.shape() == anchor.shape(), ShapeError, "adaptive_info_nce: anchor ",
             anchor.shape_str(), " and other ", other.shape_str(), " must both be [N, d]");
  LOOM_CHECK(tau > 0, ValueError, "adaptive_info_nce: tau must be positive, got ", tau);
  LOOM_CHECK(tile_rows >= 1, ValueError, "adaptive_info_nce: tile_rows must be positive, got ", tile_rows);
  const int64_t n = anchor.size(0);
  const Tensor a = weight.anchor_side(anchor), b = weight.other_side(other);
  const Tensor other_t = transpose(other, 0, 1);
  std::vector<Tensor> denoms;
  for (int64_t r0 = 0; r0 < n; r0 += tile_rows) {
    const int64_t r1 = std::min(n, r0 + tile_rows);
    const Tensor s = mul_scalar(matmul(anchor.narrow_rows(r0, r1), other_t), 1.0 / tau);
    denoms.push_back(sum(mul(exp(s), weight.weights(a.narrow_rows(r0, r1), b)), 1));
  }
  const Tensor denom = denoms.size() == 1 ? denoms[0] : concat(denoms, 0);
  const Tensor pos = mul_scalar(sum(mul(anchor, other), 1), 1.0 / tau);
  return mean(sub(log(denom), pos));
}

Tensor proto_nce(const Tensor& anchor, const Tensor& centroids, const Tensor& phi, const Tensor& assignment) {
  LOOM_CHECK(centroids.dim() == 2 && centroids.size(1) == anchor.size(1) && phi.numel() == centroids.size(0),
             ShapeError, "proto_nce: centroids ", centroids.shape_str(), " and concentrations ", phi.shape_str(),
             " do not fit anchors ", anchor.shape_str());
  const Device dev = anchor.device();
  const Tensor c = centroids.detach().to(anchor.dtype()).to(dev);
  const Tensor f = phi.detach().to(anchor.dtype()).to(dev).view({1, centroids.size(0)});
  return cross_entropy(div(matmul(anchor, transpose(c, 0, 1)), f), assignment.to(dev));
}

Tensor cluster_concentration(const KMeansResult& r, double tau) {
  const int64_t k = r.centroids.size(0);
  const std::vector<int64_t> a = r.assignment.to_vector<int64_t>();
  const std::vector<double> sim = r.similarity.to(kFloat64).to_vector<double>();
  std::vector<double> sum_d(static_cast<size_t>(k), 0.0), density(static_cast<size_t>(k), 0.0);
  std::vector<int64_t> count(static_cast<size_t>(k), 0);
  for (size_t i = 0; i < a.size(); ++i) sum_d[a[i]] += std::sqrt(std::max(sim[i], 0.0)), ++count[a[i]];
  double dmax = 0;
  for (int64_t c = 0; c < k; ++c) {
    if (count[c] > 1) density[c] = sum_d[c] / double(count[c]) / std::log(double(count[c]) + 5.0);
    dmax = std::max(dmax, density[c]);
  }
  for (int64_t c = 0; c < k; ++c)
    if (count[c] <= 1) density[c] = dmax;
  // numpy's percentile (linear interpolation between the closest ranks).
  std::vector<double> sorted = density;
  std::sort(sorted.begin(), sorted.end());
  auto pct = [&](double q) {
    const double pos = q / 100.0 * double(k - 1);
    const size_t lo = static_cast<size_t>(std::floor(pos)), hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (pos - double(lo)) * (sorted[hi] - sorted[lo]);
  };
  const double lo = pct(10), hi = pct(90);
  double m = 0;
  for (double& v : density) v = std::clamp(v, lo, hi), m += v;
  m /= double(k);
  for (double& v : density) v = m > 0 ? tau * v / m : tau;
  return from_vector<double>(density, {k}).to(r.centroids.dtype());
}

Tensor meow_loss(const MEOWOutput& out, const std::vector<int64_t>& clusters, int64_t kmeans_iters, double tau,
                 double lambda_proto, uint64_t seed) {
  LOOM_CHECK(!clusters.empty(), ValueError, "MEOW: needs at least one cluster count (DBLP: 200,700)");
  const int64_t n = out.fine.size(0);
  std::vector<Tensor> assignments;
  Tensor proto;
  for (size_t r = 0; r < clusters.size(); ++r) {
    LOOM_CHECK(clusters[r] >= 1, ValueError, "MEOW: cluster counts must be positive, got ", clusters[r]);
    // The code seeds clustering r with r every epoch; ours adds the run's seed.
    const KMeansResult km = kmeans(out.fine.detach(), std::min(clusters[r], n), kmeans_iters, seed + r);
    assignments.push_back(km.assignment);
    const Tensor l = proto_nce(out.coarse, km.centroids, cluster_concentration(km, tau), km.assignment);
    proto = proto.defined() ? add(proto, l) : l;
  }
  const Tensor w = cluster_weights(assignments, out.coarse.dtype()).to(out.coarse.device());
  const Tensor info = weighted_info_nce(out.coarse, out.fine, w, tau);
  return add(info, mul_scalar(proto, lambda_proto / static_cast<double>(clusters.size())));
}

// ---------------------------------------------------------------- training

Tensor model_loss(const MEOW& model, const MEOWOutput& out, const MEOWTrainOptions& o) {
  const MEOWOptions& m = model.options();
  if (m.weighting() == MEOWWeighting::kLearned) {
    LOOM_CHECK(model.pair_weight() != nullptr, ValueError, "AdaMEOW: the model has no pair weights");
    return adaptive_info_nce(out.fine, out.coarse, *model.pair_weight(), m.tau());
  }
  return meow_loss(out, o.clusters(), o.kmeans_iters(), m.tau(), m.lambda_proto(), o.seed());
}

MEOWTrainResult train_meow(MEOW& model, const hetero::HeteroGraph& g, const MEOWInputs& in,
                           const MEOWTrainOptions& o) {
  LOOM_CHECK(o.epochs() >= 1 && o.patience() >= 1, ValueError, "MEOW: epochs and patience must be positive, got ",
             o.epochs(), " and ", o.patience());
  const auto start = std::chrono::steady_clock::now();
  auto since = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  optim::Adam opt(model.parameters(), optim::AdamOptions(o.lr()).weight_decay(o.weight_decay()));
  MEOWTrainResult r;
  double best = INFINITY;
  int64_t wait = 0;
  model.train();
  for (int64_t e = 0; e < o.epochs(); ++e) {
    opt.zero_grad();
    const MEOWOutput out = model.forward(g, in);
    const Tensor loss = model_loss(model, out, o);
    loss.backward();
    opt.step();
    const double l = loss.item_double();
    LOOM_CHECK(std::isfinite(l), ValueError, "MEOW: the loss became ", l, " at epoch ", e + 1);
    r.losses.push_back(l);
    r.epochs = e + 1;
    if (o.verbose() && (e % 10 == 0))
      std::fprintf(stderr, "  %s epoch %lld: loss %.5f (best %.5f, wait %lld), %.1f s\n",
                   model.options().weighting() == MEOWWeighting::kLearned ? "adameow" : "meow",
                   static_cast<long long>(e + 1), l, best, static_cast<long long>(wait), since());
    // Early stopping on the training loss, as the code does (no labels are looked at).
    if (l < best) {
      best = l;
      wait = 0;
    } else if (++wait >= o.patience()) {
      break;
    }
  }
  // The embeddings from an evaluation-mode forward of the final weights (the code keeps the last training forward's,
  // dropout included).
  model.eval();
  {
    NoGradGuard no_grad;
    r.embedding = model.forward(g, in).embedding.detach();
  }
  r.seconds = since();
  return r;
}

}  // namespace loom::models
