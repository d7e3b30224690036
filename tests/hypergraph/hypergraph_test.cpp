// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Hypergraph structure: construction and validation (duplicates, empty hyperedges, ids out of range, weights),
// degrees, incidence(), with_singletons(), the graph-based builders against naive versions, to(device).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <utility>

#include "hypergraph/dense_hypergraph.h"
#include "loom/core/ops.h"
#include "loom/graph/graph.h"
#include "loom/hypergraph/hypergraph.h"
#include "support/parity.h"

namespace loom::testing::hg {
namespace {

using hypergraph::EmptyHyperedges;
using hypergraph::Hypergraph;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// 5 vertices; hyperedges {0, 1, 2} (vertex 0 listed twice), {} (id 1), {2, 3}, {1}; vertex 4 in none.
RawIncidence hand_made() {
  RawIncidence r;
  r.n = 5;
  r.m = 4;
  r.vertex = {2, 0, 1, 0, 3, 2, 1};
  r.edge = {0, 0, 0, 0, 2, 2, 3};
  return r;
}

TEST(Hypergraph, HandMadeStructure) {
  const RawIncidence r = hand_made();
  const Hypergraph h = Hypergraph::from_incidence(r.tensor(), r.n, r.m);
  EXPECT_EQ(h.num_vertices(), 5);
  EXPECT_EQ(h.num_hyperedges(), 3);  // the empty one dropped
  EXPECT_EQ(h.num_incidences(), 6);  // the repeated (0, 0) counts once
  EXPECT_TRUE(h.device().is_cpu());
  EXPECT_EQ(h.str(), "Hypergraph(5 vertices, 3 hyperedges, 6 incidences, cpu)");
  EXPECT_EQ(host_ints(h.kept_hyperedges()), (std::vector<int64_t>{0, 2, 3}));
  EXPECT_EQ(host_ints(h.hyperedge_sizes()), (std::vector<int64_t>{3, 2, 1}));
  EXPECT_EQ(host_ints(h.vertex_degrees()), (std::vector<int64_t>{1, 2, 2, 1, 0}));
  // (vertex, hyperedge) in hyperedge_members() order: by hyperedge, vertices sorted.
  EXPECT_EQ(host_ints(h.incidence()), (std::vector<int64_t>{0, 1, 2, 2, 3, 1, /**/ 0, 0, 0, 1, 1, 2}));
  EXPECT_EQ(h.hyperedge_members().num_rows(), 3);
  EXPECT_EQ(h.hyperedge_members().num_cols(), 5);
  EXPECT_EQ(h.vertex_memberships().num_rows(), 5);
  EXPECT_EQ(host_ints(h.vertex_memberships().indices()), (std::vector<int64_t>{0, 0, 2, 0, 1, 1}));
  EXPECT_EQ(&h.vertex_memberships(), &h.vertex_memberships());  // cached
  EXPECT_FALSE(h.hyperedge_weight().defined());
}

TEST(Hypergraph, EmptyHyperedgesAsErrorAndInferredCount) {
  const RawIncidence r = hand_made();
  EXPECT_THAT([&] { Hypergraph::from_incidence(r.tensor(), r.n, r.m, Tensor(), EmptyHyperedges::kError); },
              ThrowsMessage<ValueError>(HasSubstr("Hypergraph::from_incidence: hyperedge 1 has no vertex")));
  // Inferred count: max id + 1 = 4 (hyperedge 1 still empty); an explicit larger count adds empty trailing ones.
  EXPECT_EQ(Hypergraph::from_incidence(r.tensor(), r.n).num_hyperedges(), 3);
  const Hypergraph wide = Hypergraph::from_incidence(r.tensor(), r.n, 7);
  EXPECT_EQ(host_ints(wide.kept_hyperedges()), (std::vector<int64_t>{0, 2, 3}));
  EXPECT_THAT([&] { Hypergraph::from_incidence(r.tensor(), r.n, 7, Tensor(), EmptyHyperedges::kError); },
              ThrowsMessage<ValueError>(HasSubstr("hyperedge 1 has no vertex")));
  // Without empties, kError accepts and kept_hyperedges is the identity.
  RawIncidence full = r;
  full.vertex.push_back(4);
  full.edge.push_back(1);
  const Hypergraph h = Hypergraph::from_incidence(full.tensor(), full.n, full.m, Tensor(), EmptyHyperedges::kError);
  EXPECT_EQ(host_ints(h.kept_hyperedges()), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(host_ints(h.vertex_degrees()), (std::vector<int64_t>{1, 2, 2, 1, 1}));
  // No incidences at all.
  const Hypergraph none = Hypergraph::from_incidence(empty({2, 0}, kInt64), 3);
  EXPECT_EQ(none.num_hyperedges(), 0);
  EXPECT_EQ(host_ints(none.vertex_degrees()), (std::vector<int64_t>{0, 0, 0}));
}

// Ids far beyond the incidences (one id of 10^12 in a 3-entry list) cost memory for the incidences only: the
// structure is built over the ids that occur and kept_hyperedges() maps back to them.
TEST(Hypergraph, HugeHyperedgeIdsCostMemoryForTheIncidencesOnly) {
  const int64_t huge = 1'000'000'000'000;
  const Tensor inc = from_vector<int64_t>({0, 1, 2, huge, 5, huge}, {2, 3});
  for (const Tensor& t : {inc, from_vector<int64_t>({0, 1, 2, 7, 5, 7}, {2, 3})}) {
    const Hypergraph h = Hypergraph::from_incidence(t, 3);  // inferred count: max id + 1
    EXPECT_EQ(h.num_hyperedges(), 2);
    EXPECT_EQ(host_ints(h.kept_hyperedges()), (std::vector<int64_t>{5, host_ints(t)[3]}));
    EXPECT_EQ(host_ints(h.hyperedge_sizes()), (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(host_ints(h.vertex_degrees()), (std::vector<int64_t>{1, 1, 1}));
    // int32 ids take the same path.
    EXPECT_EQ(Hypergraph::from_incidence(from_vector<int64_t>({0, 1, 2, 7, 5, 7}, {2, 3}).to(kInt32), 3)
                  .num_hyperedges(), 2);
  }
  // An explicit count as large, and weights over a count above the incidences follow the kept ids.
  EXPECT_EQ(Hypergraph::from_incidence(inc, 3, huge + 1).num_hyperedges(), 2);
  const Tensor w = from_vector<double>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {10});
  const Hypergraph hw = Hypergraph::from_incidence(from_vector<int64_t>({0, 1, 2, 7, 5, 7}, {2, 3}), 3, 10, w);
  EXPECT_EQ(hw.hyperedge_weight().to_vector<double>(), (std::vector<double>{5.0, 7.0}));
  // kError names the first missing id; out-of-range ids are still named.
  EXPECT_THAT([&] { Hypergraph::from_incidence(inc, 3, -1, Tensor(), EmptyHyperedges::kError); },
              ThrowsMessage<ValueError>(HasSubstr("Hypergraph::from_incidence: hyperedge 0 has no vertex")));
  EXPECT_THAT([&] { Hypergraph::from_incidence(inc, 3, 100); },
              ThrowsMessage<IndexError>(HasSubstr("incidence 0 (vertex 0, hyperedge 1000000000000) has a hyperedge id "
                                                  "outside [0, 100)")));
  EXPECT_THAT([&] { Hypergraph::from_incidence(inc, 2); },
              ThrowsMessage<IndexError>(HasSubstr("incidence 2 (vertex 2, hyperedge 1000000000000) has a vertex id "
                                                  "outside [0, 2)")));
}

TEST(Hypergraph, WeightsFollowKeptHyperedges) {
  RawIncidence r = hand_made();
  r.w = {0.5, 9.0, 2.0, 3.0};
  const Hypergraph h = r.build();
  EXPECT_EQ(h.hyperedge_weight().to_vector<double>(), (std::vector<double>{0.5, 2.0, 3.0}));
  EXPECT_EQ(h.str(), "Hypergraph(5 vertices, 3 hyperedges, 6 incidences, weighted, cpu)");
  // int32 incidence works the same.
  const Hypergraph h32 = Hypergraph::from_incidence(r.tensor().to(kInt32), r.n, r.m, r.weight(kFloat32));
  EXPECT_EQ(host_ints(h32.incidence()), host_ints(h.incidence()));
  EXPECT_EQ(h32.hyperedge_weight().dtype(), kFloat32);
}

TEST(Hypergraph, ValidationErrors) {
  const RawIncidence r = hand_made();
  const Tensor inc = r.tensor();
  const char* op = "Hypergraph::from_incidence: ";
  RawIncidence bad = r;
  bad.vertex[2] = 7;
  EXPECT_THAT([&] { Hypergraph::from_incidence(bad.tensor(), 5, 4); },
              ThrowsMessage<IndexError>(HasSubstr(std::string(op) +
                                                  "incidence 2 (vertex 7, hyperedge 0) has a vertex id outside [0, 5)")));
  bad = r;
  bad.vertex[4] = -1;
  EXPECT_THAT([&] { Hypergraph::from_incidence(bad.tensor(), 5, 4); },
              ThrowsMessage<IndexError>(HasSubstr("incidence 4 (vertex -1, hyperedge 2) has a vertex id outside")));
  bad = r;
  bad.edge[6] = 4;
  EXPECT_THAT([&] { Hypergraph::from_incidence(bad.tensor(), 5, 4); },
              ThrowsMessage<IndexError>(HasSubstr("incidence 6 (vertex 1, hyperedge 4) has a hyperedge id outside [0, 4)")));
  bad = r;
  bad.edge[1] = -3;
  EXPECT_THAT([&] { Hypergraph::from_incidence(bad.tensor(), 5); },
              ThrowsMessage<IndexError>(HasSubstr("incidence 1 (vertex 0, hyperedge -3) has a hyperedge id outside")));
  EXPECT_THAT([&] { Hypergraph::from_incidence(zeros({3, 4}, kInt64), 5); },
              ThrowsMessage<ShapeError>(HasSubstr("'incidence' must be [2, nnz] (row 0 vertex ids, row 1 hyperedge ids), got [3, 4]")));
  EXPECT_THAT([&] { Hypergraph::from_incidence(zeros({2, 4}), 5); },
              ThrowsMessage<DTypeError>(HasSubstr("'incidence' must be int32 or int64, got float32")));
  EXPECT_THAT([&] { Hypergraph::from_incidence(Tensor(), 5); },
              ThrowsMessage<ValueError>(HasSubstr("'incidence' is undefined")));
  EXPECT_THAT([&] { Hypergraph::from_incidence(inc, -1); },
              ThrowsMessage<ValueError>(HasSubstr("num_vertices must be >= 0, got -1")));
  EXPECT_THAT([&] { Hypergraph::from_incidence(inc, 5, 4, ones({3})); },
              ThrowsMessage<ShapeError>(HasSubstr("'hyperedge_weight' must be [M] with M = 4 hyperedges, got [3]")));
  EXPECT_THAT([&] { Hypergraph::from_incidence(inc, 5, 4, ones({4}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr("'hyperedge_weight' must be float32 or float64, got int64")));
  EXPECT_THAT([&] { Hypergraph::from_incidence(inc, 5, 4, from_vector<double>({1.0, 1.0, NAN, 1.0}, {4})); },
              ThrowsMessage<ValueError>(HasSubstr("hyperedge_weight of hyperedge 2 is nan (weights must be finite)")));
  EXPECT_THAT([] { Hypergraph().num_vertices(); },
              ThrowsMessage<ValueError>(HasSubstr("use of an undefined (default-constructed) hypergraph")));
  EXPECT_EQ(Hypergraph().str(), "Hypergraph(undefined)");
}

// Random incidences (duplicates, empty hyperedges, isolated vertices, a huge hyperedge) against the dense reference.
TEST(Hypergraph, RandomMatchesReference) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    const RawIncidence r = random_incidence(seed, 60, 40, 4, seed == 2);
    const DenseHypergraph d = dense_of(r);
    const Hypergraph h = r.build();
    ASSERT_EQ(h.num_hyperedges(), d.m) << seed;
    EXPECT_LT(d.m, r.m) << "the generator gives empty hyperedges";
    EXPECT_EQ(host_ints(h.kept_hyperedges()), d.kept);
    std::vector<int64_t> sizes, degrees(static_cast<size_t>(d.n), 0), inc_v, inc_e;
    for (int64_t e = 0; e < d.m; ++e) {
      sizes.push_back(static_cast<int64_t>(d.members[e].size()));
      for (int64_t v : d.members[e]) {
        ++degrees[v];
        inc_v.push_back(v);
        inc_e.push_back(e);
      }
    }
    EXPECT_EQ(host_ints(h.hyperedge_sizes()), sizes);
    EXPECT_EQ(host_ints(h.vertex_degrees()), degrees);
    EXPECT_TRUE(std::count(degrees.begin(), degrees.end(), 0) > 0) << "the generator gives isolated vertices";
    inc_v.insert(inc_v.end(), inc_e.begin(), inc_e.end());
    EXPECT_EQ(host_ints(h.incidence()), inc_v);
    EXPECT_EQ(h.num_incidences(), static_cast<int64_t>(inc_e.size()));
    if (!r.w.empty()) {
      EXPECT_EQ(h.hyperedge_weight().to_vector<double>(), d.w);
    }
  }
}

TEST(Hypergraph, FromVertexLists) {
  const Hypergraph h = Hypergraph::from_vertex_lists({{3, 1, 1}, {}, {0}, {4, 2, 0}}, 6);
  EXPECT_EQ(h.num_hyperedges(), 3);
  EXPECT_EQ(host_ints(h.kept_hyperedges()), (std::vector<int64_t>{0, 2, 3}));
  EXPECT_EQ(host_ints(h.incidence()), (std::vector<int64_t>{1, 3, 0, 0, 2, 4, /**/ 0, 0, 1, 2, 2, 2}));
  EXPECT_EQ(host_ints(h.vertex_degrees()), (std::vector<int64_t>{2, 1, 1, 1, 1, 0}));
  EXPECT_THAT([] { Hypergraph::from_vertex_lists({{0}, {1, 6}}, 6); },
              ThrowsMessage<IndexError>(HasSubstr(
                  "Hypergraph::from_vertex_lists: hyperedge 1 (position 1) has vertex id 6 outside [0, 6)")));
  EXPECT_THAT([] { Hypergraph::from_vertex_lists({{0}, {}}, 2, EmptyHyperedges::kError); },
              ThrowsMessage<ValueError>(HasSubstr("hyperedge 1 has no vertex")));
}

TEST(Hypergraph, WithSingletons) {
  RawIncidence r = hand_made();
  r.w = {0.5, 9.0, 2.0, 3.0};
  const Hypergraph h = r.build();
  const Hypergraph s = h.with_singletons();
  EXPECT_EQ(s.num_vertices(), 5);
  EXPECT_EQ(s.num_hyperedges(), 3 + 5);
  EXPECT_EQ(s.num_incidences(), 6 + 5);
  EXPECT_EQ(host_ints(s.vertex_degrees()), (std::vector<int64_t>{2, 3, 3, 2, 1}));
  EXPECT_EQ(host_ints(s.hyperedge_sizes()), (std::vector<int64_t>{3, 2, 1, 1, 1, 1, 1, 1}));
  // Existing hyperedges keep their input ids; singleton {v} is input id 4 + v.
  EXPECT_EQ(host_ints(s.kept_hyperedges()), (std::vector<int64_t>{0, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(s.hyperedge_weight().to_vector<double>(), (std::vector<double>{0.5, 2.0, 3.0, 1, 1, 1, 1, 1}));
  const auto inc = host_ints(s.incidence());
  for (int64_t v = 0; v < 5; ++v) {
    EXPECT_EQ(inc[static_cast<size_t>(6 + v)], v);
    EXPECT_EQ(inc[static_cast<size_t>(11 + 6 + v)], 3 + v);
  }
  // Cached: the same structure on the second call; unweighted stays unweighted.
  EXPECT_EQ(&h.with_singletons().hyperedge_members().indptr(), &s.hyperedge_members().indptr());
  EXPECT_FALSE(Hypergraph::from_incidence(r.tensor(), 5).with_singletons().hyperedge_weight().defined());
}

graph::Graph random_graph_of(uint32_t seed, int64_t n, int64_t avg) {
  const RandomGraph rg = random_graph(seed, n, n, avg);
  return graph::Graph::from_edge_index(concat({rg.src.view({1, -1}), rg.dst.view({1, -1})}, 0), n);
}

TEST(Hypergraph, FromGraphNeighborhoodsMatchesNaive) {
  const graph::Graph g = random_graph_of(5, 50, 3);  // self loops, duplicates, isolated nodes
  const Hypergraph h = Hypergraph::from_graph_neighborhoods(g);
  const auto ei = host_ints(g.edge_index());
  const auto e = static_cast<size_t>(g.num_edges());
  std::vector<std::set<int64_t>> want(50);
  for (int64_t v = 0; v < 50; ++v) want[v].insert(v);
  for (size_t k = 0; k < e; ++k) want[ei[e + k]].insert(ei[k]);
  ASSERT_EQ(h.num_hyperedges(), 50);
  const auto inc = host_ints(h.incidence());
  const auto nnz = static_cast<size_t>(h.num_incidences());
  std::vector<std::set<int64_t>> got(50);
  for (size_t k = 0; k < nnz; ++k) EXPECT_TRUE(got[inc[nnz + k]].insert(inc[k]).second) << "duplicate incidence";
  EXPECT_EQ(got, want);
}

TEST(Hypergraph, FromGraphEdgesMatchesNaive) {
  const graph::Graph g = random_graph_of(6, 40, 3);
  const Hypergraph h = Hypergraph::from_graph_edges(g);
  const auto ei = host_ints(g.edge_index());
  const auto e = static_cast<size_t>(g.num_edges());
  std::set<std::set<int64_t>> want;
  for (size_t k = 0; k < e; ++k) want.insert({ei[k], ei[e + k]});
  const auto inc = host_ints(h.incidence());
  const auto nnz = static_cast<size_t>(h.num_incidences());
  std::vector<std::set<int64_t>> got(static_cast<size_t>(h.num_hyperedges()));
  for (size_t k = 0; k < nnz; ++k) got[inc[nnz + k]].insert(inc[k]);
  EXPECT_EQ(std::set<std::set<int64_t>>(got.begin(), got.end()), want);
  EXPECT_EQ(h.num_hyperedges(), static_cast<int64_t>(want.size()));  // each unordered pair once
  bool has_singleton = false;
  for (const auto& s : got) has_singleton |= s.size() == 1;
  EXPECT_TRUE(has_singleton) << "the graph has self loops";
}

TEST(Hypergraph, ToCopiesStructure) {
  RawIncidence r = random_incidence(9, 30, 20, 3, true);
  const Hypergraph h = r.build();
  const Hypergraph c = h.to(kCPU);
  EXPECT_EQ(host_ints(c.incidence()), host_ints(h.incidence()));
  EXPECT_EQ(host_ints(c.kept_hyperedges()), host_ints(h.kept_hyperedges()));
  EXPECT_EQ(c.hyperedge_weight().to_vector<double>(), h.hyperedge_weight().to_vector<double>());
}

TEST(Hypergraph, CudaStructureParity) {
  LOOM_REQUIRE_CUDA();
  const RawIncidence r = random_incidence(11, 500, 300, 6, true);
  const Hypergraph h = r.build();
  const Hypergraph hc = r.build(kCUDA);
  EXPECT_TRUE(hc.device().is_cuda());
  EXPECT_EQ(host_ints(hc.incidence()), host_ints(h.incidence()));
  EXPECT_EQ(host_ints(hc.kept_hyperedges()), host_ints(h.kept_hyperedges()));
  EXPECT_EQ(host_ints(hc.vertex_degrees()), host_ints(h.vertex_degrees()));
  EXPECT_EQ(host_ints(hc.hyperedge_sizes()), host_ints(h.hyperedge_sizes()));
  EXPECT_EQ(host_ints(hc.with_singletons().incidence()), host_ints(h.with_singletons().incidence()));
  EXPECT_EQ(host_ints(h.to(kCUDA).incidence()), host_ints(h.incidence()));
  const graph::Graph g = random_graph_of(12, 200, 4);
  EXPECT_EQ(host_ints(Hypergraph::from_graph_neighborhoods(g.to(kCUDA)).incidence()),
            host_ints(Hypergraph::from_graph_neighborhoods(g).incidence()));
  EXPECT_EQ(host_ints(Hypergraph::from_graph_edges(g.to(kCUDA)).incidence()),
            host_ints(Hypergraph::from_graph_edges(g).incidence()));
  RawIncidence bad = r;
  bad.vertex[5] = 500;
  EXPECT_THAT([&] { Hypergraph::from_incidence(bad.tensor(kCUDA), 500, 300); },
              ThrowsMessage<IndexError>(HasSubstr("incidence 5 (vertex 500, hyperedge")));
}

}  // namespace
}  // namespace loom::testing::hg
