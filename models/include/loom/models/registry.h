// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The model registry: one ModelSpec per model, holding its name, what it runs on, its paper's settings and the
// factory for its layers. The command line, the help text, the per-model defaults and the tests iterate this
// table; adding a model is one entry in models/registry.cpp and its test.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loom/core/choices.h"
#include "loom/models/gnn.h"

namespace loom {
namespace models {
// What a model runs on. Later kinds (heterogeneous graphs, batches of graphs) extend this list.
enum class Input : uint8_t { kGraph, kHypergraph, kFeatures };
// How node features are prepared before training, as the model's paper (and PyG's, DGL's examples) does.
enum class FeatureTransform : uint8_t { kNone, kRowNormalize };
}  // namespace models

template <> struct EnumNames<models::Input> {
  static constexpr std::string_view what = "input";
  static constexpr std::array<std::pair<models::Input, std::string_view>, 3> table{
      {{models::Input::kGraph, "graph"}, {models::Input::kHypergraph, "hypergraph"}, {models::Input::kFeatures, "features"}}};
};
template <> struct EnumNames<models::FeatureTransform> {
  static constexpr std::string_view what = "feature transform";
  static constexpr std::array<std::pair<models::FeatureTransform, std::string_view>, 2> table{
      {{models::FeatureTransform::kNone, "none"}, {models::FeatureTransform::kRowNormalize, "row_normalize"}}};
};

namespace models {

// Training settings of a model's paper (node classification on the citation graphs).
struct TrainingDefaults {
  int epochs = 200;
  double lr = 0.01;
  double weight_decay = 5e-4;
  FeatureTransform features = FeatureTransform::kRowNormalize;
};

// A model's settings as a distillation teacher, where its distillation paper differs from its own (GLNN's SAGE:
// 128 hidden units, no dropout). 0 / negative: the registry's own.
struct TeacherDefaults {
  int64_t hidden = 0;
  double dropout = -1;
};

// Layer i of a stack: its input and output widths, and whether it is the output layer.
struct LayerSlot {
  int64_t in = 0, out = 0;
  bool last = false;
};

struct ModelSpec {
  std::string name;
  std::string summary;  // one line for --help: the layer and its paper
  Input input = Input::kGraph;
  // The paper's network settings (GnnOptions fields).
  int64_t hidden = 64;
  int64_t heads = 1;  // > 1: hidden layers concatenate this many heads
  double dropout = 0.5;
  double attention_dropout = 0.0;
  Activation activation = Activation::kRelu;
  TrainingDefaults training;
  TeacherDefaults teacher;
  // Aggregations `aggr` accepts, the default first; empty when the model offers no choice.
  std::vector<Aggregation> aggregations;
  // Builds layer `slot` of the stack: a GraphLayer, HypergraphLayer (per `input`) or nn::Linear (kFeatures).
  std::shared_ptr<nn::Module> (*make_layer)(const GnnOptions& options, const LayerSlot& slot) = nullptr;
  // Optional: a block run after the last hidden layer (softhgnn's SoftHGNN), registered as "soft".
  std::shared_ptr<layers::TokenLayer> (*make_block)(const GnnOptions& options) = nullptr;
  bool attention() const { return heads > 1; }
};

// Every model, in the order --help lists them.
const std::vector<ModelSpec>& model_registry();
// ValueError "unknown model 'gnn' (expected gcn, sage, ...)".
const ModelSpec& find_model(std::string_view name);
std::vector<std::string> model_names();

// GnnOptions(name, in, spec.hidden, out) with the spec's heads, dropouts, activation and aggregation.
GnnOptions paper_options(std::string_view model, int64_t in_features, int64_t out_features);

}  // namespace models
}  // namespace loom
