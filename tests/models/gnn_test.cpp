// NodeClassifier: every model kind builds, runs and learns; options (norm, residual, jumping knowledge) change the
// network as documented; bad options are named; weights round-trip through safetensors.
#include <gmock/gmock.h>

#include "loom/core/nn.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/graph/graph.h"
#include "loom/hypergraph/hypergraph.h"
#include "loom/models/gnn.h"
#include "loom/models/node_classification.h"
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

models::TrainResult fit(const models::GnnOptions& opts, const data::NodeDataset& d, const graph::Graph& g) {
  manual_seed(0);
  models::NodeClassifier model(opts);
  models::TrainOptions t;
  t.epochs = 60;
  return models::train_node_classifier(model, [&](bool) { return model.forward(g, d.x); }, d, t);
}

TEST(NodeClassifier, EveryGraphModelLearnsAndBeatsTheMlpOnAHomophilousGraph) {
  const data::NodeDataset d = homophilous_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  const double mlp = fit(models::GnnOptions("mlp", 16, 32, 3), d, g).test_acc;
  for (const char* m : {"gcn", "sage", "gat", "gatv2", "gin", "sinc"}) {
    const int64_t hidden = std::string(m).rfind("gat", 0) == 0 ? 8 : 32;
    const double acc = fit(models::GnnOptions(m, 16, hidden, 3).heads(4).attention_dropout(0.1), d, g).test_acc;
    EXPECT_GT(acc, mlp + 0.05) << m << " vs mlp " << mlp;
    EXPECT_GT(acc, 0.75) << m;
  }
}

TEST(NodeClassifier, HypergraphModelsLearnOnNeighbourhoodHyperedgesAndBeatTheMlp) {
  const data::NodeDataset d = homophilous_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  const hypergraph::Hypergraph h = hypergraph::Hypergraph::from_graph_neighborhoods(g);
  auto fit_h = [&](const models::GnnOptions& opts) {
    manual_seed(0);
    models::NodeClassifier model(opts);
    models::TrainOptions t;
    t.epochs = 60;
    return models::train_node_classifier(model, [&](bool) { return model.forward(h, d.x); }, d, t).test_acc;
  };
  const double mlp = fit_h(models::GnnOptions("mlp", 16, 32, 3));  // mlp runs on either structure
  for (const char* m : {"hgnn", "hgnnp"}) {
    EXPECT_TRUE(models::NodeClassifier::is_hypergraph_model(m));
    const double acc = fit_h(models::GnnOptions(m, 16, 32, 3));
    EXPECT_GT(acc, mlp + 0.05) << m << " vs mlp " << mlp;
    EXPECT_GT(acc, 0.75) << m;
  }
  EXPECT_FALSE(models::NodeClassifier::is_hypergraph_model("gcn"));
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
  EXPECT_TRUE(models::NodeClassifier::is_hypergraph_model("hgat"));
  auto fit_h = [&](const models::GnnOptions& opts) {
    manual_seed(0);
    models::NodeClassifier model(opts);
    models::TrainOptions t;
    t.epochs = 60;
    return models::train_node_classifier(model, [&](bool) { return model.forward(h, d.x); }, d, t).test_acc;
  };
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

TEST(NodeClassifier, OptionsShapeTheNetwork) {
  manual_seed(1);
  const data::NodeDataset d = homophilous_csbm();
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  for (const char* jk : {"none", "cat", "max", "sum"}) {
    models::NodeClassifier m(models::GnnOptions("gcn", 16, 24, 3).num_layers(3).jk(jk).norm("batch").residual(true));
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
              ThrowsMessage<ValueError>(HasSubstr("unknown model 'gnn'")));
  EXPECT_THAT([] { models::NodeClassifier m(models::GnnOptions("gcn", 4, 4, 2).jk("avg")); },
              ThrowsMessage<ValueError>(HasSubstr("unknown jk 'avg'")));
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
