// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Relation-grouped message passing: TypedLinear against a per-type loop, the relation stack's layout, HeteroConv's
// fused path against its per-relation loop and both against a float64 loop reference (every cross-type reduction,
// mean and sum), on a typed graph with an empty relation, isolated nodes, duplicate edges, self loops within a type
// and a hub row; gradients; graph layers per relation; errors naming the relation; CPU against CUDA.
#include <gmock/gmock.h>

#include <random>

#include "loom/core/random.h"
#include "loom/hetero/conv.h"
#include "loom/hetero/generate.h"
#include "loom/hetero/hetero_sage.h"
#include "loom/core/optim.h"
#include "loom/hetero/relation_layers.h"
#include "loom/hetero/relation_stack.h"
#include "loom/hetero/typed_linear.h"
#include "loom/layers/gat_conv.h"
#include "loom/layers/sage_conv.h"
#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using hetero::CrossReduce;
using hetero::EdgeType;
using hetero::HeteroGraph;
using hetero::TypeTensors;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::random_tensor;

struct Edges {
  std::vector<int64_t> src, dst;
};
Tensor edge_index(const Edges& e) {
  std::vector<int64_t> v(e.src);
  v.insert(v.end(), e.dst.begin(), e.dst.end());
  return from_vector<int64_t>(v, {2, static_cast<int64_t>(e.src.size())});
}

// a (6 nodes), b (5), c (4). Into a: a__near__a (self loops, a duplicate; a:5 isolated) and b__to__a. Into b:
// a__to__b (b:0 a hub of 400 in-edges, b:4 isolated) and c__none__b (no edges). Into c: b__to__c.
struct Fixture {
  HeteroGraph g;
  std::map<EdgeType, Edges> edges;
};
Fixture typed_graph() {
  Fixture f;
  f.g.add_node_type("a", 6).add_node_type("b", 5).add_node_type("c", 4);
  f.edges[{"a", "near", "a"}] = {{0, 1, 1, 2, 3, 3, 4}, {0, 1, 2, 2, 0, 0, 3}};
  f.edges[{"b", "to", "a"}] = {{0, 4, 2, 2}, {1, 1, 3, 0}};
  Edges hub;
  std::mt19937 gen(5);
  for (int i = 0; i < 400; ++i) {
    hub.src.push_back(static_cast<int64_t>(gen() % 6));
    hub.dst.push_back(0);
  }
  hub.src.insert(hub.src.end(), {1, 5, 5});
  hub.dst.insert(hub.dst.end(), {2, 3, 1});
  f.edges[{"a", "to", "b"}] = hub;
  f.edges[{"c", "none", "b"}] = {};
  f.edges[{"b", "to", "c"}] = {{0, 1, 3, 3}, {0, 0, 2, 2}};
  for (const EdgeType& et : std::vector<EdgeType>{{"a", "near", "a"}, {"b", "to", "a"}, {"a", "to", "b"},
                                                  {"c", "none", "b"}, {"b", "to", "c"}}) {
    const Edges& e = f.edges[et];
    f.g.add_relation(et, e.src.empty() ? zeros({2, 0}, kInt64) : edge_index(e));
  }
  return f;
}

TypeTensors features(const HeteroGraph& g, int64_t width, DType dtype = kFloat64) {
  TypeTensors x;
  uint32_t seed = 30;
  for (const std::string& t : g.node_types()) x[t] = random_tensor({g.num_nodes(t), width}, seed++, -1, 1, dtype);
  return x;
}

std::shared_ptr<hetero::HeteroConv> sage_conv(const HeteroGraph& g, int64_t in, int64_t out, Aggregation aggr,
                                              CrossReduce cross, bool fused) {
  std::vector<std::pair<EdgeType, std::shared_ptr<nn::Module>>> convs;
  for (const EdgeType& et : g.relations()) {
    convs.emplace_back(et, std::make_shared<hetero::BipartiteSAGEConv>(
                               hetero::BipartiteSAGEConvOptions(in, in, out).aggr(aggr)));
  }
  auto conv = std::make_shared<hetero::HeteroConv>(convs, hetero::HeteroConvOptions().aggr(cross).fused(fused));
  conv->to(kFloat64);
  return conv;
}

