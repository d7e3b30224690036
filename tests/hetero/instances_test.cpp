// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Meta-path instances and MAGNN's instance encoder: the full lists against a walk of the edge lists on random typed
// graphs (isolated nodes, duplicate edges, an empty relation, a hub), the counts against metapath_adjacency, the
// capped draws (valid, distinct, seeded, uniform), the budget refusal, and the encoder against hand computation
// with a float64 gradient check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/hetero/instance_attention.h"
#include "loom/hetero/instance_encoder.h"
#include "loom/hetero/instances.h"
#include "random_typed.h"
#include "support/gradcheck.h"
#include "support/testing.h"

namespace loom {
namespace {

using hetero::InstanceAttention;
using hetero::InstanceAttentionOptions;
using hetero::InstanceEncoder;
using hetero::InstanceEncoderOptions;
using hetero::InstanceEncoding;
using hetero::InstanceOptions;
using ::testing::DoubleNear;
using ::testing::HasSubstr;
using ::testing::Pointwise;
using ::testing::ThrowsMessage;

using Seq = std::vector<int64_t>;

// Every instance of every start node, by walking the edge lists (a duplicated edge gives a separate instance).
std::vector<std::vector<Seq>> reference(const TypedGraph& tg, const hetero::MetaPath& mp) {
  std::vector<std::vector<Seq>> out(static_cast<size_t>(tg.g.num_nodes(mp.start_type())));
  for (size_t s = 0; s < out.size(); ++s) {
    std::vector<Seq> partial{{static_cast<int64_t>(s)}};
    for (const auto& et : mp.relations) {
      std::vector<Seq> next;
      for (const Seq& p : partial)
        for (auto [u, v] : tg.edges.at(et))
          if (u == p.back()) {
            Seq q = p;
            q.push_back(v);
            next.push_back(q);
          }
      partial = next;
    }
    out[s] = partial;
  }
  return out;
}

std::vector<std::vector<Seq>> rows_by_target(const hetero::MetaPathInstances& inst) {
  const auto ip = inst.indptr.to_vector<int64_t>();
  const auto nodes = inst.nodes.to_vector<int64_t>();
  const int64_t w = inst.nodes.size(1);
  std::vector<std::vector<Seq>> out(ip.size() - 1);
  for (size_t v = 0; v + 1 < ip.size(); ++v)
    for (int64_t r = ip[v]; r < ip[v + 1]; ++r) out[v].emplace_back(nodes.begin() + r * w, nodes.begin() + (r + 1) * w);
  return out;
}

// The random typed graph with author 0 made a hub: it writes every paper, twice for paper 0.
TypedGraph with_hub(uint64_t seed) {
  TypedGraph tg = random_typed(seed);
  TypedGraph out;
  for (const char* t : {"a", "p", "c", "t"}) out.g.add_node_type(t, tg.g.num_nodes(t));
  for (auto [et, e] : tg.edges) {
    if (et.src == "a" || et.dst == "a") {
      for (int64_t p = 0; p < tg.g.num_nodes("p"); ++p) {
        e.push_back(et.src == "a" ? std::make_pair(int64_t{0}, p) : std::make_pair(p, int64_t{0}));
        if (p == 0) e.push_back(e.back());
      }
    }
    out.g.add_relation(et, to_edge_index(e));
    out.edges[et] = e;
  }
  return out;
}

TEST(MetaPathInstances, FullListsMatchTheWalkAndTheAdjacencyCounts) {
  for (uint64_t seed : {1, 2, 3}) {
    const TypedGraph tg = with_hub(seed);
    for (const char* spec : {"APA", "APCPA", "PCP", "AP", "PTP"}) {  // PTP: the empty relation
      const hetero::MetaPath mp = hetero::parse_metapath(tg.g, spec);
      const hetero::MetaPathInstances inst = hetero::metapath_instances(tg.g, mp);
      const auto want = reference(tg, mp);
      const auto got = rows_by_target(inst);
      ASSERT_EQ(got.size(), want.size()) << spec;
      const auto counts = inst.full_counts.to_vector<double>();
      const Csr adj = hetero::metapath_adjacency(tg.g, mp).adjacency;
      const auto row_sums = sum(to_dense(adj, kFloat64), 1).to_vector<double>();
      for (size_t v = 0; v < want.size(); ++v) {
        auto sorted_got = got[v], sorted_want = want[v];
        std::sort(sorted_got.begin(), sorted_got.end());
        std::sort(sorted_want.begin(), sorted_want.end());
        EXPECT_EQ(sorted_got, sorted_want) << spec << " target " << v;
        EXPECT_EQ(counts[v], static_cast<double>(want[v].size())) << spec << " target " << v;
        EXPECT_EQ(counts[v], row_sums[v]) << spec << " target " << v;
      }
      EXPECT_EQ(hetero::count_instances(tg.g, mp).to_vector<double>(), counts);
      const Csr t = inst.target_csr();
      EXPECT_EQ(t.num_rows(), inst.num_targets());
      EXPECT_EQ(t.num_cols(), inst.num_instances());
    }
  }
}

TEST(MetaPathInstances, CappedDrawsAreValidDistinctAndSeeded) {
  const TypedGraph tg = with_hub(4);
  const hetero::MetaPath mp = hetero::parse_metapath(tg.g, "APCPA");
  const auto all = reference(tg, mp);
  for (int64_t cap : {1, 3, 40}) {  // the hub has far more than 2 cap instances; others fewer than cap or between
    const auto inst = hetero::metapath_instances(tg.g, mp, InstanceOptions().max_per_target(cap).seed(7));
    const auto got = rows_by_target(inst);
    for (size_t v = 0; v < all.size(); ++v) {
      const auto want_n = std::min<int64_t>(cap, static_cast<int64_t>(all[v].size()));
      ASSERT_EQ(static_cast<int64_t>(got[v].size()), want_n) << "cap " << cap << " target " << v;
      // Each drawn row is an instance, and no instance is drawn more often than it occurs (duplicate edges).
      std::map<Seq, int> left;
      for (const Seq& s : all[v]) ++left[s];
      for (const Seq& s : got[v]) EXPECT_GE(--left[s], 0) << "cap " << cap << " target " << v;
    }
    const auto again = hetero::metapath_instances(tg.g, mp, InstanceOptions().max_per_target(cap).seed(7));
    EXPECT_EQ(again.nodes.to_vector<int64_t>(), inst.nodes.to_vector<int64_t>());
  }
  const auto a = hetero::metapath_instances(tg.g, mp, InstanceOptions().max_per_target(3).seed(1));
  const auto b = hetero::metapath_instances(tg.g, mp, InstanceOptions().max_per_target(3).seed(2));
  EXPECT_NE(a.nodes.to_vector<int64_t>(), b.nodes.to_vector<int64_t>());
}

// One draw per seed from the hub: every instance should come up about equally often (both sampling branches).
TEST(MetaPathInstances, DrawsAreUniformOverATargetsInstances) {
  const TypedGraph tg = with_hub(5);
  for (const char* spec : {"APA", "APCPA"}) {
    const hetero::MetaPath mp = hetero::parse_metapath(tg.g, spec);
    const auto all = reference(tg, mp)[0];
    for (int64_t cap : {int64_t{1}, static_cast<int64_t>(all.size()) / 2 + 1}) {  // the rejection and the shuffle branch
      std::map<Seq, double> seen;
      const int draws = 2000;
      int picked = 0;
      for (int s = 0; s < draws; ++s) {
        const auto inst = hetero::metapath_instances(tg.g, mp, InstanceOptions().max_per_target(cap).seed(s));
        const auto rows = rows_by_target(inst);
        for (const Seq& q : rows[0]) ++seen[q], ++picked;
      }
      std::map<Seq, double> mult;
      for (const Seq& q : all) ++mult[q];
      // Expected count of a sequence: picked * multiplicity / |all|; allow 5 standard deviations.
      for (const auto& [q, m] : mult) {
        const double p = m / static_cast<double>(all.size());
        const double expect = picked * p, sd = std::sqrt(picked * p * (1 - p)) + 1;
        EXPECT_NEAR(seen[q], expect, 5 * sd) << spec << " cap " << cap;
      }
    }
  }
}

TEST(MetaPathInstances, BudgetAndOptionErrors) {
  const TypedGraph tg = with_hub(6);
  const hetero::MetaPath mp = hetero::parse_metapath(tg.g, "APCPA");
  const double total = sum(hetero::count_instances(tg.g, mp)).item_double();
  EXPECT_THAT([&] { hetero::metapath_instances(tg.g, mp, InstanceOptions().max_instances(10)); },
              ThrowsMessage<ValueError>(AllOf(HasSubstr("meta-path APCPA has " + std::to_string(total)),
                                              HasSubstr("max_per_target"))));
  EXPECT_THROW(hetero::metapath_instances(tg.g, mp, InstanceOptions().max_per_target(-1)), ValueError);
  // A cap that fits the budget passes.
  EXPECT_NO_THROW(hetero::metapath_instances(tg.g, mp, InstanceOptions().max_per_target(1).max_instances(9)));
}

TEST(InstanceEncoder, MeanAndRotationMatchHandComputation) {
  hetero::HeteroGraph g;
  g.add_node_type("a", 2).add_node_type("p", 2);
  g.add_relation({"a", "w", "p"}, from_vector<int64_t>({0, 1, 1, 0}, {2, 2}));  // 0->1, 1->0
  g.add_relation({"p", "wb", "a"}, from_vector<int64_t>({1, 0, 0, 1}, {2, 2}));
  const auto inst = hetero::metapath_instances(g, hetero::parse_metapath(g, "APA"));  // 0->1->0, 1->0->1
  ASSERT_EQ(inst.nodes.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 0, 1, 0, 1}));
  const Tensor ha = from_vector<double>({1, 2, 3, 4}, {2, 2}), hp = from_vector<double>({10, 20, 30, 40}, {2, 2});
  const std::map<std::string, Tensor> h{{"a", ha}, {"p", hp}};
  const hetero::MetaPath mp = inst.path;
  InstanceEncoder mean(mp, InstanceEncoderOptions(2).encoding(InstanceEncoding::kMean));
  EXPECT_THAT(mean.forward(h, inst).to_vector<double>(),
              Pointwise(DoubleNear(1e-12), std::vector<double>{(1 + 30 + 1) / 3.0, (2 + 40 + 2) / 3.0,
                                                               (3 + 10 + 3) / 3.0, (4 + 20 + 4) / 3.0}));
  // Rotation with dim 2: one complex number per vector. r_w = i, r_wb = -1: R_2 = 1, R_1 = -1, R_0 = i * -1 = -i.
  InstanceEncoder rot(mp, InstanceEncoderOptions(2));
  rot.to(kFloat64);
  ASSERT_EQ(rot.named_parameters().size(), 2u);
  NoGradGuard no_grad;
  Tensor r_w = rot.parameters()[0], r_wb = rot.parameters()[1];
  r_w.copy_(from_vector<double>({0, 3}, {2}));    // 3i: normalised to i
  r_wb.copy_(from_vector<double>({-2, 0}, {2}));  // -2: normalised to -1
  // Instance 0: a0 = 1+2i, p1 = 30+40i, a0: (1+2i)(-i) + (30+40i)(-1) + (1+2i) = (2 - i) - 30 - 40i + 1 + 2i.
  const std::vector<double> out = rot.forward(h, inst).to_vector<double>();
  EXPECT_NEAR(out[0], (2 - 30 + 1) / 3.0, 1e-12);
  EXPECT_NEAR(out[1], (-1 - 40 + 2) / 3.0, 1e-12);
}

