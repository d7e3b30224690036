// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CSBM generator: sizes, graph invariants (symmetric, no self loops or duplicates), measured homophily, feature
// signal, splits, determinism per seed and option validation.
#include <gmock/gmock.h>

#include <chrono>
#include <cmath>
#include <set>

#include "loom/data/csbm.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

double measured_homophily(const data::NodeDataset& ds) {
  const auto e = ds.edge_index.to_vector<int64_t>();
  const auto y = ds.y.to_vector<int64_t>();
  const size_t m = e.size() / 2;
  size_t same = 0;
  for (size_t k = 0; k < m; ++k) same += y[static_cast<size_t>(e[k])] == y[static_cast<size_t>(e[m + k])];
  return static_cast<double>(same) / static_cast<double>(m);
}

TEST(Csbm, SizesSplitsAndBalancedLabels) {
  data::CsbmOptions o;  // 2000 nodes, 4 classes, degree 10, 64 features
  data::NodeDataset ds = data::make_csbm(o);
  EXPECT_EQ(ds.name, "csbm");
  EXPECT_EQ(ds.num_classes, 4);
  EXPECT_EQ(ds.x.dtype(), kFloat32);
  EXPECT_EQ(ds.x.shape(), (Shape{2000, 64}));
  EXPECT_EQ(ds.y.dtype(), kInt64);
  EXPECT_EQ(ds.y.shape(), (Shape{2000}));
  EXPECT_EQ(ds.edge_index.shape(), (Shape{2, 2 * 10000}));  // 2000 * 10 / 2 undirected edges, both directions
  EXPECT_FALSE(ds.hyperedge_index.defined());
  std::vector<int64_t> count(4, 0);
  const auto y = ds.y.to_vector<int64_t>();
  for (int64_t c : y) ++count[static_cast<size_t>(c)];
  EXPECT_EQ(count, std::vector<int64_t>(4, 500));
  // 20 per class train, 500 val, the rest test; disjoint, covering, ascending.
  EXPECT_EQ(ds.train_idx.numel(), 80);
  EXPECT_EQ(ds.val_idx.numel(), 500);
  EXPECT_EQ(ds.test_idx.numel(), 2000 - 580);
  std::vector<int> seen(2000, 0);
  std::vector<int64_t> train_per_class(4, 0);
  for (const Tensor* t : {&ds.train_idx, &ds.val_idx, &ds.test_idx}) {
    const auto v = t->to_vector<int64_t>();
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
    for (int64_t i : v) ++seen[static_cast<size_t>(i)];
  }
  for (int64_t i : ds.train_idx.to_vector<int64_t>()) ++train_per_class[static_cast<size_t>(y[static_cast<size_t>(i)])];
  EXPECT_EQ(seen, std::vector<int>(2000, 1));
  EXPECT_EQ(train_per_class, std::vector<int64_t>(4, 20));
}

TEST(Csbm, GraphIsSymmetricWithoutSelfLoopsOrDuplicates) {
  data::CsbmOptions o;
  o.num_nodes = 3001;  // classes of unequal size
  o.num_classes = 5;
  o.avg_degree = 7.5;
  data::NodeDataset ds = data::make_csbm(o);
  const auto e = ds.edge_index.to_vector<int64_t>();
  const size_t m = e.size() / 2;
  EXPECT_EQ(m, 2u * static_cast<size_t>(std::llround(3001 * 7.5 / 2)));
  std::set<std::pair<int64_t, int64_t>> pairs;
  std::pair<int64_t, int64_t> prev{-1, -1};
  for (size_t k = 0; k < m; ++k) {
    const std::pair<int64_t, int64_t> p{e[k], e[m + k]};
    ASSERT_NE(p.first, p.second) << "self loop at column " << k;
    ASSERT_GE(p.first, 0);
    ASSERT_LT(p.second, 3001);
    ASSERT_LT(prev, p) << "columns not sorted by (source, target) or duplicated at " << k;
    prev = p;
    pairs.insert(p);
  }
  for (const auto& [a, b] : pairs) ASSERT_TRUE(pairs.count({b, a})) << a << " -> " << b << " has no reverse";
  const auto y = ds.y.to_vector<int64_t>();
  std::vector<int64_t> count(5, 0);
  for (int64_t c : y) ++count[static_cast<size_t>(c)];
  EXPECT_LE(*std::max_element(count.begin(), count.end()) - *std::min_element(count.begin(), count.end()), 1);
}

