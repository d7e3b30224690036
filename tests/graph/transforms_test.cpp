// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph transforms against naive references on random graphs (duplicates, loops, empty rows, a hub): self loops,
// coalesce, to_undirected, row_normalize, induced and k-hop subgraphs, seeded node and edge splits; CUDA inputs.
#include <gmock/gmock.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "loom/core/error.h"
#include "loom/graph/graph.h"
#include "loom/graph/transforms.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom::graph {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::random_graph;
using testing::RandomGraph;

using Edge = std::tuple<int64_t, int64_t, double, double>;  // src, dst, weight, first feature

// A weighted graph with 2 edge features (features: f0 random, f1 = 1) from a random graph.
Graph make_graph(uint32_t seed, int64_t n, int64_t deg, Device dev = kCPU) {
  const RandomGraph rg = random_graph(seed, n, n, deg);
  const int64_t m = rg.num_edges();
  const Tensor ei = concat({rg.src.view({1, m}), rg.dst.view({1, m})}, 0);
  const Tensor attr = concat({testing::random_tensor({m, 1}, seed + 1), ones({m, 1}, kFloat64)}, 1);
  return Graph::from_edge_index(ei.to(dev), n, testing::random_tensor({m}, seed, 0.5, 2.0, kFloat64, dev),
                                attr.to(dev));
}

std::multiset<Edge> edges_of(const Graph& g) {
  const int64_t m = g.num_edges();
  const auto ei = g.edge_index().cpu().to_vector<int64_t>();
  const auto w = g.edge_weight().cpu().to_vector<double>();
  const auto a = g.edge_attr().cpu().to_vector<double>();
  std::multiset<Edge> s;
  for (int64_t k = 0; k < m; ++k) s.emplace(ei[k], ei[m + k], w[k], a[2 * k]);
  return s;
}

// (src, dst) -> {weight sum, feature sums, count}: the coalesced reference.
struct Merged {
  double w = 0, f0 = 0, f1 = 0;
};
std::map<std::pair<int64_t, int64_t>, Merged> merged(const std::multiset<Edge>& edges, bool reverse_too) {
  std::map<std::pair<int64_t, int64_t>, Merged> out;
  for (const auto& [s, d, w, f] : edges) {
    for (int r = 0; r < (reverse_too ? 2 : 1); ++r) {
      Merged& x = out[r == 0 ? std::make_pair(s, d) : std::make_pair(d, s)];
      x.w += w;
      x.f0 += f;
      x.f1 += 1;
    }
  }
  return out;
}

void expect_merged(const Graph& got, const std::map<std::pair<int64_t, int64_t>, Merged>& ref) {
  ASSERT_EQ(got.num_edges(), static_cast<int64_t>(ref.size()));
  const int64_t m = got.num_edges();
  const auto ei = got.edge_index().cpu().to_vector<int64_t>();
  const auto w = got.edge_weight().cpu().to_vector<double>();
  const auto a = got.edge_attr().cpu().to_vector<double>();
  for (int64_t k = 0; k < m; ++k) {
    const auto it = ref.find({ei[k], ei[m + k]});
    ASSERT_NE(it, ref.end()) << "unexpected edge " << ei[k] << " -> " << ei[m + k];
    EXPECT_NEAR(w[k], it->second.w, 1e-12);
    EXPECT_NEAR(a[2 * k], it->second.f0, 1e-12);
    EXPECT_EQ(a[2 * k + 1], it->second.f1);  // the count of merged edges
  }
}

TEST(Transforms, SelfLoops) {
  const Graph g = make_graph(1, 60, 3);
  const Graph added = add_self_loops(g, 2.5);
  const Graph removed = remove_self_loops(g);
  EXPECT_FALSE(removed.has_self_loops());
  std::multiset<Edge> no_loops, added_ref = edges_of(g);
  std::set<int64_t> looped;
  for (const Edge& e : edges_of(g)) {
    if (std::get<0>(e) != std::get<1>(e)) no_loops.insert(e);
    else looped.insert(std::get<0>(e));
  }
  ASSERT_FALSE(looped.empty());
  for (int64_t v = 0; v < 60; ++v)
    if (!looped.count(v)) added_ref.emplace(v, v, 2.5, 0.0);
  EXPECT_EQ(edges_of(removed), no_loops);
  EXPECT_EQ(edges_of(added), added_ref);
  EXPECT_EQ(edges_of(add_self_loops(removed)).size(), no_loops.size() + 60);
  EXPECT_EQ(remove_self_loops(removed).num_edges(), removed.num_edges());
}

