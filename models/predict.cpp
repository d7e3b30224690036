// NodeClassifier::predict: inference that is safe to serve from many threads. It runs the one forward of
// gnn.cpp (no second copy of the model) with gradient recording off on the calling thread and never writes to the
// model, so any number of threads may call it on one shared model in eval mode (docs/threads.md).
#include <string>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/models/gnn.h"

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

}  // namespace loom::models
