// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Relation-grouped GraphSAGE (hetero::HeteroSAGE, "rsage") on a heterogeneous folder (DBLP: author classification on
// the folder's own 400/400/3257 split). Per seed: full-batch training with Adam, the epoch with the best validation
// accuracy selected, its test Macro-F1 and Micro-F1 printed as one JSON line; then mean and std over the seeds.
//   build/examples/hetero_sage_dblp --data ../shared/data/dblp --seeds 10
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/data/dataset.h"
#include "loom/data/hetero_dataset.h"
#include "loom/hetero/hetero_sage.h"
#include "loom/hetero/load.h"

using namespace loom;

namespace {

struct F1 {
  double macro = 0, micro = 0;
};

// Macro-F1 (the mean over classes of 2PR / (P + R), 0 for a class never predicted nor present) and Micro-F1 (for
// single-label classes: the accuracy).
F1 f1_scores(const std::vector<int64_t>& pred, const std::vector<int64_t>& truth, int64_t classes) {
  std::vector<double> tp(classes, 0), fp(classes, 0), fn(classes, 0);
  double correct = 0;
  for (size_t i = 0; i < pred.size(); ++i) {
    if (pred[i] == truth[i]) {
      tp[truth[i]] += 1;
      correct += 1;
    } else {
      fp[pred[i]] += 1;
      fn[truth[i]] += 1;
    }
  }
  F1 f;
  for (int64_t c = 0; c < classes; ++c) {
    const double d = 2 * tp[c] + fp[c] + fn[c];
    f.macro += d > 0 ? 2 * tp[c] / d : 0.0;
  }
  f.macro /= static_cast<double>(classes);
  f.micro = pred.empty() ? 0.0 : correct / static_cast<double>(pred.size());
  return f;
}

std::vector<int64_t> predictions(const Tensor& logits, const Tensor& idx) {
  return argmax(index_select(logits, idx), 1).to_vector<int64_t>();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"relation-grouped GraphSAGE (rsage) on a heterogeneous folder"};
  std::string dir = data::resolve_data_dir() + "/dblp", split;
  int seeds = 10, epochs = 100;
  int64_t hidden = 64;
  double lr = 0.005, weight_decay = 1e-3, drop = 0.5;
  app.add_option("--data", dir, "heterogeneous folder with a target type, labels and a split");
  app.add_option("--split", split, "splits/<name> (default: the folder's top-level split)");
  app.add_option("--seeds", seeds);
  app.add_option("--epochs", epochs);
  app.add_option("--hidden", hidden);
  app.add_option("--lr", lr);
  app.add_option("--weight-decay", weight_decay);
  app.add_option("--dropout", drop);
  CLI11_PARSE(app, argc, argv);

  const data::HeteroDataset ds = data::load_hetero_dataset(dir, split);
  const hetero::HeteroGraph g = hetero::from_dataset(ds);
  const std::vector<int64_t> y_test = index_select(ds.y, ds.test_idx).to_vector<int64_t>();
  const std::vector<int64_t> y_val = index_select(ds.y, ds.val_idx).to_vector<int64_t>();
  const Tensor y_train = index_select(ds.y, ds.train_idx);
  std::printf("{\"env\":\"loom\",\"data\":\"%s\",\"graph\":\"%s\",\"target\":\"%s\",\"train\":%lld,\"val\":%lld,"
              "\"test\":%lld}\n", dir.c_str(), g.str().c_str(), ds.target_type.c_str(),
              static_cast<long long>(ds.train_idx.numel()), static_cast<long long>(ds.val_idx.numel()),
              static_cast<long long>(ds.test_idx.numel()));
  std::vector<double> macro, micro;
  for (int seed = 0; seed < seeds; ++seed) {
    manual_seed(static_cast<uint64_t>(seed));
    hetero::HeteroSAGE model(g, hetero::HeteroSAGEOptions(ds.target_type, hidden, ds.num_classes).dropout(drop));
    optim::Adam opt(model.parameters(), optim::AdamOptions(lr).weight_decay(weight_decay));
    const auto t0 = std::chrono::steady_clock::now();
    double best_val = -1;
    int best_epoch = 0;
    F1 best_test;
    for (int epoch = 0; epoch < epochs; ++epoch) {
      model.train();
      opt.zero_grad();
      cross_entropy(index_select(model.forward(g), ds.train_idx), y_train).backward();
      opt.step();
      model.eval();
      NoGradGuard no_grad;
      const Tensor logits = model.forward(g);
      const double val = f1_scores(predictions(logits, ds.val_idx), y_val, ds.num_classes).micro;
      if (val > best_val) {
        best_val = val;
        best_epoch = epoch;
        best_test = f1_scores(predictions(logits, ds.test_idx), y_test, ds.num_classes);
      }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    macro.push_back(best_test.macro * 100);
    micro.push_back(best_test.micro * 100);
    std::printf("{\"model\":\"rsage\",\"seed\":%d,\"best_epoch\":%d,\"val_acc\":%.2f,\"test_macro_f1\":%.2f,"
                "\"test_micro_f1\":%.2f,\"train_s\":%.1f}\n", seed, best_epoch, best_val * 100, macro.back(),
                micro.back(), s);
    std::fflush(stdout);
  }
  auto stats = [](const std::vector<double>& v) {
    double m = 0, s = 0;
    for (double x : v) m += x;
    m /= static_cast<double>(v.size());
    for (double x : v) s += (x - m) * (x - m);
    return std::pair<double, double>(m, v.size() > 1 ? std::sqrt(s / static_cast<double>(v.size() - 1)) : 0.0);
  };
  const auto [ma, mas] = stats(macro);
  const auto [mi, mis] = stats(micro);
  std::printf("{\"model\":\"rsage\",\"seeds\":%d,\"macro_f1\":%.2f,\"macro_f1_std\":%.2f,\"micro_f1\":%.2f,"
              "\"micro_f1_std\":%.2f}\n", seeds, ma, mas, mi, mis);
  return 0;
}
