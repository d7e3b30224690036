// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// POGAT (after the method note; the ontology subgraph, the discriminator and the defaults are our reading): ontology
// subgraphs of a hand-made author-paper-conference-term graph checked by hand (nodes, their types, edges and their
// relations, an instance missing a type, a conference matched from the papers' side), the type-preserving
// perturbation (structure and targets kept, nodes changed, seeded), the discriminator loss against a float64 loop,
// the whole model's float64 gradient, the loss falling on the toy heterograph, the held-out links of --task link,
// and the errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <tuple>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/models/pogat.h"
#include "support/gradcheck.h"
#include "support/hetero_toy.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::edge_index;

// author 2, paper 44, conference 2, term 3. a0 writes p0, p1; a1 writes p2, p3. p0 -> c0, p1 -> c1, p2 -> c0,
// p3 -> c1; p4 .. p43 are c0's papers without authors or terms (so c0 publishes 41 papers). p0 has t0, p1 t1,
// p2 t1 and t2, p3 none. Every relation in both directions, in the order writes, written_by, published_in,
// publishes, has_term, term_of (relation ids 0 .. 5). Authors and papers have features, terms too, conferences not.
hetero::HeteroGraph apct() {
  hetero::HeteroGraph g;
  g.add_node_type("author", 2).add_node_type("paper", 44).add_node_type("conference", 2).add_node_type("term", 3);
  std::vector<std::pair<int64_t, int64_t>> ap{{0, 0}, {0, 1}, {1, 2}, {1, 3}}, pc{{0, 0}, {1, 1}, {2, 0}, {3, 1}},
      pt{{0, 0}, {1, 1}, {2, 1}, {2, 2}};
  for (int64_t p = 4; p < 44; ++p) pc.emplace_back(p, 0);
  auto reverse = [](std::vector<std::pair<int64_t, int64_t>> e) {
    for (auto& [u, v] : e) std::swap(u, v);
    return e;
  };
  g.add_relation({"author", "writes", "paper"}, edge_index(ap));
  g.add_relation({"paper", "written_by", "author"}, edge_index(reverse(ap)));
  g.add_relation({"paper", "published_in", "conference"}, edge_index(pc));
  g.add_relation({"conference", "publishes", "paper"}, edge_index(reverse(pc)));
  g.add_relation({"paper", "has_term", "term"}, edge_index(pt));
  g.add_relation({"term", "term_of", "paper"}, edge_index(reverse(pt)));
  g.set_features("author", testing::random_tensor({2, 3}, 1, -1.0, 1.0));
  g.set_features("paper", testing::random_tensor({44, 5}, 2, -1.0, 1.0));
  g.set_features("term", testing::random_tensor({3, 2}, 3, -1.0, 1.0));
  return g;
}

enum : int64_t { A, P, C, T };  // node_types() order

using Node = std::pair<int64_t, int64_t>;               // (type, id)
using Edge = std::tuple<Node, Node, int64_t>;           // (source, destination, relation)

// Subgraph s of b as sets of typed nodes and typed edges; its first node (the target) returned apart.
struct Sub {
  Node target;
  std::set<Node> nodes;
  std::multiset<Edge> edges;
  int64_t size = 0;
};
Sub subgraph(const models::OntologyBatch& b, int64_t s) {
  const std::vector<int64_t> type = b.node_type.to_vector<int64_t>(), id = b.node_id.to_vector<int64_t>(),
                             off = b.offsets.to_vector<int64_t>(), ei = b.edge_index.to_vector<int64_t>(),
                             rel = b.edge_rel.to_vector<int64_t>();
  Sub out;
  auto node = [&](int64_t p) { return Node{type[static_cast<size_t>(p)], id[static_cast<size_t>(p)]}; };
  out.target = node(off[static_cast<size_t>(s)]);
  for (int64_t p = off[static_cast<size_t>(s)]; p < off[static_cast<size_t>(s + 1)]; ++p) out.nodes.insert(node(p));
  out.size = off[static_cast<size_t>(s + 1)] - off[static_cast<size_t>(s)];
  const size_t E = rel.size();
  for (size_t e = 0; e < E; ++e) {
    const int64_t u = ei[e], v = ei[E + e];
    if (u < off[static_cast<size_t>(s)] || u >= off[static_cast<size_t>(s + 1)]) continue;
    EXPECT_TRUE(v >= off[static_cast<size_t>(s)] && v < off[static_cast<size_t>(s + 1)]) << "edge leaves its subgraph";
    out.edges.insert({node(u), node(v), rel[e]});
  }
  return out;
}

