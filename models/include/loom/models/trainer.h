// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// One training loop for every task: any optimizer (Adam, AdamW, SGD with momentum), learning-rate schedules
// (step, cosine, plateau), gradient clipping, best-weights selection and early stopping on any named metric,
// callbacks (progress line, CSV, JSON lines), and checkpoints that let a killed run resume where it stopped.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loom/core/choices.h"
#include "loom/models/task.h"

namespace loom {
namespace models {
enum class OptimizerKind : uint8_t { kAdam, kAdamW, kSgd };
enum class Schedule : uint8_t { kNone, kStep, kCosine, kPlateau };
}  // namespace models

template <> struct EnumNames<models::OptimizerKind> {
  static constexpr std::string_view what = "optimizer";
  static constexpr std::array<std::pair<models::OptimizerKind, std::string_view>, 3> table{
      {{models::OptimizerKind::kAdam, "adam"}, {models::OptimizerKind::kAdamW, "adamw"}, {models::OptimizerKind::kSgd, "sgd"}}};
};
template <> struct EnumNames<models::Schedule> {
  static constexpr std::string_view what = "schedule";
  static constexpr std::array<std::pair<models::Schedule, std::string_view>, 4> table{
      {{models::Schedule::kNone, "none"},
       {models::Schedule::kStep, "step"},
       {models::Schedule::kCosine, "cosine"},
       {models::Schedule::kPlateau, "plateau"}}};
};

namespace models {

struct EpochRecord {
  int epoch = 0;  // 1-based
  double loss = 0;
  double lr = 0;       // the learning rate this epoch's step used
  Metrics metrics;     // Task::evaluate
  double seconds = 0;  // training step and evaluation
};

struct TrainResult {
  Metrics final;           // Task::test on the kept weights
  std::string monitor;     // the metric that chose them (empty: the last epoch's)
  double best_value = 0;   // its value at best_epoch
  int best_epoch = 0, epochs_run = 0;
  int resumed_from = 0;    // the checkpoint's epoch when the run resumed, else 0
  double seconds = 0;      // this process's share of the run
  std::vector<EpochRecord> history;  // every epoch, restored ones included
  // final[name]; ValueError listing the metrics there are when it is absent (a split without nodes).
  double metric(const std::string& name) const;
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_epoch_end(const EpochRecord& /*record*/) {}
  virtual void on_train_end(const TrainResult& /*result*/) {}
};

struct TrainerOptions {
  int epochs = 200;
  OptimizerKind optimizer = OptimizerKind::kAdam;
  double lr = 0.01;
  double weight_decay = 5e-4;  // L2 for Adam and SGD, decoupled for AdamW
  double momentum = 0.9;       // SGD
  Schedule schedule = Schedule::kNone;
  int step_size = 50;          // step: lr *= gamma every step_size epochs
  double gamma = 0.5;          // step
  double min_lr = 0.0;         // cosine's floor and plateau's
  int plateau_patience = 10;   // plateau: epochs without gain on the monitor before lr *= plateau_factor
  double plateau_factor = 0.5;
  double clip_grad_norm = 0.0;  // > 0: clip the joint gradient norm to this
  std::string monitor;          // empty: the task's default_monitor()
  int patience = 0;             // stop after this many epochs without gain on the monitor (0: never)
  // Checkpoints: with a directory, the whole run state is written there (atomically) every checkpoint_every
  // epochs and at the end; with resume, a checkpoint found there is loaded and the run continues after it.
  std::string checkpoint_dir;
  bool resume = false;
  int checkpoint_every = 1;
  // The model's configuration as a JSON object (models::options_to_json), optional: checkpoints keep it, and a
  // resume whose model is configured differently is a ValueError naming the first difference.
  std::string model_config;
  std::vector<std::shared_ptr<Callback>> callbacks;
};

// Trains `model` on `task`: each epoch one optimizer step on task.training_loss (train mode), then
// task.evaluate (eval mode, no gradients). The weights of the best epoch by the monitor are kept (ties go to
// the later epoch) and restored at the end, and task.test reports on them. On the CPU a resumed run ends with
// weights bitwise equal to an uninterrupted one: the checkpoint holds the model, the optimizer's state, the
// schedule's, the random generator's and the best weights so far.
TrainResult fit(nn::Module& model, Task& task, const TrainerOptions& options);

// The checkpoint file fit() keeps in `dir`.
std::string checkpoint_path(const std::string& dir);

// ---------------------------------------------------------------- callbacks

// One line per epoch on stderr ("<label>epoch 12/200  loss 0.4123  train_acc 0.981  val_acc 0.790  lr 0.01  3.1 ms");
// on a terminal the line rewrites itself.
class ProgressLine : public Callback {
 public:
  ProgressLine(std::string label, int epochs);
  void on_epoch_end(const EpochRecord& r) override;
  void on_train_end(const TrainResult& r) override;

 private:
  std::string label_;
  int epochs_;
  bool tty_;
};

// A per-epoch log appended to a file, each row led by fixed `prefix` columns (e.g. {"seed", "3"}). The file is
// checked for writing at construction, before any training; a failed write is an Error naming the file.
class EpochLog : public Callback {
 public:
  EpochLog(std::string path, std::vector<std::pair<std::string, std::string>> prefix);

 protected:
  std::string path_;
  std::vector<std::pair<std::string, std::string>> prefix_;
};

// CSV rows "<prefix columns>,epoch,loss,lr,<metrics in name order>,seconds"; the header is written when the file
// is empty.
class CsvLog : public EpochLog {
 public:
  explicit CsvLog(std::string path, std::vector<std::pair<std::string, std::string>> prefix = {})
      : EpochLog(std::move(path), std::move(prefix)) {}
  void on_epoch_end(const EpochRecord& r) override;
};

// One JSON object per epoch, a line each.
class JsonLog : public EpochLog {
 public:
  explicit JsonLog(std::string path, std::vector<std::pair<std::string, std::string>> prefix = {})
      : EpochLog(std::move(path), std::move(prefix)) {}
  void on_epoch_end(const EpochRecord& r) override;
};

}  // namespace models
}  // namespace loom
