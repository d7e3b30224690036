// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// NodeClassifier: every model kind builds, runs and learns; options (norm, residual, jumping knowledge) change the
// network as documented; bad options are named; weights round-trip through safetensors.
#include <gmock/gmock.h>

#include "loom/core/nn.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/graph/graph.h"
#include "loom/hypergraph/hypergraph.h"
#include "loom/layers/soft_hgnn.h"
#include "loom/models/gnn.h"
#include "loom/models/registry.h"
#include "loom/models/trainer.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// A graph whose features alone are weak (signal 1) but whose edges are homophilous: graph models beat the MLP.
data::NodeDataset homophilous_csbm() {
  data::CsbmOptions o;
  o.num_nodes = 600;
  o.num_classes = 3;
  o.num_features = 16;
  o.signal = 1.0;
  o.homophily = 0.9;
  o.avg_degree = 8;
  o.num_val = 150;
  o.seed = 7;
  return data::make_csbm(o);
}

// Test accuracy after 60 epochs of the default trainer on graph g or hypergraph h.
template <class S> double fit(const models::GnnOptions& opts, const data::NodeDataset& d, const S& structure) {
  manual_seed(0);
  models::NodeClassifier model(opts);
  models::NodeClassificationTask task(d, [&] { return model.forward(structure, d.x); });
  models::TrainerOptions t;
  t.epochs = 60;
  return models::fit(model, task, t).metric("test_acc");
}

TEST(NodeClassifier, EveryGraphModelLearnsAndBeatsTheMlpOnAHomophilousGraph) {
  const data::NodeDataset d = homophilous_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  const double mlp = fit(models::GnnOptions("mlp", 16, 32, 3), d, g);
  for (const char* m : {"gcn", "sage", "gat", "gatv2", "gin", "sinc"}) {
    const int64_t hidden = std::string(m).rfind("gat", 0) == 0 ? 8 : 32;
    const double acc = fit(models::GnnOptions(m, 16, hidden, 3).heads(4).attention_dropout(0.1), d, g);
    EXPECT_GT(acc, mlp + 0.05) << m << " vs mlp " << mlp;
    EXPECT_GT(acc, 0.75) << m;
  }
}

TEST(NodeClassifier, HypergraphModelsLearnOnNeighbourhoodHyperedgesAndBeatTheMlp) {
  const data::NodeDataset d = homophilous_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  const hypergraph::Hypergraph h = hypergraph::Hypergraph::from_graph_neighborhoods(g);
  auto fit_h = [&](const models::GnnOptions& opts) { return fit(opts, d, h); };
  const double mlp = fit_h(models::GnnOptions("mlp", 16, 32, 3));  // mlp runs on either structure
  for (const char* m : {"hgnn", "hgnnp"}) {
    EXPECT_EQ(models::find_model(m).input, models::Input::kHypergraph);
    const double acc = fit_h(models::GnnOptions(m, 16, 32, 3));
    EXPECT_GT(acc, mlp + 0.05) << m << " vs mlp " << mlp;
    EXPECT_GT(acc, 0.75) << m;
  }
  EXPECT_EQ(models::find_model("gcn").input, models::Input::kGraph);
  models::NodeClassifier hgnn(models::GnnOptions("hgnn", 16, 8, 3));
  EXPECT_EQ(hgnn.named_parameters().at("convs.0.weight").shape(), (Shape{8, 16}));
  EXPECT_THAT([&] { hgnn.forward(g, d.x); },
              ThrowsMessage<ValueError>(HasSubstr("'hgnn' runs on a Hypergraph, not a Graph")));
  models::NodeClassifier gcn(models::GnnOptions("gcn", 16, 8, 3));
  EXPECT_THAT([&] { gcn.forward(h, d.x); },
              ThrowsMessage<ValueError>(HasSubstr("'gcn' runs on a Graph, not a Hypergraph")));
}

