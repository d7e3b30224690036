// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GraphClassifier and GraphClassificationTask: parameter names, GIN-0 versus learnable eps, outputs that do not
// depend on which graphs share a batch (eval mode), the backbones the registry offers, and a short fit on the one
// trainer that separates stars from paths; the histograph readout end to end and on a frozen backbone (whose weights
// and buffers must not move); GIN's protocol score.
#include <gmock/gmock.h>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/random.h"
#include "loom/models/graph_classifier.h"
#include "loom/models/histograph_frozen.h"
#include "loom/models/trainer.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom::models {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Graph g: a star (class 1) for odd g, a path (class 0) for even g, 4 + g % 5 nodes, constant features, or with
// noisy_features seeded values in [0.5, 1.5). Constant features leave many nodes with equal states, so some batch-norm
// channels have a variance near zero and some weights a gradient that is rounding noise, which Adam turns into
// full-size steps of either sign: two devices that round differently then part ways within a few epochs. The
// CPU-against-CUDA training comparisons use the noisy features.
data::GraphDataset stars_and_paths(int64_t graphs, bool noisy_features = false) {
  data::GraphDataset d;
  std::vector<int64_t> ptr{0}, src, dst, y;
  for (int64_t g = 0; g < graphs; ++g) {
    const int64_t lo = ptr.back(), n = 4 + g % 5;
    for (int64_t i = 1; i < n; ++i) {
      const int64_t a = g % 2 ? lo : lo + i - 1, b = lo + i;
      src.insert(src.end(), {a, b});
      dst.insert(dst.end(), {b, a});
    }
    ptr.push_back(lo + n);
    y.push_back(g % 2);
  }
  std::vector<int64_t> ei = src;
  ei.insert(ei.end(), dst.begin(), dst.end());
  d.x = noisy_features ? testing::random_tensor({ptr.back(), 2}, 11, 0.5, 1.5, kFloat32) : ones({ptr.back(), 2});
  d.edge_index = from_vector<int64_t>(ei, {2, static_cast<int64_t>(src.size())});
  d.graph_ptr = from_vector<int64_t>(ptr, {graphs + 1});
  d.y = from_vector<int64_t>(y, {graphs});
  d.num_classes = 2;
  data::index_graphs(d);
  return d;
}

TEST(GraphClassifier, ParametersFollowGinsReadout) {
  GraphClassifier gin0(GraphClassifierOptions("gin", 7, 16, 2));
  const auto params = gin0.named_parameters();
  std::vector<std::string> names;
  for (const auto& [name, t] : params) names.push_back(name);
  EXPECT_THAT(names, ::testing::Contains("convs.3.mlp.layers.1.weight"));
  EXPECT_THAT(names, ::testing::Contains("norms.3.weight"));
  EXPECT_THAT(names, ::testing::Contains("heads.4.weight"));  // input + 4 layers each read out
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("convs.0.eps")));  // GIN-0: eps is a fixed buffer
  GraphClassifier gin_eps(GraphClassifierOptions("gin", 7, 16, 2).train_eps(true));
  std::vector<std::string> eps_names;
  for (const auto& [name, t] : gin_eps.named_parameters()) eps_names.push_back(name);
  EXPECT_THAT(eps_names, ::testing::Contains("convs.0.eps"));
  GraphClassifier last(GraphClassifierOptions("gin", 7, 16, 2).jk(false).readout(layers::Readout::kAttention));
  std::vector<std::string> last_names;
  for (const auto& [name, t] : last.named_parameters()) last_names.push_back(name);
  EXPECT_THAT(last_names, ::testing::Contains("pools.0.gate.layers.0.weight"));
  EXPECT_THAT(last_names, ::testing::Not(::testing::Contains("heads.1.weight")));
}

