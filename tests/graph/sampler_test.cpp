// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The neighbour sampler: block structure against the input graph (every sampled entry is an edge of it, per-row
// counts, distinctness without replacement), on the test zoo's nasty graph (hub, empty rows, self loops, duplicate
// edges); determinism across thread counts and batches; uniform draws; weights following their edges; a 2-layer
// SAGE run on full-fanout blocks equal to the full-graph run on the seeds; the CUDA sampler's blocks equal to the
// CPU's, bit for bit; and the errors.
#include "loom/graph/sampler.h"

#include <gmock/gmock.h>
#include <oneapi/tbb/global_control.h>

#include <map>
#include <set>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/layers/layers.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom {
namespace {

using graph::Block;
using graph::SampleOptions;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// The zoo's square graph (a hub of 1200 in-edges among 1500 nodes), with a weight per edge.
graph::Graph nasty_graph(bool weighted = false) {
  const testing::RandomGraph r = testing::random_graph(11, 1500, 1500, 3);
  const Tensor ei = concat({reshape(r.src, {1, r.num_edges()}), reshape(r.dst, {1, r.num_edges()})}, 0);
  return graph::Graph::from_edge_index(ei, 1500, weighted ? arange(r.num_edges(), kFloat32) : Tensor());
}

void expect_valid_blocks(const graph::Graph& g, const Tensor& seeds, const std::vector<Block>& blocks,
                         const std::vector<int64_t>& fanouts, bool replace) {
  const auto ip = g.csr().indptr().to_vector<int64_t>();
  const auto ix = g.csr().indices().to_vector<int32_t>();
  ASSERT_EQ(blocks.size(), fanouts.size());
  std::vector<int64_t> dst = seeds.to_vector<int64_t>();
  for (size_t h = 0; h < fanouts.size(); ++h) {  // hop h is block size - 1 - h
    const Block& b = blocks[blocks.size() - 1 - h];
    const auto src = b.src_nodes.to_vector<int64_t>();
    ASSERT_EQ(b.num_dst, static_cast<int64_t>(dst.size()));
    ASSERT_TRUE(std::equal(dst.begin(), dst.end(), src.begin())) << "hop " << h << ": destinations lead the sources";
    EXPECT_EQ(std::set<int64_t>(src.begin(), src.end()).size(), src.size()) << "hop " << h << ": sources repeat";
    const auto bp = b.graph.csr().indptr().to_vector<int64_t>();
    const auto bx = b.graph.csr().indices().to_vector<int32_t>();
    const auto eid = b.edge_ids.to_vector<int64_t>();
    ASSERT_EQ(b.graph.num_nodes(), static_cast<int64_t>(src.size()));
    for (int64_t r = 0; r < b.graph.num_nodes(); ++r) {
      if (r >= b.num_dst) {
        EXPECT_EQ(bp[r], bp[r + 1]) << "hop " << h << ": source-only row " << r << " has edges";
        continue;
      }
      const int64_t v = src[r], deg = ip[v + 1] - ip[v], f = fanouts[h];
      const int64_t want = f < 0 || (!replace && deg <= f) ? deg : (deg == 0 ? 0 : f);
      EXPECT_EQ(bp[r + 1] - bp[r], want) << "hop " << h << " node " << v << " degree " << deg;
      std::set<int64_t> taken;
      for (int64_t k = bp[r]; k < bp[r + 1]; ++k) {
        ASSERT_GE(eid[k], ip[v]);
        ASSERT_LT(eid[k], ip[v + 1]) << "entry " << k << " is not an in-edge of node " << v;
        EXPECT_EQ(src[bx[k]], ix[eid[k]]) << "entry " << k << ": source id and edge disagree";
        if (!replace) EXPECT_TRUE(taken.insert(eid[k]).second) << "edge " << eid[k] << " drawn twice";
      }
    }
    dst = src;
  }
}

TEST(Sampler, BlocksAreSampledEdgesOfTheGraph) {
  const graph::Graph g = nasty_graph();
  // Seeds: the hub, an empty row, a self-loop node, and a spread of others.
  const testing::RandomGraph r = testing::random_graph(11, 1500, 1500, 3);
  std::vector<int64_t> s{r.hub, r.empty_rows.front()};
  for (int64_t v = 3; v < 1500; v += 97)
    if (v != r.hub && v != r.empty_rows.front()) s.push_back(v);
  const Tensor seeds = from_vector<int64_t>(s, {static_cast<int64_t>(s.size())});
  for (bool replace : {false, true}) {
    for (const std::vector<int64_t>& f : {std::vector<int64_t>{3, 2}, {10, -1}, {-1}, {1, 1, 1}}) {
      const auto blocks = graph::sample_blocks(g, seeds, SampleOptions().fanouts(f).replace(replace).seed(3));
      expect_valid_blocks(g, seeds, blocks, f, replace);
    }
  }
}

TEST(Sampler, SameSeedSameBlocksOnAnyThreadCountAndBatch) {
  const graph::Graph g = nasty_graph();
  const Tensor seeds = from_vector<int64_t>({5, 17, 900, 33}, {4});
  const auto opts = SampleOptions().fanouts({4, 3}).seed(9);
  const auto a = graph::sample_blocks(g, seeds, opts);
  std::vector<Block> b;
  {
    oneapi::tbb::global_control one(oneapi::tbb::global_control::max_allowed_parallelism, 1);
    b = graph::sample_blocks(g, seeds, opts);
  }
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].src_nodes.to_vector<int64_t>(), b[i].src_nodes.to_vector<int64_t>());
    EXPECT_EQ(a[i].edge_ids.to_vector<int64_t>(), b[i].edge_ids.to_vector<int64_t>());
  }
  // Node 900's first-hop draw does not depend on the rest of the batch.
  const auto alone = graph::sample_blocks(g, from_vector<int64_t>({900}, {1}), opts);
  const auto ea = a.back().edge_ids.to_vector<int64_t>(), eb = alone.back().edge_ids.to_vector<int64_t>();
  const auto pa = a.back().graph.csr().indptr().to_vector<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(ea.begin() + pa[2], ea.begin() + pa[3]), eb);
  const auto other = graph::sample_blocks(g, seeds, SampleOptions().fanouts({4, 3}).seed(10));
  EXPECT_NE(other.front().edge_ids.to_vector<int64_t>(), a.front().edge_ids.to_vector<int64_t>());
}

