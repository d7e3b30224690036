// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The `loom` program's version line and its answer to a mistyped command.
#include "apps/commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <vector>

#include "loom/core/config.h"

namespace loom::cli {

namespace {

// Levenshtein distance: small enough for command names, and it catches swaps as two edits ("trian" -> "train").
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string version_line() {
  std::string line = std::string("loom ") + LOOM_VERSION + " (CUDA: " + (LOOM_WITH_CUDA ? "yes" : "no");
#if defined(__AVX512F__)
  line += ", CPU: built for this machine's AVX-512";
#elif defined(__AVX2__)
  line += ", CPU: built for AVX2";
#else
  line += ", CPU: portable";
#endif
  return line + ")";
}

bool is_command(const std::string& name, CLI::App& app) {
  return !app.get_subcommands([&](CLI::App* sub) { return sub->get_name() == name; }).empty();
}

std::string suggest_command(const std::string& typed, CLI::App& app) {
  std::string names, nearest;
  size_t best = typed.size();  // a suggestion must be closer than rewriting every letter
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    const std::string& name = sub->get_name();
    names += (names.empty() ? "" : ", ") + name;
    const size_t d = edit_distance(typed, name);
    if (d < best && d <= 2) {
      best = d;
      nearest = name;
    }
  }
  std::string out = " (";
  if (!nearest.empty()) out += "did you mean '" + nearest + "'? ";
  return out + "commands: " + names + ")";
}

}  // namespace loom::cli
