// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph core: from_edge_index (int32/int64, weights and features permuted into csr order), validation messages,
// from_csr, edge_index round trip, degrees, norms against a dense float64 formula, caches, with_self_loops, to().
#include <gmock/gmock.h>

#include <cmath>
#include <limits>
#include <memory>
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

Tensor edge_index_of(const RandomGraph& rg) {
  return concat({rg.src.view({1, rg.num_edges()}), rg.dst.view({1, rg.num_edges()})}, 0);
}

Tensor ei64(const std::vector<int64_t>& src, const std::vector<int64_t>& dst) {
  std::vector<int64_t> v(src);
  v.insert(v.end(), dst.begin(), dst.end());
  return from_vector<int64_t>(v, {2, static_cast<int64_t>(src.size())});
}

// A hand-made graph: 2->1, 0->1, 1->0, 1->2, 2->2 (a self loop). In csr order (by target, then source):
// (1->0) (0->1) (2->1) (1->2) (2->2), i.e. input positions 2 1 0 3 4.
const std::vector<int64_t> kSrc = {2, 0, 1, 1, 2}, kDst = {1, 1, 0, 2, 2};

TEST(GraphCore, HandMadeGraphInBothIndexTypes) {
  const Tensor w = from_vector<double>({10, 20, 30, 40, 50}, {5});
  const Tensor attr = from_vector<double>({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {5, 2});
  for (DType t : {kInt64, kInt32}) {
    const Graph g = Graph::from_edge_index(ei64(kSrc, kDst).to(t), 3, w, attr);
    EXPECT_EQ(g.num_nodes(), 3);
    EXPECT_EQ(g.num_edges(), 5);
    EXPECT_EQ(g.csr().indptr().to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 3, 5}));
    EXPECT_EQ(g.csr().indices().to_vector<int32_t>(), (std::vector<int32_t>{1, 0, 2, 1, 2}));
    EXPECT_EQ(g.edge_ids().to_vector<int64_t>(), (std::vector<int64_t>{2, 1, 0, 3, 4}));
    EXPECT_EQ(g.edge_weight().to_vector<double>(), (std::vector<double>{30, 20, 10, 40, 50}));
    EXPECT_EQ(g.edge_attr().to_vector<double>(), (std::vector<double>{5, 6, 3, 4, 1, 2, 7, 8, 9, 10}));
    EXPECT_EQ(g.edge_index().to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 2, 1, 2, 0, 1, 1, 2, 2}));
    EXPECT_EQ(g.in_degrees().to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 2}));
    EXPECT_EQ(g.out_degrees().to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 2}));
    EXPECT_TRUE(g.has_self_loops());
    EXPECT_EQ(g.str(), "Graph(3 nodes, 5 edges, weighted, edge features 2, cpu)");
  }
  EXPECT_FALSE(Graph::from_edge_index(ei64({0, 1}, {1, 0}), 2).has_self_loops());
  EXPECT_FALSE(Graph::from_edge_index(ei64({}, {}), 4).has_self_loops());
}

