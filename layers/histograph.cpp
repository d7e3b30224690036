// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HistographReadout (loom/layers/histograph.h): the layer attention is dense tensor ops plus one segment mean; the
// node self-attention is the engine's attention (gsddmm, edge_softmax, gspmm) over the Csr of same-graph node
// pairs, so the mask is structural: a pair across graphs is not masked out, it does not exist.
#include "loom/layers/histograph.h"

#include <cmath>
#include <string>

#include "loom/core/error.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::layers {

namespace {

std::vector<int64_t> host_ptr(const char* what, const Tensor& graph_ptr) {
  LOOM_CHECK(graph_ptr.defined() && graph_ptr.dim() == 1 && graph_ptr.numel() >= 1 && graph_ptr.dtype() == kInt64,
             ShapeError, what, ": 'graph_ptr' must be int64 [B + 1], got ",
             graph_ptr.defined() ? graph_ptr.str() : std::string("undefined"));
  std::vector<int64_t> p = graph_ptr.cpu().to_vector<int64_t>();
  LOOM_CHECK(p.front() == 0, ValueError, what, ": 'graph_ptr' must start at 0, got ", p.front());
  for (size_t b = 0; b + 1 < p.size(); ++b)
    LOOM_CHECK(p[b] <= p[b + 1], ValueError, what, ": 'graph_ptr' must be non-decreasing, but graph ", b, " spans ",
               p[b], " .. ", p[b + 1]);
  return p;
}

// P [L, D]: P_{l,2k} = sin(l / 10000^(2k/D)), P_{l,2k+1} = cos(l / 10000^(2k/D)) (the transformer's table with the
// layer index as the position). Fixed: a buffer, never trained.
Tensor sinusoidal_encoding(int64_t num_layers, int64_t dim) {
  std::vector<float> p(static_cast<size_t>(num_layers * dim));
  for (int64_t l = 0; l < num_layers; ++l)
    for (int64_t j = 0; j < dim; ++j) {
      const double angle =
          static_cast<double>(l) / std::pow(10000.0, static_cast<double>(j - j % 2) / static_cast<double>(dim));
      p[static_cast<size_t>(l * dim + j)] = static_cast<float>(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  return from_vector<float>(p, {num_layers, dim});
}

}  // namespace

Csr same_graph_pairs(const Tensor& graph_ptr, Device device) {
  const std::vector<int64_t> p = host_ptr("same_graph_pairs", graph_ptr);
  const int64_t n = p.back();
  std::vector<int64_t> indptr{0};
  std::vector<int32_t> indices;
  for (size_t b = 0; b + 1 < p.size(); ++b)
    for (int64_t v = p[b]; v < p[b + 1]; ++v) {
      for (int64_t u = p[b]; u < p[b + 1]; ++u) indices.push_back(static_cast<int32_t>(u));
      indptr.push_back(static_cast<int64_t>(indices.size()));
    }
  const int64_t nnz = static_cast<int64_t>(indices.size());
  return Csr::from_arrays(from_vector<int64_t>(indptr, {n + 1}, device), from_vector<int32_t>(indices, {nnz}, device),
                          n);
}

Tensor node_graph_ids(const Tensor& graph_ptr, Device device) {
  const std::vector<int64_t> p = host_ptr("node_graph_ids", graph_ptr);
  std::vector<int64_t> ids;
  ids.reserve(static_cast<size_t>(p.back()));
  for (size_t b = 0; b + 1 < p.size(); ++b) ids.insert(ids.end(), static_cast<size_t>(p[b + 1] - p[b]),
                                                       static_cast<int64_t>(b));
  return from_vector<int64_t>(ids, {p.back()}, device);
}

HistographReadout::HistographReadout(const HistographReadoutOptions& o) : nn::Module("HistographReadout"), options_(o) {
  const int64_t L = static_cast<int64_t>(o.layer_widths().size()), D = o.hidden();
  LOOM_CHECK(L >= 1, ValueError, "HistographReadout: layer_widths is empty; it needs the width of every layer read");
  for (size_t l = 0; l < o.layer_widths().size(); ++l)
    LOOM_CHECK(o.layer_widths()[l] > 0, ValueError, "HistographReadout: layer_widths[", l, "] must be positive, got ",
               o.layer_widths()[l]);
  LOOM_CHECK(D > 0 && o.out_features() > 0, ValueError, "HistographReadout: hidden and out_features must be positive, "
             "got ", D, " and ", o.out_features());
  LOOM_CHECK(o.heads() > 0 && D % o.heads() == 0, ValueError, "HistographReadout: heads must divide hidden, got ",
             o.heads(), " heads for hidden ", D);
  LOOM_CHECK(o.eps() > 0 && std::isfinite(o.eps()), ValueError, "HistographReadout: eps (the signed normalisation's "
             "guard) must be positive and finite, got ", o.eps());
  LOOM_CHECK(o.dropout() >= 0 && o.dropout() < 1, ValueError, "HistographReadout: dropout must be in [0, 1), got ",
             o.dropout());
  auto proj = register_module("proj", std::make_shared<nn::ModuleList>());
  for (int64_t w : o.layer_widths()) {
    proj_.push_back(std::make_shared<nn::Linear>(w, D));
    proj->push_back(proj_.back());
  }
  auto square = [&](const char* name, bool bias) {
    return register_module(name, std::make_shared<nn::Linear>(nn::LinearOptions(D, D).bias(bias)));
  };
  query_ = square("query", false);
  key_ = square("key", false);
  attn_q_ = square("attn_q", true);
  attn_k_ = square("attn_k", true);
  attn_v_ = square("attn_v", true);
  attn_out_ = square("attn_out", true);
  norm_ = register_module("norm", std::make_shared<nn::LayerNorm>(nn::LayerNormOptions(D)));
  classifier_ = register_module(
      "classifier", std::make_shared<nn::MLP>(nn::MLPOptions(D, {D}, o.out_features()).dropout(o.dropout())));
  encoding = register_buffer("encoding", sinusoidal_encoding(L, D));
}

HistographReadout::LayerMix HistographReadout::mix_layers(const std::vector<Tensor>& layers, const Tensor& graph_ptr) {
  const size_t L = proj_.size();
  const int64_t D = options_.hidden();
  LOOM_CHECK(layers.size() == L, ShapeError, "HistographReadout: got ", layers.size(), " layers' states, expected ",
             L, " (one per entry of layer_widths)");
  const int64_t N = layers.front().defined() ? layers.front().size(0) : 0;
  std::vector<Tensor> xs;
  for (size_t l = 0; l < L; ++l) {
    const Tensor& x = layers[l];
    LOOM_CHECK(x.defined() && x.dim() == 2 && x.size(0) == N && x.size(1) == options_.layer_widths()[l], ShapeError,
               "HistographReadout: layer ", l, "'s states must be [", N, ", ", options_.layer_widths()[l], "], got ",
               x.defined() ? x.shape_str() : std::string("undefined"));
    const Tensor p = slice(encoding, 0, static_cast<int64_t>(l), static_cast<int64_t>(l) + 1);  // [1, D]
    xs.push_back(reshape(add(proj_[l]->forward(x), p), {N, 1, D}));
  }
  const std::vector<int64_t> ptr = host_ptr("HistographReadout", graph_ptr);
  LOOM_CHECK(ptr.back() == N, ShapeError, "HistographReadout: graph_ptr ends at ", ptr.back(), " but the states have ",
             N, " rows");
  const Tensor states = concat(xs, 1);                                                   // [N, L, D]
  const Tensor q = reshape(query_->forward(reshape(xs.back(), {N, D})), {N, 1, D});      // the last layer asks
  const Tensor k = key_->forward(states);                                                // [N, L, D]
  const Tensor scores = mul_scalar(sum(mul(q, k), -1), 1.0 / std::sqrt(static_cast<double>(D)));  // [N, L]
  // Averaged within each graph: a batch-wide mean would let one graph's nodes steer another's weights.
  const Tensor c = mp::segment_reduce(scores, graph_ptr.to(scores.device()), mp::Reduce::kMean);  // [B, L]
  const Tensor total = sum(c, 1, /*keepdim=*/true);                                               // [B, 1]
  // The guard's sign is a constant of the backward (sign has no gradient almost everywhere); sign(0) = +1.
  std::vector<double> sign = total.detach().cpu().to(kFloat64).to_vector<double>();
  for (double& s : sign) s = s < 0 ? -options_.eps() : options_.eps();
  const Tensor guard = from_vector<double>(sign, total.shape(), total.device()).to(total.dtype());
  return {states, c, div(c, add(total, guard))};
}

Tensor HistographReadout::layer_scores(const std::vector<Tensor>& layers, const Tensor& graph_ptr) {
  return mix_layers(layers, graph_ptr).scores;
}

Tensor HistographReadout::layer_weights(const std::vector<Tensor>& layers, const Tensor& graph_ptr) {
  return mix_layers(layers, graph_ptr).alpha;
}

Tensor HistographReadout::self_attention(const Tensor& h, const Tensor& graph_ptr) {
  const int64_t N = h.size(0), H = options_.heads(), C = options_.hidden() / H;
  const Csr pairs = same_graph_pairs(graph_ptr, h.device());  // rows: queries, columns: keys of the same graph
  const Tensor q = reshape(attn_q_->forward(h), {N, H, C});
  const Tensor k = reshape(attn_k_->forward(h), {N, H, C});
  const Tensor v = reshape(attn_v_->forward(h), {N, H, C});
  const Tensor logits = mul_scalar(mp::gsddmm(pairs, mp::u_dot_v, k, q), 1.0 / std::sqrt(static_cast<double>(C)));
  const Tensor a = mp::edge_softmax(pairs, logits);                                    // [nnz, H]
  const Tensor out = mp::gspmm(pairs, mp::u_mul_e, mp::sum, v, a);                     // [N, H, C]
  return attn_out_->forward(reshape(out, {N, H * C}));
}

Tensor HistographReadout::forward(const std::vector<Tensor>& layers, const Tensor& graph_ptr) {
  const LayerMix m = mix_layers(layers, graph_ptr);
  const int64_t N = m.states.size(0), L = m.states.size(1);
  const Tensor alpha = index_select(m.alpha, node_graph_ids(graph_ptr, m.alpha.device()));          // [N, L]
  const Tensor h = sum(mul(reshape(alpha, {N, L, 1}), m.states), 1);                               // [N, D]
  const Tensor z = norm_->forward(add(h, self_attention(h, graph_ptr)));
  return classifier_->forward(mp::segment_reduce(z, graph_ptr.to(z.device()), mp::Reduce::kMean));
}

}  // namespace loom::layers
