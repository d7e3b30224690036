// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph-classification readers: small TU folders written to a temp dir (a valid one and each malformed case, whose
// errors must name the file and the line), the shared MUTAG folder and its DGCNN folds (label data), and the
// stratified folds and holdouts the protocols use.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "loom/core/error.h"
#include "loom/data/dataset.h"
#include "loom/data/graph_dataset.h"
#include "loom/data/npy.h"
#include "support/scratch.h"
#include "support/testing.h"

namespace loom::data {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Two graphs: a triangle (nodes 1-3, graph label 5) and an edge (nodes 4-5, graph label -1); both directions.
std::map<std::string, std::string> valid_files() {
  return {{"A", "1, 2\n2, 1\n2, 3\n3, 2\n1, 3\n3, 1\n4, 5\n5, 4\n"},
          {"graph_indicator", "1\n1\n1\n2\n2\n"},
          {"graph_labels", "5\n-1\n"},
          {"node_labels", "0\n1\n0\n2\n2\n"},
          {"edge_labels", "1\n1\n0\n0\n1\n1\n0\n0\n"}};
}

std::string write_tu(const std::string& folder, const std::map<std::string, std::string>& files) {
  const std::string dir = testing::scratch_path("graph_dataset_test", folder);
  std::filesystem::create_directories(dir);
  for (const auto& [suffix, text] : files) std::ofstream(dir + "/T_" + suffix + ".txt") << text;
  return dir;
}

TEST(TuReader, ReadsGraphsLabelsAndOneHotFeatures) {
  const GraphDataset d = load_tu_dataset(write_tu("valid", valid_files()));
  EXPECT_EQ(d.name, "T");
  EXPECT_EQ(d.num_graphs(), 2);
  EXPECT_EQ(d.num_nodes(), 5);
  EXPECT_EQ(d.num_edges(), 8);
  EXPECT_EQ(d.graph_ptr.to_vector<int64_t>(), (std::vector<int64_t>{0, 3, 5}));
  EXPECT_EQ(d.y.to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));  // -1 -> 0, 5 -> 1 (sorted order, as PyG)
  EXPECT_EQ(d.num_classes, 2);
  EXPECT_EQ(d.x.shape(), (Shape{5, 3}));  // node labels 0..2 one-hot
  EXPECT_EQ(d.x.to_vector<float>()[3 * 3 + 2], 1.0f);
  EXPECT_EQ(d.edge_attr.shape(), (Shape{8, 2}));
  EXPECT_EQ(d.edge_index.to_vector<int64_t>()[0], 0);  // 1-based ids become 0-based
  EXPECT_EQ(d.csr.nnz(), 8);
  // The directory loader finds the TU layout by its DS_A.txt.
  EXPECT_EQ(load_graph_dataset(write_tu("valid2", valid_files())).num_graphs(), 2);
}

TEST(TuReader, NodeAttributesComeBeforeLabelsAndAConstantFeatureWhenThereAreNone) {
  auto files = valid_files();
  files["node_attributes"] = "0.5, 1\n1, 1\n2, 1\n3, 1\n4, 1\n";
  const GraphDataset d = load_tu_dataset(write_tu("attrs", files));
  EXPECT_EQ(d.x.shape(), (Shape{5, 5}));
  EXPECT_EQ(d.x.to_vector<float>()[0], 0.5f);
  files.erase("node_attributes");
  files.erase("node_labels");
  EXPECT_EQ(load_tu_dataset(write_tu("bare", files)).x.shape(), (Shape{5, 1}));
}

struct Bad {
  const char* name;
  const char* file;
  const char* text;
  const char* expect;
};

class TuMalformed : public ::testing::TestWithParam<Bad> {};