// Both directions of a typed edge: (u -> v by `rel`) and (v -> u by `reverse`).
void both(std::multiset<Edge>& e, Node u, Node v, int64_t rel, int64_t reverse) {
  e.insert({u, v, rel});
  e.insert({v, u, reverse});
}

TEST(POGAT, OntologySubgraphsByHand) {
  const hetero::HeteroGraph g = apct();
  const models::OntologySampler sampler(g, "author");
  EXPECT_EQ(sampler.hub(), "paper");
  EXPECT_EQ(sampler.instance_types(), (std::vector<std::string>{"conference", "term"}));
  const models::OntologyBatch b = sampler.sample({0, 1}, 8, 5);
  ASSERT_EQ(b.num_subgraphs(), 2);
  // O(a0): both of a0's papers, each with its one conference and one term.
  const Sub s0 = subgraph(b, 0);
  EXPECT_EQ(s0.target, (Node{A, 0}));
  EXPECT_EQ(s0.nodes, (std::set<Node>{{A, 0}, {P, 0}, {P, 1}, {C, 0}, {C, 1}, {T, 0}, {T, 1}}));
  EXPECT_EQ(s0.size, 7);  // no duplicates
  std::multiset<Edge> e0;
  both(e0, {A, 0}, {P, 0}, 0, 1), both(e0, {A, 0}, {P, 1}, 0, 1);
  both(e0, {P, 0}, {C, 0}, 2, 3), both(e0, {P, 1}, {C, 1}, 2, 3);
  both(e0, {P, 0}, {T, 0}, 4, 5), both(e0, {P, 1}, {T, 1}, 4, 5);
  EXPECT_EQ(s0.edges, e0);
  // O(a1): p2 with c0 (its publishes edge found from the paper's side: c0 has 41 papers) and one of t1, t2; p3 with
  // c1 and no term (an instance missing a type).
  const Sub s1 = subgraph(b, 1);
  EXPECT_EQ(s1.target, (Node{A, 1}));
  ASSERT_EQ(s1.size, 6);
  const int64_t t = s1.nodes.count({T, 1}) ? 1 : 2;
  EXPECT_EQ(s1.nodes, (std::set<Node>{{A, 1}, {P, 2}, {P, 3}, {C, 0}, {C, 1}, {T, t}}));
  std::multiset<Edge> e1;
  both(e1, {A, 1}, {P, 2}, 0, 1), both(e1, {A, 1}, {P, 3}, 0, 1);
  both(e1, {P, 2}, {C, 0}, 2, 3), both(e1, {P, 3}, {C, 1}, 2, 3);
  both(e1, {P, 2}, {T, t}, 4, 5);
  EXPECT_EQ(s1.edges, e1);
  // Both of p2's terms turn up over seeds; a subgraph does not depend on its batch; the same seed repeats it.
  std::set<int64_t> terms;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const Sub s = subgraph(sampler.sample({1}, 8, seed), 0);
    for (const Node& n : s.nodes)
      if (n.first == T) terms.insert(n.second);
  }
  EXPECT_EQ(terms, (std::set<int64_t>{1, 2}));
  EXPECT_EQ(subgraph(sampler.sample({1}, 8, 5), 0).nodes, s1.nodes);
  // S = 1: one instance, a0 and one paper with its conference and term.
  const Sub one = subgraph(sampler.sample({0}, 1, 3), 0);
  EXPECT_EQ(one.size, 4);
  EXPECT_EQ(one.edges.size(), 6u);
  // The hub as the target: the paper and one neighbour of each other type per instance (p2: a1, c0, t1 or t2).
  const models::OntologySampler papers(g, "paper");
  const Sub p2 = subgraph(papers.sample({2}, 8, 1), 0);
  EXPECT_EQ(p2.target, (Node{P, 2}));
  EXPECT_TRUE(p2.nodes.count({A, 1}) && p2.nodes.count({C, 0}) && p2.nodes.count({T, 1}) && p2.nodes.count({T, 2}));
  EXPECT_EQ(p2.size, 5);
}

