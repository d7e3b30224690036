// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom import` end to end, run as a user would: small CSV/TSV files written here, imported, read back with the
// library, then trained on with a random split; malformed inputs each named by file and line, all in one run.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>

#include "loom/data/dataset.h"
#include "loom/data/npy.h"
#include "support/cli.h"
#include "support/testing.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::read_file;
using testing::run_loom;

fs::path fresh_dir(const std::string& name) {
  const fs::path d = testing::temp_dir() / ("import_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string write(const fs::path& dir, const std::string& file, const std::string& text) {
  std::ofstream(dir / file, std::ios::binary) << text;
  return (dir / file).string();
}

std::vector<int64_t> ints(const fs::path& file) { return data::read_npy(file.string()).to_vector<int64_t>(); }
std::vector<float> floats(const fs::path& file) { return data::read_npy(file.string()).to_vector<float>(); }

// A ring of `n` nodes plus chords, two classes by parity, two features that carry the class: enough for a GCN to
// train on in a few epochs.
struct RingFiles {
  std::string edges, features, labels;
};
RingFiles ring(const fs::path& d, int n) {
  std::string e = "src,dst\n", x, y = "node,label\n";
  for (int i = 0; i < n; ++i) {
    e += std::to_string(i) + "," + std::to_string((i + 1) % n) + "\n";
    e += std::to_string(i) + "," + std::to_string((i + 2) % n) + "\n";
    x += i % 2 ? "0,1\n" : "1,0\n";
    y += std::to_string(i) + "," + std::to_string(i % 2) + "\n";
  }
  return {write(d, "edges.csv", e), write(d, "x.csv", x), write(d, "labels.csv", y)};
}

TEST(Import, IntegerIdsWeightsUndirectedDenseFeatures) {
  const fs::path d = fresh_dir("integer");
  const std::string e = write(d, "edges.csv", "# weighted\nsrc,dst,w\n0,1,0.5\n1,2,2\r\n2,2,1\n\n3,0,4\n");
  const std::string x = write(d, "x.csv", "1,0,0.25\n0,1,0\n0,0,1\n1,1,1\n");
  const std::string y = write(d, "labels.csv", "3,1\n0,0\n1,2\n2,0\n");
  const fs::path out = d / "out";
  const auto r = run_loom({"import", "--edges", e, "--features", x, "--labels", y, "--undirected", "--out",
                           out.string()}, d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"nodes\":4,\"edges\":7,\"input_edges\":4,\"weighted\":true,\"features\":3,"
                               "\"classes\":3,\"node_ids\":\"integer\""));
  // Each edge then its reverse; the self loop 2-2 once.
  EXPECT_EQ(ints(out / "edge_index.npy"), (std::vector<int64_t>{0, 1, 1, 2, 2, 3, 0,  //
                                                                1, 0, 2, 1, 2, 0, 3}));
  EXPECT_EQ(floats(out / "edge_weight.npy"), (std::vector<float>{0.5f, 0.5f, 2, 2, 1, 4, 4}));
  EXPECT_EQ(ints(out / "y.npy"), (std::vector<int64_t>{0, 2, 0, 1}));
  EXPECT_EQ(floats(out / "x.npy"), (std::vector<float>{1, 0, 0.25f, 0, 1, 0, 0, 0, 1, 1, 1, 1}));
  EXPECT_FALSE(fs::exists(out / "node_ids.csv"));
  const data::NodeDataset ds = data::load_node_dataset(out.string(), data::kNoSplit);
  EXPECT_EQ(ds.num_nodes(), 4);
  EXPECT_EQ(ds.num_classes, 3);
  EXPECT_EQ(ds.name, "out");
  // The folder has no split: the default load names the missing file, as before.
  EXPECT_THROW(data::load_node_dataset(out.string()), FormatError);
}

