// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Exporting a structure-free model (a distilled StudentMLP, or the registry's mlp) to the self-describing file
// that loom::runtime serves (docs/model-format.md): safetensors weights plus a JSON card with the input width,
// the feature preprocessing, the class names, the layer list, the Loom version and a checksum. Models that need a
// graph or hypergraph at inference cannot be exported: distil them first (loom distill).
#pragma once
#include <string>
#include <vector>

#include "loom/models/distill.h"
#include "loom/models/gnn.h"
#include "loom/models/registry.h"

namespace loom::models {

struct ExportInfo {
  FeatureTransform features = FeatureTransform::kNone;  // what the runtime applies to raw feature rows
  std::vector<std::string> class_names;  // empty: "0", "1", ...
  bool int8 = false;                     // linear weights as int8 with a float scale per output row
  std::string source_json = "{}";        // provenance (teacher, method, data set) written as the card's "source"
};

// Writes the eval-mode network of `model` to `path` atomically. ValueError for a class-name count that differs
// from the output width.
void export_model(const StudentMLP& model, const std::string& path, const ExportInfo& info);
// The registry's structure-free mlp (no jumping knowledge, no residual, batch or no norm). Any other model is a
// ValueError saying that it needs a graph at inference and that loom distill turns it into an exportable student.
void export_model(const NodeClassifier& model, const std::string& path, const ExportInfo& info);

// 64-bit FNV-1a of `size` bytes: the card's checksum over the tensor data section (loom/core/checksum.h).
uint64_t fnv1a64(const void* data, size_t size);

}  // namespace loom::models
