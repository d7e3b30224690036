// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train --model han` as a user runs it, on a tiny heterogeneous folder the test writes (authors, papers,
// venues): a run that reports Macro-F1 and Micro-F1 as JSON, and every bad input ending in an error that names it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "loom/core/tensor.h"
#include "loom/data/npy.h"
#include "support/cli.h"
#include "support/testing.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::run_loom;

// 12 authors of 3 classes, 2 papers each, every paper at its author's class venue; y.npy only when `labels`. In
// root / name (root from testing::temp_dir(), which empties the test's folder on every call: call it once).
fs::path hetero_folder(const fs::path& root, const std::string& name, bool labels = true) {
  const fs::path d = root / name;
  fs::create_directories(d / "nodes" / "author");
  fs::create_directories(d / "edges");
  std::ofstream(d / "meta.json") << R"({"name": "tiny-hetero", "target_node_type": "author",
    "node_types": ["author", "paper", "venue"],
    "counts": {"nodes": {"author": 12, "paper": 24, "venue": 3}, "classes": 3}})";
  std::vector<float> x(12 * 4);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 7) % 5) / 5.0f;
  data::write_npy((d / "nodes" / "author" / "features.npy").string(), from_vector<float>(x, {12, 4}));
  std::vector<int64_t> ap(2 * 24), pv(2 * 24), y(12);
  for (int64_t p = 0; p < 24; ++p) {
    ap[static_cast<size_t>(p)] = p / 2;  // author
    ap[static_cast<size_t>(24 + p)] = p;  // paper
    pv[static_cast<size_t>(p)] = p;
    pv[static_cast<size_t>(24 + p)] = (p / 2) % 3;
  }
  auto rev = [](const std::vector<int64_t>& e) {
    std::vector<int64_t> r(e.begin() + static_cast<long>(e.size() / 2), e.end());
    r.insert(r.end(), e.begin(), e.begin() + static_cast<long>(e.size() / 2));
    return r;
  };
  auto write_edges = [&](const std::string& file, const std::vector<int64_t>& e) {
    data::write_npy((d / "edges" / file).string(), from_vector<int64_t>(e, {2, static_cast<int64_t>(e.size() / 2)}));
  };
  write_edges("author__writes__paper.npy", ap);
  write_edges("paper__written_by__author.npy", rev(ap));
  write_edges("paper__published_in__venue.npy", pv);
  write_edges("venue__publishes__paper.npy", rev(pv));
  for (int64_t a = 0; a < 12; ++a) y[static_cast<size_t>(a)] = a % 3;
  if (labels) data::write_npy((d / "y.npy").string(), from_vector<int64_t>(y, {12}));
  data::write_npy((d / "train_idx.npy").string(), testing::i64({0, 1, 2, 3, 4, 5}));
  data::write_npy((d / "val_idx.npy").string(), testing::i64({6, 7, 8}));
  data::write_npy((d / "test_idx.npy").string(), testing::i64({9, 10, 11}));
  return d;
}

void expect_refused(const testing::CliRun& r, const std::string& what) {
  EXPECT_GT(r.code, 0) << "exit " << r.code << "\n" << r.err;
  EXPECT_THAT(r.err, HasSubstr(what));
}

TEST(HanCli, TrainsAndReportsMacroAndMicroF1) {
  const fs::path d = hetero_folder(testing::temp_dir(), "ok");
  const auto r = run_loom({"train", "--model", "han", "--data", d.string(), "--metapaths", "APA,APVPA", "--epochs",
                           "3", "--seeds", "2", "--quiet"},
                          d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out,
              HasSubstr("\"model\":\"han\",\"dataset\":\"tiny-hetero\",\"split\":\"default\",\"target\":\"author\""));
  EXPECT_THAT(r.out, HasSubstr("\"test_macro_f1_mean\":"));
  EXPECT_THAT(r.out, HasSubstr("\"test_micro_f1_std\":"));
  EXPECT_THAT(r.out, HasSubstr("\"seeds\":2"));
  // Relation lists separated by ';' name the same meta-paths.
  const auto l = run_loom({"train", "--model", "han", "--data", d.string(), "--metapaths",
                           "writes,written_by;writes,published_in,publishes,written_by", "--epochs", "2", "--quiet"},
                          d);
  ASSERT_EQ(l.code, 0) << l.err;
  EXPECT_THAT(l.out, HasSubstr("{\"name\":\"writes,published_in,publishes,written_by\""));
}

