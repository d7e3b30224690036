// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The README's C++ snippets as one program that runs them. Each README block is the text between this file's
// `// [readme NAME]` and `// [/readme NAME]` markers (several regions of one NAME are joined by a blank line, each
// dedented), so what the README shows is code that compiles and runs: CTest `docs.readme_snippets` checks the README
// against this file and `docs.readme_tour` runs it.
//
//   ./build/examples/readme_tour      (reads cora and cocitation-cora under $LOOM_DATA, default ../shared/data;
//                                      exits 77 when they are missing)
#include <cstdio>
#include <string>

#include "loom/core/ops.h"

// [readme using-it]
#include <loom/core/random.h>
#include <loom/data/dataset.h>
#include <loom/graph/graph.h>
#include <loom/graph/transforms.h>
#include <loom/models/registry.h>
#include <loom/models/saved_model.h>
#include <loom/models/trainer.h>
// [/readme using-it]
// [readme hypergraphs]
#include <loom/hypergraph/hypergraph.h>
#include <loom/layers/layers.h>
using loom::hypergraph::Hypergraph;
// [/readme hypergraphs]
// [readme engine-layer]
#include <loom/core/message.h>
namespace mp = loom::mp;
// [/readme engine-layer]

namespace {

// Throws with `what` unless `ok`: the tour is also a test, and a snippet that runs but computes nonsense fails it.
void expect(bool ok, const std::string& what) {
  if (!ok) throw loom::ValueError("readme_tour: " + what);
}

// "Using it": the registry's GCN on Cora, trained, saved, rebuilt from the file and asked for predictions.
loom::graph::Graph using_it() {
  // [readme using-it]
  loom::manual_seed(0);
  auto data = loom::data::load_node_dataset(loom::data::find_dataset("cora"));   // under $LOOM_DATA
  data.x = loom::graph::row_normalize(data.x);                                     // the papers' preprocessing
  auto g = loom::graph::Graph::from_edge_index(data.edge_index, data.num_nodes());   // .to(loom::kCUDA) for the GPU
  // The registry's GCN with its paper's settings (16 hidden, dropout 0.5); every field can be overridden.
  loom::models::NodeClassifier gcn(loom::models::paper_options("gcn", data.num_features(), data.num_classes));
  loom::models::NodeClassificationTask task(data, [&] { return gcn.forward(g, data.x); });
  loom::models::TrainerOptions opt;                     // Adam, lr 0.01, weight decay 5e-4, 200 epochs
  opt.checkpoint_dir = "runs/gcn";                      // optional: opt.resume = true continues a killed run
  auto result = loom::models::fit(gcn, task, opt);      // result.metric("test_acc"), result.history, ...
  loom::models::save(gcn, "gcn.safetensors", {loom::models::FeatureTransform::kRowNormalize});
  auto served = loom::models::load("gcn.safetensors");  // rebuilt from the file alone; opens in PyTorch too
  auto p = served.model->predict(g, data.x);            // p.classes, p.probabilities; safe from many threads
  // [/readme using-it]
  const double acc = loom::models::accuracy(p.logits, data.y, data.test_idx);
  std::printf("using-it: GCN on Cora, test accuracy %.3f trained, %.3f reloaded\n", result.metric("test_acc"), acc);
  expect(acc == result.metric("test_acc"), "the reloaded GCN predicts differently from the trained one");
  expect(acc > 0.75, "the GCN did not learn Cora");
  return g;
}

// "Hypergraphs": the builders, an HGNN+ layer, SoftHGNN and ACE-HGNN on co-citation Cora and random tokens.
void hypergraphs() {
  const auto data = loom::data::load_node_dataset(loom::data::find_dataset("cocitation-cora"));
  const loom::Tensor attributes = data.y;             // any int [N] or [N, A] column of categories
  const loom::Tensor tokens = loom::randn({2, 16, 256});  // two samples of 16 tokens
  // [readme hypergraphs]
  auto given = Hypergraph::from_incidence(data.hyperedge_index, data.num_nodes()).with_singletons();
  auto knn = Hypergraph::from_knn(data.x, 10);                   // one hyperedge per vertex and its 10 nearest
  auto groups = Hypergraph::from_attribute_groups(attributes);    // one per shared attribute value ([N] or [N, A])
  auto h = Hypergraph::merge({given, knn});                       // HGNN+'s multi-modal hyperedge groups
  auto g = h.clique_expansion();                                  // a weighted graph, H W H^T by SpGEMM
  auto w = loom::rand({given.num_incidences()});                  // a real-valued H: one h_ve per incidence,
  auto hw = given.with_incidence_weight(w);                       // in incidence() order
  loom::layers::HGNNPConv conv(loom::layers::HGNNConvOptions(data.num_features(), 64));
  auto y = conv.forward(h, data.x);                               // [N, 64]

  // SoftHGNN on token sets [B, N, D] (or graph nodes [N, D]): 64 learned hyperedges, keep the top 16 per sample.
  loom::layers::SoftHGNN soft(loom::layers::SoftHGNNOptions(256).num_hyperedges(64).top_k(16));
  auto details = soft.forward_with_details(tokens);               // .x, .participation [B, N, 64], .load_balance
  // ACE-HGNN: token 0 gathers from each token's top-5 hypergraph (global_logits optional).
  loom::layers::AceHgnn ace(loom::layers::AceHgnnOptions(256).top_k(5));
  auto out = ace.forward(tokens);
  // [/readme hypergraphs]
  std::printf("hypergraphs: given %s, merged %s, %lld attribute groups, clique expansion %s, HGNN+ out [%lld, %lld]\n",
              given.str().c_str(), h.str().c_str(), static_cast<long long>(groups.num_hyperedges()),
              g.str().c_str(), static_cast<long long>(y.size(0)), static_cast<long long>(y.size(1)));
  expect(h.num_hyperedges() == given.num_hyperedges() + data.num_nodes(), "merge lost hyperedges");
  expect(groups.num_hyperedges() == data.num_classes, "one attribute group per class was expected");
  expect(hw.num_incidences() == given.num_incidences() && hw.incidence_weight().defined(), "weights were lost");
  expect(y.size(0) == data.num_nodes() && y.size(1) == 64, "HGNNPConv gave the wrong shape");
  expect(details.participation.size(2) == 64 && out.size(0) == 2, "the token layers gave the wrong shapes");
}

// "Writing a layer on the engine": GCN's propagation as one fused call, checked against the same sum done by hand.
void engine_layer(const loom::graph::Graph& g) {
  const loom::Tensor x = loom::randn({g.num_nodes(), 32});
  const loom::Tensor w = loom::randn({32, 16});
  const loom::Tensor bias = loom::randn({16});
  // [readme engine-layer]
  // GCN: out = relu(A_hat (x W) + b), the bias and ReLU applied as each row is stored.
  const auto& gs = g.with_self_loops();
  auto norm = gs.norm(loom::graph::Norm::kSym, x.dtype());       // D^-1/2 (A + I) D^-1/2, one value per edge
  auto out = mp::propagate(gs.csr(), {mp::u_mul_e, mp::sum, {bias, mp::Act::kRelu}}, loom::matmul(x, w), norm);
  // [/readme engine-layer]
  // The same with the unfused engine primitives: gather the source rows, scale them, add them up per target.
  const auto& csr = gs.csr();
  const loom::Tensor messages = loom::mul(mp::gather_src(csr, loom::matmul(x, w)), loom::reshape(norm, {norm.numel(), 1}));
  const loom::Tensor reference = loom::relu(loom::add(mp::scatter(csr, messages, mp::sum), bias));
  const double err = loom::max_abs_diff(out, reference);
  std::printf("engine-layer: propagate on %s, out [%lld, %lld], max |fused - unfused| %.2e\n", gs.str().c_str(),
              static_cast<long long>(out.size(0)), static_cast<long long>(out.size(1)), err);
  expect(err < 1e-4, "the fused propagate differs from gather, scale and scatter");
}

}  // namespace

int main() try {
  for (const std::string name : {"cora", "cocitation-cora"}) {
    try {
      loom::data::find_dataset(name);
    } catch (const loom::Error& e) {
      std::printf("readme_tour: skipped, %s\n", e.what());
      return 77;
    }
  }
  const loom::graph::Graph cora = using_it();
  hypergraphs();
  engine_layer(cora);
  std::printf("readme_tour: every README snippet ran\n");
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "readme_tour: error: %s\n", e.what());
  return 1;
}
