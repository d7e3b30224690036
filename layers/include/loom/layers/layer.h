// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The interfaces a layer implements, by what it runs on: a model holds its layers as modules of these types and
// calls them without knowing which layer it is (models/registry.h builds them by name).
#pragma once
#include <string>

#include "loom/core/nn.h"
#include "loom/graph/graph.h"
#include "loom/hypergraph/hypergraph.h"

namespace loom::layers {

// forward(g, x): node features x [N, in] on a Graph -> [N, out].
class GraphLayer : public nn::Module {
 public:
  using nn::Module::Module;
  virtual Tensor forward(const graph::Graph& g, const Tensor& x) = 0;
};

// forward(h, x): vertex features x [N, in] on a Hypergraph -> [N, out].
class HypergraphLayer : public nn::Module {
 public:
  using nn::Module::Module;
  virtual Tensor forward(const hypergraph::Hypergraph& h, const Tensor& x) = 0;
};

// forward(x): features [N, D] (or token sets [B, N, D]) with no given structure -> the same shape (SoftHGNN
// learns its own hyperedges).
class TokenLayer : public nn::Module {
 public:
  using nn::Module::Module;
  virtual Tensor forward(const Tensor& x) = 0;
};

}  // namespace loom::layers
