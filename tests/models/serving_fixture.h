// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// What the serving tests (predict from threads, predict_nodes) run on: one random graph with every awkward case
// (isolated nodes, self loops, duplicate edges, a hub of very high in-degree; support/random_graph.h), its
// neighbourhood hypergraph, features, and one model per registry entry built with a fixed seed and put in eval mode.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/models/registry.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom::testing {

struct ServingFixture {
  graph::Graph g;
  hypergraph::Hypergraph h;
  Tensor x;  // float32 [N, F]
  static constexpr int64_t kNodes = 240, kFeatures = 10, kClasses = 4;

  models::Structure structure_for(const models::NodeClassifier& m) const {
    const bool hyper = models::find_model(m.options().model()).input == models::Input::kHypergraph;
    return hyper ? models::Structure{nullptr, &h} : models::Structure{&g, nullptr};
  }
};

inline const ServingFixture& serving_fixture() {
  static const ServingFixture f = [] {
    ServingFixture s;
    const RandomGraph rg = random_graph(21, ServingFixture::kNodes, ServingFixture::kNodes, 4);
    const int64_t e = rg.num_edges();
    const Tensor edge_index = concat({rg.src.view({1, e}), rg.dst.view({1, e})}, 0);
    s.g = graph::Graph::from_edge_index(edge_index, ServingFixture::kNodes);
    s.h = hypergraph::Hypergraph::from_graph_neighborhoods(s.g);
    s.x = random_values({ServingFixture::kNodes, ServingFixture::kFeatures}, 22, -1.0, 1.0, kFloat32);
    return s;
  }();
  return f;
}

// A model of registry entry `name` with its paper's options (2 layers), seeded, in eval mode.
inline std::shared_ptr<models::NodeClassifier> serving_model(const std::string& name, int num_layers = 2) {
  manual_seed(7);
  models::GnnOptions o = models::paper_options(name, ServingFixture::kFeatures, ServingFixture::kClasses);
  o.num_layers(num_layers);
  auto m = std::make_shared<models::NodeClassifier>(o);
  m->eval();
  return m;
}

inline std::vector<float> host_floats(const Tensor& t) { return t.to(kCPU).to(kFloat32).to_vector<float>(); }

}  // namespace loom::testing
