// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Distillation into a structure-free student: the student MLP, the soft-label losses (vertex and hyperedge level),
// LightHGNN+'s hyperedge reliability, and the Task the trainer runs. Hyperedge-level quantities are member means
// on the engine (hypergraph::v2e), never a dense N x M incidence.
#include "loom/models/distill.h"

#include <algorithm>
#include <cmath>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"

namespace loom::models {

// ---------------------------------------------------------------- the student

StudentMLP::StudentMLP(const StudentOptions& o) : nn::Module("StudentMLP"), options_(o) {
  LOOM_CHECK(o.in_features() > 0 && o.out_features() > 0, ValueError,
             "StudentMLP: in_features and out_features must be positive, got ", o.in_features(), " and ",
             o.out_features());
  LOOM_CHECK(o.norm() == NormLayer::kBatch || o.norm() == NormLayer::kNone, ValueError,
             "StudentMLP: norm must be batch or none, got ", to_string(o.norm()));
  LOOM_CHECK(o.dropout() >= 0.0 && o.dropout() < 1.0, ValueError, "StudentMLP: dropout must be in [0, 1), got ",
             o.dropout());
  auto layers = register_module("layers", std::make_shared<nn::ModuleList>());
  std::shared_ptr<nn::ModuleList> norms;
  if (o.norm() == NormLayer::kBatch) norms = register_module("norms", std::make_shared<nn::ModuleList>());
  int64_t in = o.in_features();
  for (int64_t h : o.hidden()) {
    LOOM_CHECK(h > 0, ValueError, "StudentMLP: hidden widths must be positive, got ", h);
    linears_.push_back(std::make_shared<nn::Linear>(in, h));
    layers->push_back(linears_.back());
    if (norms) {
      norms_.push_back(std::make_shared<nn::BatchNorm1d>(nn::BatchNorm1dOptions(h)));
      norms->push_back(norms_.back());
    }
    in = h;
  }
  linears_.push_back(std::make_shared<nn::Linear>(in, o.out_features()));
  layers->push_back(linears_.back());
}

Tensor StudentMLP::forward(const Tensor& x) {
  Tensor h = x;
  for (size_t i = 0; i + 1 < linears_.size(); ++i) {
    h = activate(linears_[i]->forward(h), options_.activation());
    if (!norms_.empty()) h = norms_[i]->forward(h);
    if (options_.dropout() > 0.0) h = dropout(h, options_.dropout(), is_training());
  }
  return linears_.back()->forward(h);
}

// ---------------------------------------------------------------- losses

namespace {
void check_logits(const char* op, const Tensor& student, const Tensor& teacher) {
  LOOM_CHECK(student.defined() && teacher.defined() && student.dim() == 2 && student.shape() == teacher.shape(),
             ShapeError, op, ": student and teacher logits must both be [N, C], got ",
             student.defined() ? student.shape_str() : "undefined", " and ",
             teacher.defined() ? teacher.shape_str() : "undefined");
}

// sum_c exp(t_c) (t_c - log_q_c), averaged over rows: torch's kl_div(log_q, t, log_target=True, "batchmean").
// Everything stays on the logits' device: no host round trip per training step.
Tensor log_target_kl(const Tensor& log_q, const Tensor& t) {
  const Tensor target = t.detach(), w = exp(target);
  return mean(sum(mul(w, sub(target, log_q)), 1));
}
}  // namespace

Tensor soft_label_loss(const Tensor& student_logits, const Tensor& teacher_logits, const DistillOptions& o) {
  check_logits("soft_label_loss", student_logits, teacher_logits);
  if (o.loss == KdLoss::kKl) return kl_div_with_temperature(student_logits, teacher_logits, o.temperature);
  return log_target_kl(log_softmax(student_logits, 1), softmax(teacher_logits.detach(), 1));
}

Tensor hyperedge_soft_labels(const hypergraph::Hypergraph& h, const Tensor& probabilities) {
  return hypergraph::v2e(h, probabilities, mp::Reduce::kMean);
}

Tensor hyperedge_soft_label_loss(const hypergraph::Hypergraph& h, const Tensor& student_logits,
                                 const Tensor& teacher_logits, const Tensor& sampled, const DistillOptions& o) {
  check_logits("hyperedge_soft_label_loss", student_logits, teacher_logits);
  LOOM_CHECK(h.defined() && h.num_vertices() == student_logits.size(0), ShapeError,
             "hyperedge_soft_label_loss: the hypergraph has ", h.defined() ? h.num_vertices() : 0,
             " vertices, the logits ", student_logits.size(0), " rows");
  if (sampled.numel() == 0) return scalar_tensor(0.0, student_logits.dtype(), student_logits.device());
  // + 1e-30 keeps log finite where a probability underflowed to 0 (float32 softmax of a very confident row).
  const Tensor qs = add_scalar(index_select(hyperedge_soft_labels(h, softmax(student_logits, 1)), sampled), 1e-30);
  Tensor qt;
  {
    NoGradGuard no_grad;
    qt = index_select(hyperedge_soft_labels(h, softmax(teacher_logits.detach(), 1)), sampled);
  }
  if (o.loss == KdLoss::kLightHgnnCode) {
    const double inv_tau = 1.0 / o.temperature;
    return log_target_kl(log(mul_scalar(qs, inv_tau)), mul_scalar(qt, inv_tau));
  }
  // KL(q_t || q_s) = sum_c q_t (log q_t - log q_s), on the device; the + 1e-30 makes 0 log 0 count as 0 (a class no
  // member predicts at all).
  const double rows = static_cast<double>(sampled.numel());
  return mul_scalar(sum(mul(qt, sub(log(add_scalar(qt, 1e-30)), log(qs)))), 1.0 / rows);
}

Tensor hyperedge_reliability(const hypergraph::Hypergraph& h, const Tensor& x,
                             const std::function<Tensor(const Tensor&)>& teacher, double noise_level) {
  LOOM_CHECK(h.defined() && x.defined() && x.dim() == 2 && x.size(0) == h.num_vertices(), ShapeError,
             "hyperedge_reliability: features must be [N, F] over the hypergraph's ", h.defined() ? h.num_vertices() : 0,
             " vertices, got ", x.defined() ? x.shape_str() : "undefined");
  LOOM_CHECK(std::isfinite(noise_level) && noise_level >= 0, ValueError,
             "hyperedge_reliability: noise_level must be finite and >= 0, got ", noise_level);
  NoGradGuard no_grad;
  // Entropy of each vertex's prediction, [N, 1]; 0 log 0 counts as 0 (the released code zeroes its NaNs).
  auto entropy = [&](const Tensor& features) {
    const Tensor p = softmax(teacher(features), 1).cpu().to(kFloat64);
    const int64_t n = p.size(0), c = p.size(1);
    const std::vector<double> pv = p.to_vector<double>();
    std::vector<double> e(static_cast<size_t>(n), 0.0);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t k = 0; k < c; ++k) {
        const double v = pv[static_cast<size_t>(i * c + k)];
        if (v > 0) e[static_cast<size_t>(i)] -= v * std::log(v);
      }
    return from_vector<double>(e, {n, 1}).to(x.device()).to(x.dtype());
  };
  // The noise multiplies the features, X (1 + eps) eta, as the released code does (not additive noise).
  const Tensor noisy = mul_scalar(mul(x, add_scalar(randn(x.shape(), x.dtype(), x.device()), 1.0)), noise_level);
  const std::vector<double> clean = hyperedge_soft_labels(h, entropy(x)).cpu().to(kFloat64).to_vector<double>();
  const std::vector<double> shaken = hyperedge_soft_labels(h, entropy(noisy)).cpu().to(kFloat64).to_vector<double>();
  std::vector<double> rho(clean.size());
  double top = 0;
  for (size_t e = 0; e < clean.size(); ++e) {
    rho[e] = std::abs(shaken[e] - clean[e]);
    top = std::max(top, rho[e]);
  }
  for (double& r : rho) r = top > 0 ? 1.0 - r / top : 1.0;
  return from_vector<double>(rho, {static_cast<int64_t>(rho.size())});
}