TEST(GraphClassifier, EvalOutputsDoNotDependOnBatchCompany) {
  const data::GraphDataset d = stars_and_paths(6);
  for (const char* model : {"gin", "gcn", "sage"}) {
    for (const layers::Readout r : {layers::Readout::kSum, layers::Readout::kMean, layers::Readout::kMax,
                                    layers::Readout::kAttention, layers::Readout::kHistograph}) {
      manual_seed(1);
      GraphClassifier m(GraphClassifierOptions(model, 2, 8, 2).readout(r));
      m.eval();
      NoGradGuard no_grad;
      const std::vector<float> together = m.forward(data::GraphBatch::build(d, {1, 2, 5})).to_vector<float>();
      const std::vector<float> alone = m.forward(data::GraphBatch::build(d, {2})).to_vector<float>();
      EXPECT_NEAR(together[2], alone[0], 1e-5) << model << " " << to_string(r);
      EXPECT_NEAR(together[3], alone[1], 1e-5) << model << " " << to_string(r);
    }
  }
  EXPECT_THAT([] { GraphClassifier(GraphClassifierOptions("gat", 2, 8, 2)); },
              ThrowsMessage<ValueError>(HasSubstr("not a graph-classification backbone (expected")));
  EXPECT_THAT([] { GraphClassifier(GraphClassifierOptions("gin", 2, 8, 2).num_layers(1)); },
              ThrowsMessage<ValueError>(HasSubstr("num_layers")));
}

TEST(GraphClassificationTask, TrainsOnTheOneTrainer) {
  const data::GraphDataset d = stars_and_paths(40);
  std::vector<int64_t> train, val;
  for (int64_t g = 0; g < 40; ++g) (g < 32 ? train : val).push_back(g);
  const Tensor val_idx = from_vector<int64_t>(val, {8});
  const data::Fold fold{from_vector<int64_t>(train, {32}), val_idx, val_idx};
  manual_seed(0);
  GraphClassifier model(GraphClassifierOptions("gin", 2, 16, 2));
  GraphClassificationTask task(d, fold, [&](const data::GraphBatch& b) { return model.forward(b); },
                               {.batch_size = 8, .seed = 3});
  EXPECT_EQ(task.steps_per_epoch(), 4);
  EXPECT_EQ(task.default_monitor(), "val_acc");
  TrainerOptions o;
  o.epochs = 30;
  o.weight_decay = 0;
  const TrainResult r = fit(model, task, o);
  EXPECT_GE(r.metric("train_acc"), 0.9);
  EXPECT_GE(r.metric("test_acc"), 0.85);
  EXPECT_TRUE(r.final.count("val_loss"));
}

TEST(GraphClassifier, HistographReadoutReplacesTheHeads) {
  GraphClassifier m(GraphClassifierOptions("gcn", 7, 16, 2).num_layers(4).readout(layers::Readout::kHistograph));
  std::vector<std::string> names;
  for (const auto& [name, t] : m.named_parameters()) names.push_back(name);
  EXPECT_THAT(names, ::testing::Contains("histograph.proj.3.weight"));  // input + 3 layers, each projected
  EXPECT_THAT(names, ::testing::Contains("histograph.attn_q.weight"));
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("heads.0.weight")));
  EXPECT_EQ(m.layer_widths(), (std::vector<int64_t>{7, 16, 16, 16}));
  const auto no_jk = GraphClassifierOptions("gin", 2, 8, 2).readout(layers::Readout::kHistograph).jk(false);
  EXPECT_THAT([&] { GraphClassifier{no_jk}; },
              ThrowsMessage<ValueError>(HasSubstr("histograph readout reads every layer")));
}

TEST(GraphClassificationTask, HistographTrainsEndToEnd) {
  const data::GraphDataset d = stars_and_paths(40);
  std::vector<int64_t> train, val;
  for (int64_t g = 0; g < 40; ++g) (g < 32 ? train : val).push_back(g);
  const Tensor val_idx = from_vector<int64_t>(val, {8});
  const data::Fold fold{from_vector<int64_t>(train, {32}), val_idx, val_idx};
  manual_seed(0);
  GraphClassifier model(GraphClassifierOptions("gin", 2, 16, 2).readout(layers::Readout::kHistograph));
  GraphClassificationTask task(d, fold, [&](const data::GraphBatch& b) { return model.forward(b); },
                               {.batch_size = 8, .seed = 3});
  TrainerOptions o;
  o.epochs = 30;
  o.weight_decay = 0;
  EXPECT_GE(fit(model, task, o).metric("test_acc"), 0.85);
}