TEST(Import, ImportedFolderTrainsWithRandomSplitAndNamesTheMissingSplit) {
  const fs::path d = fresh_dir("train");
  const RingFiles f = ring(d, 40);
  const fs::path out = d / "ring";
  const auto r = run_loom({"import", "--edges", f.edges, "--features", f.features, "--labels", f.labels,
                           "--undirected", "--out", out.string()}, d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"nodes\":40,\"edges\":160,"));
  const auto t = run_loom({"train", "--data", out.string(), "--split", "random:0.6,0.2", "--epochs", "3", "--quiet"}, d);
  EXPECT_EQ(t.code, 0) << t.err;
  EXPECT_THAT(t.out, HasSubstr("\"dataset\":\"ring\""));
  EXPECT_THAT(t.out, HasSubstr("\"epochs\":3"));
  const auto no_split = run_loom({"train", "--data", out.string(), "--epochs", "3", "--quiet"}, d);
  EXPECT_EQ(no_split.code, 1);
  EXPECT_THAT(no_split.err, HasSubstr("has no split (no train_idx.npy and no splits/0/): pass --split random:TRAIN,VAL"));
  const auto info = run_loom({"info", out.string()}, d);
  EXPECT_EQ(info.code, 0) << info.out;
  EXPECT_THAT(info.out, HasSubstr("split         none (draw one: loom train --split random:TRAIN,VAL)"));
}

TEST(Import, StringIdsClassNamesSparseFeaturesTsv) {
  const fs::path d = fresh_dir("strings");
  const std::string e = write(d, "edges.tsv", "alice\tbob\nbob\tcarol\ncarol\talice\ndave\tdave\n");
  const std::string x = write(d, "x.tsv", "node\tcolumn\tvalue\ndave\t4\t2.5\nalice\t0\t1\n");
  const std::string y = write(d, "labels.tsv", "carol\tphysics\nalice\tbiology\nbob\tphysics\ndave\tart, modern\n");
  const fs::path out = d / "out";
  const auto r = run_loom({"import", "--edges", e, "--features", x, "--features-format", "sparse", "--labels", y,
                           "--out", out.string(), "--name", "people"}, d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"name\":\"people\""));
  EXPECT_THAT(r.out, HasSubstr("\"nodes\":4,\"edges\":4,\"input_edges\":4,\"weighted\":false,\"features\":5,"
                               "\"classes\":3,\"node_ids\":\"string\",\"class_names\":true"));
  EXPECT_THAT(r.out, HasSubstr("\"files\":[\"x.npy\",\"y.npy\",\"edge_index.npy\",\"node_ids.csv\",\"classes.csv\","
                               "\"meta.json\"]"));
  // Ids in order of first appearance; classes sorted by name (a name with a comma is quoted).
  EXPECT_EQ(read_file(out / "node_ids.csv"), "id,name\n0,alice\n1,bob\n2,carol\n3,dave\n");
  EXPECT_EQ(read_file(out / "classes.csv"), "id,name\n0,\"art, modern\"\n1,biology\n2,physics\n");
  EXPECT_EQ(ints(out / "y.npy"), (std::vector<int64_t>{1, 2, 2, 0}));
  EXPECT_EQ(ints(out / "edge_index.npy"), (std::vector<int64_t>{0, 1, 2, 3, 1, 2, 0, 3}));
  std::vector<float> want(20, 0.0f);
  want[0] = 1, want[3 * 5 + 4] = 2.5f;
  EXPECT_EQ(floats(out / "x.npy"), want);
  EXPECT_EQ(data::load_node_dataset(out.string(), data::kNoSplit).name, "people");
}

TEST(Import, DenseFeaturesWithIdsAndForcedStringIds) {
  const fs::path d = fresh_dir("dense_id");
  const std::string e = write(d, "edges.csv", "10,20\n20,30\n");
  const std::string x = write(d, "x.csv", "id,a,b\n30,3,3\n10,1,1\n20,2,2\n");
  const std::string y = write(d, "y.csv", "10,0\n20,1\n30,0\n");
  const fs::path out = d / "out";
  // Integer ids as they are: 31 nodes, most with no features row: refused, naming the first such node.
  auto r = run_loom({"import", "--edges", e, "--features", x, "--features-format", "dense-id", "--labels", y,
                     "--out", out.string()}, d);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(x + ": no features for node '0' (28 nodes have none; every node needs a row)"));
  EXPECT_THAT(r.err, HasSubstr(y + ": no label for node '0' (28 nodes have none; every node needs a label)"));
  EXPECT_FALSE(fs::exists(out / "meta.json"));
  // As strings: three nodes in order of first appearance.
  r = run_loom({"import", "--edges", e, "--features", x, "--features-format", "dense-id", "--labels", y,
                "--node-ids", "string", "--out", out.string()}, d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(floats(out / "x.npy"), (std::vector<float>{1, 1, 2, 2, 3, 3}));
  EXPECT_EQ(ints(out / "y.npy"), (std::vector<int64_t>{0, 1, 0}));
}