// ---------------------------------------------------------------- the task

DistillationTask::DistillationTask(data::NodeDataset data, Tensor teacher_logits, std::function<Tensor()> student,
                                   const DistillOptions& o, const hypergraph::Hypergraph* h, Tensor reliability)
    : labels_(std::move(data), student), teacher_logits_(teacher_logits.detach()), student_(std::move(student)),
      options_(o), h_(h) {
  const int64_t n = labels_.data().num_nodes();
  LOOM_CHECK(teacher_logits_.defined() && teacher_logits_.dim() == 2 && teacher_logits_.size(0) == n, ShapeError,
             "DistillationTask: the teacher's logits must be [", n, ", C], got ",
             teacher_logits_.defined() ? teacher_logits_.shape_str() : "undefined");
  LOOM_CHECK(o.lambda >= 0.0 && o.lambda <= 1.0, ValueError, "DistillationTask: lambda must be in [0, 1], got ",
             o.lambda);
  LOOM_CHECK(std::isfinite(o.temperature) && o.temperature > 0, ValueError,
             "DistillationTask: temperature must be > 0, got ", o.temperature);
  if (o.hyperedge_term) {
    LOOM_CHECK(h != nullptr && h->defined(), ValueError,
               "DistillationTask: the hyperedge term (LightHGNN+) needs a hypergraph; this teacher runs on a graph");
    LOOM_CHECK(h->num_vertices() == n, ShapeError, "DistillationTask: the hypergraph has ", h->num_vertices(),
               " vertices, the data ", n);
    LOOM_CHECK(reliability.defined() && reliability.numel() == h->num_hyperedges(), ShapeError,
               "DistillationTask: reliability must have one value per hyperedge (", h->num_hyperedges(), "), got ",
               reliability.defined() ? reliability.shape_str() : "undefined");
    reliability_ = reliability.cpu().to(kFloat64).to_vector<double>();
    for (double r : reliability_)
      LOOM_CHECK(r >= 0.0 && r <= 1.0, ValueError, "DistillationTask: reliability values must be in [0, 1], got ", r);
  }
}

