// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train --reorder` as a user runs it: every order reports the accuracies of --reorder none (dropout off, so
// no random draw follows storage order) on the generated graph, with the folder's split and with a random split
// drawn in the data's own ids, for a graph model and a hypergraph model; the JSON names the order; bad uses are
// refused with the flag named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "support/cli.h"
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
}

}  // namespace
}  // namespace loom
