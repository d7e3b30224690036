// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// What the `loom` program says about itself: its version line, and the nearest valid command for a mistyped one.
#pragma once
#include <string>

namespace CLI {
class App;
}

namespace loom::cli {

// "loom 0.1.0 (CUDA: yes, CPU: portable x86-64)".
std::string version_line();
// True when `name` is one of app's subcommands.
bool is_command(const std::string& name, CLI::App& app);
// " (did you mean 'train'? commands: train, eval, predict, info)" for `typed`, against app's subcommands.
std::string suggest_command(const std::string& typed, CLI::App& app);

}  // namespace loom::cli
