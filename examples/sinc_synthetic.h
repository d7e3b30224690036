// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The UniqueSignature experiment of the SINC-GCN paper (method note shared/papers/ncmp-sinc-gcn.md), shared by
// examples/sinc_synthetic.cpp and tests/layers/sinc_synthetic_test.cpp: the node classifiers (SINC-GCN, SIR-GCN,
// GCN, GIN-0), full-batch training with AdamW and ReduceLROnPlateau on the train loss, balanced accuracy.
#pragma once
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/message.h"
#include "loom/core/nn.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/data/unique_signature.h"
#include "loom/graph/graph.h"
#include "loom/layers/sinc_conv.h"

namespace loom::examples {

// The batch as one disjoint-union graph; the first train_fraction of the graphs train, the rest test (as the
// paper). Message passing never crosses graphs, so the full-batch forward over all nodes with the loss restricted
// to training nodes is the same as training on the training graphs alone.
struct SignatureSplit {
  graph::Graph g;
  Tensor x, target;  // float32 [N, 1], float32 [N] (0 / 1)
  Tensor train_idx, test_idx;
  std::vector<int64_t> y;
  double positive_rate = 0;
};

inline SignatureSplit make_split(const data::UniqueSignatureOptions& o, double train_fraction = 0.8) {
  const data::UniqueSignature b = data::unique_signature(o);
  SignatureSplit s;
  s.g = graph::Graph::from_edge_index(b.edge_index, b.num_nodes);
  s.x = b.x;
  s.y = b.y.to_vector<int64_t>();
  s.target = b.y.to(kFloat32);
  const auto ptr = b.graph_ptr.to_vector<int64_t>();
  const int64_t first_test = ptr[static_cast<size_t>(std::llround(train_fraction * static_cast<double>(b.num_graphs)))];
  std::vector<int64_t> tr, te;
  for (int64_t i = 0; i < b.num_nodes; ++i) (i < first_test ? tr : te).push_back(i);
  s.train_idx = from_vector<int64_t>(tr);
  s.test_idx = from_vector<int64_t>(te);
  int64_t pos = 0;
  for (int64_t y : s.y) pos += y;
  s.positive_rate = b.num_nodes > 0 ? static_cast<double>(pos) / static_cast<double>(b.num_nodes) : 0.0;
  return s;
}

enum class ModelKind { kSinc, kSir, kGcn, kGin };
inline const char* model_name(ModelKind k) {
  const char* n[] = {"SINC-GCN", "SIR-GCN", "GCN", "GIN-0"};
  return n[static_cast<int>(k)];
}

// One graph layer 1 -> 16 -> 16, ReLU, bias-free Linear(16 -> 1) (the paper's synthetic model: 352 parameters for
// SINC-GCN). Baselines with the same shape: GCN h = W_2 relu(A_hat x W_1 + b_1) + b_2 (A_hat: self loops, symmetric
// normalisation); GIN-0 h = W_2 relu(W_1 (x_u + sum_v x_v) + b_1) + b_2.
class SignatureModel : public nn::Module {
 public:
  SignatureModel(ModelKind kind, int64_t hidden = 16) : nn::Module("SignatureModel"), kind_(kind) {
    if (kind == ModelKind::kSinc || kind == ModelKind::kSir) {
      conv_ = register_module("conv", std::make_shared<layers::SINCConv>(
                                          layers::SINCConvOptions(1, hidden, hidden).context(kind == ModelKind::kSinc)));
    } else {
      lin1_ = register_module("lin1", std::make_shared<nn::Linear>(1, hidden));
      lin2_ = register_module("lin2", std::make_shared<nn::Linear>(hidden, hidden));
    }
    cls_ = register_module("cls", std::make_shared<nn::Linear>(nn::LinearOptions(hidden, 1).bias(false)));
  }

  // Logits [N].
  Tensor forward(const graph::Graph& g, const Tensor& x) {
    Tensor h;
    if (conv_) {
      h = conv_->forward(g, x);
    } else if (kind_ == ModelKind::kGcn) {
      const graph::Graph& gl = g.with_self_loops();
      const Tensor ax = mp::gspmm(gl.csr(), mp::u_mul_e, mp::sum, lin1_->forward(x), gl.norm(graph::Norm::kSym));
      h = lin2_->forward(relu(ax));
    } else {
      const Tensor agg = add(x, mp::gspmm(g.csr(), mp::copy_u, mp::sum, x));
      h = lin2_->forward(relu(lin1_->forward(agg)));
    }
    return cls_->forward(relu(h)).view({x.size(0)});
  }

 private:
  ModelKind kind_;
  std::shared_ptr<layers::SINCConv> conv_;
  std::shared_ptr<nn::Linear> lin1_, lin2_, cls_;
};

// Mean of the per-class accuracies over `idx` (a class that is absent counts as fully right).
inline double balanced_accuracy(const Tensor& logits, const std::vector<int64_t>& y, const Tensor& idx) {
  const auto l = logits.detach().cpu().to(kFloat64).to_vector<double>();
  const auto ids = idx.to_vector<int64_t>();
  int64_t tp = 0, p = 0, tn = 0, n = 0;
  for (int64_t i : ids) {
    const bool pred = l[static_cast<size_t>(i)] > 0, pos = y[static_cast<size_t>(i)] == 1;
    (pos ? p : n) += 1;
    if (pos && pred) ++tp;
    if (!pos && !pred) ++tn;
  }
  const double tpr = p ? static_cast<double>(tp) / static_cast<double>(p) : 1.0;
  const double tnr = n ? static_cast<double>(tn) / static_cast<double>(n) : 1.0;
  return 0.5 * (tpr + tnr);
}

struct TrainConfig {
  int64_t epochs = 300;
  double lr = 2e-2;
  double plateau_factor = 0.5;  // ReduceLROnPlateau on the train loss, as the paper
  int64_t plateau_patience = 10;
  uint64_t seed = 0;            // parameter initialisation
};

struct TrainResult {
  double train_loss = 0, train_bacc = 0, test_bacc = 0;
};

// Full-batch training (one AdamW step per epoch, weight decay 0 as the paper) and the final balanced accuracies.
inline TrainResult train_and_evaluate(ModelKind kind, const SignatureSplit& s, const TrainConfig& c) {
  manual_seed(c.seed);
  SignatureModel model(kind);
  optim::AdamW opt(model.parameters(), optim::AdamWOptions(c.lr).weight_decay(0.0));
  const Tensor target_tr = index_select(s.target, s.train_idx);
  double best = INFINITY;
  int64_t bad = 0;
  TrainResult r;
  for (int64_t epoch = 0; epoch < c.epochs; ++epoch) {
    opt.zero_grad();
    const Tensor logits = model.forward(s.g, s.x);
    const Tensor loss = binary_cross_entropy_with_logits(index_select(logits, s.train_idx), target_tr);
    loss.backward();
    opt.step();
    r.train_loss = loss.item_double();
    if (r.train_loss < best * (1 - 1e-4)) {  // torch's default threshold (rel 1e-4)
      best = r.train_loss;
      bad = 0;
    } else if (++bad > c.plateau_patience) {
      opt.set_lr(opt.lr() * c.plateau_factor);
      bad = 0;
    }
  }
  model.eval();
  NoGradGuard no_grad;
  const Tensor logits = model.forward(s.g, s.x);
  r.train_bacc = balanced_accuracy(logits, s.y, s.train_idx);
  r.test_bacc = balanced_accuracy(logits, s.y, s.test_idx);
  return r;
}

}  // namespace loom::examples
