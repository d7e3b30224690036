// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The trainer's stock callbacks: a progress line on stderr, and per-epoch CSV or JSON-lines logs.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loom/core/error.h"
#include "loom/models/trainer.h"

namespace loom::models {

namespace {

// Appends `text` to `path` and flushes; a failed write (full disk, missing directory) is an Error naming the file.
void append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app);
  out << text;
  out.flush();
  LOOM_CHECK(out.good(), Error, "cannot write to '", path, "': ", std::strerror(errno));
}

bool is_empty_file(const std::string& path) {
  std::ifstream in(path);
  return !in.good() || in.peek() == std::ifstream::traits_type::eof();
}

}  // namespace

ProgressLine::ProgressLine(std::string label, int epochs)
    : label_(std::move(label)), epochs_(epochs), tty_(isatty(fileno(stderr)) != 0) {}

void ProgressLine::on_epoch_end(const EpochRecord& r) {
  std::ostringstream line;
  line.precision(4);
  line << std::fixed;
  line << label_ << "epoch " << r.epoch << "/" << epochs_ << "  loss " << r.loss;
  line.precision(3);
  for (const auto& [name, value] : r.metrics) line << "  " << name << " " << value;
  line << "  lr " << std::defaultfloat << r.lr << "  " << std::fixed;
  line.precision(1);
  line << r.seconds * 1e3 << " ms";
  // On a terminal the line rewrites itself; in a log every epoch is its own line.
  std::fprintf(stderr, "%s%s%s", tty_ ? "\r\033[K" : "", line.str().c_str(), tty_ ? "" : "\n");
  std::fflush(stderr);
}

void ProgressLine::on_train_end(const TrainResult&) {
  if (tty_) std::fprintf(stderr, "\n");
}

EpochLog::EpochLog(std::string path, std::vector<std::pair<std::string, std::string>> prefix)
    : path_(std::move(path)), prefix_(std::move(prefix)) {
  append(path_, "");  // fails now, before training, when the file cannot be written
}

void CsvLog::on_epoch_end(const EpochRecord& r) {
  std::ostringstream out;
  out.precision(17);
  if (is_empty_file(path_)) {
    for (const auto& [key, value] : prefix_) out << key << ',';
    out << "epoch,loss,lr";
    for (const auto& m : r.metrics) out << ',' << m.first;
    out << ",seconds\n";
  }
  for (const auto& [key, value] : prefix_) out << value << ',';
  out << r.epoch << ',' << r.loss << ',' << r.lr;
  for (const auto& m : r.metrics) out << ',' << m.second;
  out << ',' << r.seconds << '\n';
  append(path_, out.str());
}

void JsonLog::on_epoch_end(const EpochRecord& r) {
  nlohmann::ordered_json j;
  for (const auto& [key, value] : prefix_) j[key] = value;
  j["epoch"] = r.epoch;
  j["loss"] = r.loss;
  j["lr"] = r.lr;
  for (const auto& [name, value] : r.metrics) j[name] = value;
  j["seconds"] = r.seconds;
  append(path_, j.dump() + "\n");
}

}  // namespace loom::models
