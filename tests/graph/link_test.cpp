// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Link splits and negative sampling (loom/graph/link.h): no held-out link leaks into the message-passing graph
// in either direction, parts are disjoint and cover every link once, sizes, seeds, self loops, directed and
// temporal splits; negatives are never edges or loops, are seeded, degree-biased when asked, and fail when the
// graph is too dense.
#include <gmock/gmock.h>

#include <cmath>
#include <set>
#include <utility>
#include <vector>

#include "loom/core/error.h"
#include "loom/graph/graph.h"
#include "loom/graph/link.h"
#include "loom/graph/transforms.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom::graph {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using Pair = std::pair<int64_t, int64_t>;

std::vector<Pair> pairs_of(const Tensor& t) {
  const auto v = t.cpu().to_vector<int64_t>();
  const int64_t k = t.size(1);
  std::vector<Pair> out;
  for (int64_t i = 0; i < k; ++i) out.emplace_back(v[i], v[k + i]);
  return out;
}

Graph from_pairs(const std::vector<Pair>& p, int64_t n) {
  std::vector<int64_t> s, d;
  for (const auto& [a, b] : p) {
    s.push_back(a);
    d.push_back(b);
  }
  s.insert(s.end(), d.begin(), d.end());
  return Graph::from_edge_index(from_vector<int64_t>(s, {2, static_cast<int64_t>(p.size())}), n);
}

// A random directed graph (duplicates, self loops, a hub) made undirected, with a few duplicate edges and loops.
Graph undirected_graph(uint32_t seed, int64_t n, int64_t deg) {
  const testing::RandomGraph rg = testing::random_graph(seed, n, n, deg);
  const int64_t m = rg.num_edges();
  Graph g = to_undirected(Graph::from_edge_index(concat({rg.src.view({1, m}), rg.dst.view({1, m})}, 0), n));
  std::vector<Pair> p = pairs_of(g.edge_index());
  p.insert(p.end(), {{0, 0}, {3, 3}, {1, 2}, {2, 1}, {1, 2}, {2, 1}});  // loops and a duplicated link
  return from_pairs(p, n);
}

std::set<Pair> undirected_links(const Graph& g) {
  std::set<Pair> s;
  for (const auto& [a, b] : pairs_of(g.edge_index()))
    if (a != b) s.emplace(std::min(a, b), std::max(a, b));
  return s;
}

TEST(RandomLinkSplit, UndirectedNoLeakDisjointCoveringSized) {
  const Graph g = undirected_graph(3, 200, 4);
  const std::set<Pair> all = undirected_links(g);
  const auto L = static_cast<int64_t>(all.size());
  const LinkSplit s = random_link_split(g, 0.1, 0.2, 7);
  EXPECT_TRUE(s.undirected);
  EXPECT_EQ(s.val_edges.size(1), std::llround(0.1 * L));
  EXPECT_EQ(s.test_edges.size(1), std::llround(0.2 * L));
  EXPECT_EQ(s.train_supervision.size(1), 0);
  std::multiset<Pair> parts;
  for (const Tensor& t : {s.train_edges, s.val_edges, s.test_edges})
    for (const Pair& p : pairs_of(t)) {
      EXPECT_LT(p.first, p.second) << "one direction per link, src < dst";
      parts.insert(p);
    }
  EXPECT_EQ(parts, std::multiset<Pair>(all.begin(), all.end()));  // disjoint and covering, each link once
  // No held-out link in train, in either direction; train's links are exactly train_edges.
  std::set<Pair> train_dir;
  for (const Pair& p : pairs_of(s.train.edge_index())) train_dir.insert(p);
  for (const Tensor& t : {s.val_edges, s.test_edges})
    for (const auto& [a, b] : pairs_of(t)) {
      EXPECT_FALSE(train_dir.count({a, b})) << a << " -> " << b << " leaked";
      EXPECT_FALSE(train_dir.count({b, a})) << b << " -> " << a << " leaked";
    }
  const auto te = pairs_of(s.train_edges);
  EXPECT_EQ(undirected_links(s.train), std::set<Pair>(te.begin(), te.end()));
  // Self loops stay in train; the duplicated link (1, 2) is one link: its copies (at least 4) go together.
  EXPECT_TRUE(train_dir.count({0, 0}) && train_dir.count({3, 3}));
  int copies = 0;
  for (const auto& [a, b] : pairs_of(s.train.edge_index())) copies += std::minmax(a, b) == std::minmax<int64_t>(1, 2);
  EXPECT_TRUE(copies == 0 || copies >= 4) << copies;
  EXPECT_EQ(s.train.num_nodes(), g.num_nodes());
}

