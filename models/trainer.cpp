// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The training loop shared by every task, and its checkpoints. A checkpoint is one safetensors file: the model
// ("model.*"), the best weights so far ("best.*") and the optimizer's state ("optim.*"), with the loop's own
// state (epoch, best, schedule, random generator, history) as JSON in the metadata key "loom.checkpoint".
#include "loom/models/trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/io.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/models/saved_model.h"

namespace loom::models {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
constexpr const char* kCheckpointKey = "loom.checkpoint";

NamedTensors snapshot(const nn::Module& model) {
  NamedTensors copy;
  for (const auto& [name, t] : model.state_dict()) copy.insert(name, t.detach().clone());
  return copy;
}

// Keeps the entries of `all` whose name starts with `prefix`, without it.
NamedTensors with_prefix(const NamedTensors& all, const std::string& prefix) {
  NamedTensors out;
  for (const auto& [name, t] : all) {
    if (name.rfind(prefix, 0) == 0) out.insert(name.substr(prefix.size()), t);
  }
  return out;
}

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainerOptions& o, std::vector<Tensor> params) {
  switch (o.optimizer) {
    case OptimizerKind::kAdam:
      return std::make_unique<optim::Adam>(std::move(params), optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
    case OptimizerKind::kAdamW:
      return std::make_unique<optim::AdamW>(std::move(params),
                                            optim::AdamWOptions(o.lr).weight_decay(o.weight_decay));
    case OptimizerKind::kSgd:
      return std::make_unique<optim::SGD>(std::move(params),
                                          optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
  }
  throw ValueError("fit: invalid OptimizerKind");
}

void check_options(const TrainerOptions& o) {
  LOOM_CHECK(o.epochs > 0, ValueError, "fit: epochs must be positive, got ", o.epochs);
  LOOM_CHECK(std::isfinite(o.lr) && o.lr > 0, ValueError, "fit: lr must be a positive number, got ", o.lr);
  LOOM_CHECK(std::isfinite(o.weight_decay) && o.weight_decay >= 0, ValueError,
             "fit: weight_decay must be >= 0, got ", o.weight_decay);
  LOOM_CHECK(std::isfinite(o.momentum) && o.momentum >= 0 && o.momentum < 1, ValueError,
             "fit: momentum must be in [0, 1), got ", o.momentum);
  LOOM_CHECK(std::isfinite(o.clip_grad_norm) && o.clip_grad_norm >= 0, ValueError,
             "fit: clip_grad_norm must be >= 0, got ", o.clip_grad_norm);
  LOOM_CHECK(o.patience >= 0, ValueError, "fit: patience must be >= 0, got ", o.patience);
  LOOM_CHECK(o.checkpoint_every >= 1, ValueError, "fit: checkpoint_every must be >= 1, got ", o.checkpoint_every);
  LOOM_CHECK(!o.resume || !o.checkpoint_dir.empty(), ValueError, "fit: resume needs a checkpoint directory");
}

json record_to_json(const EpochRecord& r) {
  return {{"epoch", r.epoch}, {"loss", r.loss}, {"lr", r.lr}, {"seconds", r.seconds}, {"metrics", r.metrics}};
}

EpochRecord record_from_json(const json& j) {
  EpochRecord r;
  r.epoch = j.at("epoch").get<int>();
  r.loss = j.at("loss").get<double>();
  r.lr = j.at("lr").get<double>();
  r.seconds = j.at("seconds").get<double>();
  r.metrics = j.at("metrics").get<Metrics>();
  return r;
}

// Everything of the loop that is not a tensor.
struct LoopState {
  int epoch = 0;  // the last completed epoch
  int best_epoch = 0, since_best = 0;
  double best_value = 0;
  bool finished = false;
  std::vector<EpochRecord> history;
};

}  // namespace

double TrainResult::metric(const std::string& name) const {
  const auto it = final.find(name);
  if (it != final.end()) return it->second;
  std::vector<std::string> names;
  for (const auto& m : final) names.push_back(m.first);
  throw ValueError("TrainResult: no metric '" + name + "' (there are " +
                   (names.empty() ? std::string("none") : loom::detail::join_names(names)) + ")");
}

std::string checkpoint_path(const std::string& dir) {
  return (std::filesystem::path(dir) / "checkpoint.safetensors").string();
}

TrainResult fit(nn::Module& model, Task& task, const TrainerOptions& o) {
  check_options(o);
  const auto t_start = Clock::now();
  std::unique_ptr<optim::Optimizer> opt = make_optimizer(o, model.parameters());
  const std::string monitor = o.monitor.empty() ? task.default_monitor() : o.monitor;
  const bool maximize = higher_is_better(monitor);
  std::unique_ptr<optim::LRScheduler> schedule;
  std::unique_ptr<optim::ReduceLROnPlateau> plateau;
  if (o.schedule == Schedule::kStep) schedule = std::make_unique<optim::StepLR>(*opt, o.step_size, o.gamma);
  if (o.schedule == Schedule::kCosine) schedule = std::make_unique<optim::CosineAnnealingLR>(*opt, o.epochs, o.min_lr);
  if (o.schedule == Schedule::kPlateau) {
    // Without a monitor the plateau watches the training loss.
    plateau = std::make_unique<optim::ReduceLROnPlateau>(*opt, monitor.empty() ? false : maximize, o.plateau_factor,
                                                         o.plateau_patience, 1e-4, o.min_lr);
  }

  LoopState st;
  st.best_value = maximize ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  NamedTensors best;
  TrainResult result;
  const std::string path = o.checkpoint_dir.empty() ? "" : checkpoint_path(o.checkpoint_dir);

  if (o.resume && std::filesystem::exists(path)) {
    const SafetensorsContents ck = read_safetensors(path);
    const auto meta = ck.metadata.find(kCheckpointKey);
    LOOM_CHECK(meta != ck.metadata.end(), FormatError, "fit: '", path, "' is not a Loom checkpoint (no ",
               kCheckpointKey, " metadata)");
    try {
      const json j = json::parse(meta->second);
      LOOM_CHECK(j.at("optimizer").get<std::string>() == to_string(o.optimizer), ValueError, "fit: the checkpoint '",
                 path, "' was trained with optimizer ", j.at("optimizer").get<std::string>(), ", not ",
                 to_string(o.optimizer));
      LOOM_CHECK(j.at("monitor").get<std::string>() == monitor, ValueError, "fit: the checkpoint '", path,
                 "' kept weights by '", j.at("monitor").get<std::string>(), "', this run by '", monitor, "'");
      if (!o.model_config.empty() && j.contains("model_config") && !j["model_config"].is_null()) {
        const std::string diff = config_difference(j["model_config"].dump(), o.model_config);
        LOOM_CHECK(diff.empty(), ValueError, "fit: the checkpoint '", path,
                   "' was written by a model configured differently: ", diff);
      }
      st.epoch = j.at("epoch").get<int>();
      st.best_epoch = j.at("best_epoch").get<int>();
      st.since_best = j.at("since_best").get<int>();
      if (!j.at("best_value").is_null()) st.best_value = j.at("best_value").get<double>();
      st.finished = j.at("finished").get<bool>();
      for (const json& r : j.at("history")) st.history.push_back(record_from_json(r));
      model.load_state_dict(with_prefix(ck.tensors, "model."));
      best = with_prefix(ck.tensors, "best.");
      opt->load_state_dict(with_prefix(ck.tensors, "optim."));
      opt->set_lr(j.at("lr").get<double>());
      if (schedule) schedule->set_last_epoch(j.at("schedule_epoch").get<int64_t>());
      if (plateau) plateau->set_state(j.at("plateau_best").get<double>(), j.at("plateau_bad").get<int64_t>());
      set_random_state({j.at("rng_seed").get<uint64_t>(), j.at("rng_counter").get<uint64_t>()});
    } catch (const json::exception& e) {
      throw FormatError("fit: the checkpoint '" + path + "' has malformed " + kCheckpointKey + " metadata: " + e.what());
    }
    result.resumed_from = st.epoch;
  }

  auto write_checkpoint = [&] {
    std::filesystem::create_directories(o.checkpoint_dir);
    NamedTensors all;
    for (const auto& [name, t] : model.state_dict()) all.insert("model." + name, t);
    for (const auto& [name, t] : best) all.insert("best." + name, t);
    for (const auto& [name, t] : opt->state_dict()) all.insert("optim." + name, t);
    const RandomState rng = random_state();
    json history = json::array();
    for (const EpochRecord& r : st.history) history.push_back(record_to_json(r));
    json j = {{"version", 1},
              {"task", task.name()},
              {"optimizer", to_string(o.optimizer)},
              {"monitor", monitor},
              {"epoch", st.epoch},
              {"best_epoch", st.best_epoch},
              {"best_value", std::isfinite(st.best_value) ? json(st.best_value) : json(nullptr)},
              {"since_best", st.since_best},
              {"finished", st.finished},
              {"lr", opt->lr()},
              {"schedule_epoch", schedule ? schedule->last_epoch() : 0},
              {"plateau_best", plateau ? plateau->best() : 0.0},
              {"plateau_bad", plateau ? plateau->num_bad_steps() : 0},
              {"rng_seed", rng.seed},
              {"rng_counter", rng.counter},
              {"history", history},
              {"model_config", o.model_config.empty() ? json(nullptr) : json::parse(o.model_config)}};
    save_safetensors(path, all, {{kCheckpointKey, j.dump()}});
  };

  for (int epoch = st.epoch + 1; epoch <= o.epochs && !st.finished; ++epoch) {
    const auto t0 = Clock::now();
    model.train();
    EpochRecord r;
    r.epoch = epoch;
    r.lr = opt->lr();
    // The epoch's loss is the mean over its steps (one step for full-batch tasks).
    const int steps = task.steps_per_epoch();
    LOOM_CHECK(steps > 0, ValueError, "fit: task '", task.name(), "' asks for ", steps, " steps per epoch");
    for (int step = 0; step < steps; ++step) {
      opt->zero_grad();
      const Tensor loss = task.training_loss(model);
      const double value = loss.item_double();
      LOOM_CHECK(std::isfinite(value), ValueError, "fit: the training loss became ", value, " at epoch ", epoch,
                 " (check the features for NaN or infinity, or lower the learning rate)");
      loss.backward();
      task.finish_gradients(model);
      if (o.clip_grad_norm > 0) optim::clip_grad_norm(model.parameters(), o.clip_grad_norm);
      opt->step();
      r.loss += value / steps;
    }
    model.eval();
    {
      NoGradGuard no_grad;
      r.metrics = task.evaluate(model);
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();

    double value = r.loss;
    if (!monitor.empty()) {
      const auto it = r.metrics.find(monitor);
      if (it == r.metrics.end()) {
        std::vector<std::string> names;
        for (const auto& m : r.metrics) names.push_back(m.first);
        throw ValueError("fit: task '" + task.name() + "' reports no metric '" + monitor + "' (it reports " +
                         (names.empty() ? std::string("none") : loom::detail::join_names(names)) + ")");
      }
      value = it->second;
    }
    if (schedule) schedule->step();
    if (plateau) plateau->step(value);
    // Ties go to the later epoch (the longer-trained weights); without a monitor the last epoch is kept.
    const bool improved = monitor.empty() || (maximize ? value >= st.best_value : value <= st.best_value);
    if (improved) {
      st.best_value = monitor.empty() ? 0.0 : value;
      st.best_epoch = epoch;
      st.since_best = 0;
      best = snapshot(model);
    } else {
      ++st.since_best;
    }
    st.epoch = epoch;
    st.history.push_back(r);
    for (const auto& cb : o.callbacks) cb->on_epoch_end(r);
    st.finished = epoch == o.epochs || (o.patience > 0 && st.since_best >= o.patience);
    if (!path.empty() && (epoch % o.checkpoint_every == 0 || st.finished)) write_checkpoint();
  }

  if (!best.empty()) model.load_state_dict(best);
  model.eval();
  {
    NoGradGuard no_grad;
    result.final = task.test(model);
  }
  result.monitor = monitor;
  result.best_value = monitor.empty() ? 0.0 : st.best_value;
  result.best_epoch = st.best_epoch;
  result.epochs_run = st.epoch;
  result.history = std::move(st.history);
  result.seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
  for (const auto& cb : o.callbacks) cb->on_train_end(result);
  return result;
}

}  // namespace loom::models
