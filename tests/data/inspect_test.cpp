// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// inspect_dataset on small hand-made folders: exact counts and statistics for a good one (with every legal oddity:
// a self loop, a duplicate edge, an isolated node, an empty class, a zero feature row), then broken copies, each of
// whose problems must name the file and the fault, and all of them reported together.
#include <gmock/gmock.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "loom/data/inspect.h"
#include "loom/data/npy.h"
#include "support/testing.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// A line of problems or warnings that names `file` and says `what`.
auto names(const std::string& file, const std::string& what) {
  return Contains(AllOf(HasSubstr(file), HasSubstr(what)));
}

void write_i64(const fs::path& p, const std::vector<int64_t>& v, Shape shape = {}) {
  if (shape.empty()) shape = {static_cast<int64_t>(v.size())};
  data::write_npy(p.string(), from_vector<int64_t>(v, shape));
}

// 6 nodes, 3 features, 4 classes (class 3 has no node), 8 edges:
//   0->1 1->0 1->2 2->1 2->2 (self loop) 0->1 (duplicate) 3->4 0->4; node 5 has no edge.
// In-degrees 1 3 2 0 2 0: min 0, max 3, mean 8/6, median 1.5. Node 1 has a negative feature, node 5 a zero row.
const std::vector<int64_t> kSrc{0, 1, 1, 2, 2, 0, 3, 0}, kDst{1, 0, 2, 1, 2, 1, 4, 4};
const std::vector<int64_t> kY{0, 1, 1, 2, 0, 1};

fs::path make_good(const std::string& sub = "good") {
  const fs::path d = testing::temp_dir() / sub;
  fs::create_directories(d);
  data::write_npy((d / "x.npy").string(), from_vector<float>({1, 0, 0, -1, 0, 2, 0, 1, 0, 1, 1, 1, 0, 0, 3, 0, 0, 0},
                                                              {6, 3}));
  std::vector<int64_t> e = kSrc;
  e.insert(e.end(), kDst.begin(), kDst.end());
  write_i64(d / "edge_index.npy", e, {2, 8});
  write_i64(d / "y.npy", kY);
  write_i64(d / "train_idx.npy", {0, 1});
  write_i64(d / "val_idx.npy", {2});
  write_i64(d / "test_idx.npy", {3, 4, 5});
  for (const char* k : {"0", "1"}) {
    fs::create_directories(d / "splits" / k);
    write_i64(d / "splits" / k / "train_idx.npy", {4, 5});
    write_i64(d / "splits" / k / "test_idx.npy", {0, 1, 2, 3});
  }
  std::ofstream(d / "meta.json") << R"({"name": "tiny", "counts": {"nodes": 6, "features": 3, "classes": 4}})";
  return d;
}

