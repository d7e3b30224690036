// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train --reorder` as a user runs it: every order reports the accuracies of --reorder none (dropout off, so
// no random draw follows storage order) on the generated graph, with the folder's split and with a random split
// drawn in the data's own ids, for a graph model and a hypergraph model; a model saved by a reordered run predicts,
// through `loom predict` on the folder in its own ids, what the --reorder none model predicts; the JSON names the
// order; bad uses are refused with the flag named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "loom/core/ops.h"
#include "loom/data/npy.h"
#include "support/cli.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using testing::run_loom;

// The numbers of `"key":[a,b,...]` in the JSON line.
std::vector<double> array_of(const std::string& out, const std::string& key) {
  const size_t at = out.find("\"" + key + "\":[");
  EXPECT_NE(at, std::string::npos) << key << " missing in " << out;
  if (at == std::string::npos) return {};
  const size_t begin = out.find('[', at) + 1, end = out.find(']', begin);
  std::vector<double> v;
  std::stringstream in(out.substr(begin, end - begin));
  for (std::string item; std::getline(in, item, ',');) v.push_back(std::stod(item));
  return v;
}

std::vector<double> test_accs(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"train", "--nodes", "600", "--epochs", "30", "--dropout", "0", "--seeds", "2",
                                "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_loom(args, testing::temp_dir());
  EXPECT_EQ(r.code, 0) << r.err;
  return array_of(r.out, "test_accs");
}

TEST(ReorderCli, EveryOrderReportsTheAccuraciesOfNone) {
  for (const std::vector<std::string>& setting :
       {std::vector<std::string>{"--model", "gcn"}, std::vector<std::string>{"--model", "sage", "--split", "random:0.5,0.25"},
        std::vector<std::string>{"--model", "hgnn"}}) {
    SCOPED_TRACE(setting[1]);
    const std::vector<double> want = test_accs(setting);
    ASSERT_EQ(want.size(), 2u);
    for (const char* order : {"degree", "rcm", "metis"}) {
      SCOPED_TRACE(order);
      std::vector<std::string> args = setting;
      args.insert(args.end(), {"--reorder", order});
      const std::vector<double> got = test_accs(args);
      ASSERT_EQ(got.size(), 2u);
      // Only float32 rounding differs (each row's sum runs in another order): at most one of the 260 test nodes
      // may change its prediction at a near tie.
      for (size_t i = 0; i < 2; ++i) EXPECT_NEAR(got[i], want[i], 1.0 / 260 + 1e-9);
    }
  }
}

// A node-classification folder: a random graph (hub, isolated nodes, self loops, duplicates) whose labels follow
// its features, so the models learn something and their predictions are not all one class.
std::filesystem::path graph_folder() {
  const std::filesystem::path d = testing::temp_dir() / "reorder_cli";
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  const int64_t n = 300;
  const testing::RandomGraph g = testing::random_graph(41, n, n, 3);
  const int64_t e = g.num_edges();
  data::write_npy((d / "edge_index.npy").string(), concat({g.src.view({1, e}), g.dst.view({1, e})}, 0));
  const Tensor x = testing::random_values({n, 8}, 42, 0.0, 1.0, kFloat32);
  data::write_npy((d / "x.npy").string(), x);
  const std::vector<float> xv = x.to_vector<float>();
  std::vector<int64_t> y, train, val, test;
  for (int64_t v = 0; v < n; ++v) {
    y.push_back(xv[v * 8] > 0.5f ? (xv[v * 8 + 1] > 0.5f ? 2 : 1) : 0);
    (v % 5 < 2 ? train : v % 5 == 2 ? val : test).push_back(v);
  }
  const auto ids = [](const std::vector<int64_t>& v) { return from_vector<int64_t>(v, {static_cast<int64_t>(v.size())}); };
  data::write_npy((d / "y.npy").string(), ids(y));
  data::write_npy((d / "train_idx.npy").string(), ids(train));
  data::write_npy((d / "val_idx.npy").string(), ids(val));
  data::write_npy((d / "test_idx.npy").string(), ids(test));
  return d;
}

