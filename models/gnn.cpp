// NodeClassifier: builds the stack of graph layers named by GnnOptions::model and runs it.
#include "loom/models/gnn.h"

#include <algorithm>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/layers/hgnn_conv.h"
#include "loom/layers/layers.h"
#include "loom/layers/soft_hgnn.h"

namespace loom::models {

namespace {

bool one_of(const std::string& s, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return s == n; });
}

// Wraps a graph layer module as a callable after appending it to `list`.
template <class L>
std::function<Tensor(const graph::Graph&, const Tensor&)> wrap(nn::ModuleList& list, std::shared_ptr<L> layer) {
  list.push_back(layer);
  return [layer](const graph::Graph& g, const Tensor& x) { return layer->forward(g, x); };
}

}  // namespace

const std::vector<std::string>& NodeClassifier::model_names() {
  static const std::vector<std::string> names{"gcn",  "sage", "gat",   "gatv2", "gin", "sinc",
                                              "mlp",  "hgnn", "hgnnp", "hgat", "softhgnn"};
  return names;
}

bool NodeClassifier::is_hypergraph_model(const std::string& model) {
  return model == "hgnn" || model == "hgnnp" || model == "hgat" || model == "softhgnn";
}

NodeClassifier::NodeClassifier(const GnnOptions& o) : nn::Module("NodeClassifier"), options_(o) {
  const std::string& m = o.model();
  const auto& names = model_names();
  LOOM_CHECK(std::find(names.begin(), names.end(), m) != names.end(), ValueError, "NodeClassifier: unknown model '",
             m, "' (expected gcn, sage, gat, gatv2, gin, sinc, mlp, hgnn, hgnnp, hgat or softhgnn)");
  LOOM_CHECK(o.num_layers() >= 1, ValueError, "NodeClassifier: num_layers must be >= 1, got ", o.num_layers());
  LOOM_CHECK(o.in_features() > 0 && o.hidden() > 0 && o.out_features() > 0, ValueError,
             "NodeClassifier: in_features, hidden and out_features must be positive, got ", o.in_features(), ", ",
             o.hidden(), ", ", o.out_features());
  LOOM_CHECK(one_of(o.activation(), {"relu", "elu", "gelu", "leaky_relu", "tanh"}), ValueError,
             "NodeClassifier: unknown activation '", o.activation(), "' (relu, elu, gelu, leaky_relu or tanh)");
  LOOM_CHECK(one_of(o.norm(), {"none", "batch", "layer"}), ValueError, "NodeClassifier: unknown norm '", o.norm(),
             "' (none, batch or layer)");
  LOOM_CHECK(one_of(o.jk(), {"none", "cat", "max", "sum"}), ValueError, "NodeClassifier: unknown jk '", o.jk(),
             "' (none, cat, max or sum)");
  const bool attention = m == "gat" || m == "gatv2" || m == "hgat";
  const bool jk = o.jk() != "none";
  LOOM_CHECK(m != "softhgnn" || o.num_layers() >= 2 || jk, ValueError,
             "NodeClassifier: model 'softhgnn' places its SoftHGNN block after a hidden layer, so it needs "
             "num_layers >= 2 (or jk), got num_layers ", o.num_layers());
  LOOM_CHECK(m != "softhgnn" || o.num_hyperedges() > 0, ValueError,
             "NodeClassifier: num_hyperedges must be positive, got ", o.num_hyperedges());
  const int64_t heads = attention ? o.heads() : 1;
  const int64_t hidden_width = o.hidden() * heads;

  // Children "convs" (and "norms"): parameters read convs.0.weight, norms.0.running_mean, ... .
  auto convs = register_module("convs", std::make_shared<nn::ModuleList>());
  std::shared_ptr<nn::ModuleList> norms;
  int64_t width = o.in_features();
  for (int i = 0; i < o.num_layers(); ++i) {
    const bool last = i + 1 == o.num_layers() && !jk;
    const int64_t out = last ? o.out_features() : o.hidden();
    std::function<Tensor(const graph::Graph&, const Tensor&)> graph_layer;
    Layer layer;
    if (m == "gcn") {
      graph_layer = wrap(*convs, std::make_shared<layers::GCNConv>(layers::GCNConvOptions(width, out)));
    } else if (m == "sage") {
      graph_layer = wrap(*convs, std::make_shared<layers::SAGEConv>(
                                    layers::SAGEConvOptions(width, out).aggr(o.aggr().empty() ? "mean" : o.aggr())));
    } else if (m == "hgat") {
      // As GAT: hidden layers concatenate their heads, the output layer averages out_heads.
      auto conv = std::make_shared<layers::HypergraphAttentionConv>(layers::HypergraphAttentionConvOptions(width, out)
                                                                        .heads(last ? o.out_heads() : o.heads())
                                                                        .concat(!last)
                                                                        .dropout(o.attention_dropout()));
      convs->push_back(conv);
      layer = [conv, m](const Structure& s, const Tensor& x) {
        LOOM_CHECK(s.hypergraph != nullptr, ValueError, "NodeClassifier: model '", m,
                   "' runs on a Hypergraph, not a Graph (build one with Hypergraph::from_graph_neighborhoods)");
        return conv->forward(*s.hypergraph, x);
      };
    } else if (attention) {
      auto opts = layers::GATConvOptions(width, out)
                      .heads(last ? o.out_heads() : o.heads())
                      .concat(!last)
                      .dropout(o.attention_dropout());
      graph_layer = m == "gat" ? wrap(*convs, std::make_shared<layers::GATConv>(opts))
                         : wrap(*convs, std::make_shared<layers::GATv2Conv>(opts));
    } else if (m == "gin") {
      graph_layer = wrap(*convs, std::make_shared<layers::GINConv>(
                                    layers::GINConvOptions(width, {o.hidden()}, out).train_eps(o.train_eps())));
    } else if (m == "sinc") {
      const std::string aggr = o.aggr().empty() ? "sum" : o.aggr();
      graph_layer = wrap(*convs, std::make_shared<layers::SINCConv>(
                                     layers::SINCConvOptions(width, o.hidden(), out).aggr(aggr)));
    } else if (is_hypergraph_model(m)) {
      auto conv = m != "hgnnp" ? std::make_shared<layers::HGNNConv>(layers::HGNNConvOptions(width, out))
                              : std::make_shared<layers::HGNNPConv>(layers::HGNNConvOptions(width, out));
      convs->push_back(conv);
      const bool plus = m == "hgnnp";
      layer = [conv, plus, m](const Structure& s, const Tensor& x) {
        LOOM_CHECK(s.hypergraph != nullptr, ValueError, "NodeClassifier: model '", m,
                   "' runs on a Hypergraph, not a Graph (build one with Hypergraph::from_graph_neighborhoods)");
        return plus ? std::static_pointer_cast<layers::HGNNPConv>(conv)->forward(*s.hypergraph, x)
                    : conv->forward(*s.hypergraph, x);
      };
    } else {  // mlp: the same stack with the structure ignored
      auto lin = std::make_shared<nn::Linear>(width, out);
      convs->push_back(lin);
      layer = [lin](const Structure&, const Tensor& x) { return lin->forward(x); };
    }
    if (graph_layer) {
      layer = [graph_layer, m](const Structure& s, const Tensor& x) {
        LOOM_CHECK(s.graph != nullptr, ValueError, "NodeClassifier: model '", m,
                   "' runs on a Graph, not a Hypergraph");
        return graph_layer(*s.graph, x);
      };
    }
    layers_.push_back(std::move(layer));
    width = last ? out : (attention ? hidden_width : out);
    if (!last && o.norm() != "none") {
      if (!norms) norms = register_module("norms", std::make_shared<nn::ModuleList>());
      if (o.norm() == "batch") {
        auto bn = std::make_shared<nn::BatchNorm1d>(nn::BatchNorm1dOptions(width));
        norms->push_back(bn);
        norms_.push_back([bn](const Tensor& x) { return bn->forward(x); });
      } else {
        auto ln = std::make_shared<nn::LayerNorm>(nn::LayerNormOptions(width));
        norms->push_back(ln);
        norms_.push_back([ln](const Tensor& x) { return ln->forward(x); });
      }
    }
  }
  if (m == "softhgnn") {
    // The block runs after the last hidden layer (the one before the output layer, or the last one with jk).
    auto soft = register_module(
        "soft", std::make_shared<layers::SoftHGNN>(layers::SoftHGNNOptions(o.hidden())
                                                       .num_hyperedges(o.num_hyperedges())
                                                       .heads(o.hidden() % 4 == 0 ? 4 : 1)));
    block_ = [soft](const Tensor& x) { return soft->forward(x); };
    block_after_ = static_cast<size_t>(jk ? o.num_layers() - 1 : o.num_layers() - 2);
  }
  if (jk) {
    const int64_t in = o.jk() == "cat" ? width * o.num_layers() : width;
    readout_ = register_module("readout", std::make_shared<nn::Linear>(in, o.out_features()));
  }
}