TEST(HanCli, BadInputIsNamed) {
  const fs::path root = testing::temp_dir();
  const fs::path d = hetero_folder(root, "bad");
  auto train = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"train", "--model", "han", "--data", d.string(), "--epochs", "1", "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_loom(args, d);
  };
  expect_refused(train({}), "--model han needs --metapaths over the target type 'author'");
  expect_refused(train({"--metapaths", "APXPA"}), "letter 2 'X' is the initial of no node type");
  expect_refused(train({"--metapaths", "writes,written_by;writes,writes"}), "starts at 'author'");
  expect_refused(train({"--metapaths", "APV"}), "meta-path 'APV' runs from 'author' to 'venue'");
  expect_refused(train({"--metapaths", "APA,,APVPA"}), "an empty meta-path");
  expect_refused(train({"--metapaths", "APA", "--task", "link"}), "--model han classifies nodes");
  expect_refused(train({"--metapaths", "APA", "--split", "random:0.5,0.2"}), "not a random one");
  expect_refused(train({"--metapaths", "APA", "--layers", "3"}), "--layers, --jk, --norm");
  const fs::path unlabelled = hetero_folder(root, "unlabelled", false);
  const auto r = run_loom({"train", "--model", "han", "--data", unlabelled.string(), "--metapaths", "APA"}, d);
  expect_refused(r, "the target type 'author' has no labels (y.npy)");
  // A homogeneous folder has no types to build meta-paths from.
  const fs::path plain = root / "plain";
  fs::create_directories(plain);
  data::write_npy((plain / "x.npy").string(), from_vector<float>({1, 0, 0, 1}, {2, 2}));
  data::write_npy((plain / "y.npy").string(), testing::i64({0, 1}));
  data::write_npy((plain / "edge_index.npy").string(), testing::i64({0, 1}).view({2, 1}));
  expect_refused(run_loom({"train", "--model", "han", "--data", plain.string(), "--metapaths", "APA"}, d),
                 "needs a heterogeneous folder");
}

// MAGNN through the same command: instances instead of meta-path graphs, and the flags that belong to one model only.
TEST(HanCli, MagnnTrainsOnInstances) {
  const fs::path d = hetero_folder(testing::temp_dir(), "magnn");
  const auto r = run_loom({"train", "--model", "magnn", "--data", d.string(), "--metapaths", "APA,APVPA", "--epochs",
                           "3", "--instances-per-target", "4", "--hidden", "8", "--heads", "2", "--quiet"},
                          d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"model\":\"magnn\",\"dataset\":\"tiny-hetero\""));
  EXPECT_THAT(r.out, HasSubstr("\"per_target_cap\":4,\"encoder\":\"rotation\""));
  EXPECT_THAT(r.out, HasSubstr("\"test_macro_f1_mean\":"));
  // The ablation's encoder: the same run with the mean of the instance's node vectors.
  const auto mean = run_loom({"train", "--model", "magnn", "--data", d.string(), "--metapaths", "APA", "--epochs", "2",
                              "--instances-per-target", "4", "--hidden", "8", "--heads", "2", "--quiet",
                              "--instance-encoder", "mean"},
                             d);
  ASSERT_EQ(mean.code, 0) << mean.err;
  EXPECT_THAT(mean.out, HasSubstr("\"encoder\":\"mean\""));
  auto train = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"train", "--data", d.string(), "--epochs", "1", "--quiet", "--metapaths", "APA"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_loom(args, d);
  };
  expect_refused(train({"--model", "magnn", "--metapath-topk", "3"}), "--metapath-topk is HAN's");
  expect_refused(train({"--model", "han", "--instances-per-target", "3"}), "--instances-per-target is MAGNN's");
  expect_refused(train({"--model", "han", "--instance-encoder", "mean"}), "--instance-encoder is MAGNN's");
  expect_refused(train({"--model", "magnn", "--normalize-features"}), "--normalize-features: --model magnn");
  expect_refused(train({"--model", "magnn", "--task", "link"}), "--model magnn classifies nodes");
}

// MEOW trains without labels and reports HeCo's probe on the folder's split; its own bad inputs are named.
TEST(HanCli, MeowTrainsSelfSupervisedAndProbes) {
  const fs::path d = hetero_folder(testing::temp_dir(), "meow");
  const auto r = run_loom({"train", "--model", "meow", "--data", d.string(), "--metapaths", "APA,APVPA", "--epochs",
                           "3", "--hidden", "8", "--meow-clusters", "2,3", "--probe-runs", "2", "--seeds", "2"},
                          d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"model\":\"meow\",\"dataset\":\"tiny-hetero\",\"split\":\"default\""));
  EXPECT_THAT(r.out, HasSubstr("\"name\":\"APVPA\",\"full_nnz\":"));
  EXPECT_THAT(r.out, HasSubstr("\"test_macro_f1_mean\":"));
  EXPECT_THAT(r.out, HasSubstr("\"test_auc_mean\":"));
  EXPECT_THAT(r.out, HasSubstr("\"clusters\":[2,3]"));
  EXPECT_THAT(r.err, HasSubstr("meow epoch 1: loss"));  // progress on stderr, not in the JSON
  auto train = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"train", "--data", d.string(), "--epochs", "1", "--quiet", "--model", "meow",
                                  "--meow-clusters", "2", "--probe-runs", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_loom(args, d);
  };
  expect_refused(train({}), "--model meow needs --metapaths");
  expect_refused(train({"--metapaths", "APV"}), "meta-path 'APV' runs from 'author' to 'venue'");
  expect_refused(train({"--metapaths", "APA,APVPA", "--nei-max", "5"}), "--nei-max gives 1 values for 2 meta-paths");
  expect_refused(train({"--metapaths", "APA", "--adj-mask", "x"}), "--adj-mask 'x': 'x' is not a number");
  expect_refused(train({"--metapaths", "APA", "--metapath-topk", "3"}), "MEOW prunes by PathSim");
  expect_refused(train({"--metapaths", "APA", "--split", "random:0.5,0.2"}), "not a random one");
}

