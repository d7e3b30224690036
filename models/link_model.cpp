// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// LinkModel: the registry encoder (optionally variational) and the pair decoders; the gae/vgae names.
#include "loom/models/link_model.h"

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"

namespace loom::models {

namespace {

void check_pairs(const char* op, const Tensor& z, const Tensor& pairs) {
  LOOM_CHECK(z.defined() && z.dim() == 2, ShapeError, op, ": 'z' must be embeddings [N, D], got ",
             z.defined() ? z.str() : "an undefined tensor");
  LOOM_CHECK(pairs.defined() && pairs.dim() == 2 && pairs.size(0) == 2, ShapeError, op,
             ": 'pairs' must be int64 [2, k], got ", pairs.defined() ? pairs.str() : "an undefined tensor");
}

// The endpoint rows of every pair: z[src] and z[dst], [k, D] each.
std::pair<Tensor, Tensor> endpoints(const Tensor& z, const Tensor& pairs) {
  return {index_select(z, pairs.narrow_rows(0, 1).reshape({-1})), index_select(z, pairs.narrow_rows(1, 2).reshape({-1}))};
}

}  // namespace

Tensor decode_links(const Tensor& z, const Tensor& pairs) {
  check_pairs("decode_links", z, pairs);
  const auto [src, dst] = endpoints(z, pairs);
  return sum(mul(src, dst), 1);
}

PairDecoder::PairDecoder(LinkDecoder kind, int64_t dim, int64_t num_relations)
    : nn::Module("PairDecoder"), kind_(kind), dim_(dim) {
  LOOM_CHECK(dim > 0, ValueError, "PairDecoder: the embedding width must be positive, got ", dim);
  LOOM_CHECK(num_relations >= 1, ValueError, "PairDecoder: num_relations must be >= 1, got ", num_relations);
  LOOM_CHECK(kind == LinkDecoder::kDistMult || num_relations == 1, ValueError, "PairDecoder: the ", to_string(kind),
             " decoder has no relations (num_relations ", num_relations, "); typed edges need distmult");
  if (kind == LinkDecoder::kMlp) {
    lin1_ = register_module("lin1", std::make_shared<nn::Linear>(dim, dim));
    lin2_ = register_module("lin2", std::make_shared<nn::Linear>(dim, 1));
  } else if (kind == LinkDecoder::kDistMult) {
    // Ones: training starts from GAE's inner product, the decoder every encoder here was tuned with.
    relation_ = register_parameter("relation", full({num_relations, dim}, 1.0, kFloat32));
  }
}

Tensor PairDecoder::forward(const Tensor& z, const Tensor& pairs, const Tensor& relations) {
  check_pairs("PairDecoder", z, pairs);
  LOOM_CHECK(z.size(1) == dim_, ShapeError, "PairDecoder: 'z' has ", z.size(1), " columns but the ",
             to_string(kind_), " decoder was built for ", dim_);
  LOOM_CHECK(!relations.defined() || kind_ == LinkDecoder::kDistMult, ValueError, "PairDecoder: the ",
             to_string(kind_), " decoder takes no relation ids (typed pairs need distmult)");
  const auto [src, dst] = endpoints(z, pairs);
  switch (kind_) {
    case LinkDecoder::kInnerProduct: return sum(mul(src, dst), 1);
    case LinkDecoder::kMlp: return lin2_->forward(relu(lin1_->forward(mul(src, dst)))).reshape({-1});
    case LinkDecoder::kDistMult: {
      Tensor r = relation_.narrow_rows(0, 1);  // [1, D], broadcast over the pairs
      if (relations.defined()) {
        LOOM_CHECK(relations.dim() == 1 && relations.size(0) == pairs.size(1), ShapeError,
                   "PairDecoder: 'relations' must hold one id per pair ([", pairs.size(1), "]), got ",
                   relations.shape_str());
        r = index_select(relation_, relations);  // IndexError names an id outside [0, num_relations)
      }
      return sum(mul(mul(src, r), dst), 1);
    }
  }
  throw ValueError("PairDecoder: invalid LinkDecoder value");
}

Tensor reparameterize(const Tensor& mu, const Tensor& logstd, const Tensor& eps) {
  return add(mu, mul(eps, exp(logstd)));
}

Tensor vgae_kl(const Tensor& mu, const Tensor& logstd) {
  LOOM_CHECK(mu.defined() && logstd.defined() && mu.dim() == 2 && mu.shape() == logstd.shape(), ShapeError,
             "vgae_kl: 'mu' and 'logstd' must be [N, D] of one shape, got ", mu.shape_str(), " and ",
             logstd.shape_str());
  const Tensor terms = sub(sub(add_scalar(mul_scalar(logstd, 2.0), 1.0), mul(mu, mu)), exp(mul_scalar(logstd, 2.0)));
  return mul_scalar(mean(sum(terms, 1)), -0.5);
}

LinkModel::LinkModel(const LinkModelOptions& o) : nn::Module("LinkModel"), options_(o) {
  LOOM_CHECK(find_model(o.encoder().model()).input == Input::kGraph, ValueError, "LinkModel: model '",
             o.encoder().model(), "' does not run on a graph, so it cannot encode a graph's nodes");
  GnnOptions enc = o.encoder();
  if (o.variational()) enc.out_features(2 * o.encoder().out_features());
  encoder_ = register_module("encoder", std::make_shared<NodeClassifier>(enc));
  decoder_ = register_module(
      "decoder", std::make_shared<PairDecoder>(o.decoder(), o.encoder().out_features(), o.num_relations()));
}

LinkEncoding LinkModel::encode(const graph::Graph& g, const Tensor& x) {
  const Tensor out = encoder_->forward(g, x);
  if (!options_.variational()) return {out, Tensor(), Tensor()};
  const int64_t d = options_.encoder().out_features();
  LinkEncoding e;
  e.mu = slice(out, 1, 0, d);
  e.logstd = slice(out, 1, d, 2 * d);
  e.z = is_training() ? reparameterize(e.mu, e.logstd, randn(e.mu.shape(), e.mu.dtype(), e.mu.device())) : e.mu;
  return e;
}

Tensor LinkModel::decode(const Tensor& z, const Tensor& pairs, const Tensor& relations) {
  return decoder_->forward(z, pairs, relations);
}

Tensor LinkModel::predict(const graph::Graph& g, const Tensor& x, const Tensor& pairs, const Tensor& relations) {
  // A variational model in training mode would score a random sample; refuse rather than flip a shared mode.
  LOOM_CHECK(!is_training() && !encoder_->is_training() && !decoder_->is_training(), ValueError,
             "LinkModel::predict: the model is in training mode; call model.eval() first");
  NoGradGuard no_grad;
  return sigmoid(decode(encode(g, x).z, pairs, relations));
}

const std::vector<LinkArchitecture>& link_architectures() {
  static const std::vector<LinkArchitecture> all{
      {"gae", "graph auto-encoder (Kipf & Welling 2016): the encoder's output is z", false},
      {"vgae", "variational GAE: the encoder's last layer gives mu and logstd, z ~ N(mu, exp(logstd)^2), + KL / N",
       true}};
  return all;
}

const LinkArchitecture* find_link_architecture(std::string_view name) {
  for (const LinkArchitecture& a : link_architectures())
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace loom::models
