// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Hypergraph builders from groups and matrices: from_incidence_matrix, from_attribute_groups, merge and
// clique_expansion against brute-force references on random inputs, their error messages, and CPU/CUDA parity.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <vector>

#include "hypergraph/dense_hypergraph.h"
#include "loom/core/ops.h"
#include "loom/core/sparse.h"
#include "loom/graph/graph.h"
#include "loom/hypergraph/hypergraph.h"
#include "support/parity.h"

namespace loom::testing::hg {
namespace {

using hypergraph::EmptyHyperedges;
using hypergraph::Hypergraph;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

using Sets = std::vector<std::set<int64_t>>;

// The member set of every hyperedge, read back from incidence() (independent of the Csr layout).
Sets members_of(const Hypergraph& h) {
  Sets s(static_cast<size_t>(h.num_hyperedges()));
  const auto inc = host_ints(h.incidence());
  const size_t nnz = inc.size() / 2;
  for (size_t k = 0; k < nnz; ++k) s[static_cast<size_t>(inc[nnz + k])].insert(inc[k]);
  return s;
}

// Dense [n][n] adjacency of a graph: a[dst][src] += weight (1 when unweighted).
Mat dense_graph(const graph::Graph& g) {
  const int64_t n = g.num_nodes();
  Mat a(static_cast<size_t>(n), std::vector<double>(static_cast<size_t>(n), 0.0));
  const auto ei = host_ints(g.edge_index());
  const auto w = g.edge_weight().defined() ? host(g.edge_weight()) : std::vector<double>(ei.size() / 2, 1.0);
  const size_t e = ei.size() / 2;
  for (size_t k = 0; k < e; ++k) a[static_cast<size_t>(ei[e + k])][static_cast<size_t>(ei[k])] += w[k];
  return a;
}

// Dense H W H^T of the reference, with the diagonal zeroed unless self_loops.
Mat dense_clique(const DenseHypergraph& d, bool self_loops) {
  Mat c(static_cast<size_t>(d.n), std::vector<double>(static_cast<size_t>(d.n), 0.0));
  for (int64_t u = 0; u < d.n; ++u)
    for (int64_t v = 0; v < d.n; ++v) {
      if (u == v && !self_loops) continue;
      for (int64_t e = 0; e < d.m; ++e) c[u][v] += d.h[u][e] * d.w[e] * d.h[v][e];
    }
  return c;
}

bool has_self_loop(const graph::Graph& g) {
  const auto ei = host_ints(g.edge_index());
  const size_t e = ei.size() / 2;
  for (size_t k = 0; k < e; ++k)
    if (ei[k] == ei[e + k]) return true;
  return false;
}

// ------------------------------------------------------------------------------------- from_incidence_matrix

// H as a Csr (rows vertices, columns hyperedges) from a raw incidence, repeats kept, pattern only (values would
// become incidence weights: incidence_weight_test.cpp covers those).
Csr matrix_of(const RawIncidence& r, Device device = kCPU) {
  const auto nnz = static_cast<int64_t>(r.vertex.size());
  return Csr::from_coo(from_vector<int64_t>(r.vertex, {nnz}, device), from_vector<int64_t>(r.edge, {nnz}, device), r.n,
                       r.m, Tensor(), DupPolicy::kKeep);
}

TEST(FromIncidenceMatrix, MatchesTheDenseReferenceOnRandomInputs) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    for (bool weighted : {false, true}) {
      const RawIncidence r = random_incidence(seed, 40, 25, 4, weighted);
      const DenseHypergraph d = dense_of(r);
      ASSERT_LT(d.m, r.m) << "the random input should have empty hyperedges";
      const Hypergraph h = Hypergraph::from_incidence_matrix(matrix_of(r), r.weight());
      EXPECT_EQ(h.num_vertices(), r.n);
      EXPECT_EQ(h.num_hyperedges(), d.m);
      EXPECT_EQ(host_ints(h.kept_hyperedges()), d.kept);
      EXPECT_EQ(members_of(h), d.members);
      ASSERT_EQ(h.hyperedge_weight().defined(), weighted);
      if (weighted) {
        EXPECT_EQ(host(h.hyperedge_weight()), d.w);
      }
      // The same hypergraph as from_incidence on the raw list.
      EXPECT_EQ(host_ints(h.incidence()), host_ints(r.build().incidence()));
    }
  }
}