TEST(InstanceEncoder, RotationGradientsFloat64) {
  const TypedGraph tg = with_hub(8);
  const auto inst = hetero::metapath_instances(tg.g, hetero::parse_metapath(tg.g, "APCPA"),
                                               InstanceOptions().max_per_target(2));
  manual_seed(3);
  InstanceEncoder enc(inst.path, InstanceEncoderOptions(4));
  enc.to(kFloat64);
  std::map<std::string, Tensor> h;
  for (const char* t : {"a", "p", "c"}) {
    h[t] = testing::random_tensor({tg.g.num_nodes(t), 4}, 11, -1, 1, kFloat64);
    h[t].set_requires_grad(true);
  }
  EXPECT_TRUE(testing::module_gradcheck(enc, [&] { return enc.forward(h, inst); },
                                        {{"h.a", h["a"]}, {"h.p", h["p"]}, {"h.c", h["c"]}}));
}

TEST(InstanceEncoder, Errors) {
  const TypedGraph tg = with_hub(9);
  const auto inst = hetero::metapath_instances(tg.g, hetero::parse_metapath(tg.g, "APA"));
  EXPECT_THAT([&] { InstanceEncoder(inst.path, InstanceEncoderOptions(3)); },
              ThrowsMessage<ValueError>(HasSubstr("dim must be even, got 3")));
  EXPECT_THROW(InstanceEncoder(inst.path, InstanceEncoderOptions(0)), ValueError);
  InstanceEncoder enc(inst.path, InstanceEncoderOptions(4));
  EXPECT_THAT([&] { enc.forward({{"a", zeros({9, 4})}}, inst); },
              ThrowsMessage<ValueError>(HasSubstr("no vectors given for node type 'p'")));
  EXPECT_THAT([&] { enc.forward({{"a", zeros({9, 4})}, {"p", zeros({13, 2})}}, inst); },
              ThrowsMessage<ShapeError>(HasSubstr("vectors of node type 'p' must be [count, 4], got [13, 2]")));
  EXPECT_THROW(enc.forward({{"a", zeros({1, 4})}, {"p", zeros({13, 4})}}, inst), IndexError);
}

