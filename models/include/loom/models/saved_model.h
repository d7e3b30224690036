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
};

struct SavedModel {
  std::shared_ptr<NodeClassifier> model;  // in eval mode, on the CPU
  SavedModelInfo info;
  Metadata metadata;  // every metadata entry of the file
};

// GnnOptions <-> JSON text (every field, enums by name). FormatError for malformed text or unknown names.
std::string options_to_json(const GnnOptions& options);
GnnOptions options_from_json(const std::string& text);

// Writes the model's state_dict and, under "loom.model", its configuration and `info` (plus `extra` entries),
// atomically.
void save(const NodeClassifier& model, const std::string& path, const SavedModelInfo& info, const Metadata& extra = {});
// Rebuilds the model from the file alone. FormatError when the file has no Loom model configuration (e.g. plain
// nn::save weights) or it is malformed; the weights must match the configuration exactly.
SavedModel load(const std::string& path);

}  // namespace loom::models
