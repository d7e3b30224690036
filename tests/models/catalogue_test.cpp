// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The model catalogue: every table's models appear exactly once with their family, in the tables' order, and lookups
// of unknown names say so.
#include <gmock/gmock.h>

#include <set>

#include "loom/models/catalogue.h"
#include "loom/models/link_model.h"
#include "loom/models/recommend.h"
#include "loom/models/registry.h"

namespace loom::models {
namespace {

TEST(ModelCatalogue, HoldsEveryTableOnceWithItsFamily) {
  std::vector<std::pair<std::string, ModelFamily>> want;
  for (const ModelSpec& s : model_registry()) want.emplace_back(s.name, ModelFamily::kLayers);
  for (const LinkArchitecture& l : link_architectures()) want.emplace_back(l.name, ModelFamily::kLink);
  for (const RecommenderSpec& r : recommender_registry()) want.emplace_back(r.name, ModelFamily::kRecommender);
  for (const MetaPathSpec& m : metapath_registry()) want.emplace_back(m.name, ModelFamily::kMetaPath);
  const std::vector<CatalogueEntry>& all = model_catalogue();
  ASSERT_EQ(all.size(), want.size());
  std::set<std::string> seen;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].name, want[i].first);
    EXPECT_EQ(all[i].family, want[i].second) << all[i].name;
    EXPECT_FALSE(all[i].summary.empty()) << all[i].name;
    EXPECT_TRUE(seen.insert(all[i].name).second) << all[i].name << " is listed twice";
  }
  // One of each family, so a table that stopped feeding the catalogue fails here.
  for (const char* name : {"gcn", "gae", "lightgcn", "han"}) EXPECT_NE(find_in_catalogue(name), nullptr) << name;
}

TEST(ModelCatalogue, FindsByNameAndFamily) {
  ASSERT_NE(find_in_catalogue("vgae"), nullptr);
  EXPECT_EQ(find_in_catalogue("vgae")->family, ModelFamily::kLink);
  EXPECT_EQ(find_in_catalogue("magnn")->family, ModelFamily::kMetaPath);
  EXPECT_EQ(find_in_catalogue("gin")->family, ModelFamily::kLayers);
  EXPECT_EQ(find_in_catalogue("gnn"), nullptr);
  ASSERT_NE(find_metapath_model("metahgnie"), nullptr);
  EXPECT_EQ(find_metapath_model("metahgnie")->kind, MetaPathKind::kMetaHgnie);
  EXPECT_EQ(find_metapath_model("meow")->kind, MetaPathKind::kMeow);
  ASSERT_NE(find_metapath_model("pogat"), nullptr);
  EXPECT_EQ(find_metapath_model("pogat")->kind, MetaPathKind::kPogat);
  EXPECT_EQ(find_metapath_model("gcn"), nullptr);
  EXPECT_EQ(find_in_catalogue(""), nullptr);
  std::vector<std::string> recommenders;
  for (const RecommenderSpec& r : recommender_registry()) recommenders.push_back(r.name);
  EXPECT_EQ(catalogue_names(ModelFamily::kRecommender), recommenders);
  EXPECT_EQ(catalogue_names().size(), model_catalogue().size());
}

}  // namespace
}  // namespace loom::models