TEST(FrozenHistograph, TrainsTheHeadAloneAndLeavesTheBackboneBitwiseUnchanged) {
  const data::GraphDataset d = stars_and_paths(40);
  std::vector<int64_t> train, val;
  for (int64_t g = 0; g < 40; ++g) (g < 32 ? train : val).push_back(g);
  const Tensor train_idx = from_vector<int64_t>(train, {32}), val_idx = from_vector<int64_t>(val, {8});
  manual_seed(0);
  const GraphClassifierOptions mo("gin", 2, 16, 2);
  GraphClassifier backbone(frozen_backbone_options(mo));
  EXPECT_EQ(backbone.histograph(), nullptr);
  TrainerOptions o;
  o.epochs = 10;
  o.weight_decay = 0;
  GraphClassificationTask pre(d, data::Fold{train_idx, Tensor(), Tensor()},
                              [&](const data::GraphBatch& b) { return backbone.forward(b); }, {.batch_size = 8});
  fit(backbone, pre, o);
  backbone.train();  // left in training mode: the cache must switch BatchNorm to its running statistics itself
  std::vector<Tensor> before;
  for (const auto& [name, t] : backbone.state_dict()) before.push_back(t.clone());
  layers::HistographReadout head(histograph_options(mo));
  const Tensor w0 = head.named_parameters().at("attn_q.weight").clone();
  o.epochs = 30;
  const TrainResult r = fit_frozen_histograph(backbone, head, d, data::Fold{train_idx, val_idx, val_idx}, o,
                                              {.batch_size = 8, .seed = 3});
  std::vector<Tensor> after;
  for (const auto& [name, t] : backbone.state_dict()) after.push_back(t);
  EXPECT_TRUE(testing::bitwise_equal(before, after));  // parameters and BatchNorm buffers alike
  EXPECT_TRUE(backbone.is_training());                  // its mode restored after the cache was built
  EXPECT_FALSE(testing::bitwise_equal(w0, head.named_parameters().at("attn_q.weight")));
  EXPECT_GE(r.metric("test_acc"), 0.85);
  layers::HistographReadout wrong(histograph_options(GraphClassifierOptions("gin", 2, 16, 2).num_layers(3)));
  EXPECT_THAT([&] { fit_frozen_histograph(backbone, wrong, d, data::Fold{train_idx, val_idx, val_idx}, o); },
              ThrowsMessage<ShapeError>(HasSubstr("the head reads 3 layers but the backbone has 5")));
}

TEST(GinProtocolScore, BestEpochOfTheFoldAverage) {
  const GinProtocolScore s = gin_protocol_score({{0.5, 0.75, 0.5}, {0.5, 0.25, 1.0}, {0.5, 1.0}});
  EXPECT_EQ(s.epoch, 2);  // the averages 0.5, 0.667 (the third epoch is cut: one curve stops at two)
  EXPECT_EQ(s.fold_accs, (std::vector<double>{0.75, 0.25, 1.0}));
  EXPECT_NEAR(s.mean, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.std, std::sqrt(((0.75 - s.mean) * (0.75 - s.mean) + (0.25 - s.mean) * (0.25 - s.mean) +
                                (1.0 - s.mean) * (1.0 - s.mean)) / 3.0), 1e-12);
  EXPECT_THAT([] { gin_protocol_score({}); }, ThrowsMessage<ValueError>(HasSubstr("no accuracy curves")));
}

