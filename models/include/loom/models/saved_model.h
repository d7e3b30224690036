// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Saved models that describe themselves: the weights as safetensors (they still open in PyTorch's
// safetensors.torch.load_file) with the model's whole configuration, its feature preprocessing and how its
// structure was built in the metadata, so load() rebuilds the model from the file alone.
#pragma once
#include <memory>
#include <string>

#include "loom/core/io.h"
#include "loom/models/gnn.h"
#include "loom/models/registry.h"

namespace loom::models {

// What a model needs besides its weights to predict on new data.
struct SavedModelInfo {
  FeatureTransform features = FeatureTransform::kNone;  // applied to x before forward
  bool singletons = true;  // hypergraph models: a singleton hyperedge per vertex was added to a folder's hyperedges
  std::string dataset;     // where it was trained (informational)
  uint64_t seed = 0;
  std::string loom_version;  // of the Loom that wrote the file (set by load; "" for files older than the field)
};

struct SavedModel {
  std::shared_ptr<NodeClassifier> model;  // in eval mode, on the CPU
  SavedModelInfo info;
  Metadata metadata;  // every metadata entry of the file
};

// GnnOptions <-> JSON text (every field, enums by name). FormatError for malformed text or unknown names.
std::string options_to_json(const GnnOptions& options);
GnnOptions options_from_json(const std::string& text);

// Writes the model's state_dict and, under "loom.model", its configuration (registry name, every GnnOptions field,
// input and output widths), `info` and the Loom version (plus `extra` entries), atomically.
void save(const NodeClassifier& model, const std::string& path, const SavedModelInfo& info, const Metadata& extra = {});
// Rebuilds the model from the file alone. FormatError when the file has no Loom model configuration (e.g. plain
// nn::save weights) or it is malformed; the weights must match the configuration exactly.
SavedModel load(const std::string& path);
// Loads the file's weights into an existing model after checking that the file was saved from a model configured
// exactly like it: a ValueError names the first difference ("aggr: saved mean, here sum"), since weights loaded
// into another aggregation or activation give no error and silently worse answers.
void load_weights(NodeClassifier& model, const std::string& path);

// The first difference between two configurations as JSON objects (options_to_json, or any flat JSON object),
// "key: saved A, here B", or "" when they are equal. FormatError for malformed JSON.
std::string config_difference(const std::string& saved, const std::string& current);

}  // namespace loom::models