TEST(Sampler, DrawsAreUniformOverTheInEdges) {
  const graph::Graph g = nasty_graph();
  const testing::RandomGraph r = testing::random_graph(11, 1500, 1500, 3);
  const auto ip = g.csr().indptr().to_vector<int64_t>();
  const int64_t deg = ip[r.hub + 1] - ip[r.hub];
  for (bool replace : {false, true}) {
    std::vector<int> hits(static_cast<size_t>(deg), 0);
    const int draws = 300;
    for (int s = 0; s < draws; ++s) {
      const auto b = graph::sample_blocks(g, from_vector<int64_t>({r.hub}, {1}),
                                          SampleOptions().fanouts({100}).replace(replace).seed(s));
      for (int64_t e : b[0].edge_ids.to_vector<int64_t>()) ++hits[e - ip[r.hub]];
    }
    // Each edge is expected draws * 100 / deg times; a binomial's 6 standard deviations.
    const double p = 100.0 / static_cast<double>(deg), expect = draws * p, sd = std::sqrt(draws * p * (1 - p));
    for (int64_t e = 0; e < deg; ++e) EXPECT_NEAR(hits[e], expect, 6 * sd + 1) << "edge " << e;
  }
}

TEST(Sampler, WeightsFollowTheirEdges) {
  const graph::Graph g = nasty_graph(true);
  const auto blocks = graph::sample_blocks(g, from_vector<int64_t>({1, 2, 3}, {3}), SampleOptions().fanouts({2, 2}));
  const auto w = g.edge_weight().to_vector<float>();
  for (const Block& b : blocks) {
    ASSERT_TRUE(b.graph.edge_weight().defined());
    const auto bw = b.graph.edge_weight().to_vector<float>();
    const auto e = b.edge_ids.to_vector<int64_t>();
    for (size_t k = 0; k < e.size(); ++k) EXPECT_EQ(bw[k], w[e[k]]);
  }
}

// With every edge kept, two SAGE layers over the blocks give the full-graph output on the seeds.
TEST(Sampler, FullFanoutBlocksReproduceTheFullGraphLayers) {
  const graph::Graph g = nasty_graph();
  manual_seed(1);
  auto l1 = std::make_shared<layers::SAGEConv>(layers::SAGEConvOptions(6, 5));
  auto l2 = std::make_shared<layers::SAGEConv>(layers::SAGEConvOptions(5, 4));
  const Tensor x = testing::random_tensor({1500, 6}, 3, -1.0, 1.0, kFloat32);
  const Tensor full = l2->forward(g, relu(l1->forward(g, x)));
  const std::vector<int64_t> s{0, 7, 1499, 640};
  const Tensor seeds = from_vector<int64_t>(s, {4});
  const auto blocks = graph::sample_blocks(g, seeds, SampleOptions().fanouts({-1, -1}));
  Tensor h = index_select(x, blocks[0].src_nodes);
  h = slice(relu(l1->forward(blocks[0].graph, h)), 0, 0, blocks[0].num_dst);
  h = slice(l2->forward(blocks[1].graph, h), 0, 0, blocks[1].num_dst);
  EXPECT_THAT(h.to_vector<float>(),
              ::testing::Pointwise(::testing::FloatNear(1e-5f), index_select(full, seeds).to_vector<float>()));
}