TEST(RandomLinkSplit, SeededAndSeedSensitive) {
  const Graph g = undirected_graph(4, 150, 3);
  const LinkSplit a = random_link_split(g, 0.15, 0.15, 11), b = random_link_split(g, 0.15, 0.15, 11);
  EXPECT_EQ(pairs_of(a.val_edges), pairs_of(b.val_edges));
  EXPECT_EQ(pairs_of(a.test_edges), pairs_of(b.test_edges));
  EXPECT_EQ(a.train.edge_index().to_vector<int64_t>(), b.train.edge_index().to_vector<int64_t>());
  EXPECT_NE(pairs_of(random_link_split(g, 0.15, 0.15, 12).val_edges), pairs_of(a.val_edges));
}

TEST(RandomLinkSplit, DisjointSupervisionLeavesTheMessageGraph) {
  const Graph g = undirected_graph(5, 150, 4);
  LinkSplitOptions o;
  o.disjoint_train_ratio = 0.3;
  const LinkSplit s = random_link_split(g, 0.1, 0.1, 2, o);
  const int64_t n_train = s.train_edges.size(1), n_sup = s.train_supervision.size(1);
  EXPECT_EQ(n_sup, std::llround(0.3 * static_cast<double>(n_train + n_sup)));
  std::set<Pair> train_dir;
  for (const Pair& p : pairs_of(s.train.edge_index())) train_dir.insert(p);
  for (const auto& [a, b] : pairs_of(s.train_supervision))
    EXPECT_FALSE(train_dir.count({a, b}) || train_dir.count({b, a}));
  EXPECT_EQ(n_train + n_sup + s.val_edges.size(1) + s.test_edges.size(1),
            static_cast<int64_t>(undirected_links(g).size()));
}

TEST(RandomLinkSplit, DirectedGraphSplitsPerDirectedEdgeAndSelfLoopsStay) {
  // 0->1 and 1->0 are two links of a directed graph (2->0 has no reverse, so the graph is detected directed).
  const Graph g = from_pairs({{0, 1}, {1, 0}, {2, 0}, {2, 3}, {3, 4}, {4, 2}, {1, 1}, {4, 4}, {2, 3}}, 5);
  const LinkSplit s = random_link_split(g, 0.5, 0.5, 1);
  EXPECT_FALSE(s.undirected);
  EXPECT_EQ(s.val_edges.size(1) + s.test_edges.size(1), 6);  // 6 distinct non-loop directed links, all held out
  EXPECT_EQ(s.train_edges.size(1), 0);
  EXPECT_EQ(pairs_of(s.train.edge_index()), (std::vector<Pair>{{1, 1}, {4, 4}}));  // only the loops remain
  // Forcing undirected merges 0->1 and 1->0 into one link.
  LinkSplitOptions o;
  o.undirected = true;
  const LinkSplit u = random_link_split(g, 0.5, 0.5, 1, o);
  EXPECT_TRUE(u.undirected);
  EXPECT_EQ(u.val_edges.size(1) + u.test_edges.size(1), 5);
  EXPECT_THAT([&] { random_link_split(g, 0.7, 0.5, 1); }, ThrowsMessage<ValueError>(HasSubstr("val + test")));
  o.disjoint_train_ratio = 2;
  EXPECT_THAT([&] { random_link_split(g, 0.1, 0.1, 1, o); },
              ThrowsMessage<ValueError>(HasSubstr("disjoint_train_ratio")));
}