TEST(Import, OutputFolderMustBeEmptyUnlessForced) {
  const fs::path d = fresh_dir("force");
  const RingFiles f = ring(d, 6);
  const fs::path out = d / "out";
  fs::create_directories(out);
  data::write_npy((out / "train_idx.npy").string(), from_vector<int64_t>({0, 1}, {2}));
  const std::vector<std::string> args{"import", "--edges", f.edges, "--labels", f.labels, "--out", out.string()};
  auto r = run_loom(args, d);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(out.string() + ": the folder is not empty"));
  std::vector<std::string> forced = args;
  forced.push_back("--force");
  r = run_loom(forced, d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(fs::exists(out / "train_idx.npy"));  // an earlier split would not match the new data
  // Without --features: one constant feature per node.
  EXPECT_EQ(floats(out / "x.npy"), std::vector<float>(6, 1.0f));
}

TEST(Import, EveryBadInputIsReportedInOneRun) {
  const fs::path d = fresh_dir("bad");
  const std::string e = write(d, "edges.csv", "0,1\n1,2,3\n");
  const std::string y = write(d, "labels.csv", "0,0\n1,x,2\n");
  const fs::path out = d / "out";
  write(d, "out_is_a_file", "");
  const auto r = run_loom({"import", "--edges", e, "--features", (d / "missing.csv").string(), "--labels", y,
                           "--out", (d / "out_is_a_file").string()}, d);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("import: 4 problems:"));
  EXPECT_THAT(r.err, HasSubstr("\n  " + e + ":2: expected 2 fields (as on line 1), got 3"));
  EXPECT_THAT(r.err, HasSubstr("\n  " + (d / "missing.csv").string() + ": cannot open the file"));
  EXPECT_THAT(r.err, HasSubstr("\n  " + y + ":2: expected 2 fields (as on line 1), got 3"));
  EXPECT_THAT(r.err, HasSubstr("\n  " + (d / "out_is_a_file").string() + ": exists and is not a folder"));
}