TEST(Inspect, GoodFolderCountsAndStatistics) {
  const data::DatasetReport r = data::inspect_dataset(make_good().string());
  EXPECT_TRUE(r.problems.empty()) << ::testing::PrintToString(r.problems);
  EXPECT_TRUE(r.usable);
  EXPECT_EQ(r.name, "tiny");
  EXPECT_EQ(r.num_nodes, 6);
  EXPECT_EQ(r.num_features, 3);
  EXPECT_EQ(r.num_classes, 4);
  ASSERT_TRUE(r.num_edges.has_value());
  EXPECT_EQ(*r.num_edges, 8);
  EXPECT_FALSE(r.num_hyperedges.has_value());
  ASSERT_TRUE(r.in_degree.has_value());
  EXPECT_EQ(r.in_degree->min, 0);
  EXPECT_EQ(r.in_degree->max, 3);
  EXPECT_DOUBLE_EQ(r.in_degree->mean, 8.0 / 6.0);
  EXPECT_DOUBLE_EQ(r.in_degree->median, 1.5);
  EXPECT_EQ(r.isolated_nodes, 1);
  EXPECT_EQ(r.self_loops, 1);
  EXPECT_EQ(r.duplicate_edges, 1);
  EXPECT_EQ(r.label_counts, (std::vector<int64_t>{2, 3, 1, 0}));
  ASSERT_TRUE(r.split.has_value());
  EXPECT_EQ(r.split->dir, "");
  EXPECT_EQ(r.split->train, 2);
  EXPECT_EQ(r.split->val, 1);
  EXPECT_EQ(r.split->test, 3);
  EXPECT_EQ(r.num_split_folders, 2);
  ASSERT_TRUE(r.features.has_value());
  EXPECT_EQ(r.features->file, "x.npy");
  EXPECT_EQ(r.features->non_finite, 0);
  EXPECT_TRUE(r.features->has_negative);
  EXPECT_EQ(r.features->zero_rows, 1);
  // Legal but suspicious: each is a warning, not a problem.
  EXPECT_THAT(r.warnings, names("edge_index.npy", "isolated nodes (no edge): 1 of 6"));
  EXPECT_THAT(r.warnings, names("edge_index.npy", "self loops: 1"));
  EXPECT_THAT(r.warnings, names("edge_index.npy", "duplicate edges"));
  EXPECT_THAT(r.warnings, names("y.npy", "no node has class 3"));
  EXPECT_THAT(r.warnings, names("x.npy", "all-zero features: 1 of 6"));
  EXPECT_EQ(r.warnings.size(), 5u) << ::testing::PrintToString(r.warnings);
}

TEST(Inspect, RenderedTextAndJson) {
  const fs::path d = make_good();
  fs::remove(d / "y.npy");
  const data::DatasetReport r = data::inspect_dataset(d.string());
  const std::string text = data::render_text(r);
  EXPECT_THAT(text, HasSubstr("NOT usable"));
  EXPECT_THAT(text, HasSubstr("\nproblem: y.npy: missing"));
  EXPECT_THAT(text, HasSubstr("\nwarning: edge_index.npy: self loops: 1\n"));
  const std::string json = data::render_json(r);
  EXPECT_THAT(json, HasSubstr("\"usable\":false"));
  EXPECT_THAT(json, HasSubstr("\"nodes\":6"));
  EXPECT_THAT(json, HasSubstr("\"edges\":8"));
  EXPECT_THAT(json, HasSubstr("\"problems\":[\"y.npy: missing"));
  EXPECT_THAT(data::render_json(data::inspect_dataset(make_good("again").string())),
              AllOf(HasSubstr("\"usable\":true"), HasSubstr("\"in_degree\":{"), HasSubstr("\"median\":1.5")));
}

TEST(Inspect, MissingFolderIsAProblemNotAnException) {
  const std::string dir = (testing::temp_dir() / "nope").string();
  const data::DatasetReport r = data::inspect_dataset(dir);
  EXPECT_FALSE(r.usable);
  EXPECT_THAT(r.problems, names(dir, "not a directory"));
}

TEST(Inspect, MissingLabels) {
  const fs::path d = make_good();
  fs::remove(d / "y.npy");
  const data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_FALSE(r.usable);
  EXPECT_THAT(r.problems, names("y.npy", "missing"));
  EXPECT_EQ(r.num_nodes, 6);  // still known from the features, and the graph is still checked
  EXPECT_EQ(r.self_loops, 1);
}

TEST(Inspect, LabelOutOfRange) {
  const fs::path d = make_good();
  std::vector<int64_t> y = kY;
  y[4] = 9;
  write_i64(d / "y.npy", y);
  const data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_FALSE(r.usable);
  EXPECT_THAT(r.problems, names("y.npy", "class ids out of range [0, 4): 1 of 6; the first at position 4 holds 9"));
}