TEST(TemporalLinkSplit, LatestToTestNextToValidation) {
  // Links 0-1, 1-2, 2-3, 3-4, 4-0 stored both ways with times 10, 50, 20, 40, 30 (both directions share a time).
  const std::vector<Pair> links{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 0}};
  const std::vector<double> time{10, 50, 20, 40, 30};
  std::vector<Pair> p;
  for (const auto& [a, b] : links) p.insert(p.end(), {{a, b}, {b, a}});
  const Graph g = from_pairs(p, 5);
  // times in csr order: look each edge up.
  std::vector<double> t;
  for (const auto& [a, b] : pairs_of(g.edge_index()))
    for (size_t i = 0; i < links.size(); ++i)
      if ((links[i] == Pair{a, b}) || (links[i] == Pair{b, a})) t.push_back(time[i]);
  const LinkSplit s = temporal_link_split(g, from_vector<double>(t, {g.num_edges()}), 0.2, 0.4);
  EXPECT_EQ(pairs_of(s.test_edges), (std::vector<Pair>{{1, 2}, {3, 4}}));  // times 50 and 40
  EXPECT_EQ(pairs_of(s.val_edges), (std::vector<Pair>{{0, 4}}));           // time 30
  EXPECT_EQ(pairs_of(s.train_edges), (std::vector<Pair>{{0, 1}, {2, 3}}));
  EXPECT_EQ(s.train.num_edges(), 4);
  EXPECT_THAT([&] { temporal_link_split(g, zeros({3}, kFloat64), 0.1, 0.1); },
              ThrowsMessage<ShapeError>(HasSubstr("'times'")));
}

TEST(NegativeEdges, NeverEdgesNeverLoopsDistinctSeeded) {
  const Graph g = undirected_graph(6, 100, 4);
  std::set<Pair> dir;
  for (const Pair& p : pairs_of(g.edge_index())) dir.insert(p);
  const Tensor neg = negative_edges(g, 500, 9);
  ASSERT_EQ(neg.shape(), (Shape{2, 500}));
  EXPECT_EQ(neg.dtype(), kInt64);
  std::set<Pair> seen;
  for (const auto& [u, v] : pairs_of(neg)) {
    EXPECT_NE(u, v);
    EXPECT_FALSE(dir.count({u, v}) || dir.count({v, u})) << u << "-" << v << " is an edge";
    EXPECT_TRUE(seen.emplace(std::min(u, v), std::max(u, v)).second) << "repeated pair " << u << "-" << v;
  }
  EXPECT_EQ(negative_edges(g, 500, 9).to_vector<int64_t>(), neg.to_vector<int64_t>());
  EXPECT_NE(negative_edges(g, 500, 10).to_vector<int64_t>(), neg.to_vector<int64_t>());
}

TEST(NegativeEdges, DirectedGraphsAllowTheReverse) {
  // 0 -> 1 only: the one non-edge is 1 -> 0 (a directed graph's reverse is not an edge).
  const Graph g = from_pairs({{0, 1}}, 2);
  EXPECT_EQ(pairs_of(negative_edges(g, 1, 4)), (std::vector<Pair>{{1, 0}}));
  EXPECT_EQ(pairs_of(negative_edges(g, 1, 4, NegativeMode::kDegree)), (std::vector<Pair>{{1, 0}}));
  EXPECT_THAT([&] { negative_edges(from_pairs({{0, 1}, {1, 0}}, 2), 1, 4); },
              ThrowsMessage<ValueError>(HasSubstr("only 0 non-edges")));
  EXPECT_THAT([&] { negative_edges(g, -1, 4); }, ThrowsMessage<ValueError>(HasSubstr("'count'")));
}

