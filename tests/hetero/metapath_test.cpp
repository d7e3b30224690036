// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Meta-paths: parsing and its errors, the chained products against a path-enumerating reference on random typed
// graphs (empty rows, isolated nodes, duplicate edges, an empty relation), the self-loop policies, the budget
// (refusal with the size, pruning to the largest k that fits), top-k with ties to the lower id, the symbolic size,
// CPU/CUDA agreement, and DBLP's APA/APCPA/APTPA.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "loom/core/error.h"
#include "loom/hetero/load.h"
#include "loom/hetero/metapath.h"
#include "support/testing.h"
#include "random_typed.h"

namespace loom {
namespace {

using hetero::EdgeType;
using hetero::HeteroGraph;
using hetero::MetaPathOptions;
using hetero::OverBudget;
using hetero::SelfLoops;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Path instances counted by walking the edge lists (duplicates are separate instances).
std::map<std::pair<int64_t, int64_t>, double> reference(const TypedGraph& tg, const hetero::MetaPath& mp) {
  std::map<std::pair<int64_t, int64_t>, double> out;
  const int64_t n0 = tg.g.num_nodes(mp.start_type());
  for (int64_t s = 0; s < n0; ++s) {
    std::map<int64_t, double> frontier{{s, 1.0}};
    for (const EdgeType& et : mp.relations) {
      std::map<int64_t, double> next;
      for (auto [u, v] : tg.edges.at(et))
        if (auto it = frontier.find(u); it != frontier.end()) next[v] += it->second;
      frontier = next;
    }
    for (auto [t, c] : frontier) out[{s, t}] = c;
  }
  return out;
}

std::map<std::pair<int64_t, int64_t>, double> entries(const Csr& a) {
  const Csr c = a.to(kCPU);
  std::map<std::pair<int64_t, int64_t>, double> out;
  const auto ip = c.indptr().to_vector<int64_t>();
  const auto ix = c.indices().to_vector<int32_t>();
  const auto v = c.values().to(kFloat64).to_vector<double>();
  for (int64_t r = 0; r + 1 < static_cast<int64_t>(ip.size()); ++r) {
    for (int64_t k = ip[r]; k < ip[r + 1]; ++k) {
      EXPECT_TRUE(k == ip[r] || ix[k - 1] < ix[k]) << "row " << r << " not sorted or repeated";
      EXPECT_TRUE(out.emplace(std::make_pair(r, int64_t{ix[k]}), v[k]).second);
    }
  }
  return out;
}

TEST(MetaPath, ParsesInitialsAndRelationLists) {
  const TypedGraph tg = random_typed(1);
  const hetero::MetaPath apcpa = hetero::parse_metapath(tg.g, "APCPA");
  ASSERT_EQ(apcpa.length(), 4);
  EXPECT_EQ(apcpa.relations[1], (EdgeType{"p", "in", "c"}));
  EXPECT_EQ(apcpa.relations[3], (EdgeType{"p", "writes_by", "a"}));
  const hetero::MetaPath listed = hetero::parse_metapath(tg.g, "writes,in,in_by,p__writes_by__a");
  EXPECT_EQ(listed.relations, apcpa.relations);
  EXPECT_EQ(hetero::parse_metapath(tg.g, "writes").length(), 1);
  EXPECT_EQ(hetero::parse_metapath(tg.g, "apa").end_type(), "a");
}

TEST(MetaPath, ParseErrorsSayWhere) {
  TypedGraph tg = random_typed(1);
  EXPECT_THAT([&] { hetero::parse_metapath(tg.g, "APXPA"); },
              ThrowsMessage<ValueError>(HasSubstr("letter 2 'X' is the initial of no node type (node types: a, p, c, t)")));
  EXPECT_THAT([&] { hetero::parse_metapath(tg.g, "ACA"); },
              ThrowsMessage<ValueError>(HasSubstr("step 0 (AC): no relation from 'a' to 'c'")));
  EXPECT_THAT([&] { hetero::parse_metapath(tg.g, "writes,has,in_by"); },
              ThrowsMessage<ValueError>(HasSubstr("relation 2 'c__in_by__p' starts at 'c' but relation 1 'p__has__t' ends at 't': relations must chain")));
  EXPECT_THAT([&] { hetero::parse_metapath(tg.g, "writes,cites"); },
              ThrowsMessage<ValueError>(HasSubstr("relation 1: HeteroGraph::relation: no relation named 'cites'")));
  tg.g.add_relation({"a", "reviews", "p"}, to_edge_index({{0, 0}}));
  EXPECT_THAT([&] { hetero::parse_metapath(tg.g, "APA"); },
              ThrowsMessage<ValueError>(HasSubstr("step 0 (AP): several relations from 'a' to 'p' (a__writes__p, a__reviews__p)")));
  tg.g.add_node_type("author", 1);
  EXPECT_THAT([&] { hetero::parse_metapath(tg.g, "PA"); },
              ThrowsMessage<ValueError>(HasSubstr("letter 1 'A' is the initial of several node types (a, author)")));
}

TEST(MetaPath, ProductsMatchThePathCountingReference) {
  for (uint64_t seed : {1, 2, 3, 4}) {
    const TypedGraph tg = random_typed(seed);
    for (const char* spec : {"AP", "APA", "APCPA", "PCP", "CPAPC", "APTPA", "APAPA", "writes,writes_by,writes"}) {
      const hetero::MetaPath mp = hetero::parse_metapath(tg.g, spec);
      const auto want = reference(tg, mp);
      for (bool reorder : {true, false}) {
        for (DType dt : {kFloat32, kFloat64}) {
          const auto got = hetero::metapath_adjacency(tg.g, mp, MetaPathOptions().reorder(reorder).dtype(dt));
          EXPECT_EQ(entries(got.adjacency), want) << spec << " seed " << seed << " order " << got.stats.order;
          EXPECT_EQ(got.adjacency.num_rows(), tg.g.num_nodes(mp.start_type()));
          EXPECT_EQ(got.adjacency.num_cols(), tg.g.num_nodes(mp.end_type()));
          EXPECT_EQ(got.stats.nnz, static_cast<int64_t>(want.size()));
          EXPECT_EQ(got.stats.full_nnz, got.stats.nnz);
          EXPECT_EQ(got.adjacency.values().dtype(), dt);
        }
      }
    }
  }
}

TEST(MetaPath, ReorderPutsTheSmallTypeInTheMiddle) {
  const TypedGraph tg = random_typed(5);
  const auto mp = hetero::parse_metapath(tg.g, "APCPA");
  EXPECT_EQ(hetero::metapath_adjacency(tg.g, mp).stats.order, "((AP PC) (CP PA))");
  EXPECT_EQ(hetero::metapath_adjacency(tg.g, mp, MetaPathOptions().reorder(false)).stats.order, "(((AP PC) CP) PA)");
}

TEST(MetaPath, SelfLoopPolicies) {
  const TypedGraph tg = random_typed(2);
  const auto mp = hetero::parse_metapath(tg.g, "APA");
  const auto want = reference(tg, mp);
  const auto removed = entries(hetero::metapath_adjacency(tg.g, mp, MetaPathOptions().self_loops(SelfLoops::kRemove)).adjacency);
  const auto added = entries(hetero::metapath_adjacency(tg.g, mp, MetaPathOptions().self_loops(SelfLoops::kAdd)).adjacency);
  for (int64_t i = 0; i < tg.g.num_nodes("a"); ++i) {
    EXPECT_EQ(removed.count({i, i}), 0u);
    auto it = want.find({i, i});
    // kAdd: the path count where there is a path back, 1 where there is none (authors 7 and 8 write nothing).
    EXPECT_EQ(added.at({i, i}), it == want.end() ? 1.0 : it->second) << i;
  }
  for (auto [ij, c] : want) {
    if (ij.first == ij.second) continue;
    EXPECT_EQ(removed.at(ij), c);
    EXPECT_EQ(added.at(ij), c);
  }
  EXPECT_THAT([&] { hetero::metapath_adjacency(tg.g, hetero::parse_metapath(tg.g, "AP"), MetaPathOptions().self_loops(SelfLoops::kAdd)); },
              ThrowsMessage<ValueError>(HasSubstr("needs a meta-path that ends at its start type, but it goes from 'a' to 'p'")));
}

// Per row, the k heaviest entries with ties to the lower column id, from the full reference.
std::map<std::pair<int64_t, int64_t>, double> topk_reference(const std::map<std::pair<int64_t, int64_t>, double>& full,
                                                             int64_t k) {
  std::map<int64_t, std::vector<std::pair<double, int64_t>>> rows;
  for (auto [ij, c] : full) rows[ij.first].push_back({-c, ij.second});
  std::map<std::pair<int64_t, int64_t>, double> out;
  for (auto& [r, v] : rows) {
    std::sort(v.begin(), v.end());
    for (size_t i = 0; i < v.size() && static_cast<int64_t>(i) < k; ++i) out[{r, v[i].second}] = -v[i].first;
  }
  return out;
}

TEST(MetaPath, TopKKeepsTheHeaviestWithTiesToTheLowerId) {
  // Hand-made ties: author 0 reaches author 1 by 2 paths, authors 2, 3 and 4 by 1 path each.
  HeteroGraph g;
  g.add_node_type("author", 5).add_node_type("paper", 3);
  const auto w = to_edge_index({{0, 0}, {0, 1}, {1, 0}, {1, 1}, {4, 2}, {3, 2}, {2, 2}, {0, 2}});
  g.add_relation({"author", "writes", "paper"}, w);
  g.add_relation({"paper", "written_by", "author"},
                 to_edge_index({{0, 0}, {1, 0}, {0, 1}, {1, 1}, {2, 4}, {2, 3}, {2, 2}, {2, 0}}));
  const auto mp = hetero::parse_metapath(g, "APA");
  const auto top2 = hetero::metapath_adjacency(g, mp, MetaPathOptions().topk(2).self_loops(SelfLoops::kRemove));
  const auto row0 = entries(top2.adjacency);
  EXPECT_EQ(row0.at({0, 1}), 2.0);
  EXPECT_EQ(row0.at({0, 2}), 1.0);  // tie among 2, 3, 4: the lower id
  EXPECT_EQ(row0.count({0, 3}) + row0.count({0, 4}), 0u);
  EXPECT_EQ(top2.stats.topk, 2);
  EXPECT_EQ(top2.stats.full_nnz, 14);  // off the diagonal: row 0 reaches 4 authors, row 1 one, rows 2-4 three each
  EXPECT_EQ(top2.stats.nnz, 2 + 1 + 3 * 2);

  for (uint64_t seed : {1, 2, 3}) {
    const TypedGraph tg = random_typed(seed);
    for (const char* spec : {"APA", "APCPA"}) {
      const auto p = hetero::parse_metapath(tg.g, spec);
      for (int64_t k : {1, 2, 4}) {
        const auto got = hetero::metapath_adjacency(tg.g, p, MetaPathOptions().topk(k));
        EXPECT_EQ(entries(got.adjacency), topk_reference(reference(tg, p), k)) << spec << " k " << k;
      }
    }
  }
}

TEST(MetaPath, BudgetRefusesWithTheSizeOrPrunesToTheLargestKThatFits) {
  const TypedGraph tg = random_typed(3);
  const auto mp = hetero::parse_metapath(tg.g, "APCPA");
  const auto full = hetero::metapath_adjacency(tg.g, mp);
  const hetero::MetaPathStats size = hetero::metapath_size(tg.g, mp);
  EXPECT_EQ(size.full_nnz, full.stats.nnz);
  EXPECT_EQ(size.full_bytes, full.stats.bytes);
  EXPECT_EQ(full.stats.bytes, 10 * 8 + full.stats.nnz * 16);  // indptr + (index, float32 value, edge id) per entry
  EXPECT_GE(full.stats.peak_bytes, full.stats.bytes);

  const int64_t budget = full.stats.bytes - 1;
  EXPECT_THAT([&] { hetero::metapath_adjacency(tg.g, mp, MetaPathOptions().max_bytes(budget)); },
              ThrowsMessage<ValueError>(HasSubstr(detail::str_cat("metapath_adjacency('APCPA'): the adjacency (9 x 9) would have ",
                                                                  full.stats.nnz, " non-zeros"))));
  const auto pruned = hetero::metapath_adjacency(tg.g, mp, MetaPathOptions().max_bytes(budget).over_budget(OverBudget::kPrune));
  EXPECT_LE(pruned.stats.bytes, budget);
  EXPECT_GT(pruned.stats.topk, 0);
  EXPECT_EQ(pruned.stats.full_nnz, full.stats.nnz);
  EXPECT_EQ(entries(pruned.adjacency), topk_reference(reference(tg, mp), pruned.stats.topk));
  // The largest k: one more would not fit.
  const auto next = hetero::metapath_size(tg.g, mp, MetaPathOptions().topk(pruned.stats.topk + 1));
  EXPECT_GT(next.bytes, budget);

  // An intermediate product over budget is refused even under kPrune, naming it: left to right, APAPA starts with
  // the author x author product APA.
  const auto apapa = hetero::parse_metapath(tg.g, "APAPA");
  const auto apa = hetero::parse_metapath(tg.g, "APA");
  const int64_t first = hetero::metapath_size(tg.g, apa).full_bytes;
  EXPECT_THAT([&] { hetero::metapath_adjacency(tg.g, apapa, MetaPathOptions().reorder(false).max_bytes(first - 1).over_budget(OverBudget::kPrune)); },
              ThrowsMessage<ValueError>(HasSubstr("the intermediate product a-p-a (9 x 9) would have")));
  EXPECT_THAT([&] { hetero::metapath_adjacency(tg.g, apa, MetaPathOptions().max_bytes(8).over_budget(OverBudget::kPrune)); },
              ThrowsMessage<ValueError>(HasSubstr("even one entry per row takes")));
}

TEST(MetaPath, EmptyRelationsAndEmptyResults) {
  const TypedGraph tg = random_typed(4);
  const auto got = hetero::metapath_adjacency(tg.g, hetero::parse_metapath(tg.g, "APTPA"));
  EXPECT_EQ(got.adjacency.nnz(), 0);
  EXPECT_EQ(got.adjacency.num_rows(), 9);
  const auto loops = hetero::metapath_adjacency(tg.g, hetero::parse_metapath(tg.g, "APTPA"),
                                                MetaPathOptions().self_loops(SelfLoops::kAdd));
  EXPECT_EQ(loops.adjacency.nnz(), 9);  // only the added diagonal, weight 1
}

TEST(MetaPath, CudaAgreesWithCpu) {
  LOOM_REQUIRE_CUDA();
  for (uint64_t seed : {1, 2}) {
    const TypedGraph tg = random_typed(seed);
    const HeteroGraph d = tg.g.to(kCUDA);
    for (const char* spec : {"APA", "APCPA", "CPAPC"}) {
      const auto mp = hetero::parse_metapath(tg.g, spec);
      for (const MetaPathOptions& o : {MetaPathOptions(), MetaPathOptions().topk(2), MetaPathOptions().self_loops(SelfLoops::kAdd)}) {
        const auto cpu = hetero::metapath_adjacency(tg.g, mp, o), gpu = hetero::metapath_adjacency(d, mp, o);
        EXPECT_TRUE(gpu.adjacency.device().is_cuda());
        EXPECT_EQ(entries(gpu.adjacency), entries(cpu.adjacency)) << spec;
      }
    }
  }
}

TEST(MetaPath, Dblp) {
  LOOM_REQUIRE_DATASET("dblp");
  const HeteroGraph g = hetero::load_hetero_graph(testing::data_dir() + "/dblp");
  // APA: the diagonal is each author's paper count, so the row sums of A_AP A_PA equal sum over papers of co-authors.
  const auto apa = hetero::metapath_adjacency(g, hetero::parse_metapath(g, "APA"));
  const Csr& ap = g.out_csr(g.relation("writes"));
  const auto deg = ap.row_degrees().to_vector<int64_t>();
  const auto diag = entries(apa.adjacency);
  for (int64_t i : {0, 1, 100, 4056}) EXPECT_EQ(diag.at({i, i}), static_cast<double>(deg[i])) << i;
  // APCPA's and APTPA's products equal their left-to-right versions and are symmetric.
  for (const char* spec : {"APCPA", "APTPA"}) {
    const auto mp = hetero::parse_metapath(g, spec);
    const auto a = hetero::metapath_adjacency(g, mp);
    const auto b = hetero::metapath_adjacency(g, mp, MetaPathOptions().reorder(false));
    EXPECT_EQ(a.adjacency.nnz(), b.adjacency.nnz()) << spec;
    EXPECT_EQ(a.adjacency.indices().to_vector<int32_t>(), b.adjacency.indices().to_vector<int32_t>()) << spec;
    EXPECT_EQ(a.adjacency.values().to_vector<float>(), b.adjacency.values().to_vector<float>()) << spec;
    EXPECT_EQ(a.adjacency.transpose().indices().to_vector<int32_t>(), a.adjacency.indices().to_vector<int32_t>()) << spec;
  }
}

}  // namespace
}  // namespace loom