// On random graphs (unsorted, duplicates, loops, empty rows): every csr entry is the input edge edge_ids() names,
// with that edge's weight and features; edge_index() reproduces the input; degrees match naive counts.
TEST(GraphCore, RandomGraphsAgainstTheInput) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    const RandomGraph rg = random_graph(seed, 90, 90, 4);
    const int64_t m = rg.num_edges();
    const Tensor w = testing::random_tensor({m}, seed, 0.5, 2.0);
    const Tensor attr = testing::random_tensor({m, 3}, seed + 7);
    const Graph g = Graph::from_edge_index(edge_index_of(rg), 90, w, attr);
    ASSERT_EQ(g.num_edges(), m);
    const auto src = rg.src.to_vector<int64_t>(), dst = rg.dst.to_vector<int64_t>();
    const auto ids = g.edge_ids().to_vector<int64_t>();
    const auto ei = g.edge_index().to_vector<int64_t>();
    const auto wi = w.to_vector<double>(), wg = g.edge_weight().to_vector<double>();
    const auto ai = attr.to_vector<double>(), ag = g.edge_attr().to_vector<double>();
    std::vector<int64_t> in(90, 0), out(90, 0);
    for (int64_t k = 0; k < m; ++k) {
      const auto p = static_cast<size_t>(ids[k]);
      EXPECT_EQ(ei[k], src[p]);
      EXPECT_EQ(ei[m + k], dst[p]);
      if (k > 0) {
        EXPECT_LE(std::make_pair(ei[m + k - 1], ei[k - 1]), std::make_pair(ei[m + k], ei[k]));
      }
      EXPECT_EQ(wg[k], wi[p]);
      for (int j = 0; j < 3; ++j) EXPECT_EQ(ag[3 * k + j], ai[3 * p + j]);
      ++in[dst[static_cast<size_t>(k)]];
      ++out[src[static_cast<size_t>(k)]];
    }
    EXPECT_EQ(g.in_degrees().to_vector<int64_t>(), in);
    EXPECT_EQ(g.out_degrees().to_vector<int64_t>(), out);
    EXPECT_TRUE(g.has_self_loops());
    // edge_index() in, the same graph out.
    const Graph again = Graph::from_edge_index(g.edge_index(), 90, g.edge_weight());
    EXPECT_EQ(again.csr().indices().to_vector<int32_t>(), g.csr().indices().to_vector<int32_t>());
    EXPECT_EQ(again.csr().indptr().to_vector<int64_t>(), g.csr().indptr().to_vector<int64_t>());
    EXPECT_EQ(again.edge_weight().to_vector<double>(), wg);
  }
}

TEST(GraphCore, ErrorsNameTheProblem) {
  const Tensor ei = ei64({0, 1, 2, 1}, {1, 2, 0, 9});
  EXPECT_THAT([&] { Graph::from_edge_index(ei, 3); },
              ThrowsMessage<IndexError>(AllOf(HasSubstr("Graph::from_edge_index"), HasSubstr("edge 3 (1 -> 9)"),
                                              HasSubstr("[0, 3)"))));
  EXPECT_THAT([&] { Graph::from_edge_index(ei64({0, -1}, {1, 0}), 3); },
              ThrowsMessage<IndexError>(HasSubstr("edge 1 (-1 -> 0)")));
  const Tensor three = from_vector<int64_t>({0, 1, 1, 2, 2, 0}, {3, 2});
  EXPECT_THAT([&] { Graph::from_edge_index(three, 3); },
              ThrowsMessage<ShapeError>(AllOf(HasSubstr("[2, E]"), HasSubstr("[3, 2]"))));
  EXPECT_THAT([&] { Graph::from_edge_index(ei.to(kFloat32), 10); },
              ThrowsMessage<DTypeError>(HasSubstr("int32 or int64")));
  const Tensor ok = ei64({0, 1, 2}, {1, 2, 0});
  EXPECT_THAT([&] { Graph::from_edge_index(ok, 3, ones({4}, kFloat64)); },
              ThrowsMessage<ShapeError>(AllOf(HasSubstr("'edge_weight'"), HasSubstr("E = 3"), HasSubstr("[4]"))));
  EXPECT_THAT([&] { Graph::from_edge_index(ok, 3, Tensor(), ones({3}, kFloat64)); },
              ThrowsMessage<ShapeError>(HasSubstr("'edge_attr' must be [E, D]")));
  EXPECT_THAT([&] { Graph::from_edge_index(ok, 3, from_vector<int64_t>({1, 1, 1}, {3})); },
              ThrowsMessage<DTypeError>(HasSubstr("'edge_weight' must be float32 or float64")));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT([&] { Graph::from_edge_index(ok, 3, from_vector<double>({1.0, 2.0, nan}, {3})); },
              ThrowsMessage<ValueError>(AllOf(HasSubstr("edge_weight of edge 2"), HasSubstr("finite"))));
  EXPECT_THAT([&] { Graph::from_edge_index(ok, 3, from_vector<double>({INFINITY, 2.0, 1.0}, {3})); },
              ThrowsMessage<ValueError>(HasSubstr("edge_weight of edge 0")));
  EXPECT_THAT([&] { Graph::from_edge_index(ok, -1); }, ThrowsMessage<ValueError>(HasSubstr("num_nodes")));
  EXPECT_THAT([&] { Graph().num_nodes(); }, ThrowsMessage<ValueError>(HasSubstr("undefined")));
  const Graph g = Graph::from_edge_index(ok, 3);
  EXPECT_THAT([&] { g.with_edge_weight(ones({2}, kFloat32)); }, ThrowsMessage<ShapeError>(HasSubstr("E = 3")));
  EXPECT_THAT([&] { g.with_edge_weight(from_vector<double>({1.0, nan, 1.0}, {3})); },
              ThrowsMessage<ValueError>(HasSubstr("edge_weight of edge 1 (csr order) is nan")));
  EXPECT_THAT([&] { g.with_edge_attr(ones({3}, kFloat32)); }, ThrowsMessage<ShapeError>(HasSubstr("[E, D]")));
  EXPECT_THAT([&] { g.norm(Norm::kSym, kInt64); }, ThrowsMessage<DTypeError>(HasSubstr("Graph::norm")));
}

