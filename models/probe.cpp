// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The HeCo linear probe (loom/models/probe.h): full-batch logistic regression on frozen embeddings.
#include "loom/models/probe.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/nn.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/models/task.h"

namespace loom::models {

namespace {

double mean_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); }
double std_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / double(v.size()));  // population std, as numpy's np.std in HeCo's evaluate
}

}  // namespace

double macro_auc(const Tensor& probs, const Tensor& y) {
  LOOM_CHECK(probs.dim() == 2 && y.dim() == 1 && probs.size(0) == y.size(0), ShapeError, "macro_auc: probs ",
             probs.shape_str(), " and labels ", y.shape_str(), " do not match");
  const int64_t n = probs.size(0), C = probs.size(1);
  const std::vector<double> p = probs.detach().cpu().to(kFloat64).to_vector<double>();
  const std::vector<int64_t> t = y.cpu().to_vector<int64_t>();
  double total = 0;
  int64_t classes = 0;
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t c = 0; c < C; ++c) {
    int64_t pos = 0;
    for (int64_t v : t) pos += v == c;
    const int64_t neg = n - pos;
    if (pos == 0 || neg == 0) continue;
    // Mann-Whitney U: the rank sum of the positives, tied scores sharing their mean rank.
    std::iota(order.begin(), order.end(), 0);
    auto score = [&](int64_t i) { return p[static_cast<size_t>(i * C + c)]; };
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return score(a) < score(b); });
    double rank_sum = 0;
    for (int64_t i = 0; i < n;) {
      int64_t j = i;
      while (j < n && score(order[static_cast<size_t>(j)]) == score(order[static_cast<size_t>(i)])) ++j;
      const double mid = 0.5 * static_cast<double>(i + 1 + j);  // mean of the 1-based ranks i+1 .. j
      for (int64_t k = i; k < j; ++k) rank_sum += t[static_cast<size_t>(order[static_cast<size_t>(k)])] == c ? mid : 0;
      i = j;
    }
    total += (rank_sum - 0.5 * double(pos) * double(pos + 1)) / (double(pos) * double(neg));
    ++classes;
  }
  LOOM_CHECK(classes > 0, ValueError, "macro_auc: no class has both positive and negative nodes");
  return total / static_cast<double>(classes);
}

ProbeResult linear_probe(const Tensor& embeddings, const Tensor& y, const Tensor& train_idx, const Tensor& val_idx,
                         const Tensor& test_idx, int64_t num_classes, const ProbeOptions& o) {
  LOOM_CHECK(embeddings.defined() && embeddings.dim() == 2 && embeddings.size(0) > 0, ShapeError,
             "linear_probe: embeddings must be [N, D], got ", embeddings.defined() ? embeddings.shape_str() : "none");
  LOOM_CHECK(y.defined() && y.dim() == 1 && y.size(0) == embeddings.size(0), ShapeError, "linear_probe: labels ",
             y.defined() ? y.shape_str() : "none", " do not match embeddings ", embeddings.shape_str());
  LOOM_CHECK(train_idx.numel() > 0, ValueError, "linear_probe: the split has no training nodes");
  LOOM_CHECK(val_idx.numel() > 0, ValueError, "linear_probe: the split has no validation nodes (the probe picks ",
             "its epoch on them)");
  LOOM_CHECK(test_idx.numel() > 0, ValueError, "linear_probe: the split has no test nodes");
  LOOM_CHECK(num_classes >= 2, ValueError, "linear_probe: needs at least 2 classes, got ", num_classes);
  LOOM_CHECK(o.epochs() > 0 && o.runs() > 0, ValueError, "linear_probe: epochs and runs must be positive, got ",
             o.epochs(), " and ", o.runs());
  const Device dev = embeddings.device();
  const Tensor x = embeddings.detach().to(kFloat32);
  const Tensor tr = train_idx.to(dev), va = val_idx.to(dev), te = test_idx.to(dev), yd = y.to(dev);
  const Tensor x_train = index_select(x, tr), y_train = index_select(yd, tr);
  const Tensor x_val = index_select(x, va), x_test = index_select(x, te);
  const Tensor y_val = index_select(yd, va), y_test = index_select(yd, te);
  const Tensor all_val = arange(va.numel(), kInt64, dev), all_test = arange(te.numel(), kInt64, dev);

  const RandomState saved = random_state();
  manual_seed(o.seed());
  std::vector<double> macro, micro, auc;
  for (int64_t run = 0; run < o.runs(); ++run) {
    nn::Linear clf(x.size(1), num_classes);
    // HeCo's LogReg: Xavier-uniform weight, zero bias.
    const double bound = std::sqrt(6.0 / static_cast<double>(x.size(1) + num_classes));
    clf.weight.copy_(uniform(clf.weight.shape(), -bound, bound));
    clf.bias.copy_(zeros(clf.bias.shape()));
    clf.to(dev);
    optim::Adam opt(clf.parameters(), optim::AdamOptions(o.lr()).weight_decay(o.weight_decay()));
    double best_acc = -1, best_macro = -1, at_acc_micro = 0, at_acc_auc = 0, at_macro = 0;
    for (int64_t e = 0; e < o.epochs(); ++e) {
      opt.zero_grad();
      cross_entropy(clf.forward(x_train), y_train).backward();
      opt.step();
      NoGradGuard no_grad;
      const Tensor lv = clf.forward(x_val), lt = clf.forward(x_test);
      const double va_acc = accuracy(lv, y_val, all_val), va_macro = macro_f1(lv, y_val, all_val);
      // Strictly better only: the first epoch reaching the best validation figure is kept (Python's list.index).
      if (va_acc > best_acc) {
        best_acc = va_acc;
        at_acc_micro = accuracy(lt, y_test, all_test);
        at_acc_auc = macro_auc(softmax(lt, 1), y_test);
      }
      if (va_macro > best_macro) {
        best_macro = va_macro;
        at_macro = macro_f1(lt, y_test, all_test);
      }
    }
    macro.push_back(at_macro);
    micro.push_back(at_acc_micro);
    auc.push_back(at_acc_auc);
  }
  set_random_state(saved);
  ProbeResult r;
  r.macro_f1 = mean_of(macro), r.macro_f1_std = std_of(macro);
  r.micro_f1 = mean_of(micro), r.micro_f1_std = std_of(micro);
  r.auc = mean_of(auc), r.auc_std = std_of(auc);
  r.runs = o.runs();
  return r;
}

}  // namespace loom::models