TEST(NegativeEdges, DegreeModePrefersHubs) {
  // A star (hub 0 linked to 1..200) plus a ring on 201..999: uniform destinations hit the hub ~1/1000 of the time;
  // degree-biased ones ~400/3996 (its stored endpoints among all), ~0.08 after rejecting the hub's neighbours. The
  // hub has 799 non-neighbours, far more than the ~80 hub pairs drawn, so deduplication hardly interferes.
  std::vector<Pair> p;
  for (int64_t i = 1; i <= 200; ++i) p.insert(p.end(), {{0, i}, {i, 0}});
  for (int64_t i = 201; i < 1000; ++i) {
    const int64_t j = i + 1 < 1000 ? i + 1 : 201;
    p.insert(p.end(), {{i, j}, {j, i}});
  }
  const Graph g = from_pairs(p, 1000);
  auto hub_share = [&](NegativeMode m) {
    int hits = 0;
    for (const auto& [u, v] : pairs_of(negative_edges(g, 1000, 5, m))) hits += (v == 0);
    return hits / 1000.0;
  };
  const double uniform = hub_share(NegativeMode::kUniform), degree = hub_share(NegativeMode::kDegree);
  EXPECT_LT(uniform, 0.01) << uniform;
  EXPECT_GT(degree, 0.05) << degree;  // a generous bound below the expected ~0.08
}

TEST(NegativeEdges, TooDenseIsAValueErrorAndDenseStillExact) {
  // K5 minus one link: exactly one undirected non-edge left.
  std::vector<Pair> p;
  for (int64_t a = 0; a < 5; ++a)
    for (int64_t b = 0; b < 5; ++b)
      if (a != b && !((a == 1 && b == 3) || (a == 3 && b == 1))) p.emplace_back(a, b);
  const Graph g = from_pairs(p, 5);
  const auto one = pairs_of(negative_edges(g, 1, 0));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(std::minmax(one[0].first, one[0].second), std::minmax<int64_t>(1, 3));
  EXPECT_THAT([&] { negative_edges(g, 2, 0); }, ThrowsMessage<ValueError>(HasSubstr("only 1")));
}

