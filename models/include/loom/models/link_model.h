// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The link prediction model: an encoder from the model registry (any graph model) that maps nodes to embeddings z,
// optionally variational (VGAE, Kipf & Welling 2016), and a pair decoder (inner product, an MLP on z_u * z_v, or
// DistMult) whose parameters train with the encoder's, since both are children of one module.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loom/core/choices.h"
#include "loom/core/io.h"
#include "loom/core/nn.h"
#include "loom/graph/graph.h"
#include "loom/models/gnn.h"
#include "loom/models/registry.h"

namespace loom {
namespace models {
// kInnerProduct: z_u . z_v (GAE). kMlp: Linear(D, D) -> ReLU -> Linear(D, 1) on z_u * z_v. kDistMult: z_u^T diag(r)
// z_v with a learned r per relation (one for a homogeneous graph).
enum class LinkDecoder : uint8_t { kInnerProduct, kMlp, kDistMult };
}  // namespace models

template <> struct EnumNames<models::LinkDecoder> {
  static constexpr std::string_view what = "link decoder";
  static constexpr std::array<std::pair<models::LinkDecoder, std::string_view>, 3> table{
      {{models::LinkDecoder::kInnerProduct, "inner_product"},
       {models::LinkDecoder::kMlp, "mlp"},
       {models::LinkDecoder::kDistMult, "distmult"}}};
};

namespace models {

// The inner-product scores of pairs (int64 [2, k]) from embeddings z [N, D]: one logit per pair.
Tensor decode_links(const Tensor& z, const Tensor& pairs);

// A decoder as a module, so that its parameters ("lin1.weight", "relation") are trained and saved with the
// encoder. forward(z, pairs[, relations]) -> logits [k]; relations (int32/int64 [k], ids in [0, num_relations))
// pick DistMult's r per pair; without them every pair uses relation 0. The other decoders take no relations.
class PairDecoder : public nn::Module {
 public:
  PairDecoder(LinkDecoder kind, int64_t dim, int64_t num_relations = 1);
  Tensor forward(const Tensor& z, const Tensor& pairs, const Tensor& relations = Tensor());
  LinkDecoder kind() const { return kind_; }
  // DistMult's r [num_relations, D]; undefined for the other decoders.
  const Tensor& relation() const { return relation_; }

 private:
  LinkDecoder kind_;
  int64_t dim_;
  std::shared_ptr<nn::Linear> lin1_, lin2_;
  Tensor relation_;
};

// VGAE's pieces, separate so they can be checked alone. reparameterize: mu + eps * exp(logstd) (eps ~ N(0, 1) of
// mu's shape). vgae_kl: KL(q(z | x) || N(0, I)) as PyG's VGAE.kl_loss, -0.5 * mean over nodes of
// sum_d (1 + 2 logstd - mu^2 - exp(logstd)^2); the training loss adds it divided by N, as the paper's code does.
Tensor reparameterize(const Tensor& mu, const Tensor& logstd, const Tensor& eps);
Tensor vgae_kl(const Tensor& mu, const Tensor& logstd);

struct LinkModelOptions {
  explicit LinkModelOptions(GnnOptions encoder) : encoder_(std::move(encoder)) {}
  // The encoder; its out_features is the embedding width D (a variational encoder's last layer outputs 2D
  // columns: mu, then logstd, which is exactly two heads of D columns on the same input, as VGAE's two GCN heads).
  LOOM_ARG(GnnOptions, encoder);
  LOOM_ARG(bool, variational) = false;
  LOOM_ARG(LinkDecoder, decoder) = LinkDecoder::kInnerProduct;
  LOOM_ARG(int64_t, num_relations) = 1;  // DistMult
};

// z is the embedding the decoder reads; mu and logstd are set for a variational model (z = mu in eval mode).
struct LinkEncoding {
  Tensor z, mu, logstd;
};

// Children "encoder" (a NodeClassifier) and "decoder" (a PairDecoder): parameters read encoder.convs.0.weight,
// decoder.lin1.weight, decoder.relation.
class LinkModel : public nn::Module {
 public:
  explicit LinkModel(const LinkModelOptions& options);
  // Embeddings of every node of g. Variational and training: z = mu + eps exp(logstd), eps from the global seeded
  // generator (so a resumed run draws what the uninterrupted one did); otherwise z = mu.
  LinkEncoding encode(const graph::Graph& g, const Tensor& x);
  Tensor decode(const Tensor& z, const Tensor& pairs, const Tensor& relations = Tensor());
  // Probabilities sigmoid(decode) of `pairs` in eval mode without gradients (the model must be in eval mode:
  // ValueError otherwise, as NodeClassifier::predict).
  Tensor predict(const graph::Graph& g, const Tensor& x, const Tensor& pairs, const Tensor& relations = Tensor());
  const LinkModelOptions& options() const { return options_; }
  NodeClassifier& encoder() { return *encoder_; }
  PairDecoder& decoder() { return *decoder_; }

 private:
  LinkModelOptions options_;
  std::shared_ptr<NodeClassifier> encoder_;
  std::shared_ptr<PairDecoder> decoder_;
};

// Link architectures named on the command line beside the registry's encoders: gae (a non-variational encoder)
// and vgae (a variational one); --model sage with --task link is a GAE with a SAGE encoder.
struct LinkArchitecture {
  std::string name, summary;
  bool variational = false;
};
const std::vector<LinkArchitecture>& link_architectures();
// nullptr when `name` is not one (then it is a registry model used as a GAE's encoder).
const LinkArchitecture* find_link_architecture(std::string_view name);

// ---------------------------------------------------------------- saving

// What scoring pairs needs besides the weights: how features were prepared, and the message-passing graph the
// encoder read (its edge_index is stored in the file, so no split has to be redrawn).
struct SavedLinkInfo {
  FeatureTransform features = FeatureTransform::kNone;
  std::string dataset;
  uint64_t seed = 0;
  int64_t num_nodes = 0;
  Tensor edge_index;  // int64 [2, E] of the message-passing graph
};

struct SavedLinkModel {
  std::shared_ptr<LinkModel> model;  // in eval mode, on the CPU
  SavedLinkInfo info;
};

// Writes the weights, the configuration under "loom.link" (the encoder's GnnOptions, variational, decoder,
// relations) and info, with the graph's edges as the tensor "graph.edge_index", atomically.
void save_link_model(const LinkModel& model, const std::string& path, const SavedLinkInfo& info);
// Rebuilds the model from the file alone. FormatError when the file holds no link model (a node model's file says
// so) or its configuration is malformed.
SavedLinkModel load_link_model(const std::string& path);
// Whether a safetensors file's metadata describes a link model (saved by save_link_model).
bool is_link_model(const Metadata& metadata);

}  // namespace models
}  // namespace loom
