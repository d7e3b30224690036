// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Data-set folders: cora and the hypergraph folder cocitation-cora from the shared data, a small hand-made folder,
// and corrupted copies (out-of-range ids, missing or inconsistent files) with the errors they must give.
#include <gmock/gmock.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "loom/data/dataset.h"
#include "loom/data/npy.h"
#include "support/testing.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

using testing::temp_dir;

std::string shared(const std::string& name) { return data::find_dataset(name, testing::data_dir()); }

// A temporary copy of a shared folder that a test may corrupt (never written back into the shared data).
fs::path copy_of(const std::string& name) {
  const fs::path d = temp_dir() / name;
  fs::copy(shared(name), d, fs::copy_options::recursive);
  return d;
}

TEST(Dataset, CoraShapesCountsAndSplits) {
  LOOM_REQUIRE_DATASET("cora");
  data::NodeDataset ds = data::load_node_dataset(shared("cora"));
  EXPECT_EQ(ds.name, "cora");
  EXPECT_EQ(ds.x.dtype(), kFloat32);
  EXPECT_EQ(ds.x.shape(), (Shape{2708, 1433}));
  EXPECT_EQ(ds.edge_index.dtype(), kInt64);
  EXPECT_EQ(ds.edge_index.shape(), (Shape{2, 10556}));
  EXPECT_EQ(ds.y.shape(), (Shape{2708}));
  EXPECT_EQ(ds.num_classes, 7);
  EXPECT_EQ(ds.train_idx.numel(), 140);
  EXPECT_EQ(ds.val_idx.numel(), 500);
  EXPECT_EQ(ds.test_idx.numel(), 1000);
  EXPECT_FALSE(ds.hyperedge_index.defined());
  // Features are binary with 49216 ones.
  int64_t nnz = 0;
  for (float v : ds.x.to_vector<float>()) {
    ASSERT_TRUE(v == 0.f || v == 1.f) << v;
    nnz += v != 0.f;
  }
  EXPECT_EQ(nnz, 49216);
  // Planetoid's public split: train = nodes 0..139, val = 140..639.
  const auto train = ds.train_idx.to_vector<int64_t>(), val = ds.val_idx.to_vector<int64_t>();
  EXPECT_EQ(train.front(), 0);
  EXPECT_EQ(train.back(), 139);
  EXPECT_EQ(val.front(), 140);
  EXPECT_EQ(val.back(), 639);
  // Both directions of every edge are stored.
  const auto e = ds.edge_index.to_vector<int64_t>();
  std::set<std::pair<int64_t, int64_t>> pairs;
  for (size_t k = 0; k < 10556; ++k) pairs.insert({e[k], e[10556 + k]});
  EXPECT_EQ(pairs.size(), 10556u);
  for (const auto& [a, b] : pairs) ASSERT_TRUE(pairs.count({b, a})) << a << " -> " << b;
  // Class balance of the training split: 20 per class.
  std::vector<int> per_class(7, 0);
  const auto y = ds.y.to_vector<int64_t>();
  for (int64_t i : train) ++per_class[static_cast<size_t>(y[static_cast<size_t>(i)])];
  EXPECT_EQ(per_class, std::vector<int>(7, 20));
}