TEST(GraphCore, DeviceMismatchIsADeviceError) {
  LOOM_REQUIRE_CUDA();
  const Tensor ei = ei64({0, 1, 2}, {1, 2, 0}).to(kCUDA);
  EXPECT_THAT([&] { Graph::from_edge_index(ei, 3, ones({3}, kFloat32)); },
              ThrowsMessage<DeviceError>(AllOf(HasSubstr("'edge_weight' is on cpu"), HasSubstr("cuda"))));
  EXPECT_THAT([&] { Graph::from_edge_index(ei, 3, Tensor(), ones({3, 2}, kFloat32)); },
              ThrowsMessage<DeviceError>(HasSubstr("'edge_attr'")));
}

TEST(GraphCore, FromCsrAdoptsValuesAsWeights) {
  const RandomGraph rg = random_graph(4, 40, 40, 3);
  const int64_t m = rg.num_edges();
  const Tensor vals = testing::random_tensor({m}, 4, 0.5, 1.5);
  const Csr c = testing::to_csr(rg, kCPU, DupPolicy::kKeep, vals);
  const Tensor attr = testing::random_tensor({m, 2}, 5);
  const Graph g = Graph::from_csr(c, attr);
  EXPECT_EQ(g.num_edges(), m);
  EXPECT_EQ(g.edge_weight().to_vector<double>(), c.values().to_vector<double>());
  EXPECT_FALSE(g.csr().values().defined());  // the pattern only: weights live in edge_weight()
  EXPECT_EQ(g.csr().indices().to_vector<int32_t>(), c.indices().to_vector<int32_t>());
  EXPECT_EQ(g.edge_ids().to_vector<int64_t>(), arange(m).to_vector<int64_t>());
  EXPECT_TRUE(g.edge_attr().is_same(attr));
  const Graph pattern = Graph::from_csr(testing::to_csr(rg));
  EXPECT_FALSE(pattern.edge_weight().defined());
  EXPECT_THAT([&] { Graph::from_csr(testing::random_csr(1, 5, 7, 2)); },
              ThrowsMessage<ShapeError>(HasSubstr("square")));
  EXPECT_THAT([&] { Graph::from_csr(testing::to_csr(rg, kCPU, DupPolicy::kKeep, ones({m, 2}, kFloat32))); },
              ThrowsMessage<ShapeError>(HasSubstr("[nnz] edge weights")));
  EXPECT_THAT([&] { Graph::from_csr(c, ones({m + 1, 2}, kFloat32)); }, ThrowsMessage<ShapeError>(HasSubstr("edge_attr")));
}

// Dense float64 reference: A[dst][src] summed over duplicates, deg = row sums, and the normalised matrix.
std::vector<double> dense_norm(const Graph& g, Norm kind) {
  const int64_t n = g.num_nodes(), m = g.num_edges();
  const auto ei = g.edge_index().to_vector<int64_t>();
  const auto w = g.edge_weight().defined() ? g.edge_weight().to(kFloat64).to_vector<double>()
                                           : std::vector<double>(static_cast<size_t>(m), 1.0);
  std::vector<double> a(static_cast<size_t>(n * n), 0.0), deg(static_cast<size_t>(n), 0.0);
  for (int64_t k = 0; k < m; ++k) a[ei[m + k] * n + ei[k]] += w[k];
  for (int64_t v = 0; v < n; ++v)
    for (int64_t u = 0; u < n; ++u) deg[v] += a[v * n + u];
  auto inv = [&](int64_t v, double p) { return deg[v] == 0 ? 0.0 : 1.0 / std::pow(deg[v], p); };
  for (int64_t v = 0; v < n; ++v)
    for (int64_t u = 0; u < n; ++u)
      a[v * n + u] *= kind == Norm::kSym ? inv(v, 0.5) * inv(u, 0.5) : inv(v, 1.0);
  return a;
}