// Instance attention against loops over the instances of each target (a target without instances included).
TEST(InstanceAttention, MatchesLoopsAndGradientsFloat64) {
  const TypedGraph tg = with_hub(10);
  const auto inst = hetero::metapath_instances(tg.g, hetero::parse_metapath(tg.g, "APCPA"),
                                               InstanceOptions().max_per_target(5));
  const Csr of = inst.target_csr();
  const int64_t n = inst.num_targets(), m = inst.num_instances(), d = 3, heads = 2;
  manual_seed(5);
  InstanceAttention att(InstanceAttentionOptions(d).heads(heads).negative_slope(0.2));
  att.to(kFloat64);
  Tensor hv = testing::random_tensor({n, d}, 21, -1, 1, kFloat64), hi = testing::random_tensor({m, d}, 22, -1, 1,
                                                                                                 kFloat64);
  const std::vector<double> out = att.forward(hv, hi, of).to_vector<double>();
  const auto a_dst = att.parameters()[0].to_vector<double>(), a_src = att.parameters()[1].to_vector<double>();
  const auto v = hv.to_vector<double>(), x = hi.to_vector<double>();
  const auto ip = inst.indptr.to_vector<int64_t>();
  bool saw_empty = false;
  for (int64_t t = 0; t < n; ++t) {
    saw_empty |= ip[t] == ip[t + 1];
    for (int64_t h = 0; h < heads; ++h) {
      std::vector<double> e;
      for (int64_t k = ip[t]; k < ip[t + 1]; ++k) {
        double z = 0;
        for (int64_t j = 0; j < d; ++j) z += a_dst[h * d + j] * v[t * d + j] + a_src[h * d + j] * x[k * d + j];
        e.push_back(z > 0 ? z : 0.2 * z);
      }
      const double mx = e.empty() ? 0 : *std::max_element(e.begin(), e.end());
      double den = 0;
      for (double& z : e) den += (z = std::exp(z - mx));
      for (int64_t j = 0; j < d; ++j) {
        double want = 0;
        for (int64_t k = ip[t]; k < ip[t + 1]; ++k) want += e[k - ip[t]] / den * x[k * d + j];
        EXPECT_NEAR(out[(t * heads + h) * d + j], want, 1e-12) << "target " << t << " head " << h;
      }
    }
  }
  EXPECT_TRUE(saw_empty);  // the graph's isolated authors
  hv.set_requires_grad(true);
  hi.set_requires_grad(true);
  EXPECT_TRUE(testing::module_gradcheck(att, [&] { return att.forward(hv, hi, of); }, {{"hv", hv}, {"hi", hi}}));
  EXPECT_THAT([&] { att.forward(hv, slice(hi, 0, 0, 1), of); },
              ThrowsMessage<ShapeError>(HasSubstr("instances must be [" + std::to_string(m) + ", 3]")));
  EXPECT_THROW(InstanceAttention(InstanceAttentionOptions(3).heads(0)), ValueError);
}

}  // namespace
}  // namespace loom