// The same seeded fit on the CPU and on CUDA (batches copied by the loader, evaluation splits moved once): the
// per-epoch losses and the accuracies agree within float32 rounding. Dropout off: the two devices draw their masks
// from the same counter, but the order of draws is not part of the contract. Two epochs: this fit's loss rises again
// from the third (Adam at lr 0.01 on 32 graphs), and there the devices' rounding grows to 4% by the fifth (seen on
// the H100) although every single step agrees (CudaStepMatchesCpuPerParameter).
TEST(GraphClassificationTask, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  const data::GraphDataset d = stars_and_paths(40, /*noisy_features=*/true);
  std::vector<int64_t> train, val;
  for (int64_t g = 0; g < 40; ++g) (g < 32 ? train : val).push_back(g);
  const Tensor val_idx = from_vector<int64_t>(val, {8});
  const data::Fold fold{from_vector<int64_t>(train, {32}), val_idx, val_idx};
  std::vector<TrainResult> runs;
  for (const Device device : {kCPU, kCUDA}) {
    manual_seed(0);
    GraphClassifier model(GraphClassifierOptions("gin", 2, 16, 2).dropout(0).readout(layers::Readout::kAttention));
    model.to(device);
    GraphClassificationTask task(d, fold, [&](const data::GraphBatch& b) { return model.forward(b); },
                                 {.batch_size = 8, .seed = 3, .device = device});
    TrainerOptions o;
    o.epochs = 2;
    runs.push_back(fit(model, task, o));
  }
  ASSERT_EQ(runs[0].history.size(), runs[1].history.size());
  for (size_t e = 0; e < runs[0].history.size(); ++e)
    EXPECT_NEAR(runs[0].history[e].loss, runs[1].history[e].loss, 1e-4 * (1 + std::abs(runs[0].history[e].loss)))
        << "epoch " << e + 1;
  EXPECT_NEAR(runs[0].metric("val_loss"), runs[1].metric("val_loss"), 1e-4);
  EXPECT_EQ(runs[0].metric("train_acc"), runs[1].metric("train_acc"));
}

// One training step's pieces on CUDA against the CPU, per readout: the logits, the loss, the gradient of every named
// parameter, the running statistics the step leaves in every buffer, and the eval-mode logits that read them. The
// multi-epoch fits above only say that the devices drifted apart; this names the first quantity that differs.
TEST(GraphClassifier, CudaStepMatchesCpuPerParameter) {
  LOOM_REQUIRE_CUDA();
  const data::GraphDataset d = stars_and_paths(16, /*noisy_features=*/true);
  std::vector<int64_t> all(16);
  for (int64_t g = 0; g < 16; ++g) all[static_cast<size_t>(g)] = g;
  const data::GraphBatch batch = data::GraphBatch::build(d, all);
  for (const layers::Readout readout :
       {layers::Readout::kSum, layers::Readout::kMax, layers::Readout::kAttention, layers::Readout::kHistograph}) {
    SCOPED_TRACE("readout " + std::to_string(static_cast<int>(readout)));
    struct Step {
      Tensor logits, loss, eval_logits;
      std::vector<std::pair<std::string, Tensor>> grads, buffers;
    };
    std::vector<Step> steps;
    for (const Device device : {kCPU, kCUDA}) {
      manual_seed(0);
      GraphClassifier model(GraphClassifierOptions("gin", 2, 16, 2).dropout(0).readout(readout));
      model.to(device);
      const data::GraphBatch b = batch.to(device);
      Step s;
      const Tensor logits = model.forward(b);
      const Tensor loss = cross_entropy(logits, b.y);
      loss.backward();
      s.logits = logits.detach().cpu();
      s.loss = loss.detach().cpu();
      for (const auto& [name, p] : model.named_parameters())
        s.grads.emplace_back(name, p.grad().defined() ? p.grad().cpu() : Tensor());
      for (const auto& [name, t] : model.named_buffers()) s.buffers.emplace_back(name, t.detach().cpu());
      model.eval();
      NoGradGuard no_grad;
      s.eval_logits = model.forward(b).cpu();
      steps.push_back(std::move(s));
    }
    const Step &cpu = steps[0], &gpu = steps[1];
    EXPECT_TRUE(testing::all_close(gpu.logits, cpu.logits, 1e-4, 1e-5)) << "train-mode logits";
    EXPECT_TRUE(testing::all_close(gpu.loss, cpu.loss, 1e-4, 1e-6)) << "loss";
    ASSERT_EQ(cpu.grads.size(), gpu.grads.size());
    for (size_t i = 0; i < cpu.grads.size(); ++i)
      EXPECT_TRUE(testing::all_close(gpu.grads[i].second, cpu.grads[i].second, 1e-3, 1e-5))
          << "gradient of " << cpu.grads[i].first;
    ASSERT_EQ(cpu.buffers.size(), gpu.buffers.size());
    for (size_t i = 0; i < cpu.buffers.size(); ++i)
      EXPECT_TRUE(testing::all_close(gpu.buffers[i].second, cpu.buffers[i].second, 1e-4, 1e-5))
          << "buffer " << cpu.buffers[i].first;
    EXPECT_TRUE(testing::all_close(gpu.eval_logits, cpu.eval_logits, 1e-4, 1e-5)) << "eval-mode logits";
  }
}

