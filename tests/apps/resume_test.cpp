// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The command line as a user runs it. Kill and resume, as a user's crashed run would: `loom train --checkpoint DIR` runs in a child process that is
// killed with SIGKILL mid-run, `--resume` finishes it, and the saved model equals bitwise that of a run that was
// never interrupted; at most one epoch is lost. Then train -> save -> eval -> predict on Cora. The binary under
// test is the real `loom` (LOOM_CLI).
#include <gmock/gmock.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "loom/core/io.h"
#include "loom/data/npy.h"
#include "loom/core/ops.h"
#include "support/cli.h"
#include "support/testing.h"

namespace loom {
namespace {

namespace fs = std::filesystem;

using testing::read_file;
using testing::spawn_loom;
using testing::wait_exit;

// The last "epoch N/" progress line printed so far (0 when none).
int last_epoch_printed(const fs::path& err) {
  static const std::regex re("epoch (\\d+)/");
  int last = 0;
  const std::string text = read_file(err);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) {
    last = std::stoi((*it)[1]);
  }
  return last;
}

TEST(KillAndResume, TheResumedRunEqualsTheUninterruptedOneBitwise) {
  const fs::path dir = testing::temp_dir() / "cli_resume";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const int epochs = 80;
  // GAT (dropout on inputs and attention, so the restored random generator matters) on a generated graph large
  // enough that an epoch takes milliseconds.
  auto args = [&](const std::string& name) {
    return std::vector<std::string>{"train", "--model", "gat", "--nodes", "4000", "--epochs", std::to_string(epochs),
                                    "--seed", "3", "--checkpoint", (dir / ("ck-" + name)).string(), "--save",
                                    (dir / (name + ".safetensors")).string()};
  };
  const pid_t straight = spawn_loom(args("straight"), dir / "straight.out", dir / "straight.err");
  ASSERT_EQ(wait_exit(straight), 0) << read_file(dir / "straight.err");

  const pid_t child = spawn_loom(args("killed"), dir / "killed.out", dir / "killed.err");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (last_epoch_printed(dir / "killed.err") < 30 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  ASSERT_EQ(wait_exit(child), -SIGKILL) << "the child finished before it was killed";
  const int printed = last_epoch_printed(dir / "killed.err");
  ASSERT_LT(printed, epochs);
  EXPECT_FALSE(fs::exists(dir / "killed.safetensors"));

  std::vector<std::string> resume = args("killed");
  resume.push_back("--resume");
  const pid_t resumed = spawn_loom(resume, dir / "resumed.out", dir / "resumed.err");
  ASSERT_EQ(wait_exit(resumed), 0) << read_file(dir / "resumed.err");
  std::smatch m;
  const std::string out = read_file(dir / "resumed.out");
  ASSERT_TRUE(std::regex_search(out, m, std::regex("\"resumed_from\":(\\d+)"))) << out;
  const int resumed_from = std::stoi(m[1]);
  EXPECT_GE(resumed_from, printed - 1) << "more than one epoch was lost";
  EXPECT_LE(resumed_from, printed);

  const NamedTensors a = load_safetensors((dir / "straight.safetensors").string());
  const NamedTensors b = load_safetensors((dir / "killed.safetensors").string());
  ASSERT_EQ(a.keys(), b.keys());
  for (const auto& [name, t] : a) EXPECT_TRUE(allclose(b.at(name), t, 0, 0)) << name;
  // The reported results agree too (same kept epoch, same test accuracy).
  const std::string straight_out = read_file(dir / "straight.out");
  ASSERT_TRUE(std::regex_search(straight_out, m, std::regex("\"test_accs\":\\[[0-9.]+\\]")));
  EXPECT_THAT(out, ::testing::HasSubstr(m.str()));
}

// A checkpoint keeps the model's configuration: resuming with another one (here --hidden, or an aggregation) is an
// error naming the first difference, not a run that silently continues from incompatible weights.
TEST(KillAndResume, ResumingWithAnotherConfigurationNamesTheDifference) {
  const fs::path dir = testing::temp_dir() / "cli_resume_config";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto train = [&](const std::vector<std::string>& extra, const std::string& name) {
    std::vector<std::string> args{"train", "--model", "sage", "--nodes", "200", "--epochs", "2", "--quiet",
                                  "--checkpoint", (dir / "ck").string(), "--resume"};
    args.insert(args.end(), extra.begin(), extra.end());
    const pid_t p = spawn_loom(args, dir / (name + ".out"), dir / (name + ".err"));
    return wait_exit(p);
  };
  ASSERT_EQ(train({"--hidden", "16"}, "first"), 0) << read_file(dir / "first.err");
  EXPECT_EQ(train({"--hidden", "32"}, "hidden"), 1);
  EXPECT_THAT(read_file(dir / "hidden.err"), ::testing::HasSubstr("configured differently: hidden: saved 16, here 32"));
  EXPECT_EQ(train({"--hidden", "16", "--aggr", "max"}, "aggr"), 1);
  EXPECT_THAT(read_file(dir / "aggr.err"), ::testing::HasSubstr("aggr: saved mean, here max"));
  EXPECT_EQ(train({"--hidden", "16"}, "same"), 0) << read_file(dir / "same.err");
}

// What `loom train --save` writes, `loom eval` scores to the same test accuracy and `loom predict` writes out
// for every node, with no model flag repeated.
TEST(SavedModel, TrainEvalPredictOnCora) {
  LOOM_REQUIRE_DATASET("cora");
  const fs::path dir = testing::temp_dir() / "cli_eval";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string cora = testing::data_dir() + "/cora";
  const std::string model = (dir / "sage.safetensors").string();
  ASSERT_EQ(wait_exit(spawn_loom({"train", "--data", cora, "--model", "sage", "--aggr", "max", "--epochs", "30",
                                  "--quiet", "--save", model},
                                 dir / "train.out", dir / "train.err")),
            0)
      << read_file(dir / "train.err");
  std::smatch m;
  const std::string trained = read_file(dir / "train.out");
  ASSERT_TRUE(std::regex_search(trained, m, std::regex("\"test_acc\":([0-9.]+)")));
  const std::string test_acc = m[1];

  ASSERT_EQ(wait_exit(spawn_loom({"eval", "--load", model, "--data", cora}, dir / "eval.out", dir / "eval.err")), 0)
      << read_file(dir / "eval.err");
  const std::string evaluated = read_file(dir / "eval.out");
  EXPECT_THAT(evaluated, ::testing::HasSubstr("\"model\":\"sage\""));
  EXPECT_THAT(evaluated, ::testing::HasSubstr("\"test_acc\":" + test_acc)) << "trained: " << trained;

  const std::string prefix = (dir / "pred").string();
  ASSERT_EQ(wait_exit(spawn_loom({"predict", "--load", model, "--data", cora, "--out", prefix}, dir / "predict.out",
                                 dir / "predict.err")),
            0)
      << read_file(dir / "predict.err");
  const Tensor pred = data::read_npy(prefix + ".pred.npy");
  const Tensor prob = data::read_npy(prefix + ".prob.npy");
  EXPECT_EQ(pred.shape(), (Shape{2708}));
  EXPECT_EQ(prob.shape(), (Shape{2708, 7}));
  EXPECT_TRUE(allclose(sum(prob, 1), full({2708}, 1.0), 1e-5, 1e-5));
  EXPECT_TRUE(allclose(argmax(prob, 1), pred, 0, 0));
  std::ifstream csv(prefix + ".csv");
  std::string header, first;
  std::getline(csv, header);
  std::getline(csv, first);
  EXPECT_EQ(header, "node,pred,p_0,p_1,p_2,p_3,p_4,p_5,p_6");
  EXPECT_EQ(first.rfind("0," + std::to_string(pred.to_vector<int64_t>()[0]) + ",", 0), 0u) << first;

  // A model file that is not there is named.
  EXPECT_EQ(wait_exit(spawn_loom({"eval", "--load", (dir / "none.safetensors").string(), "--data", cora},
                                 dir / "bad.out", dir / "bad.err")),
            1);
  EXPECT_THAT(read_file(dir / "bad.err"), ::testing::HasSubstr("none.safetensors"));
}

}  // namespace
}  // namespace loom