TEST(Csbm, MeasuredHomophilyMatchesOption) {
  for (double h : {0.0, 0.2, 0.5, 0.8, 0.95}) {
    data::CsbmOptions o;
    o.homophily = h;
    o.seed = 11;
    EXPECT_NEAR(measured_homophily(data::make_csbm(o)), h, 0.05) << "homophily " << h;
  }
  data::CsbmOptions one;
  one.num_classes = 1;
  one.homophily = 1.0;
  one.num_val = 100;
  EXPECT_EQ(measured_homophily(data::make_csbm(one)), 1.0);
}

TEST(Csbm, SameSeedSameGraphDifferentSeedDifferentGraph) {
  data::CsbmOptions o;
  o.seed = 42;
  data::NodeDataset a = data::make_csbm(o), b = data::make_csbm(o);
  EXPECT_EQ(a.edge_index.to_vector<int64_t>(), b.edge_index.to_vector<int64_t>());
  EXPECT_EQ(a.x.to_vector<float>(), b.x.to_vector<float>());
  EXPECT_EQ(a.y.to_vector<int64_t>(), b.y.to_vector<int64_t>());
  EXPECT_EQ(a.train_idx.to_vector<int64_t>(), b.train_idx.to_vector<int64_t>());
  o.seed = 43;
  data::NodeDataset c = data::make_csbm(o);
  EXPECT_NE(a.edge_index.to_vector<int64_t>(), c.edge_index.to_vector<int64_t>());
  EXPECT_NE(a.x.to_vector<float>(), c.x.to_vector<float>());
  EXPECT_NE(a.y.to_vector<int64_t>(), c.y.to_vector<int64_t>());
}

// Pairwise distances between empirical class means, with the sampling noise F (1/n_a + 1/n_b) removed from the
// squared distance, must be about `signal`; the within-class noise must have unit variance.
TEST(Csbm, ClassMeansSeparatedBySignal) {
  for (double signal : {0.0, 1.0, 3.0}) {
    data::CsbmOptions o;
    o.num_nodes = 8000;
    o.num_classes = 4;
    o.num_features = 16;
    o.signal = signal;
    o.seed = 5;
    data::NodeDataset ds = data::make_csbm(o);
    const auto x = ds.x.to_vector<float>();
    const auto y = ds.y.to_vector<int64_t>();
    const int64_t f = 16;
    std::vector<double> mean(4 * f, 0.0), count(4, 0.0);
    for (int64_t i = 0; i < 8000; ++i) {
      count[static_cast<size_t>(y[i])] += 1;
      for (int64_t j = 0; j < f; ++j) mean[static_cast<size_t>(y[i] * f + j)] += x[static_cast<size_t>(i * f + j)];
    }
    for (int64_t c = 0; c < 4; ++c)
      for (int64_t j = 0; j < f; ++j) mean[static_cast<size_t>(c * f + j)] /= count[static_cast<size_t>(c)];
    for (int a = 0; a < 4; ++a) {
      for (int b = a + 1; b < 4; ++b) {
        double d2 = 0;
        for (int64_t j = 0; j < f; ++j) {
          const double d = mean[static_cast<size_t>(a * f + j)] - mean[static_cast<size_t>(b * f + j)];
          d2 += d * d;
        }
        d2 -= static_cast<double>(f) * (1 / count[static_cast<size_t>(a)] + 1 / count[static_cast<size_t>(b)]);
        EXPECT_NEAR(std::sqrt(std::max(d2, 0.0)), signal, 0.12) << "classes " << a << ", " << b;
      }
    }
    double var = 0;
    for (int64_t i = 0; i < 8000; ++i)
      for (int64_t j = 0; j < f; ++j) {
        const double d = x[static_cast<size_t>(i * f + j)] - mean[static_cast<size_t>(y[i] * f + j)];
        var += d * d;
      }
    EXPECT_NEAR(var / (8000.0 * f), 1.0, 0.03);
  }
}