TEST(NodeClassifier, HypergraphAttentionLearnsAndConcatenatesHeads) {
  const data::NodeDataset d = homophilous_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  const hypergraph::Hypergraph h = hypergraph::Hypergraph::from_graph_neighborhoods(g);
  EXPECT_EQ(models::find_model("hgat").input, models::Input::kHypergraph);
  auto fit_h = [&](const models::GnnOptions& opts) { return fit(opts, d, h); };
  const double mlp = fit_h(models::GnnOptions("mlp", 16, 32, 3));
  const double acc = fit_h(models::GnnOptions("hgat", 16, 8, 3).heads(4).attention_dropout(0.2));
  EXPECT_GT(acc, mlp + 0.05) << "hgat vs mlp " << mlp;
  EXPECT_GT(acc, 0.75);
  // Hidden layers concatenate their heads (4 x 6 = 24 features in), the output layer averages out_heads (1).
  models::NodeClassifier hgat(models::GnnOptions("hgat", 16, 6, 3).heads(4).num_layers(3));
  const auto params = hgat.named_parameters();
  EXPECT_EQ(params.at("convs.0.att_v").shape(), (Shape{4, 6}));
  EXPECT_EQ(params.at("convs.1.weight").shape(), (Shape{24, 24}));
  EXPECT_EQ(params.at("convs.2.weight").shape(), (Shape{3, 24}));
  EXPECT_EQ(hgat.forward(h, d.x).shape(), (Shape{600, 3}));
  EXPECT_THAT([&] { hgat.forward(g, d.x); },
              ThrowsMessage<ValueError>(HasSubstr("'hgat' runs on a Hypergraph, not a Graph")));
}

// softhgnn: HGNNConv -> activation -> SoftHGNN over all nodes -> dropout -> HGNNConv.
TEST(NodeClassifier, SoftHgnnLearnsNamesItsBlockAndRoundTrips) {
  const data::NodeDataset d = homophilous_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  const hypergraph::Hypergraph h = hypergraph::Hypergraph::from_graph_neighborhoods(g);
  EXPECT_EQ(models::find_model("softhgnn").input, models::Input::kHypergraph);
  auto fit_h = [&](const models::GnnOptions& opts) { return fit(opts, d, h); };
  const double mlp = fit_h(models::GnnOptions("mlp", 16, 32, 3));
  const double acc = fit_h(models::GnnOptions("softhgnn", 16, 32, 3));
  EXPECT_GT(acc, mlp + 0.05) << "softhgnn vs mlp " << mlp;
  EXPECT_GT(acc, 0.75);

  manual_seed(2);
  models::NodeClassifier a(models::GnnOptions("softhgnn", 16, 12, 3).num_hyperedges(5));
  const auto params = a.named_parameters();
  EXPECT_EQ(params.at("convs.0.weight").shape(), (Shape{12, 16}));
  EXPECT_EQ(params.at("convs.1.weight").shape(), (Shape{3, 12}));
  EXPECT_EQ(params.at("soft.prototypes").shape(), (Shape{5, 12}));
  EXPECT_EQ(params.at("soft.context_weight").shape(), (Shape{60, 24}));
  EXPECT_EQ(params.at("soft.vertex_bias").shape(), (Shape{12}));
  auto soft_heads = [](const models::NodeClassifier& m) {
    for (const auto& [name, child] : m.named_children())
      if (name == "soft") return std::dynamic_pointer_cast<layers::SoftHGNN>(child)->options().heads();
    return int64_t{-1};
  };
  EXPECT_EQ(soft_heads(a), 4) << "hidden 12 is a multiple of 4";
  EXPECT_EQ(soft_heads(models::NodeClassifier(models::GnnOptions("softhgnn", 16, 6, 3))), 1) << "hidden 6";
  EXPECT_EQ(soft_heads(models::NodeClassifier(models::GnnOptions("softhgnn", 16, 8, 3))), 4);
  a.eval();
  const Tensor out = a.forward(h, d.x);
  EXPECT_EQ(out.shape(), (Shape{600, 3}));
  EXPECT_FALSE(has_nonfinite(out));
  // Weights round-trip through safetensors into a fresh model (soft.* included).
  const std::string path = (testing::temp_dir() / "gnn_test_softhgnn.safetensors").string();
  nn::save(a, path);
  manual_seed(5);
  models::NodeClassifier b(models::GnnOptions("softhgnn", 16, 12, 3).num_hyperedges(5));
  b.eval();
  EXPECT_GT(max_abs_diff(b.forward(h, d.x), out), 1e-6) << "a different initialisation predicts differently";
  nn::load(b, path);
  EXPECT_TRUE(allclose(b.forward(h, d.x), out, 0, 0));
  // The block is on the path: zeroing its vertex transform (Y = GELU(0) = 0, so the block is the identity)
  // changes the predictions.
  for (const char* p : {"soft.vertex_weight", "soft.vertex_bias"}) {
    Tensor t = b.named_parameters().at(p);  // a handle sharing the parameter's storage
    t.fill_(0.0);
  }
  EXPECT_GT(max_abs_diff(b.forward(h, d.x), out), 1e-6);
  models::NodeClassifier wrong(models::GnnOptions("softhgnn", 16, 12, 3).num_hyperedges(6));
  EXPECT_THAT([&] { nn::load(wrong, path); }, ThrowsMessage<ValueError>(HasSubstr("soft.prototypes")));
  EXPECT_THAT([&] { a.forward(g, d.x); },
              ThrowsMessage<ValueError>(HasSubstr("'softhgnn' runs on a Hypergraph, not a Graph")));
  EXPECT_THAT([] { models::NodeClassifier m(models::GnnOptions("softhgnn", 4, 4, 2).num_layers(1)); },
              ThrowsMessage<ValueError>(HasSubstr("'softhgnn' places its SoftHGNN block after a hidden layer")));
  // With jk every layer is hidden: the block runs after the last one.
  models::NodeClassifier jk(models::GnnOptions("softhgnn", 16, 8, 3).num_layers(1).jk(models::JumpingKnowledge::kCat));
  EXPECT_EQ(jk.forward(h, d.x).shape(), (Shape{600, 3}));
}

