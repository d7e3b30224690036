// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The training loop (models::fit) on node classification: it learns and keeps the best epoch by any monitor,
// repeats itself under a seed, stops early, runs every optimizer and schedule, clips, logs, and resumes from a
// checkpoint to bitwise the weights of an uninterrupted run.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "loom/core/nn.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/models/trainer.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(Accuracy, CountsArgmaxMatchesOverTheIndex) {
  Tensor logits = from_vector<float>({2, 1, 0, 5, 3, 4, 1, 1.5f}, {4, 2});  // argmax: 0, 1, 1, 1
  Tensor y = from_vector<int64_t>({0, 1, 1, 0});
  EXPECT_DOUBLE_EQ(models::accuracy(logits, y, from_vector<int64_t>({0, 1, 2, 3})), 0.75);
  EXPECT_DOUBLE_EQ(models::accuracy(logits, y, from_vector<int64_t>({0, 1})), 1.0);
  EXPECT_DOUBLE_EQ(models::accuracy(logits, y, from_vector<int64_t>({3, 2})), 0.5);
  EXPECT_THAT([&] { models::accuracy(logits, from_vector<int64_t>({0, 1}), from_vector<int64_t>({0})); },
              ThrowsMessage<ShapeError>(HasSubstr("do not match")));
  EXPECT_THAT([&] { models::accuracy(logits, y, from_vector<int64_t>(std::vector<int64_t>{})); },
              ThrowsMessage<ValueError>(HasSubstr("an empty split")));
  EXPECT_TRUE(models::higher_is_better("val_acc"));
  EXPECT_FALSE(models::higher_is_better("val_loss"));
}

data::NodeDataset small_csbm(uint64_t seed) {
  data::CsbmOptions o;
  o.num_nodes = 400;
  o.num_classes = 3;
  o.num_features = 16;
  o.signal = 4.0;
  o.num_val = 100;
  o.seed = seed;
  return data::make_csbm(o);
}

// Records every epoch it sees, and can throw at one (an interrupted run).
class Recorder : public models::Callback {
 public:
  explicit Recorder(int throw_at = 0) : throw_at_(throw_at) {}
  void on_epoch_end(const models::EpochRecord& r) override {
    records.push_back(r);
    if (r.epoch == throw_at_) throw std::runtime_error("interrupted");
  }
  std::vector<models::EpochRecord> records;

 private:
  int throw_at_;
};

struct Trained {
  models::TrainResult result;
  NamedTensors weights;
};

Trained fit_mlp(const data::NodeDataset& d, uint64_t seed, models::TrainerOptions o) {
  manual_seed(seed);
  nn::MLP mlp(nn::MLPOptions(d.num_features(), {32}, d.num_classes).dropout(0.5));
  models::NodeClassificationTask task(d, [&] { return mlp.forward(d.x); });
  Trained run{models::fit(mlp, task, o), {}};
  for (const auto& [name, t] : mlp.state_dict()) run.weights.insert(name, t.clone());
  return run;
}

models::TrainerOptions epochs(int n) {
  models::TrainerOptions o;
  o.epochs = n;
  return o;
}

TEST(Fit, LearnsASeparableGraphAndRestoresTheBestEpoch) {
  const data::NodeDataset d = small_csbm(1);
  const models::TrainResult r = fit_mlp(d, 0, epochs(60)).result;
  EXPECT_EQ(r.epochs_run, 60);
  ASSERT_EQ(r.history.size(), 60u);
  EXPECT_GT(r.metric("test_acc"), 0.85);  // class means 4 noise units apart (chance is 1/3)
  EXPECT_EQ(r.monitor, "val_acc");
  double best = 0;
  for (const auto& s : r.history) best = std::max(best, s.metrics.at("val_acc"));
  EXPECT_DOUBLE_EQ(r.best_value, best);
  EXPECT_DOUBLE_EQ(r.history[static_cast<size_t>(r.best_epoch - 1)].metrics.at("val_acc"), best);
  EXPECT_DOUBLE_EQ(r.metric("val_acc"), best) << "the kept weights are the best epoch's";
  EXPECT_LT(r.history.back().loss, r.history.front().loss);
  EXPECT_THAT([&] { r.metric("auc"); },
              ThrowsMessage<ValueError>(HasSubstr("no metric 'auc' (there are test_acc, test_macro_f1, train_acc, val_acc, val_loss or val_macro_f1)")));
}

