// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HeCo's evaluation protocol as `loom train` runs it for self-supervised heterogeneous models (--model meow, pogat):
// the splits to probe, a linear probe of each seed's frozen embeddings on every split, and mean ± std over seeds.
// Training reads no label, so one training per seed serves every split.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loom/core/tensor.h"
#include "loom/data/hetero_dataset.h"
#include "loom/models/probe.h"

namespace loom::cli {

// --split when given, else every splits/heco-* of the folder (sorted), else the folder's own split ("").
struct ProbeSplits {
  std::vector<std::string> names;
  std::vector<data::HeteroDataset> sets;  // one per name, loaded
  static ProbeSplits load(const std::string& dir, const std::string& split);
  static std::string key(const std::string& name) { return name.empty() ? "default" : name; }
};

class ProbeTally {
 public:
  explicit ProbeTally(const ProbeSplits& splits) : splits_(splits), macro_(splits.sets.size()),
      micro_(splits.sets.size()), auc_(splits.sets.size()) {}
  // Probes one seed's embeddings on every split; returns that seed's figures per split.
  nlohmann::ordered_json add(const Tensor& embedding, const models::ProbeOptions& options, uint64_t seed);
  // The run record of one seed (printed to stderr unless quiet), as every self-supervised model reports it.
  static nlohmann::ordered_json seed_run(uint64_t seed, int64_t epochs, double seconds, double final_loss,
                                         const nlohmann::ordered_json& per_split, bool quiet);
  // Mean ± std over the seeds added, per split; one summary line per split on stderr unless quiet or one seed.
  nlohmann::ordered_json results(const std::string& model, bool quiet) const;

 private:
  const ProbeSplits& splits_;
  std::vector<std::vector<double>> macro_, micro_, auc_;
};

}  // namespace loom::cli