TEST(Csbm, FractionSplits) {
  data::CsbmOptions o;
  o.num_nodes = 1000;
  o.train_fraction = 0.6;
  o.val_fraction = 0.2;
  data::NodeDataset ds = data::make_csbm(o);
  EXPECT_EQ(ds.train_idx.numel(), 600);
  EXPECT_EQ(ds.val_idx.numel(), 200);
  EXPECT_EQ(ds.test_idx.numel(), 200);
}

TEST(Csbm, MillionNodesWithoutQuadraticWork) {
  data::CsbmOptions o;
  o.num_nodes = 1000000;
  o.num_features = 8;
  o.num_classes = 8;
  const auto t0 = std::chrono::steady_clock::now();
  data::NodeDataset ds = data::make_csbm(o);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(ds.edge_index.size(1), 10000000);
  EXPECT_NEAR(measured_homophily(ds), 0.8, 0.01);
  // Generous: a quadratic pass over 10^12 pairs would take hours.
  EXPECT_LT(s, 60.0) << "make_csbm took " << s << " s for 1M nodes";
}

TEST(Csbm, InvalidOptionsNameTheOption) {
  auto bad = [](auto mutate) {
    data::CsbmOptions o;
    mutate(o);
    return [o] { data::make_csbm(o); };
  };
  EXPECT_THAT(bad([](auto& o) { o.num_classes = 0; }), ThrowsMessage<ValueError>(HasSubstr("num_classes must be >= 1")));
  EXPECT_THAT(bad([](auto& o) { o.num_nodes = 7; }), ThrowsMessage<ValueError>(HasSubstr("num_nodes must be at least")));
  EXPECT_THAT(bad([](auto& o) { o.avg_degree = -1; }), ThrowsMessage<ValueError>(HasSubstr("avg_degree must be")));
  EXPECT_THAT(bad([](auto& o) { o.avg_degree = NAN; }), ThrowsMessage<ValueError>(HasSubstr("avg_degree must be")));
  EXPECT_THAT(bad([](auto& o) { o.avg_degree = 1500; }), ThrowsMessage<ValueError>(HasSubstr("avg_degree 1500 is too dense")));
  EXPECT_THAT(bad([](auto& o) { o.homophily = 1.5; }), ThrowsMessage<ValueError>(HasSubstr("homophily must be in [0, 1]")));
  EXPECT_THAT(bad([](auto& o) { o.num_classes = 1; o.homophily = 0.5; }),
              ThrowsMessage<ValueError>(HasSubstr("homophily must be 1 with a single class")));
  EXPECT_THAT(bad([](auto& o) { o.num_features = 3; }), ThrowsMessage<ValueError>(HasSubstr("num_features must be >= num_classes")));
  EXPECT_THAT(bad([](auto& o) { o.signal = -1; }), ThrowsMessage<ValueError>(HasSubstr("signal must be")));
  EXPECT_THAT(bad([](auto& o) { o.train_per_class = 0; }), ThrowsMessage<ValueError>(HasSubstr("train_per_class must be in [1, 500]")));
  EXPECT_THAT(bad([](auto& o) { o.num_val = 1950; }), ThrowsMessage<ValueError>(HasSubstr("num_val must be in [0, num_nodes - train_per_class * num_classes = 1920], got 1950")));
  EXPECT_THAT(bad([](auto& o) { o.train_fraction = 1.5; }), ThrowsMessage<ValueError>(HasSubstr("train_fraction must be in (0, 1)")));
  EXPECT_THAT(bad([](auto& o) { o.train_fraction = -0.1; }), ThrowsMessage<ValueError>(HasSubstr("train_fraction must be >= 0")));
  EXPECT_THAT(bad([](auto& o) { o.train_fraction = 0.7; o.val_fraction = 0.5; }),
              ThrowsMessage<ValueError>(HasSubstr("val_fraction must be >= 0 with train_fraction + val_fraction <= 1")));
}

}  // namespace
}  // namespace loom
