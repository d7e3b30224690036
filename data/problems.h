// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// What the folder loaders share: every check runs, and the problems are reported together. A loader runs each
// check through attempt(); at the end throw_if_any() rethrows a lone problem as it was (its own type) or throws one
// FormatError listing all of them, so a user fixes a broken folder in one pass instead of one error per run.
#pragma once
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "loom/core/error.h"

namespace loom::data::problems {

class Problems {
 public:
  // `who` leads the combined message ("load_node_dataset(\"dir\")") and is stripped from each listed problem.
  explicit Problems(std::string who) : who_(std::move(who)) {}

  template <class Step>
  void attempt(Step&& step) {
    try {
      step();
    } catch (const Error& e) {
      problems_.push_back(std::current_exception());
      messages_.emplace_back(e.what());
    }
  }
  size_t size() const { return problems_.size(); }
  bool empty() const { return problems_.empty(); }
  // The messages, for callers that report instead of throwing (the inspector).
  std::vector<std::string> take_messages() { return std::move(messages_); }

  void throw_if_any() const {
    if (problems_.empty()) return;
    if (problems_.size() == 1) std::rethrow_exception(problems_[0]);
    std::string all = loom::detail::str_cat(who_, ": ", problems_.size(), " problems:");
    const std::string prefix = who_ + ": ";
    for (const std::string& m : messages_) all += "\n  " + (m.rfind(prefix, 0) == 0 ? m.substr(prefix.size()) : m);
    throw FormatError(all);
  }

 private:
  std::string who_;
  std::vector<std::exception_ptr> problems_;
  std::vector<std::string> messages_;
};

}  // namespace loom::data::problems
