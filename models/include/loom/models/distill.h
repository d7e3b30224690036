// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Distilling a trained GNN or HGNN (the teacher) into an MLP on vertex features (the student), so that inference
// needs no graph: GLNN (Zhang et al. 2022), LightHGNN and LightHGNN+ (Feng et al. 2024). The teacher's eval-mode
// logits are computed once; the student then minimises
//   lambda * CE(student[train], y[train]) + (1 - lambda) * (L_KD + L_HC)
// where L_KD matches the teacher's soft labels on every vertex the student may see, and L_HC (LightHGNN+ only)
// matches hyperedge-level soft labels (member means of the class probabilities) on hyperedges sampled each step
// with probability equal to their reliability. Method notes: ../shared/papers/lighthgnn.md and glnn.md.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "loom/core/choices.h"
#include "loom/core/nn.h"
#include "loom/hypergraph/hypergraph.h"
#include "loom/models/task.h"

namespace loom {
namespace models {
// kKl: the Kullback-Leibler divergence of the papers' equations. kLightHgnnCode: what LightHGNN's released code
// computes (torch's kl_div(log q_s, p_t, log_target=True) treats the probabilities p_t as log-probabilities, so
// it minimises sum_c exp(p_t,c) (p_t,c - log q_s,c), a much flatter target); its published numbers come from it.
enum class KdLoss : uint8_t { kKl, kLightHgnnCode };
}  // namespace models

template <> struct EnumNames<models::KdLoss> {
  static constexpr std::string_view what = "distillation loss";
  static constexpr std::array<std::pair<models::KdLoss, std::string_view>, 2> table{
      {{models::KdLoss::kKl, "kl"}, {models::KdLoss::kLightHgnnCode, "lighthgnn-code"}}};
};

namespace models {

// The student: Linear -> activation -> BatchNorm -> Dropout per hidden layer, then a Linear to the classes
// (LightHGNN's MLP; DHG puts the norm after the activation). State-dict keys: layers.i.*, norms.i.*.
struct StudentOptions {
  StudentOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, out_features);
  LOOM_ARG(std::vector<int64_t>, hidden) = {128};
  LOOM_ARG(Activation, activation) = Activation::kRelu;
  LOOM_ARG(NormLayer, norm) = NormLayer::kBatch;  // kBatch or kNone
  LOOM_ARG(double, dropout) = 0.5;
};

class StudentMLP : public nn::Module {
 public:
  explicit StudentMLP(const StudentOptions& options);
  Tensor forward(const Tensor& x);
  const StudentOptions& options() const { return options_; }
  const std::vector<std::shared_ptr<nn::Linear>>& linears() const { return linears_; }
  const std::vector<std::shared_ptr<nn::BatchNorm1d>>& norms() const { return norms_; }

 private:
  StudentOptions options_;
  std::vector<std::shared_ptr<nn::Linear>> linears_;
  std::vector<std::shared_ptr<nn::BatchNorm1d>> norms_;
};

struct DistillOptions {
  double lambda = 0.0;       // weight of the cross-entropy on labelled vertices (the papers report lambda = 0)
  double temperature = 1.0;  // tau of the soft labels
  KdLoss loss = KdLoss::kKl;
  bool hyperedge_term = false;  // LightHGNN+: L_HC on reliability-sampled hyperedges (needs a hypergraph)
};

// L_KD over the rows given: kKl is tau^2 * mean_rows KL(softmax(t/tau) || softmax(s/tau)); kLightHgnnCode is
// mean_rows sum_c exp(p_c) (p_c - log_softmax(s)_c) with p = softmax(t) (the released code applies no
// temperature to this term). Gradients reach the student only.
Tensor soft_label_loss(const Tensor& student_logits, const Tensor& teacher_logits, const DistillOptions& options);

// Hyperedge soft labels: the member mean of each hyperedge's class probabilities, [M, C] (an engine v2e mean).
Tensor hyperedge_soft_labels(const hypergraph::Hypergraph& h, const Tensor& probabilities);

// L_HC over the hyperedges `sampled` (int64 ids): with q = hyperedge_soft_labels of softmax(student) and of
// softmax(teacher), kKl is mean_e KL(q_t || q_s); kLightHgnnCode is mean_e sum_c exp(q_t/tau) (q_t/tau -
// log(q_s/tau)), as released. 0 when no hyperedge is sampled.
Tensor hyperedge_soft_label_loss(const hypergraph::Hypergraph& h, const Tensor& student_logits,
                                 const Tensor& teacher_logits, const Tensor& sampled, const DistillOptions& options);

// LightHGNN+'s reliability of each hyperedge, [M] in [0, 1], float64 on the CPU: with H(v) the entropy of the
// teacher's prediction for v on clean features and H~(v) on features multiplied by (1 + N(0, 1)) noise,
// delta_e = |mean_{v in e} H~(v) - mean_{v in e} H(v)| and rho_e = 1 - delta_e / max_e delta_e (all 1 when no
// hyperedge changes). `teacher` maps features to logits in eval mode; the noise is drawn from the global generator.
Tensor hyperedge_reliability(const hypergraph::Hypergraph& h, const Tensor& x,
                             const std::function<Tensor(const Tensor&)>& teacher, double noise_level = 1.0);

// The student's training as a Task for models::fit. `data` holds the student's vertices (labels and the split,
// on the logits' device); `teacher_logits` [N, C] are its soft labels for every one of them; `student` runs the
// student on all N. With options.hyperedge_term, `h` (over the same N vertices) and `reliability` [M] are needed:
// each step samples hyperedge e with probability reliability[e]. Metrics: train_acc, val_acc, val_loss, test_acc
// (the student's), monitor val_acc.
class DistillationTask : public Task {
 public:
  DistillationTask(data::NodeDataset data, Tensor teacher_logits, std::function<Tensor()> student,
                   const DistillOptions& options, const hypergraph::Hypergraph* h = nullptr,
                   Tensor reliability = Tensor());
  std::string name() const override { return "distill"; }
  Tensor training_loss(nn::Module& model) override;
  Metrics evaluate(nn::Module& model) override;
  Metrics test(nn::Module& model) override;
  std::string default_monitor() const override { return labels_.default_monitor(); }

 private:
  Tensor sample_hyperedges() const;

  NodeClassificationTask labels_;  // the split, CE and the metrics
  Tensor teacher_logits_;
  std::function<Tensor()> student_;
  DistillOptions options_;
  const hypergraph::Hypergraph* h_;
  std::vector<double> reliability_;
};

}  // namespace models
}  // namespace loom
