// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The toy author-paper-venue heterograph the meta-path model tests (HAN, MAGNN) learn on.
#pragma once
#include <utility>
#include <vector>

#include "loom/data/dataset.h"
#include "loom/hetero/hetero_graph.h"
#include "loom/hetero/metapath.h"
#include "loom/models/han.h"
#include "support/testing.h"

namespace loom::testing {

inline Tensor edge_index(const std::vector<std::pair<int64_t, int64_t>>& e) {
  std::vector<int64_t> v(2 * e.size());
  for (size_t k = 0; k < e.size(); ++k) {
    v[k] = e[k].first;
    v[e.size() + k] = e[k].second;
  }
  return from_vector<int64_t>(v, {2, static_cast<int64_t>(e.size())});
}

// Authors of 4 classes (10 each), 2 papers per author, every paper at its author's class venue; papers of the same
// class share a co-author now and then. Features are one-hot ids (featureless nodes): only the meta-path structure
// (APVPA above all) tells the classes apart.
struct Toy {
  hetero::HeteroGraph g;
  data::NodeDataset d;
};

inline Toy toy() {
  const int64_t classes = 4, per_class = 10, authors = classes * per_class, papers = 2 * authors;
  Toy t;
  t.g.add_node_type("author", authors).add_node_type("paper", papers).add_node_type("venue", classes);
  std::vector<std::pair<int64_t, int64_t>> ap, pv;
  for (int64_t a = 0; a < authors; ++a) {
    for (int64_t k = 0; k < 2; ++k) ap.emplace_back(a, 2 * a + k);
    // A co-author of the same class on the first paper, one author in three.
    if (a % 3 == 0) ap.emplace_back((a + classes) % authors, 2 * a);
  }
  for (int64_t p = 0; p < papers; ++p) pv.emplace_back(p, (p / 2) % classes);
  auto reverse = [](std::vector<std::pair<int64_t, int64_t>> e) {
    for (auto& [u, v] : e) std::swap(u, v);
    return e;
  };
  t.g.add_relation({"author", "writes", "paper"}, edge_index(ap));
  t.g.add_relation({"paper", "written_by", "author"}, edge_index(reverse(ap)));
  t.g.add_relation({"paper", "published_in", "venue"}, edge_index(pv));
  t.g.add_relation({"venue", "publishes", "paper"}, edge_index(reverse(pv)));
  std::vector<int64_t> y(authors), train, val, test;
  for (int64_t a = 0; a < authors; ++a) {
    y[static_cast<size_t>(a)] = a % classes;
    const int64_t r = a / classes;  // rank within its class
    (r < 4 ? train : r < 6 ? val : test).push_back(a);
  }
  t.d.name = "toy";
  std::vector<float> eye(static_cast<size_t>(authors * authors), 0.0f);
  for (int64_t a = 0; a < authors; ++a) eye[static_cast<size_t>(a * authors + a)] = 1.0f;
  t.d.x = from_vector<float>(eye, {authors, authors});
  t.d.y = from_vector<int64_t>(y, {authors});
  t.d.train_idx = i64(train);
  t.d.val_idx = i64(val);
  t.d.test_idx = i64(test);
  t.d.num_classes = classes;
  return t;
}

inline std::vector<graph::Graph> toy_graphs(const Toy& t) {
  return models::metapath_graphs(
      t.g, {hetero::parse_metapath(t.g, "APA"), hetero::parse_metapath(t.g, "APVPA")}, "author");
}

}  // namespace loom::testing