TEST(Fit, MonitorsALossByItsMinimum) {
  const data::NodeDataset d = small_csbm(1);
  models::TrainerOptions o = epochs(40);
  o.monitor = "val_loss";
  const models::TrainResult r = fit_mlp(d, 0, o).result;
  double best = 1e300;
  for (const auto& s : r.history) best = std::min(best, s.metrics.at("val_loss"));
  EXPECT_DOUBLE_EQ(r.best_value, best);
  EXPECT_NEAR(r.metric("val_loss"), best, 1e-6);
  o.monitor = "val_auc";
  EXPECT_THAT([&] { fit_mlp(d, 0, o); },
              ThrowsMessage<ValueError>(HasSubstr("task 'node' reports no metric 'val_auc' (it reports train_acc, "
                                                  "val_acc or val_loss)")));
}

TEST(Fit, SameSeedSameLosses) {
  const data::NodeDataset d = small_csbm(2);
  auto losses = [&](uint64_t seed) {
    std::vector<double> out;
    for (const auto& r : fit_mlp(d, seed, epochs(20)).result.history) out.push_back(r.loss);
    return out;
  };
  EXPECT_EQ(losses(7), losses(7));
  EXPECT_NE(losses(7), losses(8));
}

TEST(Fit, EarlyStoppingAndBadOptions) {
  const data::NodeDataset d = small_csbm(3);
  models::TrainerOptions o = epochs(500);
  o.patience = 5;
  const models::TrainResult r = fit_mlp(d, 0, o).result;
  EXPECT_LT(r.epochs_run, 500);
  EXPECT_EQ(r.epochs_run - r.best_epoch, 5);
  o.epochs = 0;
  EXPECT_THAT([&] { fit_mlp(d, 0, o); }, ThrowsMessage<ValueError>(HasSubstr("epochs must be positive")));
  o = epochs(5);
  o.lr = std::nan("");
  EXPECT_THAT([&] { fit_mlp(d, 0, o); }, ThrowsMessage<ValueError>(HasSubstr("lr must be a positive number")));
  o = epochs(5);
  o.resume = true;
  EXPECT_THAT([&] { fit_mlp(d, 0, o); }, ThrowsMessage<ValueError>(HasSubstr("resume needs a checkpoint directory")));
}

// A task of several optimizer steps per epoch: training_loss once per step, the epoch's loss their mean.
class ThreeStepTask : public models::Task {
 public:
  explicit ThreeStepTask(Tensor w) : w_(std::move(w)) {}
  std::string name() const override { return "three_step"; }
  Tensor training_loss(nn::Module&) override {
    ++calls;
    const Tensor loss = mul_scalar(sum(mul(w_, w_)), static_cast<double>(calls % 3 + 1));
    values.push_back(loss.item_double());
    return loss;
  }
  models::Metrics evaluate(nn::Module&) override { return {}; }
  models::Metrics test(nn::Module&) override { return {}; }
  std::string default_monitor() const override { return ""; }
  int steps_per_epoch() const override { return 3; }
  int calls = 0;
  std::vector<double> values;

 private:
  Tensor w_;
};

TEST(Fit, TakesEveryStepOfAMinibatchEpoch) {
  nn::Linear lin(2, 1);
  ThreeStepTask task(lin.weight);
  models::TrainerOptions o = epochs(2);
  o.optimizer = models::OptimizerKind::kSgd;
  o.momentum = 0;
  o.weight_decay = 0;
  o.lr = 0.1;
  const models::TrainResult r = models::fit(lin, task, o);
  ASSERT_EQ(task.calls, 6);
  ASSERT_EQ(r.history.size(), 2u);
  EXPECT_NEAR(r.history[0].loss, (task.values[0] + task.values[1] + task.values[2]) / 3, 1e-12);
  EXPECT_NEAR(r.history[1].loss, (task.values[3] + task.values[4] + task.values[5]) / 3, 1e-12);
  // Each step moved the weights: the unscaled loss |w|^2 fell at every step.
  for (int k = 1; k < 6; ++k)
    EXPECT_LT(task.values[k] / ((k + 1) % 3 + 1), task.values[k - 1] / (k % 3 + 1)) << "step " << k;
}