TEST_P(TuMalformed, NamesFileAndLine) {
  auto files = valid_files();
  files[GetParam().file] = GetParam().text;
  const std::string dir = write_tu(GetParam().name, files);
  EXPECT_THAT([&] { load_tu_dataset(dir); }, ThrowsMessage<Error>(HasSubstr(GetParam().expect)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TuMalformed,
    ::testing::Values(
        Bad{"cross", "A", "1, 2\n2, 1\n2, 3\n3, 4\n", "T_A.txt:4: edge 3 -> 4 joins graph 1 and graph 2"},
        Bad{"empty_graph", "graph_indicator", "1\n1\n1\n3\n3\n", "T_graph_indicator.txt:4: graph 2 has no nodes"},
        Bad{"order", "graph_indicator", "1\n2\n1\n2\n2\n", "T_graph_indicator.txt:3: node 3 is in graph 1 after"},
        Bad{"labels", "graph_labels", "5\n-1\n2\n", "T_graph_labels.txt: 3 lines, expected 2 (one per graph"},
        Bad{"node_labels", "node_labels", "0\n1\n0\n2\n", "T_node_labels.txt: 4 lines, expected 5"},
        Bad{"edge_labels", "edge_labels", "0\n", "T_edge_labels.txt: 1 lines, expected 8"},
        Bad{"text", "A", "1, 2\n2, x1\n", "T_A.txt:2: field 2 'x1' is not an integer"},
        Bad{"float", "graph_indicator", "1\n1\n1.5\n2\n2\n", "T_graph_indicator.txt:3: field 1 '1.5' is not an"},
        Bad{"columns", "A", "1, 2\n2\n", "T_A.txt:2: 1 field(s), expected 2"},
        Bad{"range", "A", "1, 2\n2, 9\n", "T_A.txt:2: node id 9 is out of range (1 .. 5"},
        Bad{"zero", "A", "0, 2\n", "T_A.txt:1: node id 0 is out of range"},
        Bad{"graph_id", "graph_indicator", "1\n1\n1\n2\n0\n", "T_graph_indicator.txt:5: graph id 0 is out of range"},
        // int64's ends: no overflow on the way to the error (the sanitizer build runs these).
        Bad{"int64_ends", "node_labels", "-9223372036854775808\n9223372036854775807\n0\n0\n0\n", "spans"},
        Bad{"int64_id", "A", "-9223372036854775808, 1\n", "T_A.txt:1: node id -9223372036854775808 is out of range"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(TuReader, ReportsEveryBrokenFileAtOnce) {
  auto files = valid_files();
  files["A"] = "1, 4\n";
  files["graph_labels"] = "1\n";
  EXPECT_THAT([&] { load_tu_dataset(write_tu("several", files)); },
              ThrowsMessage<FormatError>(AllOf(HasSubstr("3 problems"), HasSubstr("T_A.txt:1: edge 1 -> 4"),
                                               HasSubstr("T_graph_labels.txt: 1 lines"),
                                               HasSubstr("T_edge_labels.txt: 8 lines, expected 1"))));
}

TEST(TuReader, MissingFileIsNamed) {
  auto files = valid_files();
  files.erase("graph_labels");
  EXPECT_THAT([&] { load_tu_dataset(write_tu("missing", files)); },
              ThrowsMessage<FormatError>(HasSubstr("missing file")));
  EXPECT_THAT([&] { load_graph_dataset(testing::scratch_path("graph_dataset_test", "nothing")); },
              ThrowsMessage<FormatError>(HasSubstr("not a graph-classification folder")));
}

TEST(Folds, StratifiedFoldsPartitionAndBalanceClasses) {
  std::vector<int64_t> labels;
  for (int i = 0; i < 50; ++i) labels.push_back(i % 5 == 0 ? 1 : 0);  // 10 of class 1
  const Tensor y = from_vector<int64_t>(labels, {50});
  const std::vector<Fold> folds = stratified_folds(y, 10, 7);
  std::string why;
  int64_t tested = 0;
  ASSERT_TRUE(are_cv_folds(folds, 50, &why, &tested)) << why;
  EXPECT_EQ(tested, 50);
  for (const Fold& f : folds) {
    EXPECT_EQ(f.test_idx.numel(), 5);
    int ones = 0;
    for (const int64_t i : f.test_idx.to_vector<int64_t>()) ones += labels[i] == 1;
    EXPECT_EQ(ones, 1);
  }
  EXPECT_EQ(stratified_folds(y, 10, 7)[3].test_idx.to_vector<int64_t>(), folds[3].test_idx.to_vector<int64_t>());
  const Fold inner = stratified_holdout(y, folds[0], 0.1, 1);
  EXPECT_EQ(inner.val_idx.numel() + inner.train_idx.numel(), folds[0].train_idx.numel());
  EXPECT_EQ(inner.val_idx.numel(), 5);  // round(10% of 36) + round(10% of 9): stratified
  EXPECT_EQ(inner.test_idx.to_vector<int64_t>(), folds[0].test_idx.to_vector<int64_t>());
  EXPECT_THAT([&] { stratified_folds(y, 1, 0); }, ThrowsMessage<ValueError>(HasSubstr("k must be in [2, 50]")));
}

TEST(GraphFolder, MutagAndItsDgcnnFolds) {
  const std::string dir = find_dataset("mutag", testing::data_dir());
  const GraphDataset d = load_graph_dataset(dir);
  EXPECT_EQ(d.num_graphs(), 188);
  EXPECT_EQ(d.num_nodes(), 3371);
  EXPECT_EQ(d.num_edges(), 7442);
  EXPECT_EQ(d.num_features(), 7);
  EXPECT_EQ(d.num_classes, 2);
  const std::vector<Fold> folds = load_folds(dir, d.num_graphs());
  ASSERT_EQ(folds.size(), 10u);
  std::string why;
  int64_t tested = 0;
  EXPECT_TRUE(are_cv_folds(folds, d.num_graphs(), &why, &tested)) << why;
  EXPECT_EQ(tested, 180);  // DGCNN's folds test 18 graphs each and leave 8 untested
}

// MUTAG written back to the raw TU layout (labels -1/1 as in the original files, 1-based ids) reads back equal to
// the shared folder: the two readers agree on real data.
TEST(GraphFolder, MutagAsTuFilesReadsBackEqual) {
  const std::string dir = find_dataset("mutag", testing::data_dir());
  const GraphDataset d = load_graph_folder(dir);
  const std::string tu = testing::scratch_path("graph_dataset_test", "MUTAG_TU");
  std::filesystem::create_directories(tu);
  std::ofstream a(tu + "/MUTAG_A.txt"), gi(tu + "/MUTAG_graph_indicator.txt"), gl(tu + "/MUTAG_graph_labels.txt"),
      nl(tu + "/MUTAG_node_labels.txt"), el(tu + "/MUTAG_edge_labels.txt");
  const std::vector<int64_t> ei = d.edge_index.to_vector<int64_t>(), ptr = d.graph_ptr.to_vector<int64_t>();
  for (int64_t k = 0; k < d.num_edges(); ++k) a << ei[k] + 1 << ", " << ei[d.num_edges() + k] + 1 << "\n";
  for (int64_t g = 0; g < d.num_graphs(); ++g)
    for (int64_t v = ptr[g]; v < ptr[g + 1]; ++v) gi << g + 1 << "\n";
  for (const int64_t y : d.y.to_vector<int64_t>()) gl << 2 * y - 1 << "\n";
  for (const int64_t l : read_npy(dir + "/node_labels.npy").to_vector<int64_t>()) nl << l << "\n";
  for (const int64_t l : read_npy(dir + "/edge_labels.npy").to_vector<int64_t>()) el << l << "\n";
  for (std::ofstream* f : {&a, &gi, &gl, &nl, &el}) f->close();
  const GraphDataset t = load_tu_dataset(tu);
  EXPECT_EQ(t.name, "MUTAG");
  EXPECT_EQ(t.graph_ptr.to_vector<int64_t>(), ptr);
  EXPECT_EQ(t.edge_index.to_vector<int64_t>(), ei);
  EXPECT_EQ(t.y.to_vector<int64_t>(), d.y.to_vector<int64_t>());
  EXPECT_EQ(t.x.to_vector<float>(), d.x.to_vector<float>());
  EXPECT_EQ(t.edge_attr.to_vector<float>(), d.edge_attr.to_vector<float>());
}

TEST(GraphFolder, ChecksEdgesStayInsideGraphs) {
  GraphDataset d;
  d.x = zeros({4, 1});
  d.graph_ptr = from_vector<int64_t>({0, 2, 4}, {3});
  d.y = from_vector<int64_t>({0, 1}, {2});
  d.num_classes = 2;
  d.edge_index = from_vector<int64_t>({0, 1, 1, 2}, {2, 2});
  EXPECT_THAT([&] { index_graphs(d); },
              ThrowsMessage<ValueError>(HasSubstr("edge 1 (1 -> 2) joins graph 0 and graph 1")));
}

}  // namespace
}  // namespace loom::data
