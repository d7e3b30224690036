// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Support for the classic layers' tests (GCN, SAGE, GIN/GINE): edge lists from random_graph with dense float64
// references built by hand (support/dense.h) and a small CSBM training loop. The gradcheck over a layer's
// parameters is support/gradcheck.h's param_gradcheck.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/nn.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"
#include "loom/data/csbm.h"
#include "loom/graph/graph.h"
#include "support/dense.h"
#include "support/gradcheck.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom::testing {

// An edge list (src -> dst) with optional weights, kept on the host for the references.
struct Edges {
  int64_t n = 0;
  std::vector<int64_t> src, dst;
  std::vector<double> w;  // empty: unweighted
  Tensor edge_index() const {
    std::vector<int64_t> v(src);
    v.insert(v.end(), dst.begin(), dst.end());
    return from_vector<int64_t>(v, {2, static_cast<int64_t>(src.size())});
  }
  graph::Graph graph(const Tensor& edge_attr = Tensor()) const {
    const Tensor weight = w.empty() ? Tensor() : from_vector<double>(w, {static_cast<int64_t>(w.size())});
    return graph::Graph::from_edge_index(edge_index(), n, weight, edge_attr);
  }
};

// random_graph's nasty square graph (isolated nodes, empty rows, self loops, duplicates, a hub), optionally with
// weights in [0.5, 1.5).
inline Edges random_edges(uint32_t seed, int64_t n, int64_t avg_degree, bool weighted) {
  const RandomGraph rg = random_graph(seed, n, n, avg_degree);
  Edges e;
  e.n = n;
  e.src = rg.src.to_vector<int64_t>();
  e.dst = rg.dst.to_vector<int64_t>();
  if (weighted) e.w = random_tensor({rg.num_edges()}, seed + 1, 0.5, 1.5).to_vector<double>();
  return e;
}

// x W^T + b with a module's weight [out, in] and optional bias [out].
inline Mat linear_d(const Mat& x, const Tensor& weight, const Tensor& bias = Tensor()) {
  const Mat w = to_mat(weight);
  Mat wt(w.at(0).size(), std::vector<double>(w.size()));
  for (size_t i = 0; i < w.size(); ++i)
    for (size_t j = 0; j < w[0].size(); ++j) wt[j][i] = w[i][j];
  Mat y = matmul_d(x, wt);
  if (bias.defined()) {
    const auto b = bias.detach().cpu().to(kFloat64).to_vector<double>();
    for (auto& row : y)
      for (size_t j = 0; j < row.size(); ++j) row[j] += b[j];
  }
  return y;
}

inline Mat add_d(Mat a, const Mat& b) {
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < a[i].size(); ++j) a[i][j] += b[i][j];
  return a;
}

inline Mat relu_d(Mat a) {
  for (auto& row : a)
    for (double& v : row) v = std::max(v, 0.0);
  return a;
}

// Dense adjacency A[dst][src] summing the (weighted) edges, duplicates included.
inline Mat adjacency(const Edges& e, bool use_weights = true) {
  Mat a(static_cast<size_t>(e.n), std::vector<double>(static_cast<size_t>(e.n), 0.0));
  for (size_t k = 0; k < e.src.size(); ++k) a[e.dst[k]][e.src[k]] += use_weights && !e.w.empty() ? e.w[k] : 1.0;
  return a;
}

inline Tensor requires_grad_input(const Shape& shape, uint32_t seed) {
  Tensor x = random_tensor(shape, seed);
  x.set_requires_grad(true);
  return x;
}

// A small CSBM node-classification task: 3 balanced classes, homophilous, weak features.
inline data::NodeDataset small_csbm() {
  data::CsbmOptions o;
  o.num_nodes = 300;
  o.num_classes = 3;
  o.avg_degree = 8.0;
  o.homophily = 0.85;
  o.num_features = 16;
  o.signal = 1.0;
  o.train_per_class = 20;
  o.num_val = 60;
  o.seed = 7;
  return data::make_csbm(o);
}

// Trains `model` (parameters; forward gives logits [N, C]) with Adam on the train split and returns the accuracy
// on the test split.
inline double train_and_test(const data::NodeDataset& ds, const std::vector<Tensor>& params,
                             const std::function<Tensor(bool)>& forward, int epochs = 100, double lr = 0.01) {
  optim::Adam opt(params, optim::AdamOptions(lr).weight_decay(5e-4));
  const Tensor y_train = index_select(ds.y, ds.train_idx);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (const Tensor& p : params) p.zero_grad();
    const Tensor loss = cross_entropy(index_select(forward(true), ds.train_idx), y_train);
    loss.backward();
    opt.step();
  }
  NoGradGuard no_grad;
  const auto pred = argmax(index_select(forward(false), ds.test_idx), 1).to_vector<int64_t>();
  const auto y = index_select(ds.y, ds.test_idx).to_vector<int64_t>();
  int64_t right = 0;
  for (size_t i = 0; i < y.size(); ++i) right += pred[i] == y[i];
  return static_cast<double>(right) / static_cast<double>(y.size());
}

// Chance level of the test split (the share of its most frequent class).
inline double chance(const data::NodeDataset& ds) {
  const auto y = index_select(ds.y, ds.test_idx).to_vector<int64_t>();
  std::vector<int64_t> count(static_cast<size_t>(ds.num_classes), 0);
  for (int64_t c : y) ++count[static_cast<size_t>(c)];
  return static_cast<double>(*std::max_element(count.begin(), count.end())) / static_cast<double>(y.size());
}

}  // namespace loom::testing