TEST(Sampler, CudaBlocksEqualTheCpuBlocks) {
  LOOM_REQUIRE_CUDA();
  // The zoo's graph with weights; seeds: the hub, a node without in-edges, and a spread of others; both draw modes;
  // a full hop (-1) between sampled ones; then every node as a seed.
  const graph::Graph g = nasty_graph(/*weighted=*/true), gd = g.to(kCUDA);
  const auto ip = g.csr().indptr().to_vector<int64_t>();
  int64_t hub = 0, lonely = -1;
  for (int64_t v = 0; v < g.num_nodes(); ++v) {
    if (ip[v + 1] - ip[v] > ip[hub + 1] - ip[hub]) hub = v;
    if (lonely < 0 && ip[v + 1] == ip[v]) lonely = v;
  }
  ASSERT_GE(ip[hub + 1] - ip[hub], 1000);
  ASSERT_GE(lonely, 0);
  std::vector<int64_t> all(static_cast<size_t>(g.num_nodes()));
  for (int64_t v = 0; v < g.num_nodes(); ++v) all[static_cast<size_t>(v)] = (v * 7) % g.num_nodes();
  const std::vector<std::vector<int64_t>> batches = {{hub, lonely, 3, 77, 1499, 640}, all};
  const std::vector<std::vector<int64_t>> plans = {{5, -1, 3}, {2, 2}, {25}};
  for (const auto& batch : batches) {
    const Tensor seeds = from_vector<int64_t>(batch, {static_cast<int64_t>(batch.size())});
    for (bool replace : {false, true}) {
      for (const auto& fanouts : plans) {
        const auto opts = SampleOptions().fanouts(fanouts).replace(replace).seed(21);
        const auto cpu = graph::sample_blocks(g, seeds, opts);
        const auto gpu = graph::sample_blocks(gd, seeds.to(kCUDA), opts);
        SCOPED_TRACE(::testing::Message() << batch.size() << " seeds, replace " << replace << ", " << fanouts.size()
                                          << " hops from fan-out " << fanouts[0]);
        ASSERT_EQ(gpu.size(), cpu.size());
        for (size_t i = 0; i < cpu.size(); ++i) {
          EXPECT_TRUE(gpu[i].src_nodes.is_cuda() && gpu[i].graph.device().is_cuda());
          EXPECT_EQ(gpu[i].num_dst, cpu[i].num_dst);
          EXPECT_EQ(gpu[i].src_nodes.cpu().to_vector<int64_t>(), cpu[i].src_nodes.to_vector<int64_t>());
          EXPECT_EQ(gpu[i].edge_ids.cpu().to_vector<int64_t>(), cpu[i].edge_ids.to_vector<int64_t>());
          EXPECT_EQ(gpu[i].graph.csr().indptr().cpu().to_vector<int64_t>(),
                    cpu[i].graph.csr().indptr().to_vector<int64_t>());
          EXPECT_EQ(gpu[i].graph.csr().indices().cpu().to_vector<int32_t>(),
                    cpu[i].graph.csr().indices().to_vector<int32_t>());
          EXPECT_EQ(gpu[i].graph.edge_weight().cpu().to_vector<float>(), cpu[i].graph.edge_weight().to_vector<float>());
        }
        expect_valid_blocks(g, seeds, cpu, fanouts, replace);
      }
    }
  }
  // An empty batch on the device, and the device's errors are the CPU's.
  EXPECT_EQ(graph::sample_blocks(gd, empty({0}, kInt64), SampleOptions().fanouts({2}))[0].num_src(), 0);
  EXPECT_THAT([&] { graph::sample_blocks(gd, from_vector<int64_t>({1, 1500}, {2}).cuda(), SampleOptions().fanouts({2})); },
              ThrowsMessage<IndexError>(HasSubstr("seed 1 is node 1500, outside [0, 1500)")));
}

TEST(Sampler, Errors) {
  const graph::Graph g = nasty_graph();
  const Tensor seeds = from_vector<int64_t>({1, 2}, {2});
  EXPECT_THAT([&] { graph::sample_blocks(g, seeds, SampleOptions()); },
              ThrowsMessage<ValueError>(HasSubstr("fanouts is empty")));
  EXPECT_THAT([&] { graph::sample_blocks(g, seeds, SampleOptions().fanouts({5, 0})); },
              ThrowsMessage<ValueError>(HasSubstr("fanout 1 is 0")));
  EXPECT_THAT([&] { graph::sample_blocks(g, from_vector<int64_t>({1, 1500}, {2}), SampleOptions().fanouts({2})); },
              ThrowsMessage<IndexError>(HasSubstr("seed 1 is node 1500, outside [0, 1500)")));
  EXPECT_THAT([&] { graph::sample_blocks(g, from_vector<int64_t>({4, 4}, {2}), SampleOptions().fanouts({2})); },
              ThrowsMessage<ValueError>(HasSubstr("node 4 is given twice")));
  EXPECT_THROW(graph::sample_blocks(g, from_vector<float>({1}, {1}), SampleOptions().fanouts({2})), DTypeError);
  // An empty batch is no error: blocks without nodes.
  const auto none = graph::sample_blocks(g, empty({0}, kInt64), SampleOptions().fanouts({2}));
  EXPECT_EQ(none[0].num_src(), 0);
}

}  // namespace
}  // namespace loom