TEST(FromIncidenceMatrix, EmptyColumnsDroppedOrAnError) {
  // 4 vertices x 4 hyperedges; columns 1 and 3 empty; vertex 3 in none.
  RawIncidence r;
  r.n = 4;
  r.m = 4;
  r.vertex = {0, 1, 1, 2};
  r.edge = {0, 0, 2, 2};
  r.w = {1.5, 2.5, 3.5, 4.5};
  const Hypergraph h = Hypergraph::from_incidence_matrix(matrix_of(r), r.weight(), EmptyHyperedges::kDrop);
  EXPECT_EQ(h.num_hyperedges(), 2);
  EXPECT_EQ(host_ints(h.kept_hyperedges()), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(host(h.hyperedge_weight()), (std::vector<double>{1.5, 3.5}));
  EXPECT_EQ(members_of(h), (Sets{{0, 1}, {1, 2}}));
  EXPECT_THAT([&] { Hypergraph::from_incidence_matrix(matrix_of(r), r.weight(), EmptyHyperedges::kError); },
              ThrowsMessage<ValueError>(HasSubstr("Hypergraph::from_incidence_matrix (columns of 'h' are hyperedges): "
                                                  "Hypergraph::from_incidence: hyperedge 1 has no vertex")));
}

TEST(FromIncidenceMatrix, Errors) {
  const RawIncidence r = random_incidence(4, 10, 6, 3, false);
  EXPECT_THAT([&] { Hypergraph::from_incidence_matrix(Csr()); },
              ThrowsMessage<ValueError>(HasSubstr("Hypergraph::from_incidence_matrix: 'h' is an undefined Csr")));
  EXPECT_THAT([&] { Hypergraph::from_incidence_matrix(matrix_of(r), ones({5}, kFloat64)); },
              ThrowsMessage<ShapeError>(HasSubstr("Hypergraph::from_incidence_matrix (columns of 'h' are hyperedges): "
                                                  "Hypergraph::from_incidence: 'hyperedge_weight' must be [M] with "
                                                  "M = 6 hyperedges, got [5]")));
  EXPECT_THAT([&] { Hypergraph::from_incidence_matrix(matrix_of(r), ones({6}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr("'hyperedge_weight' must be float32 or float64, got int64")));
  EXPECT_THAT([&] { Hypergraph::from_incidence_matrix(matrix_of(r), full({6}, NAN, kFloat64)); },
              ThrowsMessage<ValueError>(HasSubstr("hyperedge_weight of hyperedge 0 is nan")));
}

// ------------------------------------------------------------------------------------- from_attribute_groups

// Brute force: for each column, the distinct non-negative values in ascending order, each with its vertex set.
Sets attribute_reference(const std::vector<int64_t>& values, int64_t n, int64_t a, bool keep_singletons) {
  Sets out;
  for (int64_t c = 0; c < a; ++c) {
    std::map<int64_t, std::set<int64_t>> groups;
    for (int64_t v = 0; v < n; ++v) {
      const int64_t x = values[static_cast<size_t>(v * a + c)];
      if (x >= 0) groups[x].insert(v);
    }
    for (const auto& [value, set] : groups) {
      if (set.size() >= 2 || keep_singletons) out.push_back(set);
    }
  }
  return out;
}

// Random attributes [n, a] in {-2, -1, 0, ..., k - 1}: negative ones are missing values.
std::vector<int64_t> random_attributes(uint32_t seed, int64_t n, int64_t a, int64_t k) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int64_t> dist(-2, k - 1);
  std::vector<int64_t> v(static_cast<size_t>(n * a));
  for (auto& x : v) x = dist(gen);
  return v;
}

TEST(FromAttributeGroups, HandMade) {
  // Column 0: value 7 -> {0, 2}, value 1 -> {1, 3}, vertex 4 missing. Column 1: 0 -> {0, 1, 4}, 5 -> {2} (a
  // singleton), vertex 3 missing (-4).
  const Tensor attr = from_vector<int64_t>({7, 0, 1, 0, 7, 5, 1, -4, -1, 0}, {5, 2});
  const Hypergraph h = Hypergraph::from_attribute_groups(attr);
  EXPECT_EQ(h.num_vertices(), 5);
  EXPECT_EQ(members_of(h), (Sets{{1, 3}, {0, 2}, {0, 1, 4}}));  // by column, then value
  EXPECT_FALSE(h.hyperedge_weight().defined());
  const Hypergraph s = Hypergraph::from_attribute_groups(attr, /*keep_singletons=*/true);
  EXPECT_EQ(members_of(s), (Sets{{1, 3}, {0, 2}, {0, 1, 4}, {2}}));
}

TEST(FromAttributeGroups, MatchesBruteForceOnRandomInputs) {
  for (uint32_t seed : {11u, 12u, 13u}) {
    for (int64_t a : {1, 3}) {
      const int64_t n = 50;
      const auto values = random_attributes(seed, n, a, a == 1 ? 20 : 8 + seed % 5);
      for (bool keep : {false, true}) {
        const Sets ref = attribute_reference(values, n, a, keep);
        ASSERT_FALSE(ref.empty());
        const Hypergraph h = Hypergraph::from_attribute_groups(from_vector<int64_t>(values, {n, a}), keep);
        EXPECT_EQ(h.num_vertices(), n);
        EXPECT_EQ(members_of(h), ref) << "seed " << seed << " columns " << a << " singletons " << keep;
        // int32 input and the [N] layout for one column give the same result.
        const Tensor i32 = from_vector<int64_t>(values, {n, a}).to(kInt32);
        EXPECT_EQ(members_of(Hypergraph::from_attribute_groups(i32, keep)), ref);
        if (a == 1) {
          EXPECT_EQ(members_of(Hypergraph::from_attribute_groups(i32.view({n}), keep)), ref);
        }
      }
    }
  }
  // Some singleton groups exist in this input, so the flag must matter.
  const auto values = random_attributes(11, 50, 1, 20);
  EXPECT_LT(attribute_reference(values, 50, 1, false).size(), attribute_reference(values, 50, 1, true).size());
}

TEST(FromAttributeGroups, AllMissingAndNoColumns) {
  const Hypergraph h = Hypergraph::from_attribute_groups(full({4, 2}, -1.0, kInt64), true);
  EXPECT_EQ(h.num_vertices(), 4);
  EXPECT_EQ(h.num_hyperedges(), 0);
  EXPECT_EQ(Hypergraph::from_attribute_groups(zeros({3, 0}, kInt64)).num_hyperedges(), 0);
}

TEST(FromAttributeGroups, Errors) {
  EXPECT_THAT(
      [] {
        Hypergraph::from_attribute_groups(zeros({4, 2}, kFloat32));
      },
      ThrowsMessage<DTypeError>(
          HasSubstr("Hypergraph::from_attribute_groups: 'attributes' must be int32 or int64, got float32")));
  EXPECT_THAT(
      [] {
        Hypergraph::from_attribute_groups(zeros({4, 2, 1}, kInt64));
      },
      ThrowsMessage<ShapeError>(HasSubstr("Hypergraph::from_attribute_groups: 'attributes' must be [N] or "
                                          "[N, A] (one column per attribute), got [4, 2, 1]")));
  EXPECT_THAT([] { Hypergraph::from_attribute_groups(Tensor()); },
              ThrowsMessage<ValueError>(HasSubstr("'attributes' is an undefined tensor")));
}

// ------------------------------------------------------------------------------------------------ merge

TEST(Merge, ConcatenatesPartsWithAndWithoutWeights) {
  const int64_t n = 30;
  const RawIncidence r0 = random_incidence(21, n, 12, 3, false);
  const RawIncidence r1 = random_incidence(22, n, 9, 4, true);
  const RawIncidence r2 = random_incidence(23, n, 7, 3, false);
  const Hypergraph p0 = r0.build(), p1 = r1.build(), p2 = r2.build();
  const DenseHypergraph d0 = dense_of(r0), d1 = dense_of(r1), d2 = dense_of(r2);

  // Unweighted parts only: no weights.
  const Hypergraph u = Hypergraph::merge({p0, p2});
  EXPECT_EQ(u.num_vertices(), n);
  EXPECT_EQ(u.num_hyperedges(), d0.m + d2.m);
  EXPECT_FALSE(u.hyperedge_weight().defined());
  Sets ref = d0.members;
  ref.insert(ref.end(), d2.members.begin(), d2.members.end());
  EXPECT_EQ(members_of(u), ref);
  EXPECT_EQ(host_ints(u.kept_hyperedges()), host_ints(arange(d0.m + d2.m)));

  // With a weighted part in the middle: ones for the others, part order kept.
  const Hypergraph w = Hypergraph::merge({p0, p1, p2});
  ref = d0.members;
  ref.insert(ref.end(), d1.members.begin(), d1.members.end());
  ref.insert(ref.end(), d2.members.begin(), d2.members.end());
  EXPECT_EQ(members_of(w), ref);
  ASSERT_TRUE(w.hyperedge_weight().defined());
  EXPECT_EQ(w.hyperedge_weight().dtype(), kFloat64);
  std::vector<double> wref(static_cast<size_t>(d0.m), 1.0);
  wref.insert(wref.end(), d1.w.begin(), d1.w.end());
  wref.insert(wref.end(), static_cast<size_t>(d2.m), 1.0);
  EXPECT_EQ(host(w.hyperedge_weight()), wref);

  // A single part is itself.
  EXPECT_EQ(host_ints(Hypergraph::merge({p1}).incidence()), host_ints(p1.incidence()));
  EXPECT_EQ(host(Hypergraph::merge({p1}).hyperedge_weight()), d1.w);
}

TEST(Merge, DuplicateHyperedgesStaySeparate) {
  const Hypergraph a = Hypergraph::from_vertex_lists({{0, 1}, {2}}, 3);
  const Hypergraph m = Hypergraph::merge({a, a});
  EXPECT_EQ(members_of(m), (Sets{{0, 1}, {2}, {0, 1}, {2}}));
  // Their weights add up in the clique expansion: {0, 1} shared twice.
  EXPECT_EQ(dense_graph(m.clique_expansion()), (Mat{{0, 2, 0}, {2, 0, 0}, {0, 0, 0}}));
}

TEST(Merge, Errors) {
  const Hypergraph a = Hypergraph::from_vertex_lists({{0, 1}}, 3), b = Hypergraph::from_vertex_lists({{0, 1}}, 4);
  EXPECT_THAT([] { Hypergraph::merge({}); },
              ThrowsMessage<ValueError>(HasSubstr("Hypergraph::merge: 'parts' is empty")));
  EXPECT_THAT(
      [&] {
        Hypergraph::merge({a, a, b});
      },
      ThrowsMessage<ShapeError>(HasSubstr("Hypergraph::merge: part 2 has 4 vertices but part 0 has 3")));
  EXPECT_THAT(
      [&] {
        Hypergraph::merge({a, Hypergraph()});
      },
      ThrowsMessage<ValueError>(HasSubstr("Hypergraph::merge: part 1 is an undefined hypergraph")));
  const Tensor inc = from_vector<int64_t>({0, 1, 0, 0}, {2, 2});
  const Hypergraph w32 = Hypergraph::from_incidence(inc, 3, 1, ones({1}, kFloat32));
  const Hypergraph w64 = Hypergraph::from_incidence(inc, 3, 1, ones({1}, kFloat64));
  EXPECT_THAT(
      [&] {
        Hypergraph::merge({a, w64, w32});
      },
      ThrowsMessage<DTypeError>(
          HasSubstr("Hypergraph::merge: part 2 has float32 hyperedge weights but part 1 has float64")));
}

// ------------------------------------------------------------------------------------------- clique_expansion

TEST(CliqueExpansion, HandMade) {
  // {0, 1, 2} w 2, {1, 2} w 0.5 (1 and 2 share two hyperedges), {3} w 3 (a singleton), vertex 4 isolated.
  const Tensor inc = from_vector<int64_t>({0, 1, 2, 1, 2, 3, /**/ 0, 0, 0, 1, 1, 2}, {2, 6});
  const Hypergraph h = Hypergraph::from_incidence(inc, 5, 3, from_vector<double>({2.0, 0.5, 3.0}, {3}));
  const graph::Graph g = h.clique_expansion();
  EXPECT_EQ(g.num_nodes(), 5);
  EXPECT_EQ(g.num_edges(), 6);
  EXPECT_EQ(g.edge_weight().dtype(), kFloat64);
  EXPECT_FALSE(has_self_loop(g));
  EXPECT_EQ(dense_graph(g),
            (Mat{{0, 2, 2, 0, 0}, {2, 0, 2.5, 0, 0}, {2, 2.5, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}));
  const graph::Graph s = h.clique_expansion(/*self_loops=*/true);
  EXPECT_EQ(s.num_edges(), 10);
  EXPECT_EQ(dense_graph(s),
            (Mat{{2, 2, 2, 0, 0}, {2, 2.5, 2.5, 0, 0}, {2, 2.5, 2.5, 0, 0}, {0, 0, 0, 3, 0}, {0, 0, 0, 0, 0}}));
  // Unweighted: the count of shared hyperedges, float32.
  const graph::Graph c = Hypergraph::from_incidence(inc, 5, 3).clique_expansion();
  EXPECT_EQ(c.edge_weight().dtype(), kFloat32);
  EXPECT_EQ(dense_graph(c), (Mat{{0, 1, 1, 0, 0}, {1, 0, 2, 0, 0}, {1, 2, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}));
}

TEST(CliqueExpansion, MatchesDenseReferenceOnRandomInputs) {
  for (uint32_t seed : {31u, 32u, 33u}) {
    for (bool weighted : {false, true}) {
      // random_incidence guarantees isolated vertices, repeated pairs and a hub hyperedge (many vertex pairs
      // shared by several hyperedges); the second case appends a singleton per vertex (with_singletons).
      const RawIncidence r = random_incidence(seed, 45, 30, 3, weighted);
      for (bool singletons : {false, true}) {
        DenseHypergraph d = dense_of(r);
        if (singletons) {
          for (int64_t v = 0; v < d.n; ++v) {
            d.h[v].resize(static_cast<size_t>(d.m + d.n), 0.0);
            d.h[v][d.m + v] = 1.0;
          }
          d.w.resize(static_cast<size_t>(d.m + d.n), 1.0);
          d.m += d.n;
        }
        const Hypergraph h = singletons ? r.build().with_singletons() : r.build();
        ASSERT_EQ(h.num_hyperedges(), d.m);
        for (bool loops : {false, true}) {
          const graph::Graph g = h.clique_expansion(loops);
          EXPECT_EQ(g.num_nodes(), r.n);
          EXPECT_EQ(has_self_loop(g), loops);
          const Mat ref = dense_clique(d, loops);
          EXPECT_LT(max_diff(dense_graph(g), ref), 1e-12) << "seed " << seed << " weighted " << weighted;
          // One edge per structurally nonzero pair (weights are positive here): no duplicates, nothing missing.
          int64_t nonzero = 0;
          for (const auto& row : ref)
            for (double x : row) nonzero += x != 0;
          EXPECT_EQ(g.num_edges(), nonzero);
        }
      }
    }
  }
}

TEST(CliqueExpansion, SingletonsAndNoHyperedges) {
  // Singletons only contribute to the diagonal.
  const Hypergraph h = Hypergraph::from_vertex_lists({{0}, {2}, {0}}, 3);
  EXPECT_EQ(h.clique_expansion().num_edges(), 0);
  EXPECT_EQ(dense_graph(h.clique_expansion(true)), (Mat{{2, 0, 0}, {0, 0, 0}, {0, 0, 1}}));
  const Hypergraph none = Hypergraph::from_vertex_lists({}, 4);
  EXPECT_EQ(none.clique_expansion().num_nodes(), 4);
  EXPECT_EQ(none.clique_expansion().num_edges(), 0);
  EXPECT_EQ(none.clique_expansion(true).num_edges(), 0);
}

// ---------------------------------------------------------------------------------------------- CPU / CUDA

void expect_same(const Hypergraph& cpu, const Hypergraph& cuda) {
  EXPECT_TRUE(cuda.device().is_cuda());
  EXPECT_EQ(host_ints(cuda.incidence()), host_ints(cpu.incidence()));
  EXPECT_EQ(host_ints(cuda.kept_hyperedges()), host_ints(cpu.kept_hyperedges()));
  ASSERT_EQ(cuda.hyperedge_weight().defined(), cpu.hyperedge_weight().defined());
  if (cpu.hyperedge_weight().defined()) {
    EXPECT_EQ(host(cuda.hyperedge_weight()), host(cpu.hyperedge_weight()));
  }
}

TEST(GroupsCuda, FromIncidenceMatrixMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  const RawIncidence r = random_incidence(41, 60, 40, 4, true);
  expect_same(Hypergraph::from_incidence_matrix(matrix_of(r), r.weight()),
              Hypergraph::from_incidence_matrix(matrix_of(r, kCUDA), r.weight(kFloat64, kCUDA)));
}

TEST(GroupsCuda, FromAttributeGroupsMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  const Tensor attr = from_vector<int64_t>(random_attributes(42, 80, 3, 9), {80, 3});
  for (bool keep : {false, true}) {
    expect_same(Hypergraph::from_attribute_groups(attr, keep), Hypergraph::from_attribute_groups(attr.cuda(), keep));
  }
}

TEST(GroupsCuda, MergeMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  const RawIncidence r0 = random_incidence(43, 50, 20, 3, false), r1 = random_incidence(44, 50, 15, 5, true);
  const Hypergraph c = Hypergraph::merge({r0.build(), r1.build(), r0.build()});
  const Hypergraph g = Hypergraph::merge({r0.build(kCUDA), r1.build(kCUDA), r0.build(kCUDA)});
  expect_same(c, g);
  EXPECT_THAT(
      [&] {
        Hypergraph::merge({r0.build(), r1.build(kCUDA)});
      },
      ThrowsMessage<DeviceError>(HasSubstr("Hypergraph::merge: part 1 is on cuda")));
}

TEST(GroupsCuda, CliqueExpansionMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  for (bool weighted : {false, true}) {
    const RawIncidence r = random_incidence(45, 300, 200, 6, weighted);
    const Hypergraph h = r.build(kCPU, kFloat32);
    for (bool loops : {false, true}) {
      const graph::Graph c = h.clique_expansion(loops), g = h.to(kCUDA).clique_expansion(loops);
      EXPECT_TRUE(g.device().is_cuda());
      EXPECT_EQ(host_ints(g.edge_index()), host_ints(c.edge_index()));
      EXPECT_LT(max_abs_diff(g.edge_weight().cpu(), c.edge_weight()), 1e-4);
      EXPECT_LT(max_diff(dense_graph(g), dense_clique(dense_of(r), loops)), 1e-3);
    }
  }
}

}  // namespace
}  // namespace loom::testing::hg