Tensor NodeClassifier::activate(const Tensor& x) const {
  const std::string& a = options_.activation();
  if (a == "relu") return relu(x);
  if (a == "elu") return elu(x);
  if (a == "gelu") return gelu(x);
  if (a == "leaky_relu") return leaky_relu(x, 0.2);
  return tanh(x);
}

Tensor NodeClassifier::forward(const graph::Graph& g, const Tensor& x) {
  Structure s;
  s.graph = &g;
  return run(s, x);
}

Tensor NodeClassifier::forward(const hypergraph::Hypergraph& h, const Tensor& x) {
  Structure s;
  s.hypergraph = &h;
  return run(s, x);
}

Tensor NodeClassifier::run(const Structure& s, const Tensor& x) {
  LOOM_CHECK(x.dim() == 2 && x.size(1) == options_.in_features(), ShapeError, "NodeClassifier: x must be [N, ",
             options_.in_features(), "], got ", x.shape_str());
  const bool jk = options_.jk() != "none";
  std::vector<Tensor> states;
  Tensor h = x;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const bool last = i + 1 == layers_.size() && !jk;
    Tensor y = layers_[i](s, dropout(h, options_.dropout(), is_training()));
    if (last) return y;
    if (i < norms_.size()) y = norms_[i](y);
    y = activate(y);
    if (options_.residual() && y.shape() == h.shape()) y = add(y, h);
    if (block_ && i == block_after_) y = block_(y);  // all N nodes as one token set
    h = y;
    if (jk) states.push_back(h);
  }
  Tensor combined = states.front();
  if (options_.jk() == "cat") {
    combined = concat(states, 1);
  } else {
    for (size_t i = 1; i < states.size(); ++i) {
      combined = options_.jk() == "sum" ? add(combined, states[i]) : combined;
    }
    if (options_.jk() == "max") {
      std::vector<Tensor> stacked;
      for (const Tensor& s : states) stacked.push_back(s.view({1, s.size(0), s.size(1)}));
      combined = max(concat(stacked, 0), 0);
    }
  }
  return readout_->forward(dropout(combined, options_.dropout(), is_training()));
}

}  // namespace loom::models
