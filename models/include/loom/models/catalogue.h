// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The one index of every model `loom train --model` accepts. Each family keeps its own table of settings and
// factories (model_registry: layer stacks for nodes and graphs; link_architectures: GAE and VGAE; recommender_registry;
// metapath_registry below); the catalogue lists them all, each name once with its family, so the command line, its
// help, its dispatch and the tests ask one place which models exist and what they are for.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loom/core/choices.h"

namespace loom {
namespace models {
enum class ModelFamily : uint8_t { kLayers, kLink, kRecommender, kMetaPath };
}  // namespace models

template <> struct EnumNames<models::ModelFamily> {
  static constexpr std::string_view what = "model family";
  static constexpr std::array<std::pair<models::ModelFamily, std::string_view>, 4> table{
      {{models::ModelFamily::kLayers, "layers"},
       {models::ModelFamily::kLink, "link"},
       {models::ModelFamily::kRecommender, "recommender"},
       {models::ModelFamily::kMetaPath, "metapath"}}};
};

namespace models {

// Models of heterogeneous graphs (HAN, MAGNN, MEOW, MetaHGNIE over meta-paths; POGAT over ontology subgraphs, with no
// meta-path): their networks are built by their own training paths (apps/train_han.cpp, train_meow.cpp,
// train_pogat.cpp), which branch on `kind`, so the names live only here.
enum class MetaPathKind : uint8_t { kHan, kMagnn, kMeow, kMetaHgnie, kPogat };
struct MetaPathSpec {
  std::string name, summary;
  MetaPathKind kind = MetaPathKind::kHan;
};
const std::vector<MetaPathSpec>& metapath_registry();
// nullptr when `name` is not a meta-path model.
const MetaPathSpec* find_metapath_model(std::string_view name);

struct CatalogueEntry {
  std::string name;
  std::string summary;  // one line for --help
  ModelFamily family = ModelFamily::kLayers;
};

// Every model: the layer stacks first (model_registry's order), then link architectures, recommenders and meta-path
// models. Built once; a name in two tables is a logic_error at that point (and a test failure), never a silent
// shadowing of one model by another.
const std::vector<CatalogueEntry>& model_catalogue();
// nullptr when no table has `name`.
const CatalogueEntry* find_in_catalogue(std::string_view name);
// The names of one family, or of every model, in catalogue order.
std::vector<std::string> catalogue_names();
std::vector<std::string> catalogue_names(ModelFamily family);

}  // namespace models
}  // namespace loom
