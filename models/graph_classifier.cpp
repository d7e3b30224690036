// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GraphClassifier (the backbone from the model registry, BatchNorm + ReLU per layer, the GIN paper's per-layer
// readout) and GraphClassificationTask (minibatches from a prefetching GraphLoader on the one trainer).
#include "loom/models/graph_classifier.h"

#include <algorithm>
#include <cmath>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/models/registry.h"

namespace loom::models {

namespace {

// Graph models with one output width per layer: the backbones a graph readout can stack.
std::vector<std::string> graph_backbones() {
  std::vector<std::string> names;
  for (const ModelSpec& s : model_registry())
    if (s.input == Input::kGraph && !s.attention() && !s.make_block) names.push_back(s.name);
  return names;
}

}  // namespace

layers::HistographReadoutOptions histograph_options(const GraphClassifierOptions& o) {
  std::vector<int64_t> widths(static_cast<size_t>(std::max(o.num_layers(), 1)), o.hidden());
  widths.front() = o.in_features();
  return layers::HistographReadoutOptions(widths, o.hidden(), o.num_classes())
      .heads(o.histograph_heads())
      .dropout(o.dropout());
}

GraphClassifier::GraphClassifier(const GraphClassifierOptions& o) : nn::Module("GraphClassifier"), options_(o) {
  const std::vector<std::string> ok = graph_backbones();
  LOOM_CHECK(std::find(ok.begin(), ok.end(), o.model()) != ok.end(), ValueError, "GraphClassifier: model '",
             o.model(), "' is not a graph-classification backbone (expected ", loom::detail::join_names(ok), ")");
  LOOM_CHECK(o.num_layers() >= 2, ValueError, "GraphClassifier: num_layers counts the input too, so it must be >= 2, "
             "got ", o.num_layers());
  LOOM_CHECK(o.in_features() > 0 && o.hidden() > 0 && o.num_classes() > 0, ValueError,
             "GraphClassifier: in_features, hidden and num_classes must be positive, got ", o.in_features(), ", ",
             o.hidden(), ", ", o.num_classes());
  LOOM_CHECK(o.dropout() >= 0 && o.dropout() < 1, ValueError, "GraphClassifier: dropout must be in [0, 1), got ",
             o.dropout());
  const bool histograph = o.readout() == layers::Readout::kHistograph;
  LOOM_CHECK(!histograph || o.jk(), ValueError, "GraphClassifier: the histograph readout reads every layer by "
             "design, so jk = false (last layer only) does not apply to it");
  const ModelSpec& spec = find_model(o.model());
  GnnOptions g(o.model(), o.in_features(), o.hidden(), o.hidden());
  g.train_eps(o.train_eps()).mlp_norm(NormLayer::kBatch);  // GIN's MLP: Linear -> BN -> ReLU -> Linear
  if (o.aggr()) {
    check_choice("GraphClassifier: model '" + o.model() + "'", *o.aggr(), spec.aggregations);
    g.aggr(o.aggr());
  } else if (!spec.aggregations.empty()) {
    g.aggr(spec.aggregations.front());
  }
  auto convs = register_module("convs", std::make_shared<nn::ModuleList>());
  auto norms = register_module("norms", std::make_shared<nn::ModuleList>());
  for (int k = 0; k + 1 < o.num_layers(); ++k) {
    std::shared_ptr<nn::Module> conv = spec.make_layer(g, {k == 0 ? o.in_features() : o.hidden(), o.hidden(), false});
    LOOM_ASSERT(dynamic_cast<layers::GraphLayer*>(conv.get()), "model '", o.model(), "' built no GraphLayer");
    convs->push_back(conv);
    convs_.push_back(conv);
    norms_.push_back(std::make_shared<nn::BatchNorm1d>(nn::BatchNorm1dOptions(o.hidden())));
    norms->push_back(norms_.back());
  }
  if (histograph) {
    histograph_ = register_module("histograph", std::make_shared<layers::HistographReadout>(histograph_options(o)));
    return;
  }
  auto heads = register_module("heads", std::make_shared<nn::ModuleList>());
  std::shared_ptr<nn::ModuleList> pools;
  if (o.readout() == layers::Readout::kAttention) pools = register_module("pools", std::make_shared<nn::ModuleList>());
  // One head (and one attention pool) per read-out layer: every layer with jk, the last alone without.
  for (int k = o.jk() ? 0 : o.num_layers() - 1; k < o.num_layers(); ++k) {
    const int64_t width = k == 0 ? o.in_features() : o.hidden();
    heads_.push_back(std::make_shared<nn::Linear>(width, o.num_classes()));
    heads->push_back(heads_.back());
    if (pools) {
      pools_.push_back(std::make_shared<layers::GlobalAttentionPool>(layers::GlobalAttentionPoolOptions(width)));
      pools->push_back(pools_.back());
    }
  }
}

Tensor GraphClassifier::pool(size_t k, const Tensor& h, const Tensor& graph_ptr) {
  if (options_.readout() == layers::Readout::kAttention) return pools_[k]->forward(h, graph_ptr);
  return layers::global_pool(h, graph_ptr, options_.readout());
}

std::vector<int64_t> GraphClassifier::layer_widths() const { return histograph_options(options_).layer_widths(); }

std::vector<Tensor> GraphClassifier::layer_states(const graph::Graph& g, const Tensor& x) {
  LOOM_CHECK(x.dim() == 2 && x.size(1) == options_.in_features(), ShapeError, "GraphClassifier: x has shape ",
             x.shape_str(), ", expected [N, ", options_.in_features(), "]");
  LOOM_CHECK(g.num_nodes() == x.size(0), ShapeError, "GraphClassifier: the graph has ", g.num_nodes(),
             " nodes but x has ", x.size(0), " rows");
  std::vector<Tensor> hs{x};
  Tensor h = x;
  for (size_t k = 0; k < convs_.size(); ++k) {
    h = static_cast<layers::GraphLayer&>(*convs_[k]).forward(g, h);
    h = relu(norms_[k]->forward(h));
    hs.push_back(h);
  }
  return hs;
}

std::vector<Tensor> GraphClassifier::layer_states(const data::GraphBatch& b) {
  return layer_states(graph::Graph::from_csr(b.csr, b.edge_attr), b.x);
}

Tensor GraphClassifier::forward(const graph::Graph& g, const Tensor& x, const Tensor& graph_ptr) {
  const std::vector<Tensor> hs = layer_states(g, x);
  if (histograph_) return histograph_->forward(hs, graph_ptr);
  const size_t first = hs.size() - heads_.size();
  Tensor score;
  for (size_t k = 0; k < heads_.size(); ++k) {
    const Tensor s = dropout(heads_[k]->forward(pool(k, hs[first + k], graph_ptr)), options_.dropout(), is_training());
    score = score.defined() ? score + s : s;
  }
  return score;
}

Tensor GraphClassifier::forward(const data::GraphBatch& b) {
  return forward(graph::Graph::from_csr(b.csr, b.edge_attr), b.x, b.graph_ptr);
}

// ---------------------------------------------------------------- the task

GraphClassificationTask::GraphClassificationTask(const data::GraphDataset& d, const data::Fold& fold,
                                                 std::function<Tensor(const data::GraphBatch&)> forward,
                                                 GraphTaskOptions o)
    : d_(d), forward_(std::move(forward)), o_(o) {
  LOOM_CHECK(fold.train_idx.defined() && fold.train_idx.numel() > 0, ValueError,
             "GraphClassificationTask: the fold has no training graphs");
  train_ = make_split(fold.train_idx);
  val_ = make_split(fold.val_idx);
  test_ = make_split(fold.test_idx);
  loader_ = std::make_unique<data::GraphLoader>(
      d_, fold.train_idx.to_vector<int64_t>(),
      data::GraphLoaderOptions{.batch_size = o.batch_size, .shuffle = true, .seed = o.seed, .prefetch = o.prefetch,
                                .device = o.device});
}

GraphClassificationTask::Split GraphClassificationTask::make_split(const Tensor& idx) const {
  Split s;
  if (!idx.defined() || idx.numel() == 0) return s;
  const std::vector<int64_t> ids = idx.to(kInt64).to_vector<int64_t>();
  // Larger chunks than the training batch: fewer, wider matrix products, and eval mode does not care.
  const size_t chunk = static_cast<size_t>(std::max<int64_t>(o_.batch_size, 512));
  for (size_t lo = 0; lo < ids.size(); lo += chunk)
    s.batches.push_back(data::GraphBatch::build(
        d_, std::vector<int64_t>(ids.begin() + static_cast<std::ptrdiff_t>(lo),
                                 ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), lo + chunk))))
                            .to(o_.device));
  s.graphs = static_cast<int64_t>(ids.size());
  return s;
}

