// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HeteroGraph and the heterogeneous folder loader: construction, both orientations of a relation, features,
// to(device), str(), every error naming its relation/file and bad id, a hand-made folder, and DBLP's real counts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "loom/core/error.h"
#include "loom/data/hetero_dataset.h"
#include "loom/data/inspect.h"
#include "loom/data/npy.h"
#include "loom/hetero/load.h"
#include "support/testing.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using hetero::EdgeType;
using hetero::HeteroGraph;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

Tensor edges(const std::vector<int64_t>& src, const std::vector<int64_t>& dst) {
  std::vector<int64_t> v(src);
  v.insert(v.end(), dst.begin(), dst.end());
  return from_vector<int64_t>(v, {2, static_cast<int64_t>(src.size())});
}

HeteroGraph small() {
  HeteroGraph g;
  g.add_node_type("author", 3).add_node_type("paper", 4);
  // author 2 writes nothing; paper 3 has no author; 0 -> 1 is a duplicate.
  g.add_relation({"author", "writes", "paper"}, edges({0, 0, 1, 0}, {0, 1, 1, 1}));
  return g;
}

TEST(HeteroGraph, RelationInBothOrientations) {
  const HeteroGraph g = small();
  const EdgeType w{"author", "writes", "paper"};
  EXPECT_EQ(g.num_edges(w), 4);
  const Csr& in = g.in_csr(w);  // rows papers, columns authors
  EXPECT_EQ(in.num_rows(), 4);
  EXPECT_EQ(in.num_cols(), 3);
  EXPECT_EQ(in.indptr().to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 4, 4, 4}));
  EXPECT_EQ(in.indices().to_vector<int32_t>(), (std::vector<int32_t>{0, 0, 0, 1}));  // duplicate kept
  const Csr& out = g.out_csr(w);  // rows authors
  EXPECT_EQ(out.num_rows(), 3);
  EXPECT_EQ(out.indptr().to_vector<int64_t>(), (std::vector<int64_t>{0, 3, 4, 4}));
  EXPECT_EQ(out.indices().to_vector<int32_t>(), (std::vector<int32_t>{0, 1, 1, 1}));
  EXPECT_EQ(&g.out_csr(w), &g.out_csr(w));  // cached
  EXPECT_EQ(g.relation("writes"), w);
  EXPECT_EQ(g.relation("author__writes__paper"), w);
  EXPECT_EQ(g.str(), "HeteroGraph(node types: author 3, paper 4; relations: author__writes__paper 4; cpu)");
}

TEST(HeteroGraph, ErrorsNameTheRelationAndTheId) {
  HeteroGraph g;
  g.add_node_type("author", 3).add_node_type("paper", 4);
  EXPECT_THAT([&] { g.add_relation({"author", "writes", "paper"}, edges({0, 2}, {1, 4})); },
              ThrowsMessage<IndexError>(HasSubstr("relation author__writes__paper: edge 1 (2 -> 4) has target id 4, "
                                                  "out of range for node type 'paper' (4 nodes)")));
  EXPECT_THAT([&] { g.add_relation({"author", "writes", "paper"}, edges({-1}, {0})); },
              ThrowsMessage<IndexError>(HasSubstr("edge 0 (-1 -> 0) has source id -1, out of range for node type 'author'")));
  EXPECT_THAT([&] { g.add_relation({"author", "cites", "venue"}, edges({0}, {0})); },
              ThrowsMessage<ValueError>(HasSubstr("relation author__cites__venue: unknown node type 'venue' (node types: author, paper)")));
  EXPECT_THAT([&] { g.add_relation({"author", "writes", "paper"}, from_vector<int64_t>({0, 1, 2}, {3, 1})); },
              ThrowsMessage<ShapeError>(HasSubstr("must be [2, E]")));
  EXPECT_THAT([&] { g.add_node_type("author", 1); }, ThrowsMessage<ValueError>(HasSubstr("'author' is already present")));
  EXPECT_THAT([&] { g.add_node_type("a__b", 1); }, ThrowsMessage<ValueError>(HasSubstr("must not contain")));
  EXPECT_THAT([&] { g.set_features("paper", zeros({3, 2})); },
              ThrowsMessage<ShapeError>(HasSubstr("features of 'paper' have 3 rows but the type has 4 nodes")));
  g.add_relation({"author", "writes", "paper"}, edges({0}, {0}));
  EXPECT_THAT([&] { g.add_relation({"author", "writes", "paper"}, edges({0}, {0})); },
              ThrowsMessage<ValueError>(HasSubstr("already present")));
  EXPECT_THAT([&] { (void)g.relation("cites"); }, ThrowsMessage<ValueError>(HasSubstr("no relation named 'cites'")));
  EXPECT_THAT([&] { (void)g.num_nodes("venue"); }, ThrowsMessage<ValueError>(HasSubstr("unknown node type 'venue'")));
}