TEST(Inspect, EdgeIdOutOfRange) {
  const fs::path d = make_good();
  std::vector<int64_t> e = kSrc;
  e.insert(e.end(), kDst.begin(), kDst.end());
  e[8 + 2] = 6;   // row 1, column 2
  e[5] = -1;      // row 0, column 5
  write_i64(d / "edge_index.npy", e, {2, 8});
  const data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_FALSE(r.usable);
  EXPECT_THAT(r.problems,
              names("edge_index.npy", "node ids out of range [0, 6): 1 of 8; the first at position (1, 2) holds 6"));
  EXPECT_THAT(r.problems, names("edge_index.npy", "position (0, 5) holds -1"));
  EXPECT_EQ(r.duplicate_edges, 0);  // the duplicate was the corrupted column; out-of-range edges are not counted
}

TEST(Inspect, TrainTestOverlap) {
  const fs::path d = make_good();
  write_i64(d / "test_idx.npy", {1, 4, 5});
  const data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_FALSE(r.usable);
  EXPECT_THAT(r.problems, names("test_idx.npy", "nodes also in train_idx.npy: 1 (the first: node 1)"));
}

TEST(Inspect, OverlapInsideASplitFolder) {
  const fs::path d = make_good();
  write_i64(d / "splits" / "1" / "test_idx.npy", {0, 0, 4});
  const data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_FALSE(r.usable);
  EXPECT_THAT(r.problems,
              names("splits/1/test_idx.npy", "nodes also in splits/1/train_idx.npy: 1 (the first: node 4)"));
  EXPECT_THAT(r.problems, names("splits/1/test_idx.npy", "node ids repeated within the file: 1 (the first: node 0)"));
}

TEST(Inspect, EmptyTestSplitIsAProblemEmptyValAWarning) {
  const fs::path d = make_good();
  write_i64(d / "test_idx.npy", {});
  write_i64(d / "val_idx.npy", {});
  const data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_FALSE(r.usable);
  EXPECT_THAT(r.problems, names("test_idx.npy", "empty split (0 nodes)"));
  EXPECT_THAT(r.problems, Not(Contains(HasSubstr("val_idx.npy"))));
  EXPECT_THAT(r.warnings, names("val_idx.npy", "empty: no validation split"));
}

TEST(Inspect, NaNFeature) {
  const fs::path d = make_good();
  Tensor x = data::read_npy((d / "x.npy").string());
  x.data<float>()[2 * 3 + 1] = std::numeric_limits<float>::quiet_NaN();
  x.data<float>()[4 * 3 + 0] = std::numeric_limits<float>::infinity();
  data::write_npy((d / "x.npy").string(), x);
  const data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_FALSE(r.usable);
  EXPECT_THAT(r.problems, names("x.npy", "non-finite entries (NaN or Inf): 2; the first at row 2, column 1"));
  EXPECT_EQ(r.features->non_finite, 2);
}

TEST(Inspect, FeaturesAndLabelsLengthMismatch) {
  const fs::path d = make_good();
  write_i64(d / "y.npy", {0, 1, 1, 2, 0});
  const data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_FALSE(r.usable);
  EXPECT_THAT(r.problems, names("y.npy", "has 5 labels but x.npy has 6 rows"));
}

TEST(Inspect, TruncatedNpy) {
  const fs::path d = make_good();
  const fs::path e = d / "edge_index.npy";
  fs::resize_file(e, fs::file_size(e) - 20);
  const data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_FALSE(r.usable);
  EXPECT_THAT(r.problems, names(e.string(), "header declares (2, 8) int64 = 128 bytes, file has 108 after the header"));
  EXPECT_FALSE(r.num_edges.has_value());
}