// The coefficients scattered into a dense matrix (duplicates summed).
std::vector<double> dense_of(const Graph& g, const Tensor& coef) {
  const int64_t n = g.num_nodes(), m = g.num_edges();
  const auto ei = g.edge_index().to_vector<int64_t>();
  const auto c = coef.to(kCPU).to(kFloat64).to_vector<double>();
  std::vector<double> a(static_cast<size_t>(n * n), 0.0);
  for (int64_t k = 0; k < m; ++k) a[ei[m + k] * n + ei[k]] += c[k];
  return a;
}

TEST(GraphCore, NormsMatchTheDenseFormula) {
  const RandomGraph rg = random_graph(6, 70, 70, 3);
  const Graph plain = Graph::from_edge_index(edge_index_of(rg), 70);
  const Graph weighted = plain.with_edge_weight(testing::random_tensor({rg.num_edges()}, 6, 0.2, 3.0));
  for (const Graph* g : {&plain, &weighted}) {
    for (Norm kind : {Norm::kSym, Norm::kRandomWalk}) {
      const std::vector<double> ref = dense_norm(*g, kind);
      const std::vector<double> got64 = dense_of(*g, g->norm(kind, kFloat64));
      const std::vector<double> got32 = dense_of(*g, g->norm(kind, kFloat32));
      EXPECT_EQ(g->norm(kind, kFloat32).dtype(), kFloat32);
      for (size_t i = 0; i < ref.size(); ++i) {
        ASSERT_NEAR(got64[i], ref[i], 1e-12) << "entry " << i;
        ASSERT_NEAR(got32[i], ref[i], 1e-6 * (1 + std::abs(ref[i]))) << "entry " << i;
      }
    }
    // Random-walk rows sum to 1, and to 0 on nodes without in-edges (isolated nodes included).
    const auto rw = dense_of(*g, g->norm(Norm::kRandomWalk, kFloat64));
    const auto deg = g->in_degrees().to_vector<int64_t>();
    for (int64_t v = 0; v < 70; ++v) {
      double s = 0;
      for (int64_t u = 0; u < 70; ++u) s += rw[v * 70 + u];
      EXPECT_NEAR(s, deg[v] == 0 ? 0.0 : 1.0, 1e-12) << "node " << v;
    }
  }
  // Hand case: 0->1, 2->1, 1->1 with weights 1, 3, 4: deg(1) = 8, deg(0) = deg(2) = 0.
  const Graph h = Graph::from_edge_index(ei64({0, 2, 1}, {1, 1, 1}), 3, from_vector<double>({1, 3, 4}, {3}));
  // csr order: (0->1) (1->1) (2->1).
  const auto rw = h.norm(Norm::kRandomWalk, kFloat64).to_vector<double>();
  const auto sym = h.norm(Norm::kSym, kFloat64).to_vector<double>();
  const std::vector<double> rw_ref = {1.0 / 8, 4.0 / 8, 3.0 / 8}, sym_ref = {0.0, 4.0 / 8, 0.0};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(rw[k], rw_ref[k], 1e-15);
    EXPECT_NEAR(sym[k], sym_ref[k], 1e-15);
  }
}