TEST(NodeClassifier, OptionsShapeTheNetwork) {
  manual_seed(1);
  const data::NodeDataset d = homophilous_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  for (const char* jk : {"none", "cat", "max", "sum"}) {
    models::NodeClassifier m(models::GnnOptions("gcn", 16, 24, 3)
                                 .num_layers(3)
                                 .jk(parse_choice<models::JumpingKnowledge>(jk))
                                 .norm(NormLayer::kBatch)
                                 .residual(true));
    const Tensor out = m.forward(g, d.x);
    EXPECT_EQ(out.shape(), (Shape{600, 3})) << jk;
    EXPECT_FALSE(has_nonfinite(out)) << jk;
    const bool has_readout = m.named_parameters().find("readout.weight") != nullptr;
    EXPECT_EQ(has_readout, std::string(jk) != "none") << jk;
  }
  // GAT's hidden layers concatenate their heads: 4 heads of 6 -> the next layer reads 24 features.
  models::NodeClassifier gat(models::GnnOptions("gat", 16, 6, 3).heads(4).num_layers(3));
  EXPECT_EQ(gat.named_parameters().at("convs.1.weight").shape(), (Shape{24, 24}));
  EXPECT_EQ(gat.forward(g, d.x).shape(), (Shape{600, 3}));
}

TEST(NodeClassifier, BadOptionsAreNamed) {
  EXPECT_THAT([] { models::NodeClassifier m(models::GnnOptions("gnn", 4, 4, 2)); },
              ThrowsMessage<ValueError>(HasSubstr("unknown model 'gnn' (expected gcn, sage, gat")));
  EXPECT_THAT([] { parse_choice<models::JumpingKnowledge>("avg"); },
              ThrowsMessage<ValueError>(HasSubstr("unknown jk 'avg' (expected none, cat, max or sum)")));
  EXPECT_THAT([] { models::NodeClassifier m(models::GnnOptions("gcn", 4, 4, 2).aggr(Aggregation::kMax)); },
              ThrowsMessage<ValueError>(HasSubstr("model 'gcn' takes no aggregation choice (aggr is for sage or sinc)")));
  EXPECT_THAT([] { models::NodeClassifier m(models::GnnOptions("sage", 4, 4, 2).aggr(Aggregation::kSym)); },
              ThrowsMessage<ValueError>(HasSubstr(
                  "NodeClassifier: model 'sage': aggregation 'sym' is not supported (expected mean, max or sum)")));
  EXPECT_THAT([] { models::NodeClassifier m(models::GnnOptions("gcn", 4, 4, 2).num_layers(0)); },
              ThrowsMessage<ValueError>(HasSubstr("num_layers must be >= 1")));
  models::NodeClassifier m(models::GnnOptions("gcn", 4, 4, 2));
  const graph::Graph g = graph::Graph::from_edge_index(from_vector<int64_t>({0, 1, 1, 0}, {2, 2}), 2);
  EXPECT_THAT([&] { m.forward(g, zeros({2, 5})); }, ThrowsMessage<ShapeError>(HasSubstr("x must be [N, 4]")));
}

TEST(NodeClassifier, SavedWeightsReloadIntoAFreshModelAndPredictTheSame) {
  const data::NodeDataset d = homophilous_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  manual_seed(3);
  const auto opts = models::GnnOptions("gat", 16, 8, 3).heads(2);
  models::NodeClassifier a(opts);
  a.eval();
  const std::string path = (testing::temp_dir() / "gnn_test_gat.safetensors").string();
  nn::save(a, path);
  manual_seed(4);
  models::NodeClassifier b(opts);
  nn::load(b, path);
  b.eval();
  EXPECT_TRUE(allclose(a.forward(g, d.x), b.forward(g, d.x), 0, 0));
}

}  // namespace
}  // namespace loom
