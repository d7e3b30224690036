// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The model registry: every entry builds from its paper's options, runs on the structure it declares (and is
// refused on the other), trains a step, and survives a save/load through its self-describing file.
#include <gmock/gmock.h>

#include <set>

#include "loom/core/config.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/models/registry.h"
#include "loom/models/saved_model.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

struct Fixture {
  data::NodeDataset d;
  graph::Graph g;
  hypergraph::Hypergraph h;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    data::CsbmOptions o;
    o.num_nodes = 120;
    o.num_classes = 3;
    o.num_features = 12;
    o.num_val = 30;
    o.seed = 5;
    Fixture x{data::make_csbm(o), {}, {}};
    x.g = graph::Graph::from_edge_index(x.d.edge_index, x.d.num_nodes());
    x.h = hypergraph::Hypergraph::from_graph_neighborhoods(x.g);
    return x;
  }();
  return f;
}

Tensor run(models::NodeClassifier& m, const models::ModelSpec& spec) {
  const Fixture& f = fixture();
  if (spec.input == models::Input::kHypergraph) return m.forward(f.h, f.d.x);
  return m.forward(f.g, f.d.x);
}

TEST(Registry, NamesAreUniqueAndEveryEntryIsComplete) {
  std::set<std::string> seen;
  for (const models::ModelSpec& s : models::model_registry()) {
    EXPECT_TRUE(seen.insert(s.name).second) << s.name;
    EXPECT_FALSE(s.summary.empty()) << s.name;
    EXPECT_NE(s.make_layer, nullptr) << s.name;
    EXPECT_GT(s.hidden, 0) << s.name;
    EXPECT_GT(s.training.epochs, 0) << s.name;
    EXPECT_EQ(&models::find_model(s.name), &s);
  }
  EXPECT_EQ(models::model_names().size(), models::model_registry().size());
  EXPECT_THAT([] { models::find_model("gnn"); },
              ThrowsMessage<ValueError>(HasSubstr("unknown model 'gnn' (expected gcn, sage, gat, gatv2, gin, sinc, "
                                                  "mlp, hgnn, hgnnp, hgat or softhgnn)")));
}

// The papers' settings, spelled out: a change to the registry that drifts from them fails here.
TEST(Registry, PaperDefaults) {
  const models::GnnOptions gcn = models::paper_options("gcn", 1433, 7);
  EXPECT_EQ(gcn.hidden(), 16);
  EXPECT_EQ(gcn.dropout(), 0.5);
  EXPECT_EQ(gcn.activation(), Activation::kRelu);
  EXPECT_EQ(models::find_model("gcn").training.lr, 0.01);
  EXPECT_EQ(models::find_model("gcn").training.weight_decay, 5e-4);
  EXPECT_EQ(models::find_model("gcn").training.epochs, 200);
  const models::GnnOptions gat = models::paper_options("gat", 1433, 7);
  EXPECT_EQ(gat.hidden(), 8);
  EXPECT_EQ(gat.heads(), 8);
  EXPECT_EQ(gat.out_heads(), 1);
  EXPECT_EQ(gat.dropout(), 0.6);
  EXPECT_EQ(gat.attention_dropout(), 0.6);
  EXPECT_EQ(gat.activation(), Activation::kElu);
  EXPECT_EQ(models::find_model("gat").training.lr, 0.005);
  EXPECT_EQ(models::paper_options("sage", 4, 2).aggr(), Aggregation::kMean);
  EXPECT_EQ(models::paper_options("sinc", 4, 2).aggr(), Aggregation::kSum);
  EXPECT_EQ(models::paper_options("gcn", 4, 2).aggr(), std::nullopt);
  EXPECT_EQ(models::find_model("hgnn").training.weight_decay, 0.0);
  for (const models::ModelSpec& s : models::model_registry()) {
    EXPECT_EQ(s.training.features, models::FeatureTransform::kRowNormalize) << s.name;
  }
}

TEST(Registry, EveryModelRunsOnItsStructureAndLearnsAStep) {
  const Fixture& f = fixture();
  for (const models::ModelSpec& s : models::model_registry()) {
    manual_seed(1);
    models::GnnOptions o = models::paper_options(s.name, f.d.num_features(), f.d.num_classes);
    o.hidden(8).heads(std::min<int64_t>(o.heads(), 2));
    models::NodeClassifier m(o);
    const Tensor out = run(m, s);
    EXPECT_EQ(out.shape(), (Shape{f.d.num_nodes(), f.d.num_classes})) << s.name;
    EXPECT_FALSE(has_nonfinite(out)) << s.name;
    // A small step against the gradient (norm 1e-3) lowers the loss: the gradient reaches the parameters and
    // points downhill (eval mode, so dropout does not change the function between the two evaluations).
    m.eval();
    const Tensor loss = cross_entropy(run(m, s), f.d.y);
    loss.backward();
    double sq = 0;
    for (const Tensor& p : m.parameters()) {
      if (p.grad().defined()) sq += sum(mul(p.grad(), p.grad())).item_double();
    }
    ASSERT_GT(sq, 0) << s.name;
    for (Tensor p : m.parameters()) {
      if (p.grad().defined()) p.detach().add_(p.grad(), -1e-3 / std::sqrt(sq));
    }
    EXPECT_LT(cross_entropy(run(m, s), f.d.y).item_double(), loss.item_double()) << s.name;
    // The other structure is refused by name (structure-free models accept both).
    if (s.input == models::Input::kGraph) {
      EXPECT_THAT([&] { m.forward(f.h, f.d.x); }, ThrowsMessage<ValueError>(HasSubstr("runs on a Graph"))) << s.name;
    } else if (s.input == models::Input::kHypergraph) {
      EXPECT_THAT([&] { m.forward(f.g, f.d.x); }, ThrowsMessage<ValueError>(HasSubstr("runs on a Hypergraph")))
          << s.name;
    } else {
      EXPECT_EQ(m.forward(f.h, f.d.x).shape(), out.shape()) << s.name;
    }
  }
}

