// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The model catalogue (catalogue.h): the four families' tables gathered once, with every name checked to be unique.
#include "loom/models/catalogue.h"

#include <stdexcept>

#include "loom/models/link_model.h"
#include "loom/models/recommend.h"
#include "loom/models/registry.h"

namespace loom::models {

const std::vector<MetaPathSpec>& metapath_registry() {
  static const std::vector<MetaPathSpec> specs{
      {"han", "HAN, meta-path GAT + semantic attention (Wang et al. 2019)", MetaPathKind::kHan},
      {"magnn", "MAGNN, attention over meta-path instances + semantic attention (Fu et al. 2020)",
       MetaPathKind::kMagnn},
      {"meow", "MEOW, self-supervised: meta-path views contrasted with cluster-weighted negatives, HeCo probe "
               "(Yu & Li 2023)", MetaPathKind::kMeow},
      {"metahgnie", "MetaHGNIE, meta-path hyperedges: structural + semantic hypergraph attention, contrastive fusion "
                    "(Chen et al. 2025), trained as a classifier", MetaPathKind::kMetaHgnie},
      {"pogat", "POGAT, self-supervised: graph attention over ontology subgraphs (no meta-paths), real vs type-preserving "
                "perturbed, HeCo probe (Wang et al. 2024; after the method note, the paper's body unread)",
       MetaPathKind::kPogat}};
  return specs;
}

const MetaPathSpec* find_metapath_model(std::string_view name) {
  for (const MetaPathSpec& m : metapath_registry())
    if (m.name == name) return &m;
  return nullptr;
}

namespace {

std::vector<CatalogueEntry> gather() {
  std::vector<CatalogueEntry> all;
  const auto add = [&all](const std::string& name, const std::string& summary, ModelFamily family) {
    for (const CatalogueEntry& e : all) {
      if (e.name == name) {
        throw std::logic_error("model catalogue: '" + name + "' is both a " + std::string(to_string(e.family)) +
                               " model and a " + std::string(to_string(family)) + " model");
      }
    }
    all.push_back({name, summary, family});
  };
  for (const ModelSpec& s : model_registry()) add(s.name, s.summary, ModelFamily::kLayers);
  for (const LinkArchitecture& l : link_architectures()) add(l.name, l.summary, ModelFamily::kLink);
  for (const RecommenderSpec& r : recommender_registry()) add(r.name, r.summary, ModelFamily::kRecommender);
  for (const MetaPathSpec& m : metapath_registry()) add(m.name, m.summary, ModelFamily::kMetaPath);
  return all;
}

}  // namespace

const std::vector<CatalogueEntry>& model_catalogue() {
  static const std::vector<CatalogueEntry> all = gather();
  return all;
}

const CatalogueEntry* find_in_catalogue(std::string_view name) {
  for (const CatalogueEntry& e : model_catalogue())
    if (e.name == name) return &e;
  return nullptr;
}

std::vector<std::string> catalogue_names() {
  std::vector<std::string> names;
  for (const CatalogueEntry& e : model_catalogue()) names.push_back(e.name);
  return names;
}

std::vector<std::string> catalogue_names(ModelFamily family) {
  std::vector<std::string> names;
  for (const CatalogueEntry& e : model_catalogue())
    if (e.family == family) names.push_back(e.name);
  return names;
}

}  // namespace loom::models
