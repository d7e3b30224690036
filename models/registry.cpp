// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The model registry: every model Loom trains by name, with its paper's settings and its layer factory.
// A new model is one entry here (and its test in tests/models/registry_test.cpp).
#include "loom/models/registry.h"

#include "loom/core/error.h"
#include "loom/layers/layers.h"

// Entries are designated initializers that name only what differs from ModelSpec's defaults; GCC 12 warns about
// every member left to its default member initializer, which is the point here.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace loom::models {

namespace {

using Layer = std::shared_ptr<nn::Module>;

Aggregation aggr_or(const GnnOptions& o, Aggregation fallback) { return o.aggr().value_or(fallback); }

// Attention layers: hidden layers concatenate `heads`, the output layer averages `out_heads` (GAT's Cora setup).
layers::GATConvOptions gat_options(const GnnOptions& o, const LayerSlot& s) {
  return layers::GATConvOptions(s.in, s.out)
      .heads(s.last ? o.out_heads() : o.heads())
      .concat(!s.last)
      .dropout(o.attention_dropout());
}

std::vector<ModelSpec> make_registry() {
  std::vector<ModelSpec> r;
  // GCN (Kipf & Welling 2017): 16 hidden, dropout 0.5, Adam lr 0.01, weight decay 5e-4, 200 epochs.
  r.push_back({.name = "gcn", .summary = "GCNConv (Kipf & Welling 2017)", .hidden = 16,
               .make_layer = [](const GnnOptions&, const LayerSlot& s) -> Layer {
                 return std::make_shared<layers::GCNConv>(layers::GCNConvOptions(s.in, s.out));
               }});
  // GraphSAGE (Hamilton et al. 2017), PyG's example settings on the citation graphs.
  r.push_back({.name = "sage", .summary = "SAGEConv, mean/max/sum aggregation (Hamilton et al. 2017)",
               .teacher = {.hidden = 128, .dropout = 0.0},  // GLNN's SAGE teacher
               .aggregations = {Aggregation::kMean, Aggregation::kMax, Aggregation::kSum},
               .make_layer = [](const GnnOptions& o, const LayerSlot& s) -> Layer {
                 return std::make_shared<layers::SAGEConv>(
                     layers::SAGEConvOptions(s.in, s.out).aggr(aggr_or(o, Aggregation::kMean)));
               }});
  // GAT (Velickovic et al. 2018), Cora: 8 heads x 8 ELU units, one output head, dropout 0.6 on inputs and
  // attention, Adam lr 0.005, weight decay 5e-4.
  r.push_back({.name = "gat", .summary = "GATConv (Velickovic et al. 2018)", .hidden = 8, .heads = 8,
               .dropout = 0.6, .attention_dropout = 0.6, .activation = Activation::kElu,
               .training = {.epochs = 300, .lr = 0.005},
               .make_layer = [](const GnnOptions& o, const LayerSlot& s) -> Layer {
                 return std::make_shared<layers::GATConv>(gat_options(o, s));
               }});
  // GATv2 (Brody et al. 2022): GAT's settings.
  r.push_back({.name = "gatv2", .summary = "GATv2Conv (Brody et al. 2022)", .hidden = 8, .heads = 8,
               .dropout = 0.6, .attention_dropout = 0.6, .activation = Activation::kElu,
               .training = {.epochs = 300, .lr = 0.005},
               .make_layer = [](const GnnOptions& o, const LayerSlot& s) -> Layer {
                 return std::make_shared<layers::GATv2Conv>(gat_options(o, s));
               }});
  // GIN (Xu et al. 2019): each layer's MLP has one hidden layer of the model's width.
  r.push_back({.name = "gin", .summary = "GINConv with a one-hidden-layer MLP (Xu et al. 2019)",
               .make_layer = [](const GnnOptions& o, const LayerSlot& s) -> Layer {
                 return std::make_shared<layers::GINConv>(
                     layers::GINConvOptions(s.in, {o.hidden()}, s.out).train_eps(o.train_eps()).norm(o.mlp_norm()));
               }});
  // SINC-GCN (Lim et al.): the method note's settings, sum messages by default.
  r.push_back({.name = "sinc", .summary = "SINCConv, neighbourhood-contextualised messages (Lim et al.)",
               .aggregations = {Aggregation::kSum, Aggregation::kMean, Aggregation::kSym},
               .make_layer = [](const GnnOptions& o, const LayerSlot& s) -> Layer {
                 return std::make_shared<layers::SINCConv>(
                     layers::SINCConvOptions(s.in, o.hidden(), s.out).aggr(aggr_or(o, Aggregation::kSum)));
               }});
  // The structure-free baseline: the same stack of Linear layers.
  r.push_back({.name = "mlp", .summary = "Linear layers, no structure (the baseline)", .input = Input::kFeatures,
               .make_layer = [](const GnnOptions&, const LayerSlot& s) -> Layer {
                 return std::make_shared<nn::Linear>(s.in, s.out);
               }});
  // HGNN / HGNN+ (Feng et al. 2019; Gao et al. 2022): the AllSet protocol's settings that the published
  // co-citation and co-authorship tables use (64 hidden, lr 0.001, no weight decay, 500 epochs).
  const TrainingDefaults allset{.epochs = 500, .lr = 0.001, .weight_decay = 0.0};
  r.push_back({.name = "hgnn", .summary = "HGNNConv (Feng et al. 2019)", .input = Input::kHypergraph,
               .training = allset,
               .make_layer = [](const GnnOptions&, const LayerSlot& s) -> Layer {
                 return std::make_shared<layers::HGNNConv>(layers::HGNNConvOptions(s.in, s.out));
               }});
  r.push_back({.name = "hgnnp", .summary = "HGNNPConv, HGNN+ (Gao et al. 2022)", .input = Input::kHypergraph,
               .training = allset,
               .make_layer = [](const GnnOptions&, const LayerSlot& s) -> Layer {
                 return std::make_shared<layers::HGNNPConv>(layers::HGNNConvOptions(s.in, s.out));
               }});
  // Hypergraph attention: GAT-like settings, 4 heads x 16 ELU units, dropout and attention dropout 0.5.
  r.push_back({.name = "hgat", .summary = "HypergraphAttentionConv (Bai et al. 2021)", .input = Input::kHypergraph,
               .hidden = 16, .heads = 4, .dropout = 0.5, .attention_dropout = 0.5, .activation = Activation::kElu,
               .training = {.epochs = 300, .lr = 0.005},
               .make_layer = [](const GnnOptions& o, const LayerSlot& s) -> Layer {
                 return std::make_shared<layers::HypergraphAttentionConv>(
                     layers::HypergraphAttentionConvOptions(s.in, s.out)
                         .heads(s.last ? o.out_heads() : o.heads())
                         .concat(!s.last)
                         .dropout(o.attention_dropout()));
               }});
  // SoftHGNN (HGNNConv layers with a SoftHGNN block over all nodes after the last hidden layer): HGNN's
  // settings; the block uses 4 heads when the width allows.
  r.push_back({.name = "softhgnn", .summary = "HGNNConv layers with a SoftHGNN block (learned soft hyperedges)",
               .input = Input::kHypergraph, .training = allset,
               .make_layer = [](const GnnOptions&, const LayerSlot& s) -> Layer {
                 return std::make_shared<layers::HGNNConv>(layers::HGNNConvOptions(s.in, s.out));
               },
               .make_block = [](const GnnOptions& o) -> std::shared_ptr<layers::TokenLayer> {
                 LOOM_CHECK(o.num_hyperedges() > 0, ValueError,
                            "NodeClassifier: num_hyperedges must be positive, got ", o.num_hyperedges());
                 return std::make_shared<layers::SoftHGNN>(layers::SoftHGNNOptions(o.hidden())
                                                               .num_hyperedges(o.num_hyperedges())
                                                               .heads(o.hidden() % 4 == 0 ? 4 : 1));
               }});
  return r;
}

}  // namespace

const std::vector<ModelSpec>& model_registry() {
  static const std::vector<ModelSpec> registry = make_registry();
  return registry;
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const ModelSpec& s : model_registry()) names.push_back(s.name);
  return names;
}

const ModelSpec& find_model(std::string_view name) {
  for (const ModelSpec& s : model_registry()) {
    if (s.name == name) return s;
  }
  throw ValueError("unknown model '" + std::string(name) + "' (expected " + loom::detail::join_names(model_names()) +
                   ")");
}

GnnOptions paper_options(std::string_view model, int64_t in_features, int64_t out_features) {
  const ModelSpec& s = find_model(model);
  GnnOptions o(s.name, in_features, s.hidden, out_features);
  o.heads(s.heads).dropout(s.dropout).attention_dropout(s.attention_dropout).activation(s.activation);
  if (!s.aggregations.empty()) o.aggr(s.aggregations.front());
  return o;
}

}  // namespace loom::models