TEST(Transforms, CoalesceSumsDuplicates) {
  for (uint32_t seed : {2u, 3u}) {
    const Graph g = make_graph(seed, 80, 4);
    const Graph c = coalesce(g);
    ASSERT_LT(c.num_edges(), g.num_edges());  // random graphs always hold duplicates
    expect_merged(c, merged(edges_of(g), false));
    // Coalesced twice is coalesced once.
    EXPECT_EQ(coalesce(c).num_edges(), c.num_edges());
    // Unweighted: the distinct pairs, still unweighted.
    const Graph p = coalesce(Graph::from_edge_index(g.edge_index(), 80));
    EXPECT_FALSE(p.edge_weight().defined());
    EXPECT_EQ(p.edge_index().to_vector<int64_t>(), c.edge_index().to_vector<int64_t>());
  }
  // Hand case: 0->1 (w 1), 0->1 (w 2), 1->0 (w 4).
  const Tensor ei = from_vector<int64_t>({0, 0, 1, 1, 1, 0}, {2, 3});
  const Graph h = coalesce(Graph::from_edge_index(ei, 2, from_vector<double>({1, 2, 4}, {3})));
  EXPECT_EQ(h.edge_index().to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 0, 1}));
  EXPECT_EQ(h.edge_weight().to_vector<double>(), (std::vector<double>{4, 3}));
}

TEST(Transforms, CoalesceAGraphWithUnsortedRows) {
  // from_csr adopts rows as given: row 0 lists sources 2, 1, 2 (a duplicate, not adjacent).
  const Csr c = Csr::from_arrays(from_vector<int64_t>({0, 3, 3, 3}, {4}), from_vector<int32_t>({2, 1, 2}, {3}), 3,
                                 from_vector<double>({1, 10, 100}, {3}));
  const Graph g = coalesce(Graph::from_csr(c));
  EXPECT_EQ(g.edge_index().to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 0, 0}));
  EXPECT_EQ(g.edge_weight().to_vector<double>(), (std::vector<double>{10, 101}));
}

TEST(Transforms, ToUndirectedIsSymmetric) {
  const Graph g = make_graph(4, 70, 3);
  const Graph u = to_undirected(g);
  expect_merged(u, merged(edges_of(g), true));
  // Symmetric: every edge has its reverse with the same weight.
  std::map<std::pair<int64_t, int64_t>, double> w;
  for (const auto& [s, d, wt, f] : edges_of(u)) w[{s, d}] = wt;
  for (const auto& [key, wt] : w) {
    const auto it = w.find({key.second, key.first});
    ASSERT_NE(it, w.end());
    EXPECT_DOUBLE_EQ(it->second, wt);  // the same terms, summed in another order
  }
  const Graph p = to_undirected(Graph::from_edge_index(g.edge_index(), 70));
  EXPECT_FALSE(p.edge_weight().defined());
  EXPECT_EQ(p.edge_index().to_vector<int64_t>(), u.edge_index().to_vector<int64_t>());
}

