// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom predict --nodes FILE` through the real binary: the rows it writes for a list of nodes (text or .npy, with
// repeats, comments and blank lines) are the full `loom predict` rows of those nodes, keyed by node id, for a graph
// model, an attention model and a hypergraph model; bad lists are named.
#include <gmock/gmock.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "loom/core/ops.h"
#include "loom/data/npy.h"
#include "support/cli.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::run_loom;

// A node-classification folder on a random graph (hub, isolated nodes, self loops, duplicates), 3 classes.
fs::path graph_folder() {
  const fs::path d = testing::temp_dir() / "predict_nodes_cli";
  fs::remove_all(d);
  fs::create_directories(d);
  const int64_t n = 150;
  const testing::RandomGraph g = testing::random_graph(31, n, n, 3);
  const int64_t e = g.num_edges();
  data::write_npy((d / "edge_index.npy").string(), concat({g.src.view({1, e}), g.dst.view({1, e})}, 0));
  data::write_npy((d / "x.npy").string(), testing::random_values({n, 6}, 32, 0.0, 1.0, kFloat32));
  std::vector<int64_t> y, train, val, test;
  for (int64_t v = 0; v < n; ++v) {
    y.push_back(v % 3);
    (v % 5 < 3 ? train : v % 5 == 3 ? val : test).push_back(v);
  }
  data::write_npy((d / "y.npy").string(), from_vector<int64_t>(y, {n}));
  data::write_npy((d / "train_idx.npy").string(), from_vector<int64_t>(train, {static_cast<int64_t>(train.size())}));
  data::write_npy((d / "val_idx.npy").string(), from_vector<int64_t>(val, {static_cast<int64_t>(val.size())}));
  data::write_npy((d / "test_idx.npy").string(), from_vector<int64_t>(test, {static_cast<int64_t>(test.size())}));
  return d;
}

// The CSV's rows as text, without the header.
std::vector<std::string> csv_rows(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) rows.push_back(line);
  return rows;
}

int64_t first_field(const std::string& row) { return std::stoll(row.substr(0, row.find(','))); }

TEST(PredictNodesCli, TheRowsOfSomeNodesAreTheFullRows) {
  const fs::path d = graph_folder();
  const std::vector<int64_t> ids = {17, 3, 149, 17, 0, 88};
  {
    std::ofstream txt(d / "nodes.txt");
    txt << "# nodes to score\n17\n 3 \n\n149\n17\n0\n88\n";
  }
  data::write_npy((d / "nodes.npy").string(), from_vector<int64_t>(ids, {6}).to(kInt32));
  for (const std::string model : {"gcn", "gat", "hgnn"}) {
    const std::string saved = (d / (model + ".safetensors")).string();
    const auto trained = run_loom({"train", "--data", d.string(), "--model", model, "--epochs", "2", "--quiet",
                                   "--save", saved}, d);
    ASSERT_EQ(trained.code, 0) << trained.err;
    const auto full = run_loom({"predict", "--load", saved, "--data", d.string(), "--out", (d / "full").string()}, d);
    ASSERT_EQ(full.code, 0) << full.err;
    const Tensor full_prob = data::read_npy((d / "full.prob.npy").string());
    const auto full_pred = data::read_npy((d / "full.pred.npy").string()).to_vector<int64_t>();
    const std::vector<std::string> full_csv = csv_rows(d / "full.csv");
    for (const std::string file : {"nodes.txt", "nodes.npy"}) {
      const fs::path out = d / "some";
      const auto some = run_loom({"predict", "--load", saved, "--data", d.string(), "--out", out.string(), "--nodes",
                                  (d / file).string()}, d);
      ASSERT_EQ(some.code, 0) << model << " " << file << ": " << some.err;
      EXPECT_THAT(some.out, HasSubstr("\"nodes\":6,"));
      const Tensor prob = data::read_npy(out.string() + ".prob.npy");
      const auto pred = data::read_npy(out.string() + ".pred.npy").to_vector<int64_t>();
      const std::vector<std::string> rows = csv_rows(out.string() + ".csv");
      ASSERT_EQ(prob.size(0), 6);
      ASSERT_EQ(rows.size(), ids.size());
      const Tensor want = index_select(full_prob, from_vector<int64_t>(ids, {6}));
      const auto got = prob.to_vector<float>(), expected = want.to_vector<float>();
      for (size_t k = 0; k < got.size(); ++k) {
        EXPECT_NEAR(got[k], expected[k], 1e-5 * (1.0 + std::abs(expected[k]))) << model << " " << file << " " << k;
      }
      for (size_t i = 0; i < ids.size(); ++i) {
        EXPECT_EQ(pred[i], full_pred[static_cast<size_t>(ids[i])]) << model << " " << i;
        EXPECT_EQ(first_field(rows[i]), ids[i]);
        // The CSV row: the full run's row of that node (6 significant digits; equal unless a probability sits on
        // a rounding boundary, which these do not).
        EXPECT_EQ(rows[i], full_csv[static_cast<size_t>(ids[i])]) << model << " " << file;
      }
    }
  }
}

TEST(PredictNodesCli, BadNodeListsAreNamed) {
  const fs::path d = graph_folder();
  const std::string saved = (d / "gcn.safetensors").string();
  ASSERT_EQ(run_loom({"train", "--data", d.string(), "--epochs", "1", "--quiet", "--save", saved}, d).code, 0);
  auto predict_with = [&](const std::string& text) {
    std::ofstream(d / "bad.txt") << text;
    return run_loom({"predict", "--load", saved, "--data", d.string(), "--out", (d / "bad").string(), "--nodes",
                     (d / "bad.txt").string()}, d);
  };
  const auto word = predict_with("3\nseven\n");
  EXPECT_NE(word.code, 0);
  EXPECT_THAT(word.err, HasSubstr("bad.txt:2: expected one node id (an integer) per line, got 'seven'"));
  const auto far = predict_with("3\n150\n");
  EXPECT_NE(far.code, 0);
  EXPECT_THAT(far.err, HasSubstr("node id 150 (node_ids[1]) is outside [0, 150)"));
  const auto missing = run_loom({"predict", "--load", saved, "--data", d.string(), "--out", (d / "bad").string(),
                                 "--nodes", (d / "no-such-file").string()}, d);
  EXPECT_NE(missing.code, 0);
  EXPECT_THAT(missing.err, HasSubstr("cannot open"));
}

}  // namespace
}  // namespace loom
