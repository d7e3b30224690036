// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The HeCo probe's bookkeeping for `loom train` (probe_report.h).
#include "apps/probe_report.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "apps/stats.h"

namespace loom::cli {

ProbeSplits ProbeSplits::load(const std::string& dir, const std::string& split) {
  ProbeSplits s;
  if (!split.empty()) {
    s.names.push_back(split);
  } else if (std::filesystem::is_directory(std::filesystem::path(dir) / "splits")) {
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(dir) / "splits"))
      if (e.path().filename().string().rfind("heco-", 0) == 0) s.names.push_back(e.path().filename().string());
    std::sort(s.names.begin(), s.names.end());
  }
  if (s.names.empty()) s.names.push_back("");
  for (const std::string& n : s.names) s.sets.push_back(data::load_hetero_dataset(dir, n));
  return s;
}

nlohmann::ordered_json ProbeTally::add(const Tensor& embedding, const models::ProbeOptions& options, uint64_t seed) {
  nlohmann::ordered_json per_split = nlohmann::ordered_json::object();
  for (size_t s = 0; s < splits_.sets.size(); ++s) {
    const data::HeteroDataset& d = splits_.sets[s];
    const models::ProbeResult p = models::linear_probe(embedding, d.y, d.train_idx, d.val_idx, d.test_idx,
                                                       d.num_classes, models::ProbeOptions(options).seed(seed));
    macro_[s].push_back(p.macro_f1), micro_[s].push_back(p.micro_f1), auc_[s].push_back(p.auc);
    per_split[ProbeSplits::key(splits_.names[s])] = {
        {"macro_f1", p.macro_f1}, {"micro_f1", p.micro_f1}, {"auc", p.auc}, {"macro_f1_probe_std", p.macro_f1_std}};
  }
  return per_split;
}

nlohmann::ordered_json ProbeTally::seed_run(uint64_t seed, int64_t epochs, double seconds, double final_loss,
                                            const nlohmann::ordered_json& per_split, bool quiet) {
  if (!quiet) {
    std::fprintf(stderr, "seed %llu: %lld epochs, %.1f s, final loss %.5f: %s\n", static_cast<unsigned long long>(seed),
                 static_cast<long long>(epochs), seconds, final_loss, per_split.dump().c_str());
  }
  return {{"seed", seed}, {"epochs", epochs}, {"seconds", seconds}, {"final_loss", final_loss}, {"splits", per_split}};
}

nlohmann::ordered_json ProbeTally::results(const std::string& model, bool quiet) const {
  nlohmann::ordered_json results = nlohmann::ordered_json::object();
  const std::string& dataset = splits_.sets.front().name;
  for (size_t s = 0; s < splits_.sets.size(); ++s) {
    const std::string key = ProbeSplits::key(splits_.names[s]);
    results[key] = {{"test_macro_f1_mean", mean_of(macro_[s])}, {"test_macro_f1_std", std_of(macro_[s])},
                    {"test_micro_f1_mean", mean_of(micro_[s])}, {"test_micro_f1_std", std_of(micro_[s])},
                    {"test_auc_mean", mean_of(auc_[s])},        {"test_auc_std", std_of(auc_[s])}};
    if (!quiet && macro_[s].size() > 1)
      std::fprintf(stderr, "%s on %s, %s, over %zu seeds: Macro-F1 %.2f ± %.2f %%, Micro-F1 %.2f ± %.2f %%\n",
                   model.c_str(), dataset.c_str(), key.c_str(), macro_[s].size(), 100 * mean_of(macro_[s]),
                   100 * std_of(macro_[s]), 100 * mean_of(micro_[s]), 100 * std_of(micro_[s]));
  }
  return results;
}

}  // namespace loom::cli