TEST(POGAT, PerturbationKeepsTypesAndStructureAndIsSeeded) {
  const hetero::HeteroGraph g = apct();
  const models::OntologySampler sampler(g, "author");
  const models::OntologyBatch b = sampler.sample({0, 1}, 8, 5);
  const models::OntologyBatch f = sampler.perturb(b, 1.0, 9);
  EXPECT_EQ(f.node_type.to_vector<int64_t>(), b.node_type.to_vector<int64_t>());
  EXPECT_EQ(f.edge_index.to_vector<int64_t>(), b.edge_index.to_vector<int64_t>());
  EXPECT_EQ(f.edge_rel.to_vector<int64_t>(), b.edge_rel.to_vector<int64_t>());
  EXPECT_EQ(f.offsets.to_vector<int64_t>(), b.offsets.to_vector<int64_t>());
  const std::vector<int64_t> id = b.node_id.to_vector<int64_t>(), fid = f.node_id.to_vector<int64_t>(),
                             type = b.node_type.to_vector<int64_t>(), off = b.offsets.to_vector<int64_t>();
  const std::vector<int64_t> counts{2, 44, 2, 3};
  for (size_t p = 0; p < id.size(); ++p) {
    const bool target = p == static_cast<size_t>(off[0]) || p == static_cast<size_t>(off[1]);
    if (target) EXPECT_EQ(fid[p], id[p]) << "the target stays, position " << p;
    else EXPECT_NE(fid[p], id[p]) << "ratio 1 changes every other node, position " << p;
    EXPECT_GE(fid[p], 0);
    EXPECT_LT(fid[p], counts[static_cast<size_t>(type[p])]) << "a node of its own type, position " << p;
  }
  EXPECT_EQ(sampler.perturb(b, 1.0, 9).node_id.to_vector<int64_t>(), fid);
  EXPECT_NE(sampler.perturb(b, 1.0, 10).node_id.to_vector<int64_t>(), fid);
  // Ratio 0.5 on O(a0) (6 other nodes): exactly 3 swapped.
  const std::vector<int64_t> half = sampler.perturb(b, 0.5, 4).node_id.to_vector<int64_t>();
  int changed = 0;
  for (int64_t p = off[0] + 1; p < off[1]; ++p) changed += half[static_cast<size_t>(p)] != id[static_cast<size_t>(p)];
  EXPECT_EQ(changed, 3);
}

TEST(POGAT, DiscriminatorLossMatchesFloat64Loop) {
  const hetero::HeteroGraph g = apct();
  manual_seed(1);
  models::POGAT m(g, models::POGATOptions().hidden(4).heads(2));
  m.to(kFloat64);
  const int64_t B = 3, d = 4;
  const models::POGATOutput real{testing::random_tensor({B, d}, 4, -1, 1, kFloat64),
                                 testing::random_tensor({B, d}, 5, -1, 1, kFloat64)};
  const models::POGATOutput fake{testing::random_tensor({B, d}, 6, -1, 1, kFloat64),
                                 testing::random_tensor({B, d}, 7, -1, 1, kFloat64)};
  const std::vector<double> W = m.discriminator.to_vector<double>();
  auto D = [&](const models::POGATOutput& o, int64_t i) {
    const std::vector<double> z = o.z.to_vector<double>(), s = o.context.to_vector<double>();
    double v = 0;
    for (int64_t a = 0; a < d; ++a)
      for (int64_t c = 0; c < d; ++c)
        v += z[static_cast<size_t>(i * d + a)] * W[static_cast<size_t>(a * d + c)] * s[static_cast<size_t>(i * d + c)];
    return v;
  };
  double ref = 0;
  for (int64_t i = 0; i < B; ++i)
    ref += (std::log1p(std::exp(-D(real, i))) + std::log1p(std::exp(D(fake, i)))) / static_cast<double>(B);
  EXPECT_NEAR(models::pogat_loss(m, real, fake).item_double(), ref, 1e-12);
}