// The float64 loop reference of a HeteroConv of BipartiteSAGEConv layers, from the edge lists.
std::vector<double> reference(const Fixture& f, hetero::HeteroConv& conv, const TypeTensors& x, const std::string& dst,
                              Aggregation aggr, CrossReduce cross) {
  const int64_t n = f.g.num_nodes(dst);
  std::vector<std::vector<double>> outs;  // per relation [n, out]
  int64_t out_w = 0;
  for (const auto& [name, child] : conv.named_children()[0].second->named_children()) {
    const EdgeType et = f.g.relation(name);
    if (et.dst != dst) continue;
    auto* l = dynamic_cast<hetero::BipartiteSAGEConv*>(child.get());
    const int64_t in = l->options().in_src(), out = l->options().out_features();
    out_w = out;
    const std::vector<double> wl = testing::host(l->lin_l->weight), wr = testing::host(l->lin_r->weight),
                              b = testing::host(l->lin_l->bias), xs = testing::host(x.at(et.src)),
                              xd = testing::host(x.at(dst));
    std::vector<double> agg(static_cast<size_t>(n * in), 0.0), deg(static_cast<size_t>(n), 0.0);
    const Edges& e = f.edges.at(et);
    for (size_t k = 0; k < e.src.size(); ++k) {
      deg[e.dst[k]] += 1;
      for (int64_t c = 0; c < in; ++c) agg[e.dst[k] * in + c] += xs[e.src[k] * in + c];
    }
    std::vector<double> o(static_cast<size_t>(n * out));
    for (int64_t v = 0; v < n; ++v) {
      for (int64_t j = 0; j < out; ++j) {
        double s = b[j];
        for (int64_t c = 0; c < in; ++c) {
          const double a = aggr == Aggregation::kMean && deg[v] > 0 ? agg[v * in + c] / deg[v] : agg[v * in + c];
          s += wl[j * in + c] * a + wr[j * in + c] * xd[v * in + c];
        }
        o[v * out + j] = s;
      }
    }
    outs.push_back(o);
  }
  const size_t r = outs.size();
  std::vector<double> res;
  for (int64_t v = 0; v < n; ++v) {
    if (cross == CrossReduce::kStack) {
      for (size_t i = 0; i < r; ++i)
        for (int64_t j = 0; j < out_w; ++j) res.push_back(outs[i][v * out_w + j]);
      continue;
    }
    for (int64_t j = 0; j < out_w; ++j) {
      double acc = cross == CrossReduce::kMax ? -1e300 : 0.0;
      for (size_t i = 0; i < r; ++i) {
        const double y = outs[i][v * out_w + j];
        acc = cross == CrossReduce::kMax ? std::max(acc, y) : acc + y;
      }
      res.push_back(cross == CrossReduce::kMean ? acc / static_cast<double>(r) : acc);
    }
  }
  return res;
}

// ---------------------------------------------------------------- TypedLinear

TEST(TypedLinear, MatchesPerTypeLoopInAnyRowOrder) {
  manual_seed(1);
  hetero::TypedLinear lin(hetero::TypedLinearOptions(3, 2, 4));
  lin.to(kFloat64);
  // Type 2 has no rows; rows arrive unsorted.
  const std::vector<int64_t> types{3, 0, 3, 1, 0, 3, 3};
  const Tensor x = random_tensor({7, 3}, 2);
  const Tensor y = lin.forward(x, testing::i64(types));
  const std::vector<double> xv = testing::host(x), w = testing::host(lin.weight), b = testing::host(lin.bias);
  std::vector<double> want;
  for (size_t i = 0; i < types.size(); ++i) {
    for (int64_t j = 0; j < 2; ++j) {
      double s = b[types[i] * 2 + j];
      for (int64_t c = 0; c < 3; ++c) s += xv[i * 3 + c] * w[(types[i] * 3 + c) * 2 + j];
      want.push_back(s);
    }
  }
  testing::expect_near_all(testing::host(y), want, 1e-12);
  EXPECT_TRUE(testing::module_gradcheck(lin, [&] { return lin.forward(x, testing::i64(types)); }));
  EXPECT_THAT([&] { lin.forward(x, testing::i64({0, 1, 2, 4, 0, 0, 0})); },
              ThrowsMessage<IndexError>(HasSubstr("TypedLinear.forward: types[3] = 4 is out of range for 4 types")));
}