TEST(Dataset, CocitationCoraHypergraphAndTenSplits) {
  LOOM_REQUIRE_DATASET("cocitation-cora");
  const std::string dir = shared("cocitation-cora");
  for (int k = 0; k < 10; ++k) {
    data::NodeDataset ds = data::load_node_dataset(dir, k);
    EXPECT_EQ(ds.name, "cocitation-cora");
    EXPECT_EQ(ds.x.shape(), (Shape{2708, 1433}));
    ASSERT_TRUE(ds.hyperedge_index.defined());
    EXPECT_EQ(ds.hyperedge_index.shape(), (Shape{2, 4786}));
    EXPECT_EQ(ds.edge_index.shape(), (Shape{2, 0}));
    EXPECT_EQ(ds.num_classes, 7);
    EXPECT_EQ(ds.train_idx.numel(), 140) << "split " << k;
    EXPECT_EQ(ds.test_idx.numel(), 2568) << "split " << k;
    EXPECT_EQ(ds.val_idx.numel(), 0);
    EXPECT_EQ(ds.val_idx.dtype(), kInt64);
  }
  // The default split is splits/0; the hyperedge ids span 0..1578.
  data::NodeDataset d0 = data::load_node_dataset(dir);
  EXPECT_EQ(d0.train_idx.to_vector<int64_t>(), data::load_node_dataset(dir, 0).train_idx.to_vector<int64_t>());
  EXPECT_NE(d0.train_idx.to_vector<int64_t>(), data::load_node_dataset(dir, 1).train_idx.to_vector<int64_t>());
  const auto h = d0.hyperedge_index.to_vector<int64_t>();
  EXPECT_EQ(*std::max_element(h.begin() + 4786, h.end()), 1578);
  EXPECT_THAT([&] { data::load_node_dataset(dir, 10); },
              ThrowsMessage<ValueError>(HasSubstr("split 10 not found")));
  EXPECT_THAT([&] { data::load_node_dataset(dir, 10); },
              ThrowsMessage<ValueError>(HasSubstr("splits present: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9")));
}

TEST(Dataset, CoauthorshipCora) {
  LOOM_REQUIRE_DATASET("coauthorship-cora");
  data::NodeDataset ds = data::load_node_dataset(shared("coauthorship-cora"), 3);
  EXPECT_EQ(ds.hyperedge_index.shape(), (Shape{2, 4585}));
  EXPECT_EQ(ds.train_idx.numel() + ds.test_idx.numel(), 2708);
}

TEST(Dataset, CorruptedEdgeIdNamesFileAndPosition) {
  LOOM_REQUIRE_DATASET("cora");
  const fs::path d = copy_of("cora");
  Tensor e = data::read_npy((d / "edge_index.npy").string());
  e.data<int64_t>()[10556 + 5] = 2708;  // row 1, column 5
  data::write_npy((d / "edge_index.npy").string(), e);
  EXPECT_THAT([&] { data::load_node_dataset(d.string()); },
              ThrowsMessage<IndexError>(
                  HasSubstr("edge_index.npy position (1, 5) holds node id 2708, out of range [0, 2708)")));
  e.data<int64_t>()[10556 + 5] = 0;
  e.data<int64_t>()[3] = -1;
  data::write_npy((d / "edge_index.npy").string(), e);
  EXPECT_THAT([&] { data::load_node_dataset(d.string()); },
              ThrowsMessage<IndexError>(HasSubstr("edge_index.npy position (0, 3) holds node id -1")));
}