Tensor DistillationTask::sample_hyperedges() const {
  // One Bernoulli(rho_e) draw per hyperedge and step, from the global generator (seeded runs repeat exactly).
  const std::vector<float> u = rand({static_cast<int64_t>(reliability_.size())}).to_vector<float>();
  std::vector<int64_t> kept;
  for (size_t e = 0; e < u.size(); ++e)
    if (static_cast<double>(u[e]) < reliability_[e]) kept.push_back(static_cast<int64_t>(e));
  return from_vector<int64_t>(kept, {static_cast<int64_t>(kept.size())}).to(teacher_logits_.device());
}

Tensor DistillationTask::training_loss(nn::Module&) {
  const Tensor logits = student_();
  Tensor kd = soft_label_loss(logits, teacher_logits_, options_);
  if (options_.hyperedge_term) {
    kd = add(kd, hyperedge_soft_label_loss(*h_, logits, teacher_logits_, sample_hyperedges(), options_));
  }
  if (options_.lambda == 0.0) return kd;
  const data::NodeDataset& d = labels_.data();
  const Tensor ce = cross_entropy(index_select(logits, d.train_idx), index_select(d.y, d.train_idx));
  return add(mul_scalar(ce, options_.lambda), mul_scalar(kd, 1.0 - options_.lambda));
}

Metrics DistillationTask::evaluate(nn::Module& model) { return labels_.evaluate(model); }

Metrics DistillationTask::test(nn::Module& model) { return labels_.test(model); }

}  // namespace loom::models