// ---------------------------------------------------------------- the relation stack

TEST(RelationStack, StacksEveryRelationIntoATypeByBlocks) {
  const Fixture f = typed_graph();
  const hetero::RelationStack& s = f.g.relation_stack("a");
  ASSERT_EQ(s.num_relations(), 2);
  EXPECT_EQ(s.relations[0].str(), "a__near__a");
  EXPECT_EQ(s.src_types, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.src_offsets, (std::vector<int64_t>{0, 6, 11}));
  EXPECT_EQ(s.row_offsets, (std::vector<int64_t>{0, 6, 12}));
  EXPECT_EQ(s.csr.num_rows(), 12);
  EXPECT_EQ(s.csr.num_cols(), 11);
  EXPECT_EQ(s.csr.nnz(), 11);
  // Block 1 row 1 (a:1 under b__to__a) lists b:0 and b:4, i.e. columns 6 and 10.
  const std::vector<int64_t> ip = testing::host_ints(s.csr.indptr());
  const std::vector<int64_t> ix = testing::host_ints(s.csr.indices());
  EXPECT_EQ(std::vector<int64_t>(ix.begin() + ip[7], ix.begin() + ip[8]), (std::vector<int64_t>{6, 10}));
  EXPECT_EQ(&f.g.relation_stack("a"), &s);  // cached
  EXPECT_THAT([&] { f.g.relation_stack("zz"); }, ThrowsMessage<ValueError>(HasSubstr("unknown node type 'zz'")));
}

// ---------------------------------------------------------------- HeteroConv: fused, loop and reference

class HeteroConvPaths : public ::testing::TestWithParam<std::tuple<Aggregation, CrossReduce>> {};