int GraphClassificationTask::steps_per_epoch() const { return static_cast<int>(loader_->batches_per_epoch()); }

Tensor GraphClassificationTask::training_loss(nn::Module& /*model*/) {
  const data::GraphBatch b = loader_->next();
  return cross_entropy(forward_(b), b.y);
}

void GraphClassificationTask::add_metrics(Metrics& m, const std::string& prefix, const Split& s, bool with_loss) {
  if (s.graphs == 0) return;
  NoGradGuard no_grad;
  int64_t correct = 0;
  double loss = 0;
  for (const data::GraphBatch& b : s.batches) {
    const Tensor logits = forward_(b);
    const std::vector<int64_t> p = argmax(logits, 1).cpu().to_vector<int64_t>();
    const std::vector<int64_t> y = b.y.cpu().to_vector<int64_t>();
    for (size_t i = 0; i < p.size(); ++i) correct += p[i] == y[i];
    if (with_loss) loss += cross_entropy(logits, b.y).item_double() * static_cast<double>(b.num_graphs());
  }
  m[prefix + "_acc"] = static_cast<double>(correct) / static_cast<double>(s.graphs);
  if (with_loss) m[prefix + "_loss"] = loss / static_cast<double>(s.graphs);
}

Metrics GraphClassificationTask::evaluate(nn::Module& /*model*/) {
  Metrics m;
  if (o_.train_metrics) add_metrics(m, "train", train_, false);
  add_metrics(m, "val", val_, true);
  return m;
}