TEST(Import, BadValuesNameFileLineAndColumn) {
  const fs::path d = fresh_dir("values");
  const std::string out = (d / "out").string();
  auto import = [&](const std::string& edges, const std::string& labels, const std::string& features,
                    const std::vector<std::string>& more = {}) {
    std::vector<std::string> args{"import", "--edges", write(d, "e.csv", edges), "--labels",
                                  write(d, "y.csv", labels), "--out", out};
    if (!features.empty()) args.insert(args.end(), {"--features", write(d, "x.csv", features)});
    args.insert(args.end(), more.begin(), more.end());
    const auto r = run_loom(args, d);
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_THAT(r.out, Not(HasSubstr("\"nodes\"")));
    return r.err;
  };
  const std::string e = (d / "e.csv").string(), y = (d / "y.csv").string(), x = (d / "x.csv").string();
  EXPECT_THAT(import("0,1,0.5\n1,0,nan\n", "0,0\n1,1\n", ""), HasSubstr(e + ":2: column 3: 'nan' is not finite"));
  EXPECT_THAT(import("0,1,0.5\n1,0,heavy\n", "0,0\n1,1\n", ""), HasSubstr(e + ":2: column 3: 'heavy' is not a number"));
  EXPECT_THAT(import("0,1,0.5\n1,0,1e300\n", "0,0\n1,1\n", ""),
              HasSubstr(e + ":2: column 3: '1e300' is out of range for float32 (|x| < 3.4e38)"));
  EXPECT_THAT(import("0,1\n1,0\n", "0,0\n1,1\n", "1,2\n3,-1e39\n"),
              HasSubstr(x + ":2: column 2: '-1e39' is out of range for float32"));
  EXPECT_THAT(import("0,1\n1,-4\n", "0,0\n1,1\n", "", {"--node-ids", "integer"}),
              HasSubstr(e + ":2: column 2: node id -4 is negative"));
  EXPECT_THAT(import("0,1\n1,a\n", "0,0\n1,1\n", "", {"--node-ids", "integer"}),
              HasSubstr(e + ":2: column 2: 'a' is not an integer"));
  EXPECT_THAT(import("0,1\n1,0\n", "0,0\n1,-1\n", ""),
              HasSubstr(y + ":2: column 2: class -1 is negative (classes are integers >= 0 or names)"));
  EXPECT_THAT(import("0,1\n1,0\n", "0,0\n1,1048576\n", ""),
              HasSubstr(y + ":2: column 2: class 1048576 is too large"));
  EXPECT_THAT(import("0,1\n1,0\n", "0,0\n1,1\n0,1\n", ""), HasSubstr(y + ":3: node '0' already has a label on line 1"));
  EXPECT_THAT(import("0,1\n1,0\n", "0,0\n1,1\n", "1,2\n3,inf\n"), HasSubstr(x + ":2: column 2: 'inf' is not finite"));
  EXPECT_THAT(import("0,1\n1,5\n", "0,0\n1,1\n", "1,2\n3,4\n"),
              HasSubstr(e + ":2: column 2: node id 5 but " + x + " has 2 rows (one per node, in node order)"));
  EXPECT_THAT(import("a,b\n", "a,0\nb,1\n", "1\n2\n"),
              HasSubstr(x + ": features in node order need integer node ids"));
  EXPECT_THAT(import("0,1\n", "0,0\n1,1\n", "0,0,1\n0,0,2\n", {"--features-format", "sparse"}),
              HasSubstr(x + ":2: column 2: node '0' column 0 already has a value (a duplicate entry)"));
  EXPECT_THAT(import("# only a comment\n", "0,0\n", ""), HasSubstr(e + ": no rows (expected src,dst or src,dst,weight)"));
  EXPECT_THAT(import("0,1,2,3\n", "0,0\n", ""), HasSubstr(e + ":1: expected src,dst or src,dst,weight, got 4 fields"));
  // An all-text file's header is not detected: the node it makes is named, with the fix.
  EXPECT_THAT(import("a,b\n", "node,class\na,x\nb,y\n", ""),
              HasSubstr(y + ":1: node 'node' appears nowhere else: if this line is a header, pass --header yes; if "
                        "it is data, --header no"));
  EXPECT_THAT(import("src,dst\na,b\n", "a,x\nb,y\n", ""),
              HasSubstr(e + ":1: node 'src' appears nowhere else: if this line is a header"));
  EXPECT_FALSE(fs::exists(out));
  // A header seen from its number column is no suspect; --header no keeps an all-text first row as data.
  const auto ok = run_loom({"import", "--edges", write(d, "e.csv", "a,b\n"), "--labels", write(d, "y.csv", "a,x\nb,y\n"),
                            "--features", write(d, "x.csv", "node,f\na,2\nb,3\n"), "--features-format", "dense-id",
                            "--out", out}, d);
  EXPECT_EQ(ok.code, 0) << ok.err;
  const auto kept = run_loom({"import", "--edges", write(d, "e.csv", "a,b\n"),
                              "--labels", write(d, "y.csv", "lonely,z\na,x\nb,y\n"), "--header", "no", "--force",
                              "--out", out}, d);
  EXPECT_EQ(kept.code, 0) << kept.err;
  EXPECT_THAT(kept.out, HasSubstr("\"nodes\":3,"));
}

TEST(Import, FolderMissingSeveralFilesReportsAllOfThem) {
  const fs::path d = fresh_dir("folder");
  data::write_npy((d / "edge_index.npy").string(), from_vector<int64_t>({0, 1, 1, 0}, {2, 2}));
  data::write_npy((d / "train_idx.npy").string(), from_vector<int64_t>({0}, {1}));
  const std::string dir = d.string();
  try {
    data::load_node_dataset(dir);
    FAIL() << "loaded a folder without features, labels or test split";
  } catch (const FormatError& err) {
    const std::string m = err.what();
    EXPECT_THAT(m, HasSubstr("load_node_dataset(\"" + dir + "\"): 3 problems:\n"));
    EXPECT_THAT(m, HasSubstr("\n  missing file " + (d / "features.mtx").string()));
    EXPECT_THAT(m, HasSubstr("\n  missing file " + (d / "y.npy").string()));
    EXPECT_THAT(m, HasSubstr("\n  missing file " + (d / "test_idx.npy").string()));
  }
  // One problem alone keeps its own type and text.
  data::write_npy((d / "x.npy").string(), from_vector<float>({1, 2}, {2, 1}));
  data::write_npy((d / "test_idx.npy").string(), from_vector<int64_t>({1}, {1}));
  data::write_npy((d / "y.npy").string(), from_vector<int64_t>({0, 1, 1}, {3}));
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ::testing::ThrowsMessage<ShapeError>(HasSubstr("y.npy has 3 labels but the features have 2 rows")));
  data::write_npy((d / "y.npy").string(), from_vector<int64_t>({0, 1}, {2}));
  EXPECT_EQ(data::load_node_dataset(dir).num_nodes(), 2);
}

}  // namespace
}  // namespace loom