TEST(HeteroGraph, FeaturesAndDevices) {
  HeteroGraph g = small();
  g.set_features("author", ones({3, 2}));
  EXPECT_EQ(g.features("author").size(1), 2);
  EXPECT_FALSE(g.features("paper").defined());
  EXPECT_FALSE(g.sparse_features("author").defined());
  const Csr sx = Csr::from_coo(testing::i64({0, 3}), testing::i64({5, 1}), 4, 6, from_vector<float>({1.f, 2.f}, {2}));
  g.set_features("paper", sx);
  EXPECT_EQ(g.sparse_features("paper").nnz(), 2);
  LOOM_REQUIRE_CUDA();
  const HeteroGraph d = g.to(kCUDA);
  EXPECT_TRUE(d.device().is_cuda());
  EXPECT_TRUE(d.in_csr(g.relations()[0]).device().is_cuda());
  EXPECT_EQ(d.out_csr(g.relations()[0]).indices().to_vector<int32_t>(),
            g.out_csr(g.relations()[0]).indices().to_vector<int32_t>());
  EXPECT_THAT(d.str(), HasSubstr("; cuda"));
}

// ---- folders

void write_i64(const fs::path& p, const std::vector<int64_t>& v, Shape shape) {
  fs::create_directories(p.parent_path());
  data::write_npy(p.string(), from_vector<int64_t>(v, std::move(shape)));
}

// author 3, paper 4, venue 2; a sparse author feature file, dense paper features, venues without features.
fs::path make_folder() {
  const fs::path d = testing::temp_dir();
  std::ofstream(d / "meta.json") << R"({"name": "tiny-hetero", "target_node_type": "author",
    "node_types": ["author", "paper", "venue"], "counts": {"nodes": {"author": 3, "paper": 4, "venue": 2}, "classes": 2}})";
  fs::create_directories(d / "nodes" / "author");
  std::ofstream(d / "nodes" / "author" / "features.mtx")
      << "%%MatrixMarket matrix coordinate real general\n% tiny\n3 5 3\n1 1 1\n2 5 2\n3 3 1\n";
  fs::create_directories(d / "nodes" / "paper");
  data::write_npy((d / "nodes" / "paper" / "features.npy").string(), ones({4, 2}));
  write_i64(d / "edges" / "author__writes__paper.npy", {0, 1, 1, 2, 0, 1, 3, 3}, {2, 4});
  write_i64(d / "edges" / "paper__written_by__author.npy", {0, 1, 3, 3, 0, 1, 1, 2}, {2, 4});
  write_i64(d / "edges" / "paper__published_in__venue.npy", {0, 1, 2, 3, 0, 0, 1, 1}, {2, 4});
  write_i64(d / "y.npy", {0, 1, 1}, {3});
  write_i64(d / "train_idx.npy", {0}, {1});
  write_i64(d / "val_idx.npy", {1}, {1});
  write_i64(d / "test_idx.npy", {2}, {1});
  write_i64(d / "splits" / "k1" / "train_idx.npy", {2}, {1});
  write_i64(d / "splits" / "k1" / "val_idx.npy", {0}, {1});
  write_i64(d / "splits" / "k1" / "test_idx.npy", {1}, {1});
  return d;
}