TEST_P(HeteroConvPaths, FusedAndLoopMatchTheReference) {
  const auto [aggr, cross] = GetParam();
  const Fixture f = typed_graph();
  manual_seed(7);
  auto fused = sage_conv(f.g, 3, 4, aggr, cross, true);
  auto loop = sage_conv(f.g, 3, 4, aggr, cross, false);
  loop->load_state_dict(fused->state_dict());
  const TypeTensors x = features(f.g, 3);
  const TypeTensors yf = fused->forward(f.g, x), yl = loop->forward(f.g, x);
  EXPECT_EQ(fused->last_fused(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(loop->last_fused().empty());
  for (const char* t : {"a", "b", "c"}) {
    const std::vector<double> want = reference(f, *fused, x, t, aggr, cross);
    testing::expect_near_all(testing::host(yf.at(t)), want, 1e-12);
    testing::expect_near_all(testing::host(yl.at(t)), want, 1e-12);
    EXPECT_EQ(yf.at(t).shape(), yl.at(t).shape());
  }
  // Gradients of the inputs and of every parameter agree between the paths.
  TypeTensors xf, xl;
  for (const auto& [t, v] : x) {
    xf[t] = v.clone().set_requires_grad(true);
    xl[t] = v.clone().set_requires_grad(true);
  }
  auto objective = [](const TypeTensors& y) {
    Tensor s = scalar_tensor(0.0, kFloat64);
    double k = 1.0;
    for (const auto& [t, v] : y) s = add(s, mul_scalar(sum(mul(v, v)), k += 0.5));
    return s;
  };
  objective(fused->forward(f.g, xf)).backward();
  objective(loop->forward(f.g, xl)).backward();
  for (const auto& [t, v] : xf) EXPECT_TRUE(testing::all_close(v.grad(), xl.at(t).grad(), 1e-10, 1e-12)) << t;
  const auto pf = fused->named_parameters(), pl = loop->named_parameters();
  for (size_t i = 0; i < pf.size(); ++i) {
    EXPECT_TRUE(testing::all_close(pf[i].second.grad(), pl[i].second.grad(), 1e-10, 1e-12)) << pf[i].first;
  }
}

INSTANTIATE_TEST_SUITE_P(AllReductions, HeteroConvPaths,
                         ::testing::Combine(::testing::Values(Aggregation::kMean, Aggregation::kSum),
                                            ::testing::Values(CrossReduce::kSum, CrossReduce::kMean,
                                                              CrossReduce::kMax, CrossReduce::kStack)));

TEST(HeteroConv, FusedGradcheck) {
  const Fixture f = typed_graph();
  manual_seed(8);
  auto conv = sage_conv(f.g, 3, 2, Aggregation::kMean, CrossReduce::kMean, true);
  const TypeTensors x = features(f.g, 3);
  TypeTensors xs = x;
  xs["b"] = x.at("b").clone().set_requires_grad(true);
  EXPECT_TRUE(testing::module_gradcheck(
      *conv,
      [&] {
        const TypeTensors y = conv->forward(f.g, xs);
        return concat({y.at("a"), y.at("b"), y.at("c")}, 0);
      },
      {{"x_b", xs["b"]}}));
}

TEST(HeteroConv, StateDictKeysFollowPyG) {
  const Fixture f = typed_graph();
  auto conv = sage_conv(f.g, 3, 2, Aggregation::kMean, CrossReduce::kSum, true);
  EXPECT_EQ(conv->named_parameters()[0].first, "convs.a__near__a.lin_l.weight");
  EXPECT_EQ(conv->named_parameters()[2].first, "convs.a__near__a.lin_r.weight");
}

TEST(HeteroConv, MixedLayersRunThePerRelationLoop) {
  // A registry SAGEConv on the within-type relation equals a BipartiteSAGEConv with its weights; a GATConv runs on a
  // relation between two types (the union graph); other types stay fused.
  const Fixture f = typed_graph();
  manual_seed(9);
  auto sage = std::make_shared<layers::SAGEConv>(layers::SAGEConvOptions(3, 4));
  auto bip = std::make_shared<hetero::BipartiteSAGEConv>(hetero::BipartiteSAGEConvOptions(3, 3, 4));
  bip->load_state_dict(sage->state_dict());
  const EdgeType near{"a", "near", "a"};
  const Csr& rel = f.g.in_csr(near);
  const TypeTensors x = features(f.g, 3, kFloat32);
  EXPECT_TRUE(testing::all_close(sage->forward(graph::Graph::from_csr(rel), x.at("a")),
                                 bip->forward(rel, x.at("a"), x.at("a")), 1e-5, 1e-6));
  std::vector<std::pair<EdgeType, std::shared_ptr<nn::Module>>> convs;
  for (const EdgeType& et : f.g.relations()) {
    if (et == near) {
      convs.emplace_back(et, sage);
    } else if (et.str() == "b__to__a") {
      convs.emplace_back(et, std::make_shared<layers::GATConv>(layers::GATConvOptions(3, 4)));
    } else {
      convs.emplace_back(et, std::make_shared<hetero::BipartiteSAGEConv>(hetero::BipartiteSAGEConvOptions(3, 3, 4)));
    }
  }
  hetero::HeteroConv conv(convs);
  const TypeTensors y = conv.forward(f.g, x);
  EXPECT_EQ(conv.last_fused(), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(y.at("a").shape(), (Shape{6, 4}));
  EXPECT_FALSE(has_nonfinite(y.at("a")));
}

TEST(HeteroConv, ErrorsNameTheRelation) {
  const Fixture f = typed_graph();
  auto conv = sage_conv(f.g, 3, 2, Aggregation::kMean, CrossReduce::kSum, false);
  TypeTensors x = features(f.g, 3);
  TypeTensors missing = x;
  missing.erase("c");
  EXPECT_THAT([&] { conv->forward(f.g, missing); },
              ThrowsMessage<ValueError>(HasSubstr(
                  "HeteroConv: relation c__none__b reads node type 'c', which 'x' lacks (x has: a, b)")));
  TypeTensors wide = x;
  wide["b"] = random_tensor({5, 7}, 3);
  EXPECT_THAT([&] { conv->forward(f.g, wide); },
              ThrowsMessage<ShapeError>(HasSubstr("HeteroConv: relation b__to__a: BipartiteSAGEConv.forward: 'x_src' "
                                                  "has 7 features but the layer takes 3 (in_src)")));
  auto fused = sage_conv(f.g, 3, 2, Aggregation::kMean, CrossReduce::kSum, true);
  EXPECT_THAT([&] { fused->forward(f.g, wide); },
              ThrowsMessage<ShapeError>(HasSubstr("HeteroConv: relation b__to__a: BipartiteSAGEConv.forward: 'x_src' "
                                                  "must be [5, 3] (in_src = 3), got [5, 7]")));
  HeteroGraph other;
  other.add_node_type("a", 6).add_node_type("b", 5);
  EXPECT_THAT([&] { conv->forward(other, x); },
              ThrowsMessage<ValueError>(HasSubstr("relation a__near__a has a layer but the graph has no such relation "
                                                  "(relations: none)")));
  std::vector<std::pair<EdgeType, std::shared_ptr<nn::Module>>> gat{
      {{"b", "to", "a"}, std::make_shared<layers::GATConv>(layers::GATConvOptions(3, 4))}};
  hetero::HeteroConv union_conv(gat);
  TypeTensors narrow = features(f.g, 3, kFloat32);
  narrow["b"] = random_tensor({5, 2}, 4, -1, 1, kFloat32);
  EXPECT_THAT([&] { union_conv.forward(f.g, narrow); },
              ThrowsMessage<ShapeError>(HasSubstr("HeteroConv: relation b__to__a: the graph layer GATConv runs on the "
                                                  "union of 'b' and 'a', whose features must have equal widths")));
}

TEST(HeteroConv, GeneratedGraphIsSeeded) {
  const HeteroGraph g1 = hetero::random_hetero_graph(hetero::benchmark_hetero_spec(3000, 30000, 4, 11));
  const HeteroGraph g2 = hetero::random_hetero_graph(hetero::benchmark_hetero_spec(3000, 30000, 4, 11));
  EXPECT_EQ(g1.num_relations(), 6);
  EXPECT_EQ(g1.num_edges(), 30000);
  EXPECT_EQ(g1.num_nodes("author") + g1.num_nodes("paper") + g1.num_nodes("venue"), 3000);
  for (const EdgeType& et : g1.relations()) {
    EXPECT_TRUE(testing::bitwise_equal(g1.in_csr(et).indices(), g2.in_csr(et).indices())) << et.str();
  }
  EXPECT_TRUE(testing::bitwise_equal(g1.features("venue"), g2.features("venue")));
}

TEST(HeteroSAGE, EncodesDenseSparseAndFeaturelessTypesAndLearns) {
  Fixture f = typed_graph();
  f.g.set_features("a", random_tensor({6, 5}, 40, -1, 1, kFloat32));
  // b: sparse features (a Csr with values); c: none (a learned embedding).
  f.g.set_features("b", Csr::from_coo(testing::i64({0, 1, 1, 3}), testing::i64({2, 0, 6, 1}), 5, 7,
                                      from_vector<float>({1, 2, 1, 3})));
  manual_seed(3);
  hetero::HeteroSAGE model(f.g, hetero::HeteroSAGEOptions("a", 8, 3).dropout(0.0));
  EXPECT_TRUE(model.named_parameters()[0].first == "encoders.a.weight");
  const Tensor labels = testing::i64({0, 1, 2, 0, 1, 2});
  optim::Adam opt(model.parameters(), optim::AdamOptions(0.05));
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    opt.zero_grad();
    const Tensor loss = cross_entropy(model.forward(f.g), labels);
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item_double();
  }
  EXPECT_EQ(model.forward(f.g).shape(), (Shape{6, 3}));
  EXPECT_LT(last, first * 0.5);
  EXPECT_THAT([&] { hetero::HeteroSAGE(f.g, hetero::HeteroSAGEOptions("zz", 8, 3)); },
              ThrowsMessage<ValueError>(HasSubstr("HeteroSAGE: the graph has no node type 'zz'")));
}

TEST(HeteroConv, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  const Fixture f = typed_graph();
  const HeteroGraph gc = f.g.to(kCUDA);
  manual_seed(10);
  auto conv = sage_conv(f.g, 3, 4, Aggregation::kMean, CrossReduce::kSum, true);
  conv->to(kFloat32);
  const TypeTensors x = features(f.g, 3, kFloat32);
  const TypeTensors y = conv->forward(f.g, x);
  conv->to(kCUDA);
  TypeTensors xc;
  for (const auto& [t, v] : x) xc[t] = v.to(kCUDA);
  const TypeTensors yc = conv->forward(gc, xc);
  for (const auto& [t, v] : y) EXPECT_TRUE(testing::all_close(yc.at(t).cpu(), v, 1e-4, 1e-5)) << t;
}

}  // namespace
}  // namespace loom