TEST(Dataset, CorruptedFolderMissingAndInconsistentFiles) {
  LOOM_REQUIRE_DATASET("cora");
  const fs::path d = copy_of("cora");
  const std::string dir = d.string();
  const Tensor y = data::read_npy((d / "y.npy").string());

  fs::remove(d / "y.npy");
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ThrowsMessage<FormatError>(HasSubstr("missing file " + (d / "y.npy").string())));

  data::write_npy((d / "y.npy").string(), y.narrow_rows(0, 2700));
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ThrowsMessage<ShapeError>(HasSubstr("y.npy has 2700 labels but the features have 2708 rows")));

  Tensor bad_y = y.clone();
  bad_y.data<int64_t>()[42] = 7;
  data::write_npy((d / "y.npy").string(), bad_y);
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ThrowsMessage<IndexError>(HasSubstr("y.npy position 42 holds class id 7, out of range [0, 7)")));
  data::write_npy((d / "y.npy").string(), y.to(kFloat32));
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ThrowsMessage<FormatError>(HasSubstr("y.npy must hold integers, got float32")));
  data::write_npy((d / "y.npy").string(), y);

  Tensor train = data::read_npy((d / "train_idx.npy").string());
  Tensor bad_train = train.clone();
  bad_train.data<int64_t>()[3] = 5000;
  data::write_npy((d / "train_idx.npy").string(), bad_train);
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ThrowsMessage<IndexError>(HasSubstr("train_idx.npy position 3 holds node id 5000")));
  bad_train.data<int64_t>()[3] = 140;  // also in val_idx
  data::write_npy((d / "train_idx.npy").string(), bad_train);
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ThrowsMessage<FormatError>(HasSubstr("node 140 appears twice in the split")));
  fs::remove(d / "train_idx.npy");
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ThrowsMessage<FormatError>(HasSubstr("missing file " + (d / "train_idx.npy").string())));
  data::write_npy((d / "train_idx.npy").string(), train);

  fs::remove(d / "edge_index.npy");
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ThrowsMessage<FormatError>(HasSubstr("missing file " + (d / "edge_index.npy").string())));
  data::write_npy((d / "edge_index.npy").string(), zeros({3, 4}, kInt64));
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ThrowsMessage<FormatError>(HasSubstr("edge_index.npy must have shape [2, n], got [3, 4]")));
  data::write_npy((d / "edge_index.npy").string(), zeros({2, 4}, kInt64));
  EXPECT_EQ(data::load_node_dataset(dir).num_edges(), 4);

  std::ofstream(d / "meta.json") << "{\"name\": \"cora\", \"counts\": {\"nodes\": 2700}}";
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ThrowsMessage<ShapeError>(HasSubstr("meta.json counts.nodes = 2700 but the rows of the features number 2708")));
  std::ofstream(d / "meta.json") << "{\"name\": \"cora\", ";
  EXPECT_THAT([&] { data::load_node_dataset(dir); }, ThrowsMessage<FormatError>(HasSubstr("is not valid JSON")));

  fs::remove(d / "meta.json");
  std::ofstream(d / "features.mtx") << "%%MatrixMarket matrix coordinate real general\n2708 1433 2\n1 1 1\n";
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ThrowsMessage<FormatError>(HasSubstr("declares 2 entries but the file has 1")));
  fs::remove(d / "features.mtx");
  EXPECT_THAT([&] { data::load_node_dataset(dir); },
              ThrowsMessage<FormatError>(HasSubstr("missing file " + (d / "features.mtx").string())));
}

TEST(Dataset, HandMadeFolderWithoutMeta) {
  // x.npy in float64, int32 edges, no meta.json, no val split: conversions and defaults.
  const fs::path d = temp_dir() / "tiny";
  fs::create_directories(d);
  data::write_npy((d / "x.npy").string(), testing::random_tensor({4, 3}, 7));
  data::write_npy((d / "edge_index.npy").string(), from_vector<int32_t>({0, 1, 1, 0, 2, 3, 3, 2}, {2, 4}));
  data::write_npy((d / "y.npy").string(), from_vector<int64_t>({0, 2, 1, 2}));
  data::write_npy((d / "train_idx.npy").string(), from_vector<int64_t>({0, 1}));
  data::write_npy((d / "test_idx.npy").string(), from_vector<int64_t>({2, 3}));
  data::NodeDataset ds = data::load_node_dataset(d.string() + "/");
  EXPECT_EQ(ds.name, "tiny");
  EXPECT_EQ(ds.x.dtype(), kFloat32);
  EXPECT_EQ(ds.edge_index.dtype(), kInt64);
  EXPECT_EQ(ds.edge_index.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 1, 0, 2, 3, 3, 2}));
  EXPECT_EQ(ds.num_classes, 3);  // max label + 1 without meta.json
  EXPECT_EQ(ds.val_idx.numel(), 0);
  EXPECT_EQ(ds.num_nodes(), 4);
  EXPECT_EQ(ds.num_features(), 3);
  EXPECT_THAT([&] { data::load_node_dataset(d.string(), 0); },
              ThrowsMessage<ValueError>(HasSubstr("split 0 not found: no folder")));
  EXPECT_THAT([&] { data::load_node_dataset((d / "nope").string()); },
              ThrowsMessage<FormatError>(HasSubstr("not a directory")));
}