TEST(HeteroFolder, LoadsAHandMadeFolder) {
  const fs::path d = make_folder();
  EXPECT_TRUE(data::is_hetero_folder(d.string()));
  const data::HeteroDataset ds = data::load_hetero_dataset(d.string());
  EXPECT_EQ(ds.name, "tiny-hetero");
  EXPECT_EQ(ds.target_type, "author");
  ASSERT_EQ(ds.node_types.size(), 3u);
  EXPECT_EQ(ds.node_types[0].name, "author");
  EXPECT_EQ(ds.node_types[0].x_sparse.nnz(), 3);
  EXPECT_EQ(ds.node_types[0].num_features(), 5);
  EXPECT_EQ(ds.node_types[1].x.size(1), 2);
  EXPECT_EQ(ds.node_types[2].feature_file, "");
  ASSERT_EQ(ds.relations.size(), 3u);  // sorted by file name
  EXPECT_EQ(ds.relations[0].file, "edges/author__writes__paper.npy");
  EXPECT_EQ(ds.relations[1].rel, "published_in");
  EXPECT_EQ(ds.num_classes, 2);
  EXPECT_EQ(ds.test_idx.to_vector<int64_t>(), std::vector<int64_t>{2});
  EXPECT_EQ(data::load_hetero_dataset(d.string(), "k1").train_idx.to_vector<int64_t>(), std::vector<int64_t>{2});

  const HeteroGraph g = hetero::from_dataset(ds);
  EXPECT_EQ(g.num_nodes("venue"), 2);
  EXPECT_EQ(g.num_edges(), 12);
  EXPECT_EQ(to_dense(g.sparse_features("author")).to_vector<float>()[9], 2.f);  // row 1, column 4
  EXPECT_EQ(g.out_csr(g.relation("writes")).indices().to_vector<int32_t>(), (std::vector<int32_t>{0, 1, 3, 3}));
}

TEST(HeteroFolder, ErrorsNameTheFileAndTheId) {
  {
    const fs::path d = make_folder();
    write_i64(d / "edges" / "author__writes__paper.npy", {0, 1, 1, 2, 0, 1, 3, 4}, {2, 4});
    EXPECT_THAT([&] { data::load_hetero_dataset(d.string()); },
                ThrowsMessage<IndexError>(HasSubstr("edges/author__writes__paper.npy: edge 3 (2 -> 4) has target id 4, "
                                                    "out of range for node type 'paper' (4 nodes)")));
  }
  {
    const fs::path d = make_folder();
    write_i64(d / "edges" / "author__cites__venue_x.npy", {0, 0}, {2, 1});
    EXPECT_THAT([&] { data::load_hetero_dataset(d.string()); },
                ThrowsMessage<FormatError>(HasSubstr("edges/author__cites__venue_x.npy: relation (author, cites, venue_x) "
                                                     "names node type 'venue_x', which meta.json counts.nodes does not list")));
  }
  {
    const fs::path d = make_folder();
    write_i64(d / "edges" / "author__writes.npy", {0, 0}, {2, 1});
    EXPECT_THAT([&] { data::load_hetero_dataset(d.string()); },
                ThrowsMessage<FormatError>(HasSubstr("edges/author__writes.npy is not named <src>__<relation>__<dst>.npy")));
  }
  {
    const fs::path d = make_folder();
    write_i64(d / "edges" / "paper__published_in__venue.npy", {0, 1, 2}, {3});
    EXPECT_THAT([&] { data::load_hetero_dataset(d.string()); },
                ThrowsMessage<ShapeError>(HasSubstr("paper__published_in__venue.npy must have shape [2, E], got [3]")));
  }
  {
    const fs::path d = make_folder();
    data::write_npy((d / "nodes" / "paper" / "features.npy").string(), ones({5, 2}));
    EXPECT_THAT([&] { data::load_hetero_dataset(d.string()); },
                ThrowsMessage<ShapeError>(HasSubstr("nodes/paper/features.npy has 5 rows but node type 'paper' has 4 nodes")));
  }
  {
    const fs::path d = make_folder();
    fs::create_directories(d / "nodes" / "venu");
    write_i64(d / "y.npy", {0, 1}, {2});
    // Two problems at once: one FormatError listing both.
    EXPECT_THAT([&] { data::load_hetero_dataset(d.string()); },
                ThrowsMessage<FormatError>(::testing::AllOf(HasSubstr("2 problems"), HasSubstr("folder nodes/venu/"),
                                                            HasSubstr("y.npy has 2 labels but node type 'author' has 3"))));
  }
  {
    const fs::path d = make_folder();
    EXPECT_THAT([&] { data::load_hetero_dataset(d.string(), "k9"); },
                ThrowsMessage<ValueError>(HasSubstr("split 'k9' not found")));
    fs::remove(d / "meta.json");
    EXPECT_THAT([&] { data::load_hetero_dataset(d.string()); }, ThrowsMessage<FormatError>(HasSubstr("meta.json")));
  }
}