TEST(SavedModel, EveryModelRebuildsFromItsFileAlone) {
  const Fixture& f = fixture();
  for (const models::ModelSpec& s : models::model_registry()) {
    manual_seed(2);
    models::GnnOptions o = models::paper_options(s.name, f.d.num_features(), f.d.num_classes);
    o.hidden(8).heads(2).num_layers(3).norm(NormLayer::kLayer).residual(true).activation(Activation::kTanh);
    models::NodeClassifier a(o);
    a.eval();
    const std::string path = (testing::temp_dir() / ("registry_" + s.name + ".safetensors")).string();
    models::save(a, path, {models::FeatureTransform::kRowNormalize, false, "csbm", 7});
    const models::SavedModel b = models::load(path);
    EXPECT_EQ(models::options_to_json(b.model->options()), models::options_to_json(o)) << s.name;
    EXPECT_EQ(b.info.features, models::FeatureTransform::kRowNormalize);
    EXPECT_FALSE(b.info.singletons);
    EXPECT_EQ(b.info.dataset, "csbm");
    EXPECT_EQ(b.info.seed, 7u);
    EXPECT_EQ(b.info.loom_version, LOOM_VERSION);
    EXPECT_TRUE(allclose(run(*b.model, s), run(a, s), 0, 0)) << s.name;
  }
}

TEST(SavedModel, FilesWithoutAConfigurationAreNamed) {
  manual_seed(0);
  models::NodeClassifier m(models::paper_options("gcn", 4, 2));
  const std::string path = (testing::temp_dir() / "registry_plain.safetensors").string();
  nn::save(m, path);
  EXPECT_THAT([&] { models::load(path); },
              ThrowsMessage<FormatError>(HasSubstr("has no 'loom.model' metadata: it holds weights but not which model")));
  EXPECT_THAT([] { models::options_from_json("{\"model\": \"gcn\"}"); },
              ThrowsMessage<FormatError>(HasSubstr("model configuration")));
  const std::string json = models::options_to_json(models::paper_options("gcn", 4, 2));
  EXPECT_EQ(models::options_to_json(models::options_from_json(json)), json);
}


// Weights loaded into a model configured otherwise give no error and silently worse answers (an aggregation or an
// activation has no parameters of its own): load_weights names the first difference instead.
TEST(SavedModel, LoadingIntoADifferentlyConfiguredModelNamesTheFirstDifference) {
  manual_seed(3);
  models::GnnOptions o = models::paper_options("sage", 4, 2);
  models::NodeClassifier saved(o);
  const std::string path = (testing::temp_dir() / "registry_sage_mean.safetensors").string();
  models::save(saved, path, {});
  // The same configuration loads, and the weights are the saved ones.
  models::NodeClassifier same(o);
  models::load_weights(same, path);
  for (const auto& [name, t] : saved.state_dict()) EXPECT_TRUE(allclose(same.state_dict().at(name), t, 0, 0)) << name;
  models::GnnOptions other = o;
  other.aggr(Aggregation::kMax);
  models::NodeClassifier max_model(other);
  EXPECT_THAT([&] { models::load_weights(max_model, path); },
              ThrowsMessage<ValueError>(HasSubstr("was saved from a model configured differently: aggr: saved mean, "
                                                  "here max")));
  models::GnnOptions tanh = o;
  tanh.activation(Activation::kTanh);
  models::NodeClassifier tanh_model(tanh);
  EXPECT_THAT([&] { models::load_weights(tanh_model, path); },
              ThrowsMessage<ValueError>(HasSubstr("activation: saved relu, here tanh")));
  EXPECT_EQ(models::config_difference("{\"a\": 1, \"b\": 2}", "{\"a\": 1, \"b\": 2}"), "");
  EXPECT_EQ(models::config_difference("{\"a\": 1}", "{\"a\": 1, \"c\": true}"), "c: absent in the file, here true");
}
}  // namespace
}  // namespace loom