TEST(POGAT, WholeModelGradcheckFloat64) {
  // Every parameter: the type projections, the conference embedding, both GAT layers (relation term included) and
  // the discriminator, through the real and the perturbed batch.
  const hetero::HeteroGraph g = apct();
  const models::OntologySampler sampler(g, "author");
  const models::OntologyBatch real = sampler.sample({0, 1}, 8, 5), fake = sampler.perturb(real, 1.0, 9);
  manual_seed(3);
  models::POGAT m(g, models::POGATOptions().hidden(4).heads(2));
  m.to(kFloat64);
  m.eval();
  // As a training step runs it: one encoding, read by both batches (the encoders' gradients add up from both).
  EXPECT_TRUE(testing::module_gradcheck(m, [&] {
    const models::POGAT::Table table = m.encode(g);
    return models::pogat_loss(m, m.forward(table, real), m.forward(table, fake));
  }));
  // A shared table gives what encoding per batch gives.
  const models::POGAT::Table table = m.encode(g);
  EXPECT_EQ(table.type_offset.back(), table.rows.size(0));
  EXPECT_EQ(m.forward(table, fake).context.to_vector<double>(), m.forward(g, fake).context.to_vector<double>());
  models::POGAT::Table short_table = table;
  short_table.type_offset.pop_back();
  EXPECT_THAT([&] { m.forward(short_table, real); },
              ThrowsMessage<ValueError>(HasSubstr("POGAT: the table has 3 node types, the model 4")));
}

TEST(POGAT, LossFallsOnTheToyHeterograph) {
  const testing::Toy t = testing::toy();
  const models::OntologySampler sampler(t.g, "author");
  EXPECT_EQ(sampler.hub(), "paper");
  manual_seed(7);
  models::POGAT m(t.g, models::POGATOptions().hidden(16).heads(2));
  const models::POGATTrainResult r =
      models::train_pogat(m, t.g, sampler, models::POGATTrainOptions().epochs(40).batch(10).instances(4).lr(0.01));
  ASSERT_EQ(r.losses.size(), 40u);
  EXPECT_LT(r.losses.back(), 0.7 * r.losses.front()) << r.losses.front() << " -> " << r.losses.back();
  EXPECT_EQ(r.embedding.shape(), (Shape{40, 16}));
  // The embeddings are reproducible: the same sampling seed gives the same subgraphs and the same z.
  const Tensor again = models::pogat_embed(m, t.g, sampler, {}, 4, 1024, 0);
  EXPECT_EQ(again.to_vector<float>(), r.embedding.to_vector<float>());
}