TEST(HeteroFolder, InspectReportsTypesRelationsAndProblems) {
  const fs::path d = make_folder();
  data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_TRUE(r.usable) << ::testing::PrintToString(r.problems);
  EXPECT_EQ(r.num_nodes, 9);
  EXPECT_EQ(r.num_edges, 12);
  ASSERT_EQ(r.node_types.size(), 3u);
  EXPECT_EQ(r.node_types[0].features, 5);
  ASSERT_EQ(r.relations.size(), 3u);
  EXPECT_EQ(r.relations[2].name, "paper__written_by__author");
  EXPECT_EQ(r.label_counts, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(r.num_split_folders, 1);
  const std::string text = data::render_text(r);
  EXPECT_THAT(text, HasSubstr("tiny-hetero (" + d.string() + "): usable"));
  EXPECT_THAT(text, HasSubstr("relation      author__writes__paper: 4 edges"));
  EXPECT_THAT(data::render_json(r), HasSubstr("\"paper__published_in__venue\":{\"duplicate_edges\":0,\"edges\":4}"));

  write_i64(d / "edges" / "author__writes__paper.npy", {0, 1, 1, 9, 0, 1, 3, 4}, {2, 4});
  write_i64(d / "edges" / "paper__cites__journal.npy", {0, 0}, {2, 1});
  r = data::inspect_dataset(d.string());
  EXPECT_FALSE(r.usable);
  EXPECT_EQ(r.problems.size(), 2u) << ::testing::PrintToString(r.problems);
  EXPECT_THAT(data::render_text(r), HasSubstr("NOT usable"));
}

TEST(HeteroFolder, Dblp) {
  LOOM_REQUIRE_DATASET("dblp");
  const std::string dir = testing::data_dir() + "/dblp";
  nlohmann::json meta = nlohmann::json::parse(std::ifstream(dir + "/meta.json"));
  const data::HeteroDataset ds = data::load_hetero_dataset(dir);
  const HeteroGraph g = hetero::from_dataset(ds);
  for (const std::string t : meta["node_types"]) EXPECT_EQ(g.num_nodes(t), meta["counts"]["nodes"][t].get<int64_t>()) << t;
  for (const auto& [name, count] : meta["counts"]["edges_per_direction"].items()) {
    const EdgeType& et = g.relation(name);
    EXPECT_EQ(g.num_edges(et), count.get<int64_t>()) << name;
    // Every relation is stored reversed too, as the README says: the reverse's in-Csr is this one's out-Csr.
    const EdgeType* rev = nullptr;
    for (const EdgeType& r : g.relations())
      if (r.src == et.dst && r.dst == et.src) rev = &r;
    ASSERT_NE(rev, nullptr) << name;
    EXPECT_EQ(g.in_csr(*rev).indices().to_vector<int32_t>(), g.out_csr(et).indices().to_vector<int32_t>()) << name;
  }
  EXPECT_EQ(g.num_relations(), 6);
  EXPECT_EQ(ds.target_type, "author");
  EXPECT_EQ(ds.num_classes, 4);
  EXPECT_EQ(ds.train_idx.numel(), meta["counts"]["train"].get<int64_t>());
  EXPECT_EQ(ds.test_idx.numel(), meta["counts"]["test"].get<int64_t>());
  EXPECT_EQ(g.sparse_features("paper").num_cols(), meta["features"]["paper"]["dim"].get<int64_t>());
  EXPECT_EQ(g.sparse_features("paper").nnz(), meta["files"]["nodes/paper/features.mtx"]["nnz"].get<int64_t>());
  EXPECT_EQ(g.features("term").size(1), 50);
  EXPECT_EQ(data::load_hetero_dataset(dir, "heco-20").train_idx.numel(), 80);
  const data::DatasetReport r = data::inspect_dataset(dir);
  EXPECT_TRUE(r.usable) << ::testing::PrintToString(r.problems);
  EXPECT_EQ(r.num_split_folders, 3);
}

}  // namespace
}  // namespace loom
