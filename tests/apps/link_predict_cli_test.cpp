// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train --task link --save` and `loom predict --pairs` through the real binary: the saved file is the training
// run's kept model (its test AUC recomputed from the file equals the one training reported), the CLI's scores are
// that model's probabilities bit for bit (text and .npy pair lists, CSV on stdout and files), and bad pair lists
// are named by file and line.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loom/core/ops.h"
#include "loom/data/npy.h"
#include "loom/graph/link.h"
#include "loom/models/link_metrics.h"
#include "loom/models/link_task.h"
#include "support/cli.h"
#include "support/testing.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::run_loom;

// Two communities of 40 nodes, dense inside, a few links across; non-negative features.
struct Folder {
  fs::path dir;
  Tensor x, edge_index;
};

Folder link_folder() {
  Folder f{testing::temp_dir() / "link_predict_cli", {}, {}};
  fs::remove_all(f.dir);
  fs::create_directories(f.dir);
  const int64_t n = 80;
  std::vector<int64_t> src, dst;
  for (int64_t u = 0; u < n; ++u)
    for (int64_t v = u + 1; v < n; ++v)
      if ((u < 40) == (v < 40) ? (u * 7 + v * 3) % 4 == 0 : (u + v) % 37 == 0) {
        src.insert(src.end(), {u, v});
        dst.insert(dst.end(), {v, u});
      }
  src.insert(src.end(), dst.begin(), dst.end());
  f.edge_index = from_vector<int64_t>(src, {2, static_cast<int64_t>(dst.size())});
  f.x = testing::random_values({n, 8}, 5, 0.0, 1.0, kFloat32);
  data::write_npy((f.dir / "edge_index.npy").string(), f.edge_index);
  data::write_npy((f.dir / "x.npy").string(), f.x);
  std::vector<int64_t> y, train, val, test;
  for (int64_t v = 0; v < n; ++v) {
    y.push_back(v < 40);
    (v % 5 < 3 ? train : v % 5 == 3 ? val : test).push_back(v);
  }
  data::write_npy((f.dir / "y.npy").string(), from_vector<int64_t>(y, {n}));
  for (const auto& [name, ids] : {std::pair{"train_idx.npy", train}, {"val_idx.npy", val}, {"test_idx.npy", test}})
    data::write_npy((f.dir / name).string(), from_vector<int64_t>(ids, {static_cast<int64_t>(ids.size())}));
  return f;
}

// The score column of CSV text "src,dst,score" (header first).
std::vector<float> scores_of(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "src,dst,score");
  std::vector<float> s;
  while (std::getline(in, line)) s.push_back(std::stof(line.substr(line.rfind(',') + 1)));
  return s;
}

