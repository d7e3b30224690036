// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// NodeClassifier::predict and predict_nodes: inference that is safe to serve from many threads. Both run the one
// forward of gnn.cpp (no second copy of the model) with gradient recording off on the calling thread and never
// write to the model, so any number of threads may call them on one shared model in eval mode (docs/threads.md).
#include "loom/models/predict.h"

#include <algorithm>
#include <string>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/graph/transforms.h"
#include "loom/models/registry.h"

namespace loom::models {

namespace {

// Finds the first module still in training mode; `found` gets its dotted path and type ("convs.0 (GATConv)").
bool find_training(const nn::Module& m, const std::string& path, std::string& found) {
  if (m.is_training()) {
    found = path.empty() ? m.name() : path + " (" + m.name() + ")";
    return true;
  }
  for (const auto& [name, child] : m.named_children()) {
    if (child && find_training(*child, path.empty() ? name : path + "." + name, found)) return true;
  }
  return false;
}

}  // namespace

Prediction NodeClassifier::predict(const graph::Graph& g, const Tensor& x) const {
  return predict(Structure{&g, nullptr}, x);
}

Prediction NodeClassifier::predict(const hypergraph::Hypergraph& h, const Tensor& x) const {
  return predict(Structure{nullptr, &h}, x);
}

Prediction NodeClassifier::predict(const Structure& s, const Tensor& x) const {
  // Refuse rather than switch to eval: train()/eval() write every module's flag, which a thread training the same
  // model (or another thread's predict) may be reading; a shared model's mode belongs to its owner.
  std::string training;
  LOOM_CHECK(!find_training(*this, "", training), ValueError, "NodeClassifier::predict: model '", options_.model(),
             "' has a module in training mode (", training,
             "); call model.eval() once before predicting (and before sharing the model across threads)");
  // Per-thread switch: this covers exactly the thread that runs the forward, whatever its caller's mode.
  NoGradGuard no_grad;
  // forward is not const only because nn::Module's forwards are not; in eval mode with recording off it reads the
  // parameters and writes nothing but its own outputs (the caches it touches are locked: Graph and Hypergraph
  // norms, Csr-derived data, the attention layers' score masks).
  Prediction p;
  p.logits = const_cast<NodeClassifier*>(this)->forward(s, x);
  p.probabilities = softmax(p.logits, 1);
  p.classes = argmax(p.logits, 1);
  return p;
}

int NodeClassifier::receptive_hops() const {
  int hops = 0;
  for (const LayerRef& layer : layers_) hops += layer.linear ? 0 : 1;
  return hops;
}

namespace {

// The rows `ids` (host ids of nodes of `kept`, sorted int64) of every output of p, in the order of ids.
Prediction rows_of(const Prediction& p, const std::vector<int64_t>& ids, const std::vector<int64_t>& kept) {
  std::vector<int64_t> rows(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    rows[i] = std::lower_bound(kept.begin(), kept.end(), ids[i]) - kept.begin();
  }
  const Tensor at = from_vector<int64_t>(rows, {static_cast<int64_t>(rows.size())}, p.logits.device());
  return {index_select(p.logits, at), index_select(p.probabilities, at), index_select(p.classes, at)};
}

std::vector<int64_t> iota_ids(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
  return v;
}

}  // namespace

Prediction predict_nodes(const NodeClassifier& model, const Structure& s, const Tensor& x, const Tensor& node_ids) {
  const char* op = "predict_nodes";
  NoGradGuard no_grad;  // also for the slicing of x around the model's call (x may require grad)
  const Input input = find_model(model.options().model()).input;
  LOOM_CHECK(input != Input::kGraph || s.graph != nullptr, ValueError, op, ": model '", model.options().model(),
             "' runs on a Graph, not a Hypergraph");
  LOOM_CHECK(input != Input::kHypergraph || s.hypergraph != nullptr, ValueError, op, ": model '",
             model.options().model(), "' runs on a Hypergraph, not a Graph");
  LOOM_CHECK(x.defined() && x.dim() == 2, ShapeError, op, ": 'x' must be [N, F] (every node's features), got ",
             x.defined() ? x.shape_str() : std::string("an undefined tensor"));
  const int64_t n = s.graph ? s.graph->num_nodes() : s.hypergraph ? s.hypergraph->num_vertices() : x.size(0);
  LOOM_CHECK(x.size(0) == n, ShapeError, op, ": 'x' has ", x.size(0), " rows but the ",
             s.graph ? "graph has " : "hypergraph has ", n, s.graph ? " nodes" : " vertices");
  LOOM_CHECK(node_ids.defined() && (node_ids.dtype() == kInt32 || node_ids.dtype() == kInt64), DTypeError, op,
             ": 'node_ids' must be int32 or int64, got ",
             node_ids.defined() ? dtype_name(node_ids.dtype()) : std::string("an undefined tensor"));
  LOOM_CHECK(node_ids.dim() == 1, ShapeError, op, ": 'node_ids' must be a 1-D list of node ids, got ",
             node_ids.shape_str());
  const auto ids = node_ids.to(kCPU).to(kInt64).to_vector<int64_t>();
  for (size_t i = 0; i < ids.size(); ++i) {
    LOOM_CHECK(ids[i] >= 0 && ids[i] < n, IndexError, op, ": node id ", ids[i], " (node_ids[", i,
               "]) is outside [0, ", n, ") (the structure has ", n, " nodes)");
  }
  const Tensor ids_here = from_vector<int64_t>(ids, {static_cast<int64_t>(ids.size())}, x.device());
  if (ids.empty()) {
    const int64_t c = model.options().out_features();
    return {empty({0, c}, x.dtype(), x.device()), empty({0, c}, x.dtype(), x.device()), empty({0}, kInt64, x.device())};
  }
  // Every output reads every node through the block: the full forward, then the rows (exact, no saving).
  if (model.mixes_all_nodes()) return rows_of(model.predict(s, x), ids, iota_ids(n));
  const int hops = model.receptive_hops();
  if (hops == 0) {
    // No structure is read: the rows of x alone (each distinct id once).
    std::vector<int64_t> kept(ids);
    std::sort(kept.begin(), kept.end());
    kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
    const Tensor at = from_vector<int64_t>(kept, {static_cast<int64_t>(kept.size())}, x.device());
    return rows_of(model.predict(s, index_select(x, at)), ids, kept);
  }
  if (s.graph) {
    const graph::Subgraph field = graph::receptive_field(*s.graph, ids_here, hops);
    return rows_of(model.predict(field.graph, index_select(x, field.nodes)), ids,
                   field.nodes.to(kCPU).to_vector<int64_t>());
  }
  const hypergraph::SubHypergraph field = hypergraph::receptive_field(*s.hypergraph, ids_here, hops);
  return rows_of(model.predict(field.hypergraph, index_select(x, field.vertices)), ids,
                 field.vertices.to(kCPU).to_vector<int64_t>());
}

}  // namespace loom::models