TEST(HardNegatives, TwoHopFirstThenUniform) {
  // Path 0-1-2-3-4-5 (undirected): from 0, the only 2-hop non-neighbour is 2.
  std::vector<Pair> p;
  for (int64_t i = 0; i < 5; ++i) p.insert(p.end(), {{i, i + 1}, {i + 1, i}});
  const Graph g = from_pairs(p, 6);
  const Tensor pos = from_vector<int64_t>({0, 2, 5, 3}, {2, 2});  // positives (0, 5) and (2, 3)
  // From 0 the only 2-hop non-neighbour is 2; from 2 (positive 3 excluded) they are 0 and 4.
  const auto h = pairs_of(hard_negatives(g, pos, 1, 3));
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0], (Pair{0, 2}));
  EXPECT_EQ(h[1].first, 2);
  EXPECT_TRUE(h[1].second == 0 || h[1].second == 4) << h[1].second;
  EXPECT_EQ(pairs_of(hard_negatives(g, pos, 1, 3)), h);
  // Three each: the 2-hop nodes first, then the other non-neighbours (0: {3, 4}; 2: {5}).
  const auto h3 = pairs_of(hard_negatives(g, pos, 3, 3));
  ASSERT_EQ(h3.size(), 6u);
  EXPECT_EQ(h3[0], (Pair{0, 2}));
  EXPECT_EQ((std::set<int64_t>{h3[1].second, h3[2].second}), (std::set<int64_t>{3, 4}));
  EXPECT_EQ((std::set<int64_t>{h3[3].second, h3[4].second}), (std::set<int64_t>{0, 4}));
  EXPECT_EQ(h3[5], (Pair{2, 5}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(h3[i].first, i < 3 ? 0 : 2);
  EXPECT_THAT([&] { hard_negatives(g, pos, 4, 3); }, ThrowsMessage<ValueError>(HasSubstr("non-neighbours")));
}

TEST(TailNegatives, UniformOverNonNeighboursNeverEdges) {
  // Path 0-1-2-3-4-5 (undirected): from 0 the candidates for positive (0, 5) are {2, 3, 4}; all three are drawn,
  // 2-hop or not, and a fourth is refused naming the function.
  std::vector<Pair> p;
  for (int64_t i = 0; i < 5; ++i) p.insert(p.end(), {{i, i + 1}, {i + 1, i}});
  const Graph g = from_pairs(p, 6);
  const Tensor pos = from_vector<int64_t>({0, 5}, {2, 1});
  const auto t = pairs_of(tail_negatives(g, pos, 3, 7));
  ASSERT_EQ(t.size(), 3u);
  std::set<int64_t> tails;
  for (const Pair& q : t) {
    EXPECT_EQ(q.first, 0);
    tails.insert(q.second);
  }
  EXPECT_EQ(tails, (std::set<int64_t>{2, 3, 4}));
  EXPECT_EQ(pairs_of(tail_negatives(g, pos, 3, 7)), t);  // seeded
  // Uniform, not 2-hop first: over seeds, one draw from 0 is not always the 2-hop node 2.
  std::set<int64_t> firsts;
  for (uint64_t seed = 0; seed < 20; ++seed) firsts.insert(pairs_of(tail_negatives(g, pos, 1, seed))[0].second);
  EXPECT_GT(firsts.size(), 1u);
  EXPECT_THAT([&] { tail_negatives(g, pos, 4, 7); },
              ThrowsMessage<ValueError>(HasSubstr("tail_negatives: source 0 of positive 0 has only 3")));
}

TEST(TemporalLinkSplit, ALinksTimeIsItsLatestCopy) {
  // Directed graph 0->1 (time 1), 1->2 (time 2), 2->0 (time 3) and a second 0->1 at time 9: 0->1 is the latest.
  const Graph g = from_pairs({{0, 1}, {1, 2}, {2, 0}, {0, 1}}, 3);
  std::vector<double> t;
  const std::vector<int64_t> ids = g.edge_ids().to_vector<int64_t>();  // input position of each csr entry
  const std::vector<double> by_input{1, 2, 3, 9};
  for (int64_t id : ids) t.push_back(by_input[static_cast<size_t>(id)]);
  const LinkSplit s = temporal_link_split(g, from_vector<double>(t, {4}), 0.0, 0.34);
  EXPECT_FALSE(s.undirected);
  EXPECT_EQ(pairs_of(s.test_edges), (std::vector<Pair>{{0, 1}}));
  EXPECT_EQ(s.train.num_edges(), 2);  // both copies of 0->1 left
}

// CUDA graphs: the same splits and samples as on the CPU, returned on CUDA.
TEST(LinkCuda, SameAsCpuOnTheGraphsDevice) {
  LOOM_REQUIRE_CUDA();
  const Graph g = undirected_graph(8, 120, 3), gc = g.to(kCUDA);
  const LinkSplit s = random_link_split(g, 0.2, 0.1, 5), sc = random_link_split(gc, 0.2, 0.1, 5);
  EXPECT_TRUE(sc.val_edges.is_cuda() && sc.train.device().is_cuda());
  EXPECT_EQ(pairs_of(sc.val_edges), pairs_of(s.val_edges));
  EXPECT_EQ(sc.train.edge_index().cpu().to_vector<int64_t>(), s.train.edge_index().to_vector<int64_t>());
  const Tensor nc = negative_edges(gc, 50, 3);
  EXPECT_TRUE(nc.is_cuda());
  EXPECT_EQ(pairs_of(nc), pairs_of(negative_edges(g, 50, 3)));
  EXPECT_EQ(pairs_of(hard_negatives(gc, s.val_edges.cuda(), 2, 1)), pairs_of(hard_negatives(g, s.val_edges, 2, 1)));
}

}  // namespace
}  // namespace loom::graph