TEST(ReorderCli, ASavedModelPredictsInTheDataIdsWhatNonesPredicts) {
  const std::filesystem::path d = graph_folder();
  // The saved file holds weights only, and loom predict reads the folder in its own ids: a reordered run's model
  // must predict, node for node, what the --reorder none run's model predicts.
  const auto predict = [&](const std::string& model, const std::string& order) {
    const std::string saved = (d / (model + "-" + order + ".safetensors")).string();
    const auto t = run_loom({"train", "--data", d.string(), "--model", model, "--epochs", "100", "--dropout", "0",
                             "--attention-dropout", "0", "--reorder", order, "--quiet", "--save", saved}, d);
    EXPECT_EQ(t.code, 0) << t.err;
    const std::string out = (d / (model + "-" + order)).string();
    const auto p = run_loom({"predict", "--load", saved, "--data", d.string(), "--out", out}, d);
    EXPECT_EQ(p.code, 0) << p.err;
    return data::read_npy(out + ".prob.npy");
  };
  for (const std::string model : {"gcn", "gat"}) {
    SCOPED_TRACE(model);
    const Tensor want = predict(model, "none");
    ASSERT_EQ(want.shape(), (Shape{300, 3}));
    const std::vector<int64_t> want_pred = argmax(want, 1).to_vector<int64_t>();
    // The models learned something: not every node gets the same class.
    EXPECT_GT(std::set<int64_t>(want_pred.begin(), want_pred.end()).size(), 1u);
    for (const std::string order : {"degree", "rcm", "metis"}) {
      SCOPED_TRACE(order);
      const Tensor got = predict(model, order);
      ASSERT_EQ(got.shape(), want.shape());
      // Only the order of each row's sums differs: 6e-8 to 9e-8 measured after 100 epochs.
      EXPECT_LT(max_abs_diff(got, want), 1e-4);
      EXPECT_EQ(argmax(got, 1).to_vector<int64_t>(), want_pred);
    }
  }
}

TEST(ReorderCli, TheResultNamesTheOrderAndBadUsesAreRefused) {
  const auto dir = testing::temp_dir();
  const auto ok = run_loom({"train", "--nodes", "200", "--epochs", "2", "--reorder", "rcm"}, dir);
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("\"reorder\":{\"order\":\"rcm\",\"order_seconds\":"));
  EXPECT_THAT(ok.err, HasSubstr("reorder: rcm: "));
  const auto bad = run_loom({"train", "--nodes", "200", "--epochs", "1", "--reorder", "bfs"}, dir);
  EXPECT_NE(bad.code, 0);
  EXPECT_THAT(bad.err, HasSubstr("--reorder"));
  EXPECT_THAT(bad.err, HasSubstr("none,degree,rcm,metis"));
  const auto link = run_loom({"train", "--task", "link", "--nodes", "200", "--epochs", "1", "--reorder", "rcm"}, dir);
  EXPECT_NE(link.code, 0);
  EXPECT_THAT(link.err, HasSubstr("--reorder rcm reorders the graph of --task node (graph and hypergraph models); "
                                  "--task link keeps the data's order"));
  // The other paths would ignore the order, so they refuse it.
  for (const auto& [flags, named] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--model", "magnn"}, "--model magnn keeps the data's order"},
           {{"--model", "han"}, "--model han keeps the data's order"},
           {{"--parts", "2"}, "--parts keeps the data's order"},
           {{"--fanouts", "5,5", "--data-parallel", "2"}, "--data-parallel keeps the data's order"}}) {
    std::vector<std::string> args{"train", "--nodes", "200", "--epochs", "1", "--reorder", "degree"};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto r = run_loom(args, dir);
    EXPECT_NE(r.code, 0) << named;
    EXPECT_THAT(r.err, HasSubstr("--reorder degree reorders the graph of --task node (graph and hypergraph models); " +
                                 named));
  }
}

}  // namespace
}  // namespace loom