TEST(Dataset, FindAndResolve) {
  const fs::path root = temp_dir();
  fs::create_directories(root / "alpha");
  std::ofstream(root / "alpha" / "meta.json") << "{}";
  fs::create_directories(root / "no-meta");
  EXPECT_EQ(data::find_dataset("alpha", root.string()), (root / "alpha").string());
  EXPECT_EQ(data::list_datasets(root.string()), std::vector<std::string>{"alpha"});
  EXPECT_THAT([&] { data::find_dataset("beta", root.string()); },
              ThrowsMessage<ValueError>(HasSubstr("no data set 'beta' under '" + root.string() + "' (found: alpha")));

  const char* old = std::getenv("LOOM_DATA");
  const std::string saved = old ? old : "";
  setenv("LOOM_DATA", root.c_str(), 1);
  EXPECT_EQ(data::resolve_data_dir(), root.string());
  EXPECT_EQ(data::find_dataset("alpha"), (root / "alpha").string());
  unsetenv("LOOM_DATA");
  EXPECT_EQ(data::resolve_data_dir(), "../shared/data");
  if (old) setenv("LOOM_DATA", saved.c_str(), 1);
}

TEST(SubsetNodes, RenumbersNodesEdgesHyperedgesAndSplits) {
  data::NodeDataset d;
  d.name = "toy";
  d.num_classes = 2;
  d.x = from_vector<float>({0, 1, 2, 3, 4, 5}, {6, 1});
  d.y = from_vector<int64_t>({0, 1, 0, 1, 0, 1}, {6});
  d.edge_index = from_vector<int64_t>({0, 1, 2, 4, 5, 1, 2, 3, 5, 0}, {2, 5});  // 0->1 1->2 2->3 4->5 5->0
  // hyperedges: e0 = {0, 3}, e1 = {3}, e2 = {1, 2, 5}
  d.hyperedge_index = from_vector<int64_t>({0, 3, 3, 1, 2, 5, 0, 0, 1, 2, 2, 2}, {2, 6});
  d.train_idx = from_vector<int64_t>({0, 1}, {2});
  d.val_idx = from_vector<int64_t>({2}, {1});
  d.test_idx = from_vector<int64_t>({3, 4, 5}, {3});
  const data::NodeDataset s = data::subset_nodes(d, from_vector<int64_t>({0, 1, 2, 5}, {4}));  // drops 3 and 4
  EXPECT_EQ(s.x.to_vector<float>(), (std::vector<float>{0, 1, 2, 5}));
  EXPECT_EQ(s.y.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 0, 1}));
  // 0->1, 1->2 and 5->0 survive (as 0->1, 1->2, 3->0); 2->3 and 4->5 lose an end.
  EXPECT_EQ(s.edge_index.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 3, 1, 2, 0}));
  // e0 keeps vertex 0; e1 (only vertex 3) is dropped; e2 becomes hyperedge 1 = {1, 2, 3}.
  EXPECT_EQ(s.hyperedge_index.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3, 0, 1, 1, 1}));
  EXPECT_EQ(s.train_idx.to_vector<int64_t>(), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(s.val_idx.to_vector<int64_t>(), (std::vector<int64_t>{2}));
  EXPECT_EQ(s.test_idx.to_vector<int64_t>(), (std::vector<int64_t>{3}));
  EXPECT_THROW(data::subset_nodes(d, from_vector<int64_t>({0, 6}, {2})), IndexError);
  EXPECT_THROW(data::subset_nodes(d, from_vector<int64_t>({2, 1}, {2})), ValueError);
}

}  // namespace
}  // namespace loom