TEST(Fit, WithoutValidationNodesKeepsTheLastEpoch) {
  data::NodeDataset d = small_csbm(4);
  d.val_idx = from_vector<int64_t>(std::vector<int64_t>{});
  const models::TrainResult r = fit_mlp(d, 0, epochs(15)).result;
  EXPECT_EQ(r.monitor, "");
  EXPECT_EQ(r.best_epoch, 15);
  EXPECT_EQ(r.final.count("val_acc"), 0u) << "no validation nodes: no val_acc, never a stand-in";
  EXPECT_GT(r.metric("test_acc"), 0.5);
}

TEST(Fit, EveryOptimizerLearns) {
  const data::NodeDataset d = small_csbm(5);
  for (auto kind : {models::OptimizerKind::kAdam, models::OptimizerKind::kAdamW, models::OptimizerKind::kSgd}) {
    models::TrainerOptions o = epochs(60);
    o.optimizer = kind;
    if (kind == models::OptimizerKind::kSgd) o.lr = 0.1;
    EXPECT_GT(fit_mlp(d, 0, o).result.metric("test_acc"), 0.8) << to_string(kind);
  }
}

TEST(Fit, SchedulesSetTheLearningRate) {
  const data::NodeDataset d = small_csbm(6);
  models::TrainerOptions o = epochs(12);
  o.lr = 0.04;
  o.schedule = models::Schedule::kStep;
  o.step_size = 5;
  o.gamma = 0.5;
  auto lrs = [&](const models::TrainerOptions& opt) {
    std::vector<double> out;
    for (const auto& r : fit_mlp(d, 0, opt).result.history) out.push_back(r.lr);
    return out;
  };
  EXPECT_EQ(lrs(o), (std::vector<double>{0.04, 0.04, 0.04, 0.04, 0.04, 0.02, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01}));
  o.schedule = models::Schedule::kCosine;
  const std::vector<double> cosine = lrs(o);
  EXPECT_DOUBLE_EQ(cosine[0], 0.04);
  EXPECT_NEAR(cosine[6], 0.04 * (1 + std::cos(M_PI * 6 / 12)) / 2, 1e-15);
  // Plateau on a monitor that never improves (train to a loss with lr so small nothing moves): halves after
  // plateau_patience + 1 flat epochs.
  o.schedule = models::Schedule::kPlateau;
  o.lr = 1e-9;
  o.plateau_patience = 2;
  o.plateau_factor = 0.5;
  const std::vector<double> plateau = lrs(o);
  EXPECT_DOUBLE_EQ(plateau[0], 1e-9);
  EXPECT_LT(plateau.back(), 1e-9);
}

TEST(Fit, ClipsTheGradientNorm) {
  const data::NodeDataset d = small_csbm(7);
  models::TrainerOptions o = epochs(3);
  o.optimizer = models::OptimizerKind::kSgd;
  o.momentum = 0;
  o.weight_decay = 0;
  o.lr = 1.0;
  o.clip_grad_norm = 1e-3;
  // With plain SGD at lr 1 and the joint norm clipped to 1e-3, no weight moves by more than 1e-3 an epoch.
  manual_seed(0);
  nn::MLP mlp(nn::MLPOptions(d.num_features(), {32}, d.num_classes));
  NamedTensors before;
  for (const auto& [name, t] : mlp.state_dict()) before.insert(name, t.clone());
  models::NodeClassificationTask task(d, [&] { return mlp.forward(d.x); });
  models::fit(mlp, task, o);
  double moved = 0;
  for (const auto& [name, t] : mlp.state_dict()) moved = std::max(moved, max_abs_diff(t, before.at(name)));
  EXPECT_GT(moved, 0);
  EXPECT_LE(moved, 3e-3 + 1e-7);
}