// HISTOGRAPH on CUDA against the CPU, end to end and on a frozen backbone (the cache is built and gathered on the
// device): the same seeded fits give the same per-epoch losses within float32 rounding. Dropout off, as above.
TEST(FrozenHistograph, CudaMatchesCpuEndToEndAndFrozen) {
  LOOM_REQUIRE_CUDA();
  const data::GraphDataset d = stars_and_paths(40, /*noisy_features=*/true);
  std::vector<int64_t> train, val;
  for (int64_t g = 0; g < 40; ++g) (g < 32 ? train : val).push_back(g);
  const Tensor train_idx = from_vector<int64_t>(train, {32}), val_idx = from_vector<int64_t>(val, {8});
  const data::Fold fold{train_idx, val_idx, val_idx};
  const GraphClassifierOptions mo =
      GraphClassifierOptions("gin", 2, 16, 2).dropout(0).readout(layers::Readout::kHistograph);
  TrainerOptions o;
  o.epochs = 4;
  std::vector<TrainResult> whole, frozen;
  for (const Device device : {kCPU, kCUDA}) {
    const GraphTaskOptions to{.batch_size = 8, .seed = 3, .device = device};
    manual_seed(0);
    GraphClassifier model(mo);
    model.to(device);
    GraphClassificationTask task(d, fold, [&](const data::GraphBatch& b) { return model.forward(b); }, to);
    whole.push_back(fit(model, task, o));
    manual_seed(0);
    GraphClassifier backbone(frozen_backbone_options(mo));
    backbone.to(device);
    GraphClassificationTask pre(d, data::Fold{train_idx, Tensor(), Tensor()},
                                [&](const data::GraphBatch& b) { return backbone.forward(b); }, to);
    fit(backbone, pre, o);
    layers::HistographReadout head(histograph_options(mo));
    head.to(device);
    frozen.push_back(fit_frozen_histograph(backbone, head, d, fold, o, to));
  }
  for (const auto* runs : {&whole, &frozen}) {
    ASSERT_EQ((*runs)[0].history.size(), (*runs)[1].history.size());
    for (size_t e = 0; e < (*runs)[0].history.size(); ++e) {
      const double cpu = (*runs)[0].history[e].loss, gpu = (*runs)[1].history[e].loss;
      EXPECT_NEAR(cpu, gpu, 1e-3 * (1 + std::abs(cpu))) << (runs == &whole ? "end to end" : "frozen") << ", epoch "
                                                        << e + 1;
    }
    EXPECT_NEAR((*runs)[0].metric("val_loss"), (*runs)[1].metric("val_loss"), 1e-3);
  }
}

TEST(GraphLoader, HandsBatchesOverOnItsDevice) {
  LOOM_REQUIRE_CUDA();
  const data::GraphDataset d = stars_and_paths(10);
  data::GraphLoader cpu(d, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {.batch_size = 4, .seed = 2});
  data::GraphLoader gpu(d, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {.batch_size = 4, .seed = 2, .device = kCUDA});
  for (int k = 0; k < 4; ++k) {  // past an epoch's end
    const data::GraphBatch a = cpu.next(), b = gpu.next();
    ASSERT_TRUE(b.x.device().is_cuda() && b.csr.device().is_cuda() && b.graph_ptr.device().is_cuda() &&
                b.y.device().is_cuda());
    EXPECT_EQ(a.x.to_vector<float>(), b.x.cpu().to_vector<float>());
    EXPECT_EQ(a.csr.indices().to_vector<int32_t>(), b.csr.indices().cpu().to_vector<int32_t>());
    EXPECT_EQ(a.graph_ids.to_vector<int64_t>(), b.graph_ids.cpu().to_vector<int64_t>());
  }
}

}  // namespace
}  // namespace loom::models