TEST(POGAT, HeldOutLinksLeaveBothDirectionsAndNegativesAreNonPairs) {
  const testing::Toy t = testing::toy();  // 93 author-paper pairs
  const hetero::EdgeType writes{"author", "writes", "paper"}, written_by{"paper", "written_by", "author"};
  const models::HeldOutLinks h = models::hold_out_links(t.g, writes, 0.1, 3);
  EXPECT_EQ(h.reverse, "paper__written_by__author");
  const int64_t all = t.g.num_edges(writes), P = h.pos.size(1);
  EXPECT_EQ(P, std::llround(0.1 * static_cast<double>(all)));
  EXPECT_EQ(h.neg.size(1), P);
  EXPECT_EQ(h.train.num_edges(writes), all - P);
  EXPECT_EQ(h.train.num_edges(written_by), all - P);
  EXPECT_EQ(h.train.num_edges({"paper", "published_in", "venue"}), t.g.num_edges({"paper", "published_in", "venue"}));
  auto has = [](const hetero::HeteroGraph& g, const hetero::EdgeType& et, int64_t u, int64_t v) {
    const Csr& out = g.out_csr(et);
    const std::vector<int64_t> ip = out.indptr().to_vector<int64_t>();
    const std::vector<int32_t> ix = out.indices().to_vector<int32_t>();
    for (int64_t k = ip[static_cast<size_t>(u)]; k < ip[static_cast<size_t>(u + 1)]; ++k)
      if (ix[static_cast<size_t>(k)] == v) return true;
    return false;
  };
  const std::vector<int64_t> pos = h.pos.to_vector<int64_t>(), neg = h.neg.to_vector<int64_t>();
  for (int64_t i = 0; i < P; ++i) {
    const int64_t a = pos[static_cast<size_t>(i)], p = pos[static_cast<size_t>(P + i)];
    EXPECT_TRUE(has(t.g, writes, a, p));
    EXPECT_FALSE(has(h.train, writes, a, p)) << a << " -> " << p;
    EXPECT_FALSE(has(h.train, written_by, p, a)) << p << " -> " << a;
    EXPECT_EQ(neg[static_cast<size_t>(i)], a);
    EXPECT_FALSE(has(t.g, writes, a, neg[static_cast<size_t>(P + i)]));
  }
  EXPECT_EQ(models::hold_out_links(t.g, writes, 0.1, 3).pos.to_vector<int64_t>(), pos);  // seeded
  EXPECT_THAT([&] { models::hold_out_links(t.g, writes, 1.0, 0); },
              ThrowsMessage<ValueError>(HasSubstr("held-out share of links must be in (0, 1)")));
}

TEST(POGAT, ErrorsNameTheProblem) {
  hetero::HeteroGraph one;
  one.add_node_type("node", 3).add_relation({"node", "to", "node"}, edge_index({{0, 1}}));
  EXPECT_THAT([&] { models::OntologySampler(one, "node"); },
              ThrowsMessage<ValueError>(HasSubstr("(two node types or more); this one has 1 node type")));
  const hetero::HeteroGraph g = apct();
  EXPECT_THAT([&] { models::OntologySampler(g, "venue"); }, ThrowsMessage<ValueError>(HasSubstr("no node type 'venue'")));
  hetero::HeteroGraph orphan = apct();
  orphan.add_node_type("tag", 2).add_relation({"tag", "tags", "term"}, edge_index({{0, 1}}));
  EXPECT_THAT([&] { models::OntologySampler(orphan, "tag"); },
              ThrowsMessage<ValueError>(HasSubstr("'tag' has no relation to the hub type 'paper'")));
  const models::OntologySampler sampler(g, "author");
  EXPECT_THAT([&] { sampler.sample({2}, 8, 0); }, ThrowsMessage<IndexError>(HasSubstr("target id 2 is out of range")));
  EXPECT_THAT([&] { sampler.sample({0}, 0, 0); }, ThrowsMessage<ValueError>(HasSubstr("must be >= 1, got 0")));
  const models::OntologyBatch b = sampler.sample({0}, 8, 0);
  EXPECT_THAT([&] { sampler.perturb(b, 0.0, 0); }, ThrowsMessage<ValueError>(HasSubstr("ratio must be in (0, 1]")));
  EXPECT_THAT([&] { sampler.perturb(b, 1.5, 0); }, ThrowsMessage<ValueError>(HasSubstr("ratio must be in (0, 1]")));
  EXPECT_THAT([&] { models::POGAT(g, models::POGATOptions().hidden(6).heads(4)); },
              ThrowsMessage<ValueError>(HasSubstr("hidden (6) must be a multiple of heads (4)")));
  models::POGAT m(g, models::POGATOptions().hidden(4).heads(2));
  EXPECT_THAT([&] { m.forward(orphan, b); }, ThrowsMessage<ValueError>(HasSubstr("built for 4 node types")));
}

}  // namespace
}  // namespace loom