TEST(Fit, LogsEveryEpochAsCsvAndJson) {
  const data::NodeDataset d = small_csbm(8);
  const auto dir = testing::temp_dir() / "trainer_logs";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  models::TrainerOptions o = epochs(4);
  o.callbacks.push_back(std::make_shared<models::CsvLog>((dir / "log.csv").string(),
                                                         std::vector<std::pair<std::string, std::string>>{{"seed", "3"}}));
  o.callbacks.push_back(std::make_shared<models::JsonLog>((dir / "log.jsonl").string()));
  fit_mlp(d, 0, o);
  std::ifstream csv(dir / "log.csv");
  std::vector<std::string> lines;
  for (std::string line; std::getline(csv, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "seed,epoch,loss,lr,train_acc,val_acc,val_loss,seconds");
  EXPECT_EQ(lines[4].rfind("3,4,", 0), 0u) << lines[4];
  std::ifstream json(dir / "log.jsonl");
  std::stringstream all;
  all << json.rdbuf();
  EXPECT_THAT(all.str(), HasSubstr("{\"epoch\":4,\"loss\":"));
  EXPECT_THAT([&] { models::CsvLog((dir / "missing" / "log.csv").string()); },
              ThrowsMessage<Error>(HasSubstr("cannot write to")));
}

// A run interrupted after epoch 17 and resumed from its checkpoint ends with bitwise the weights, the history
// and the kept epoch of a run that was never interrupted (dropout draws included: the generator is restored).
TEST(Fit, ResumesFromACheckpointToBitwiseTheUninterruptedRun) {
  const data::NodeDataset d = small_csbm(9);
  const auto dir = testing::temp_dir() / "trainer_checkpoint";
  std::filesystem::remove_all(dir);
  for (auto kind : {models::OptimizerKind::kAdam, models::OptimizerKind::kSgd}) {
    models::TrainerOptions o = epochs(30);
    o.optimizer = kind;
    o.schedule = models::Schedule::kStep;
    o.step_size = 7;
    const Trained straight = fit_mlp(d, 11, o);

    o.checkpoint_dir = (dir / to_string(kind)).string();
    auto interrupt = std::make_shared<Recorder>(18);
    o.callbacks = {interrupt};
    EXPECT_THROW(fit_mlp(d, 11, o), std::runtime_error);  // epoch 18 never reaches its checkpoint
    ASSERT_TRUE(std::filesystem::exists(models::checkpoint_path(o.checkpoint_dir)));

    o.callbacks = {};
    o.resume = true;
    const Trained resumed = fit_mlp(d, 99, o);  // another seed: everything must come from the checkpoint
    EXPECT_EQ(resumed.result.resumed_from, 17) << to_string(kind);
    EXPECT_EQ(resumed.result.best_epoch, straight.result.best_epoch);
    ASSERT_EQ(resumed.result.history.size(), straight.result.history.size());
    for (size_t i = 0; i < straight.result.history.size(); ++i) {
      EXPECT_EQ(resumed.result.history[i].loss, straight.result.history[i].loss) << "epoch " << i + 1;
      EXPECT_EQ(resumed.result.history[i].lr, straight.result.history[i].lr) << "epoch " << i + 1;
    }
    for (const auto& [name, t] : straight.weights) {
      EXPECT_TRUE(allclose(resumed.weights.at(name), t, 0, 0)) << name << " " << to_string(kind);
    }
    // A finished run resumes to the same answer without training.
    const Trained again = fit_mlp(d, 5, o);
    EXPECT_EQ(again.result.resumed_from, 30);
    EXPECT_EQ(again.result.metric("test_acc"), straight.result.metric("test_acc"));
  }
  // A checkpoint made with another optimizer is refused by name.
  models::TrainerOptions o = epochs(30);
  o.checkpoint_dir = (dir / "sgd").string();
  o.resume = true;
  EXPECT_THAT([&] { fit_mlp(d, 0, o); }, ThrowsMessage<ValueError>(HasSubstr("trained with optimizer sgd, not adam")));
}

}  // namespace
}  // namespace loom