TEST(GraphCore, NormIsCachedPerKindAndDType) {
  const Graph g = Graph::from_edge_index(edge_index_of(random_graph(7, 30, 30, 3)), 30);
  const Tensor& a = g.norm(Norm::kSym);
  const Tensor& b = g.norm(Norm::kSym);
  EXPECT_TRUE(a.is_same(b));
  EXPECT_EQ(a.raw_data(), b.raw_data());
  EXPECT_NE(g.norm(Norm::kSym, kFloat64).raw_data(), a.raw_data());
  EXPECT_NE(g.norm(Norm::kRandomWalk).raw_data(), a.raw_data());
  const Graph copy = g;  // a handle: shares the cache
  EXPECT_EQ(copy.norm(Norm::kSym).raw_data(), a.raw_data());
  // Other weights are another graph with its own cache.
  EXPECT_NE(g.with_edge_weight(ones({g.num_edges()}, kFloat32)).norm(Norm::kSym).raw_data(), a.raw_data());
}

TEST(GraphCore, WithSelfLoopsAddsExactlyTheMissingLoops) {
  const RandomGraph rg = random_graph(8, 50, 50, 3);
  const int64_t m = rg.num_edges();
  const Graph g = Graph::from_edge_index(edge_index_of(rg), 50, testing::random_tensor({m}, 8, 0.5, 2.0),
                                         testing::random_tensor({m, 2}, 9, 0.5, 2.0));
  const auto src = rg.src.to_vector<int64_t>(), dst = rg.dst.to_vector<int64_t>();
  std::vector<int> loops(50, 0);
  for (int64_t k = 0; k < m; ++k)
    if (src[k] == dst[k]) ++loops[src[k]];
  int64_t missing = 0;
  for (int c : loops) missing += c == 0;
  ASSERT_GT(missing, 0);
  ASSERT_LT(missing, 50);
  const Graph& s = g.with_self_loops();
  EXPECT_EQ(s.num_edges(), m + missing);
  const auto ei = s.edge_index().to_vector<int64_t>();
  const auto w = s.edge_weight().to_vector<double>(), a = s.edge_attr().to_vector<double>();
  const int64_t ms = s.num_edges();
  std::vector<int> after(50, 0);
  for (int64_t k = 0; k < ms; ++k) {
    if (ei[k] != ei[ms + k]) continue;
    ++after[ei[k]];
    if (loops[ei[k]] == 0) {  // a new loop: weight 1, zero features
      EXPECT_EQ(w[k], 1.0);
      EXPECT_EQ(a[2 * k], 0.0);
      EXPECT_EQ(a[2 * k + 1], 0.0);
    } else {
      EXPECT_NE(w[k], 1.0);  // an existing loop keeps its weight (random in [0.5, 2), never exactly 1)
    }
  }
  for (int v = 0; v < 50; ++v) EXPECT_EQ(after[v], std::max(loops[v], 1)) << "node " << v;
  // Cached: the same graph object, and the same arrays, on every call.
  EXPECT_EQ(&g.with_self_loops(), &s);
  EXPECT_EQ(g.with_self_loops().csr().indices().raw_data(), s.csr().indices().raw_data());
  // A graph with every loop present is its own self-loop graph.
  EXPECT_EQ(s.with_self_loops().num_edges(), s.num_edges());
  EXPECT_EQ(&s.with_self_loops(), &s);
}

// The self-loop cache must not hold its own graph: a graph that already has every loop is its own self-loop
// graph, and once the last handle goes its arrays are freed.
TEST(GraphCore, SelfLoopCacheDoesNotKeepTheGraphAlive) {
  std::weak_ptr<TensorImpl> looped, plain;
  {
    const Graph g = Graph::from_edge_index(ei64({0, 1}, {0, 1}), 2);
    EXPECT_EQ(&g.with_self_loops(), &g);
    looped = g.csr().indices().impl_ptr();
    const Graph h = Graph::from_edge_index(ei64({0}, {1}), 2);
    EXPECT_EQ(h.with_self_loops().num_edges(), 3);
    plain = h.csr().indices().impl_ptr();
  }
  EXPECT_TRUE(looped.expired());
  EXPECT_TRUE(plain.expired());
}