TEST(HanCli, MetaHGNIETrainsWithAndWithoutTheContrastiveTerm) {
  const fs::path d = hetero_folder(testing::temp_dir(), "mhg");
  for (const std::string lambda : {"0.1", "0"}) {
    const auto r = run_loom({"train", "--model", "metahgnie", "--data", d.string(), "--metapaths", "APA,APVPA",
                             "--epochs", "3", "--seeds", "2", "--lambda-con", lambda, "--quiet"},
                            d);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out.substr(r.out.rfind("{\"model\"")));
    EXPECT_EQ(j.at("model"), "metahgnie");
    EXPECT_EQ(j.at("seeds"), 2);
    EXPECT_DOUBLE_EQ(j.at("lambda_con").get<double>(), std::stod(lambda));
    const double f1 = j.at("test_macro_f1_mean").get<double>();
    EXPECT_TRUE(f1 >= 0 && f1 <= 1) << f1;
    ASSERT_EQ(j.at("runs").size(), 2u);
    EXPECT_TRUE(j.at("runs")[0].at("fusion_weight").is_number());
    EXPECT_EQ(j.at("metapaths")[1].at("name"), "APVPA");
  }
  // The flag belongs to MetaHGNIE only; and the hyperedges need meta-paths that return to the target type.
  expect_refused(run_loom({"train", "--model", "han", "--data", d.string(), "--metapaths", "APA", "--lambda-con",
                           "0.1", "--epochs", "1", "--quiet"},
                          d),
                 "--lambda-con is MetaHGNIE's");
  expect_refused(run_loom({"train", "--model", "metahgnie", "--data", d.string(), "--metapaths", "APV", "--epochs",
                           "1", "--quiet"},
                          d),
                 "meta-path 'APV' runs from 'author' to 'venue'");
}

}  // namespace
// POGAT trains without labels or meta-paths and reports HeCo's probe (--task node) or held-out author-paper links
// (--task link); flags that do not apply are named.
TEST(HanCli, PogatProbesNodesAndPredictsLinks) {
  const fs::path d = hetero_folder(testing::temp_dir(), "pogat");
  const auto r = run_loom({"train", "--model", "pogat", "--data", d.string(), "--epochs", "2", "--hidden", "8",
                           "--heads", "2", "--batch", "4", "--probe-runs", "2", "--seeds", "2"},
                          d);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out.substr(r.out.rfind("{\"model\"")));
  EXPECT_EQ(j.at("model"), "pogat");
  EXPECT_EQ(j.at("hub"), "paper");
  EXPECT_EQ(j.at("instance_types"), nlohmann::json::array({"venue"}));
  EXPECT_EQ(j.at("seeds"), 2);
  const double f1 = j.at("test_macro_f1_mean").get<double>();
  EXPECT_TRUE(f1 >= 0 && f1 <= 1) << f1;
  EXPECT_THAT(r.err, HasSubstr("pogat epoch 2: loss"));
  const auto l = run_loom({"train", "--model", "pogat", "--task", "link", "--data", d.string(), "--epochs", "2",
                           "--hidden", "8", "--heads", "2", "--batch", "8", "--quiet"},
                          d);
  ASSERT_EQ(l.code, 0) << l.err;
  const auto k = nlohmann::json::parse(l.out.substr(l.out.rfind("{\"model\"")));
  EXPECT_EQ(k.at("relation"), "author__writes__paper");
  EXPECT_EQ(k.at("reverse"), "paper__written_by__author");
  EXPECT_EQ(k.at("held_out"), 2);  // 10% of 24 pairs
  const double auc = k.at("test_auc_mean").get<double>();
  EXPECT_TRUE(auc >= 0 && auc <= 1) << auc;
  auto train = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"train", "--data", d.string(), "--epochs", "1", "--quiet", "--model", "pogat"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_loom(args, d);
  };
  expect_refused(train({"--metapaths", "APA"}), "--model pogat reads ontology subgraphs, not meta-paths");
  expect_refused(train({"--tau", "0.5"}), "are MEOW's and MetaHGNIE's");
  expect_refused(train({"--dropout", "0.5"}), "--dropout do not apply");
  expect_refused(train({"--hidden", "6", "--heads", "4"}), "hidden (6) must be a multiple of heads (4)");
  expect_refused(train({"--task", "graph"}), "not --task graph");
  expect_refused(train({"--task", "link", "--split", "heco-20"}), "--task link holds out its own 10% of links");
  expect_refused(run_loom({"train", "--model", "han", "--data", d.string(), "--metapaths", "APA",
                           "--ontology-instances", "4", "--epochs", "1", "--quiet"},
                          d),
                 "--ontology-instances and --perturb-ratio are POGAT's");
}

}  // namespace loom