TEST(Inspect, MetaJsonWithWrongCounts) {
  const fs::path d = make_good();
  std::ofstream(d / "meta.json") << R"({"counts": {"nodes": 7, "features": 4, "edges_directed": 10}})";
  const data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_FALSE(r.usable);
  EXPECT_THAT(r.problems, names("meta.json", "counts.nodes = 7 but x.npy has 6 rows"));
  EXPECT_THAT(r.problems, names("meta.json", "counts.features = 4 but x.npy has 3 columns"));
  // Counts the loader does not check only warn.
  EXPECT_THAT(r.warnings, names("meta.json", "counts.edges_directed = 10 but edge_index.npy has 8 edges"));
  EXPECT_EQ(r.name, "good");  // no name in meta.json: the folder's

  // A folder of another task (mutag, dblp) says so, on top of its problems.
  std::ofstream(d / "meta.json") << R"({"task": "graph classification"})";
  EXPECT_THAT(data::inspect_dataset(d.string()).warnings,
              names("meta.json", "task is 'graph classification', but load_node_dataset reads"));
  std::ofstream(d / "meta.json") << R"({"name": "tiny", )";
  EXPECT_THAT(data::inspect_dataset(d.string()).problems, names("meta.json", "not valid JSON"));
}

TEST(Inspect, EveryProblemIsReportedAtOnce) {
  const fs::path d = make_good();
  fs::remove(d / "y.npy");
  write_i64(d / "test_idx.npy", {1, 4, 5});
  write_i64(d / "edge_index.npy", {0, 1, 7, 0}, {2, 2});
  Tensor x = data::read_npy((d / "x.npy").string());
  x.data<float>()[0] = std::numeric_limits<float>::quiet_NaN();
  data::write_npy((d / "x.npy").string(), x);
  std::ofstream(d / "splits" / "0" / "train_idx.npy") << "not a npy file";
  const data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_FALSE(r.usable);
  EXPECT_THAT(r.problems, names("y.npy", "missing"));
  EXPECT_THAT(r.problems, names("test_idx.npy", "nodes also in train_idx.npy"));
  EXPECT_THAT(r.problems, names("edge_index.npy", "out of range [0, 6)"));
  EXPECT_THAT(r.problems, names("x.npy", "non-finite"));
  EXPECT_THAT(r.problems, names("splits/0/train_idx.npy", "not a .npy file"));
  EXPECT_EQ(r.problems.size(), 5u) << ::testing::PrintToString(r.problems);
}

TEST(Inspect, HypergraphFolderWithSplitFolders) {
  // No edge_index.npy: hyperedges {0, 1, 2} and {2, 3}; vertices 4 and 5 are in none. Default split: splits/0.
  const fs::path d = make_good();
  for (const char* f : {"edge_index.npy", "train_idx.npy", "val_idx.npy", "test_idx.npy", "meta.json"})
    fs::remove(d / f);
  write_i64(d / "hyperedge_index.npy", {0, 1, 2, 2, 3, 0, 0, 0, 1, 1}, {2, 5});
  const data::DatasetReport r = data::inspect_dataset(d.string());
  EXPECT_TRUE(r.usable) << ::testing::PrintToString(r.problems);
  EXPECT_FALSE(r.num_edges.has_value());
  EXPECT_EQ(r.num_hyperedges, 2);
  EXPECT_EQ(r.num_incidences, 5);
  EXPECT_EQ(r.num_classes, 3);  // max label + 1 without meta.json
  ASSERT_TRUE(r.vertex_degree.has_value());
  EXPECT_EQ(r.vertex_degree->max, 2);
  EXPECT_DOUBLE_EQ(r.vertex_degree->median, 1.0);
  EXPECT_EQ(r.isolated_nodes, 2);
  EXPECT_THAT(r.warnings, names("hyperedge_index.npy", "isolated nodes (in no hyperedge): 2 of 6"));
  ASSERT_TRUE(r.split.has_value());
  EXPECT_EQ(r.split->dir, "splits/0/");
  EXPECT_EQ(r.split->train, 2);
  EXPECT_EQ(r.split->test, 4);
  EXPECT_FALSE(r.split->has_val);
  EXPECT_THAT(r.warnings, names("splits/0/val_idx.npy", "missing: no validation split"));
}

}  // namespace
}  // namespace loom