TEST(Transforms, RowNormalize) {
  const Tensor x = from_vector<double>({1, 3, 0, 0, 2, -2, 5, 0}, {4, 2});
  EXPECT_EQ(row_normalize(x).to_vector<double>(), (std::vector<double>{0.25, 0.75, 0, 0, 2, -2, 1, 0}));
  const Tensor r = testing::random_tensor({50, 7}, 5, 0.0, 1.0);
  const auto y = row_normalize(r).to_vector<double>(), xr = r.to_vector<double>();
  for (int i = 0; i < 50; ++i) {
    double s = 0, sx = 0;
    for (int j = 0; j < 7; ++j) sx += xr[i * 7 + j];
    for (int j = 0; j < 7; ++j) {
      s += y[i * 7 + j];
      EXPECT_NEAR(y[i * 7 + j], xr[i * 7 + j] / sx, 1e-15);
    }
    EXPECT_NEAR(s, 1.0, 1e-12);
  }
  EXPECT_EQ(row_normalize(r.to(kFloat32)).dtype(), kFloat32);
  EXPECT_THAT([&] { row_normalize(ones({3}, kFloat32)); }, ThrowsMessage<ShapeError>(HasSubstr("row_normalize")));
  EXPECT_THAT([&] { row_normalize(arange(6).view({2, 3})); }, ThrowsMessage<DTypeError>(HasSubstr("row_normalize")));
}

TEST(Transforms, InducedSubgraph) {
  const Graph g = make_graph(6, 90, 4);
  // Every third node, in a scrambled order (the order defines the new ids).
  std::vector<int64_t> nodes;
  for (int64_t v = 0; v < 90; v += 3) nodes.push_back((v * 7) % 90);
  const Subgraph sub = induced_subgraph(g, from_vector<int64_t>(nodes, {static_cast<int64_t>(nodes.size())}));
  EXPECT_EQ(sub.nodes.to_vector<int64_t>(), nodes);
  EXPECT_EQ(sub.graph.num_nodes(), static_cast<int64_t>(nodes.size()));
  std::map<int64_t, int64_t> local;
  for (size_t i = 0; i < nodes.size(); ++i) local[nodes[i]] = static_cast<int64_t>(i);
  std::multiset<Edge> ref;
  for (const auto& [s, d, w, f] : edges_of(g))
    if (local.count(s) && local.count(d)) ref.emplace(local[s], local[d], w, f);
  ASSERT_FALSE(ref.empty());
  EXPECT_EQ(edges_of(sub.graph), ref);
  // edge_ids: each subgraph edge is the g edge (csr order) it names, with that edge's weight.
  const auto ids = sub.edge_ids.to_vector<int64_t>();
  const auto gei = g.edge_index().to_vector<int64_t>(), sei = sub.graph.edge_index().to_vector<int64_t>();
  const auto gw = g.edge_weight().to_vector<double>(), sw = sub.graph.edge_weight().to_vector<double>();
  const int64_t gm = g.num_edges(), sm = sub.graph.num_edges();
  ASSERT_EQ(static_cast<int64_t>(ids.size()), sm);
  for (int64_t k = 0; k < sm; ++k) {
    EXPECT_EQ(gei[ids[k]], nodes[sei[k]]);
    EXPECT_EQ(gei[gm + ids[k]], nodes[sei[sm + k]]);
    EXPECT_EQ(gw[ids[k]], sw[k]);
  }
  EXPECT_THAT([&] { induced_subgraph(g, from_vector<int64_t>({4, 9, 4}, {3})); },
              ThrowsMessage<ValueError>(AllOf(HasSubstr("nodes[2] = 4 repeats nodes[0]"))));
  EXPECT_THAT([&] { induced_subgraph(g, from_vector<int64_t>({4, 90}, {2})); },
              ThrowsMessage<IndexError>(AllOf(HasSubstr("induced_subgraph"), HasSubstr("nodes[1] = 90"))));
  EXPECT_THAT([&] { induced_subgraph(g, ones({2}, kFloat32)); }, ThrowsMessage<DTypeError>(HasSubstr("'nodes'")));
}

// Naive k-hop: k rounds, each scanning every edge: a source joins when its target is already in the set.
std::vector<int64_t> naive_k_hop(const Graph& g, const std::vector<int64_t>& seeds, int k) {
  const int64_t m = g.num_edges();
  const auto ei = g.edge_index().cpu().to_vector<int64_t>();
  std::set<int64_t> in(seeds.begin(), seeds.end());
  for (int r = 0; r < k; ++r) {
    std::set<int64_t> next = in;
    for (int64_t e = 0; e < m; ++e)
      if (in.count(ei[m + e])) next.insert(ei[e]);
    in.swap(next);
  }
  return {in.begin(), in.end()};
}