Metrics GraphClassificationTask::test(nn::Module& /*model*/) {
  Metrics m;
  add_metrics(m, "train", train_, false);
  add_metrics(m, "val", val_, true);
  add_metrics(m, "test", test_, true);
  return m;
}

std::string GraphClassificationTask::default_monitor() const { return val_.graphs > 0 ? "val_acc" : ""; }

GinProtocolScore gin_protocol_score(const std::vector<std::vector<double>>& curves) {
  LOOM_CHECK(!curves.empty(), ValueError, "gin_protocol_score: no accuracy curves (one per fold is expected)");
  size_t epochs = curves.front().size();
  for (const auto& c : curves) epochs = std::min(epochs, c.size());
  LOOM_CHECK(epochs > 0, ValueError, "gin_protocol_score: a curve has no epochs");
  std::vector<double> mean_curve(epochs, 0.0);
  for (size_t e = 0; e < epochs; ++e) {
    for (const auto& c : curves) mean_curve[e] += c[e];
    mean_curve[e] /= static_cast<double>(curves.size());
  }
  const size_t best = static_cast<size_t>(std::max_element(mean_curve.begin(), mean_curve.end()) - mean_curve.begin());
  GinProtocolScore s;
  s.epoch = static_cast<int>(best) + 1;
  for (const auto& c : curves) s.fold_accs.push_back(c[best]);
  for (double a : s.fold_accs) s.mean += a;
  s.mean /= static_cast<double>(s.fold_accs.size());
  for (double a : s.fold_accs) s.std += (a - s.mean) * (a - s.mean);
  s.std = std::sqrt(s.std / static_cast<double>(s.fold_accs.size()));
  return s;
}

}  // namespace loom::models