TEST(GraphCore, EmptyGraph) {
  const Graph g = Graph::from_edge_index(ei64({}, {}), 4, zeros({0}, kFloat32));
  EXPECT_EQ(g.num_edges(), 0);
  EXPECT_EQ(g.in_degrees().to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(g.norm(Norm::kSym).numel(), 0);
  EXPECT_EQ(g.with_self_loops().num_edges(), 4);
  EXPECT_EQ(g.edge_index().shape(), (Shape{2, 0}));
}

// A receptive field reports its parent's degrees (its border nodes lack edges); a copy on another device must too,
// or GCN's normalisation of a GPU part (partition-parallel training) silently changes.
TEST(GraphCore, ReceptiveFieldKeepsItsParentsDegreesOnAnotherDevice) {
  LOOM_REQUIRE_CUDA();
  const RandomGraph rg = random_graph(12, 60, 60, 5);
  const Graph g = Graph::from_edge_index(edge_index_of(rg), 60);
  const Subgraph field = receptive_field(g, from_vector<int64_t>({3, 17, 42}, {3}), 1);
  const Graph& cpu = field.graph;
  const Graph gpu = cpu.to(kCUDA);
  EXPECT_EQ(gpu.in_degrees().cpu().to_vector<int64_t>(), cpu.in_degrees().to_vector<int64_t>());
  EXPECT_EQ(gpu.out_degrees().cpu().to_vector<int64_t>(), cpu.out_degrees().to_vector<int64_t>());
  EXPECT_TRUE(allclose(gpu.norm(Norm::kSym).cpu(), cpu.norm(Norm::kSym), 1e-6, 1e-7));
  // The field's own edges give other degrees at its border: the check above can fail.
  EXPECT_NE(cpu.in_degrees().to_vector<int64_t>(), cpu.csr().row_degrees().to_vector<int64_t>());
}

TEST(GraphCore, ToDeviceRoundTrip) {
  LOOM_REQUIRE_CUDA();
  const RandomGraph rg = random_graph(10, 80, 80, 4);
  const int64_t m = rg.num_edges();
  const Graph g = Graph::from_edge_index(edge_index_of(rg), 80, testing::random_tensor({m}, 10, 0.5, 2.0),
                                         testing::random_tensor({m, 3}, 11));
  const Graph gc = g.to(kCUDA);
  EXPECT_TRUE(gc.device().is_cuda());
  EXPECT_TRUE(gc.edge_weight().is_cuda());
  EXPECT_TRUE(gc.edge_attr().is_cuda());
  // Built on CUDA from CUDA tensors: the same graph.
  const Graph built = Graph::from_edge_index(edge_index_of(rg).to(kCUDA), 80, testing::random_tensor({m}, 10, 0.5, 2.0).cuda(),
                                             testing::random_tensor({m, 3}, 11).cuda());
  EXPECT_EQ(built.edge_index().cpu().to_vector<int64_t>(), g.edge_index().to_vector<int64_t>());
  EXPECT_EQ(built.edge_ids().cpu().to_vector<int64_t>(), g.edge_ids().to_vector<int64_t>());
  EXPECT_EQ(built.edge_weight().cpu().to_vector<double>(), g.edge_weight().to_vector<double>());
  const Graph back = gc.to(kCPU);
  EXPECT_EQ(back.edge_index().to_vector<int64_t>(), g.edge_index().to_vector<int64_t>());
  EXPECT_EQ(back.edge_weight().to_vector<double>(), g.edge_weight().to_vector<double>());
  EXPECT_EQ(back.edge_attr().to_vector<double>(), g.edge_attr().to_vector<double>());
  EXPECT_EQ(gc.in_degrees().cpu().to_vector<int64_t>(), g.in_degrees().to_vector<int64_t>());
  EXPECT_EQ(gc.out_degrees().cpu().to_vector<int64_t>(), g.out_degrees().to_vector<int64_t>());
  EXPECT_TRUE(gc.has_self_loops());
  for (Norm kind : {Norm::kSym, Norm::kRandomWalk}) {
    EXPECT_TRUE(gc.norm(kind, kFloat64).is_cuda());
    EXPECT_LT(max_abs_diff(gc.norm(kind, kFloat64).cpu(), g.norm(kind, kFloat64)), 1e-12);
  }
  const Graph& sc = gc.with_self_loops();
  EXPECT_TRUE(sc.device().is_cuda());
  EXPECT_EQ(sc.edge_index().cpu().to_vector<int64_t>(), g.with_self_loops().edge_index().to_vector<int64_t>());
}

}  // namespace
}  // namespace loom::graph