TEST(Transforms, KHopAgainstNaive) {
  const Graph g = Graph::from_edge_index(make_graph(7, 200, 1).edge_index(), 200);  // sparse: hops matter
  const std::vector<int64_t> seeds = {17, 3, 17, 150};
  const Tensor st = from_vector<int64_t>(seeds, {4});
  size_t prev = 0;
  for (int k : {0, 1, 2, 3, 6}) {
    const std::vector<int64_t> got = k_hop_nodes(g, st, k).to_vector<int64_t>();
    EXPECT_EQ(got, naive_k_hop(g, seeds, k)) << "k = " << k;
    EXPECT_GE(got.size(), prev);
    prev = got.size();
    const Subgraph sub = k_hop_subgraph(g, st, k);
    EXPECT_EQ(sub.nodes.to_vector<int64_t>(), got);
    EXPECT_EQ(sub.graph.num_edges(), induced_subgraph(g, sub.nodes).graph.num_edges());
  }
  EXPECT_EQ(k_hop_nodes(g, st, 0).to_vector<int64_t>(), (std::vector<int64_t>{3, 17, 150}));
  EXPECT_THAT([&] { k_hop_nodes(g, st, -1); }, ThrowsMessage<ValueError>(HasSubstr("k must be >= 0")));
  EXPECT_THAT([&] { k_hop_nodes(g, from_vector<int64_t>({1, -2}, {2}), 1); },
              ThrowsMessage<IndexError>(HasSubstr("seeds[1] = -2")));
  // Hand case: 0->1->2, 3->2: one hop back from 2 is {1, 2, 3}; two hops add 0.
  const Graph h = Graph::from_edge_index(from_vector<int64_t>({0, 1, 3, 1, 2, 2}, {2, 3}), 5);
  EXPECT_EQ(k_hop_nodes(h, from_vector<int64_t>({2}, {1}), 1).to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(k_hop_nodes(h, from_vector<int64_t>({2}, {1}), 2).to_vector<int64_t>(),
            (std::vector<int64_t>{0, 1, 2, 3}));
}

void expect_partition(const std::vector<std::vector<int64_t>>& parts, int64_t n) {
  std::vector<int> seen(static_cast<size_t>(n), 0);
  for (const auto& p : parts) {
    EXPECT_TRUE(std::is_sorted(p.begin(), p.end()));
    for (int64_t v : p) ++seen[static_cast<size_t>(v)];
  }
  for (int64_t v = 0; v < n; ++v) EXPECT_EQ(seen[v], 1) << "node " << v;
}

TEST(Transforms, RandomNodeSplit) {
  const NodeSplit s = random_node_split(1001, 0.6, 0.2, 42);
  const auto tr = s.train.to_vector<int64_t>(), va = s.val.to_vector<int64_t>(), te = s.test.to_vector<int64_t>();
  EXPECT_EQ(tr.size(), 601u);  // round(600.6)
  EXPECT_EQ(va.size(), 200u);  // round(200.2)
  EXPECT_EQ(te.size(), 200u);
  EXPECT_TRUE(s.train.is_cpu());
  expect_partition({tr, va, te}, 1001);
  const NodeSplit again = random_node_split(1001, 0.6, 0.2, 42);
  EXPECT_EQ(again.train.to_vector<int64_t>(), tr);
  EXPECT_EQ(again.val.to_vector<int64_t>(), va);
  EXPECT_NE(random_node_split(1001, 0.6, 0.2, 43).train.to_vector<int64_t>(), tr);
  EXPECT_EQ(random_node_split(10, 0.7, 0.3, 1).test.numel(), 0);
  EXPECT_EQ(random_node_split(10, 1.0, 0.0, 1).train.numel(), 10);
  EXPECT_EQ(random_node_split(0, 0.5, 0.5, 1).train.numel(), 0);
  EXPECT_THAT([] { random_node_split(10, -0.1, 0.2, 1); },
              ThrowsMessage<ValueError>(AllOf(HasSubstr("random_node_split"), HasSubstr("'train'"))));
  EXPECT_THAT([] { random_node_split(10, 0.5, 1.5, 1); }, ThrowsMessage<ValueError>(HasSubstr("'val'")));
  EXPECT_THAT([] { random_node_split(10, NAN, 0.5, 1); }, ThrowsMessage<ValueError>(HasSubstr("'train'")));
  EXPECT_THAT([] { random_node_split(10, 0.7, 0.4, 1); },
              ThrowsMessage<ValueError>(AllOf(HasSubstr("train + val"), HasSubstr("exceeds 1"))));
}

TEST(Transforms, RandomEdgeSplit) {
  const Graph g = make_graph(8, 120, 4);
  const int64_t m = g.num_edges();
  const EdgeSplit s = random_edge_split(g, 0.1, 0.2, 7);
  const int64_t nv = std::llround(0.1 * m), nt = std::llround(0.2 * m);
  ASSERT_EQ(s.val_edges.shape(), (Shape{2, nv}));
  ASSERT_EQ(s.test_edges.shape(), (Shape{2, nt}));
  EXPECT_EQ(s.train.num_edges(), m - nv - nt);
  EXPECT_EQ(s.train.num_nodes(), g.num_nodes());
  // Train keeps weights and features; train + val + test is the original edge multiset.
  std::multiset<std::pair<int64_t, int64_t>> all, parts;
  for (const auto& [a, b, w, f] : edges_of(g)) all.emplace(a, b);
  for (const auto& [a, b, w, f] : edges_of(s.train)) parts.emplace(a, b);
  for (const Tensor& t : {s.val_edges, s.test_edges}) {
    const auto v = t.to_vector<int64_t>();
    const int64_t k = t.size(1);
    for (int64_t i = 0; i < k; ++i) parts.emplace(v[i], v[k + i]);
  }
  EXPECT_EQ(parts, all);
  const auto ge = edges_of(g);
  for (const Edge& e : edges_of(s.train)) EXPECT_TRUE(ge.count(e)) << "train edge not in g with its weight";
  const EdgeSplit again = random_edge_split(g, 0.1, 0.2, 7);
  EXPECT_EQ(again.val_edges.to_vector<int64_t>(), s.val_edges.to_vector<int64_t>());
  EXPECT_EQ(again.train.edge_index().to_vector<int64_t>(), s.train.edge_index().to_vector<int64_t>());
  EXPECT_NE(random_edge_split(g, 0.1, 0.2, 8).val_edges.to_vector<int64_t>(), s.val_edges.to_vector<int64_t>());
  EXPECT_THAT([&] { random_edge_split(g, 0.6, 0.5, 1); },
              ThrowsMessage<ValueError>(AllOf(HasSubstr("random_edge_split"), HasSubstr("val + test"))));
  EXPECT_THAT([&] { random_edge_split(g, 0.1, -1, 1); }, ThrowsMessage<ValueError>(HasSubstr("'test'")));
}

// CUDA graphs: every transform gives the CPU result, back on CUDA.
TEST(Transforms, CudaInputsMatchCpu) {
  LOOM_REQUIRE_CUDA();
  const Graph g = make_graph(9, 100, 4);
  const Graph gc = make_graph(9, 100, 4, kCUDA);
  // Same edges in the same csr order; sums (coalesce) within rounding of another summation order.
  auto same = [](const Graph& cuda, const Graph& cpu) {
    EXPECT_TRUE(cuda.device().is_cuda());
    EXPECT_EQ(cuda.edge_index().cpu().to_vector<int64_t>(), cpu.edge_index().to_vector<int64_t>());
    EXPECT_TRUE(allclose(cuda.edge_weight().cpu(), cpu.edge_weight(), 1e-12, 1e-12));
    EXPECT_TRUE(allclose(cuda.edge_attr().cpu(), cpu.edge_attr(), 1e-12, 1e-12));
  };
  same(add_self_loops(gc), add_self_loops(g));
  same(remove_self_loops(gc), remove_self_loops(g));
  same(coalesce(gc), coalesce(g));
  same(to_undirected(gc), to_undirected(g));
  const Tensor nodes = from_vector<int64_t>({5, 1, 77, 40, 2}, {5});
  same(induced_subgraph(gc, nodes.cuda()).graph, induced_subgraph(g, nodes).graph);
  EXPECT_EQ(k_hop_nodes(gc, nodes.cuda(), 2).cpu().to_vector<int64_t>(), k_hop_nodes(g, nodes, 2).to_vector<int64_t>());
  const EdgeSplit sc = random_edge_split(gc, 0.2, 0.2, 3), s = random_edge_split(g, 0.2, 0.2, 3);
  same(sc.train, s.train);
  EXPECT_EQ(sc.val_edges.cpu().to_vector<int64_t>(), s.val_edges.to_vector<int64_t>());
  const Tensor x = testing::random_tensor({30, 5}, 9, 0.0, 1.0);
  EXPECT_LT(max_abs_diff(row_normalize(x.cuda()).cpu(), row_normalize(x)), 1e-15);
}

TEST(PerClassSplit, TakesTrainThenValPerClassSeeded) {
  // 3 classes of 10, 10 and 3 nodes (the last smaller than train + val), interleaved.
  std::vector<int64_t> y;
  for (int i = 0; i < 10; ++i) y.insert(y.end(), {0, 1});
  y.insert(y.end(), {2, 2, 2});
  const Tensor labels = from_vector<int64_t>(y, {static_cast<int64_t>(y.size())});
  const NodeSplit s = per_class_split(labels, 2, 3, 7);
  std::vector<int64_t> tr = s.train.to_vector<int64_t>(), va = s.val.to_vector<int64_t>(),
                       te = s.test.to_vector<int64_t>();
  auto count = [&](const std::vector<int64_t>& ids, int64_t c) {
    return std::count_if(ids.begin(), ids.end(), [&](int64_t i) { return y[static_cast<size_t>(i)] == c; });
  };
  for (int64_t c : {0, 1}) {
    EXPECT_EQ(count(tr, c), 2);
    EXPECT_EQ(count(va, c), 3);
    EXPECT_EQ(count(te, c), 5);
  }
  EXPECT_EQ(count(tr, 2), 2);  // the small class: training first, then what is left
  EXPECT_EQ(count(va, 2), 1);
  EXPECT_EQ(count(te, 2), 0);
  std::vector<int64_t> all = tr;
  all.insert(all.end(), va.begin(), va.end());
  all.insert(all.end(), te.begin(), te.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all.size(), y.size());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());  // disjoint
  EXPECT_TRUE(std::is_sorted(tr.begin(), tr.end()));
  EXPECT_EQ(per_class_split(labels, 2, 3, 7).train.to_vector<int64_t>(), tr);  // seeded
  bool differs = false;
  for (uint64_t seed = 8; seed < 12; ++seed) differs |= per_class_split(labels, 2, 3, seed).train.to_vector<int64_t>() != tr;
  EXPECT_TRUE(differs);
  EXPECT_THROW(per_class_split(from_vector<int64_t>({0, -1}, {2}), 1, 1, 0), IndexError);
  EXPECT_THROW(per_class_split(from_vector<float>({0.f}, {1}), 1, 1, 0), ShapeError);
}

TEST(SplitNodes, SampleIsAFractionOfTheGivenIds) {
  const Tensor ids = from_vector<int64_t>({3, 8, 9, 12, 20, 21, 40, 41, 42, 50}, {10});
  const auto [held, rest] = split_nodes(ids, 0.9, 1);
  EXPECT_EQ(held.numel(), 9);
  EXPECT_EQ(rest.numel(), 1);
  std::vector<int64_t> both = held.to_vector<int64_t>();
  for (int64_t v : rest.to_vector<int64_t>()) both.push_back(v);
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, ids.to_vector<int64_t>());
  EXPECT_EQ(split_nodes(ids, 0.0, 1).first.numel(), 0);
  EXPECT_THROW(split_nodes(ids, 1.5, 1), ValueError);
}

}  // namespace
}  // namespace loom::graph