TEST(LinkPredictCli, SavedModelScoresPairsAsTheTrainingRun) {
  const Folder f = link_folder();
  for (const std::vector<std::string> flags : {std::vector<std::string>{"--model", "vgae", "--decoder", "mlp"},
                                               std::vector<std::string>{"--model", "gae", "--link-loss", "full"}}) {
    const std::string saved = (f.dir / "link.safetensors").string();
    std::vector<std::string> args{"train", "--task", "link", "--data", f.dir.string(), "--epochs", "30", "--seeds",
                                  "2", "--seed", "3", "--quiet", "--save", saved};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto trained = run_loom(args, f.dir);
    ASSERT_EQ(trained.code, 0) << trained.err;
    const auto report = nlohmann::json::parse(trained.out.substr(trained.out.rfind('{', trained.out.find("\"runs\""))));
    // The file holds the seed of the best validation AUC; its test AUC, recomputed from the file, is training's.
    const models::SavedLinkModel s = models::load_link_model(saved);
    nlohmann::json run;
    for (const auto& r : report.at("runs"))
      if (r.at("seed").get<uint64_t>() == s.info.seed) run = r;
    ASSERT_FALSE(run.is_null()) << report.dump();
    for (const auto& r : report.at("runs")) EXPECT_LE(r.at("val_auc").get<double>(), run.at("val_auc").get<double>());
    const graph::Graph full = graph::Graph::from_edge_index(f.edge_index, 80);
    const graph::LinkSplit split = graph::random_link_split(full, 0.05, 0.10, s.info.seed);
    const models::LinkData links = models::link_data(full, split, s.info.seed);
    const Tensor x = f.x;  // link prediction keeps the raw features (GAE's code), as the file records
    EXPECT_EQ(s.info.features, models::FeatureTransform::kNone);
    const graph::Graph g = graph::Graph::from_edge_index(s.info.edge_index, s.info.num_nodes);
    {
      NoGradGuard ng;
      const Tensor z = s.model->encode(g, x).z;
      EXPECT_EQ(models::auc(s.model->decode(z, links.test_links), s.model->decode(z, links.test_negatives)),
                run.at("test_auc").get<double>());
    }
    // The CLI's scores of the test links are the model's probabilities, bit for bit, from text and .npy lists.
    const Tensor pairs = links.test_links;
    const std::vector<float> want = s.model->predict(g, x, pairs).to_vector<float>();
    const std::vector<int64_t> p = pairs.to_vector<int64_t>();
    const size_t k = p.size() / 2;
    {
      std::ofstream txt(f.dir / "pairs.txt");
      txt << "src,dst\n# test links\n";
      for (size_t i = 0; i < k; ++i) txt << p[i] << (i % 2 ? ", " : "\t") << p[k + i] << "\n\n";
    }
    data::write_npy((f.dir / "pairs.npy").string(), transpose(pairs, 0, 1).to(kInt32));  // [k, 2]
    for (const std::string list : {"pairs.txt", "pairs.npy"}) {
      const auto out = run_loom({"predict", "--load", saved, "--data", f.dir.string(), "--pairs",
                                 (f.dir / list).string()}, f.dir);
      ASSERT_EQ(out.code, 0) << out.err;
      EXPECT_EQ(scores_of(out.out), want) << list;
    }
    const auto files = run_loom({"predict", "--load", saved, "--data", f.dir.string(), "--pairs",
                                 (f.dir / "pairs.txt").string(), "--out", (f.dir / "scored").string()}, f.dir);
    ASSERT_EQ(files.code, 0) << files.err;
    EXPECT_THAT(files.out, HasSubstr("\"pairs\":" + std::to_string(k)));
    EXPECT_EQ(data::read_npy((f.dir / "scored.score.npy").string()).to_vector<float>(), want);
    EXPECT_EQ(scores_of(testing::read_file(f.dir / "scored.csv")), want);
  }
}

TEST(LinkPredictCli, BadPairsAndWrongModelsAreNamed) {
  const Folder f = link_folder();
  const std::string saved = (f.dir / "errors.safetensors").string();
  ASSERT_EQ(run_loom({"train", "--task", "link", "--data", f.dir.string(), "--epochs", "2", "--quiet", "--save", saved},
                     f.dir).code, 0);
  auto predict = [&](const std::string& text) {
    std::ofstream(f.dir / "bad.txt") << text;
    return run_loom({"predict", "--load", saved, "--data", f.dir.string(), "--pairs", (f.dir / "bad.txt").string()},
                    f.dir);
  };
  const auto malformed = predict("0,1\n# fine\n2;3\n");
  EXPECT_NE(malformed.code, 0);
  EXPECT_THAT(malformed.err, HasSubstr("bad.txt:3: expected 'src,dst' (two node ids), got '2;3'"));
  EXPECT_THAT(predict("0,1\n1,x\n").err, HasSubstr("bad.txt:2: expected 'src,dst'"));
  EXPECT_THAT(predict("0,1\n\n5,80\n").err, HasSubstr("bad.txt:3: node id 80 (dst) is outside [0, 80)"));
  EXPECT_THAT(predict("-1,2\n").err, HasSubstr("bad.txt:1: node id -1 (src)"));
  data::write_npy((f.dir / "bad.npy").string(), from_vector<int64_t>({0, 1, 2, 3, 4, 5}, {3, 2, 1}));
  EXPECT_THAT(run_loom({"predict", "--load", saved, "--data", f.dir.string(), "--pairs", (f.dir / "bad.npy").string()},
                       f.dir).err,
              HasSubstr("must be [2, k] or [k, 2], got [3, 2, 1]"));
  // A link model without --pairs, and a node model with --pairs.
  EXPECT_THAT(run_loom({"predict", "--load", saved, "--data", f.dir.string(), "--out", (f.dir / "o").string()}, f.dir)
                  .err,
              HasSubstr("is a link prediction model: score node pairs with loom predict --pairs FILE"));
  const std::string node = (f.dir / "node.safetensors").string();
  ASSERT_EQ(run_loom({"train", "--data", f.dir.string(), "--epochs", "2", "--quiet", "--save", node}, f.dir).code, 0);
  std::ofstream(f.dir / "ok.txt") << "0,1\n";
  EXPECT_THAT(run_loom({"predict", "--load", node, "--data", f.dir.string(), "--pairs", (f.dir / "ok.txt").string()},
                       f.dir).err,
              HasSubstr("it is a node model; use loom predict without --pairs"));
}

}  // namespace
}  // namespace loom
