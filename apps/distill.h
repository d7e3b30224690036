// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom distill` (train or load a teacher, distil it into an MLP student, report teacher, plain MLP and student
// over seeds, optionally export the student) and `loom export` (a saved structure-free model to the runtime's
// file). The method is models/distill.h; the file format docs/model-format.md.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "loom/data/csbm.h"

namespace CLI {
class App;
}

namespace loom::cli {

struct DistillArgs {
  std::string data;  // empty: a generated CSBM graph
  std::string teacher = "hgnn", teacher_load, student = "mlp";
  bool plus = false;  // LightHGNN+
  std::string protocol = "transductive";
  double inductive_ratio = 0.9;  // production: the share of test vertices held out of the structure
  int64_t train_per_class = 20, val_per_class = 100;
  // The teacher's settings: unset means the distillation protocol's defaults (apps/distill.cpp).
  std::optional<int64_t> teacher_hidden;
  std::optional<int> teacher_epochs;
  std::optional<double> teacher_lr, teacher_weight_decay, teacher_dropout;
  // The student's (LightHGNN's MLP and training).
  int64_t hidden = 128;
  int student_layers = 2;
  double dropout = 0.5, lr = 0.01, weight_decay = 5e-4, lambda = 0.0, tau = 1.0;
  int epochs = 200;
  std::string loss = "kl";
  bool no_singletons = false;
  uint64_t seed = 0;
  int seeds = 1;
  std::string device = "cpu";
  std::string export_path;
  bool int8 = false, quiet = false;
  data::CsbmOptions csbm;
};

struct ExportArgs {
  std::string load, out;
  bool int8 = false;
};

CLI::App* add_distill_command(CLI::App& app, DistillArgs& args);
CLI::App* add_export_command(CLI::App& app, ExportArgs& args);
int run_distill(const DistillArgs& args);
int run_export(const ExportArgs& args);

}  // namespace loom::cli
