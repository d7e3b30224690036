// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Link prediction on the trainer (loom/models/link_task.h): fixed evaluation and ranking negatives that are never
// edges of the whole graph, GAE and VGAE encoders (sampled and full losses, every decoder) that learn to rank held-out
// links of a graph of communities far above chance, reproducibly per seed, and Hits@K and MRR equal to the metric
// functions on the kept weights.
#include <gmock/gmock.h>

#include <functional>
#include <map>
#include <set>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/models/link_metrics.h"
#include "loom/models/link_task.h"
#include "loom/models/registry.h"
#include "loom/models/trainer.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;

// 60 groups of 6 nodes, each group a clique, and a ring of one edge between consecutive groups; random features.
// Held-out links are mostly inside groups, which only the structure reveals.
data::NodeDataset community_graph() {
  const int64_t groups = 60, size = 6, n = groups * size;
  std::vector<int64_t> src, dst;
  auto link = [&](int64_t u, int64_t v) {
    src.insert(src.end(), {u, v});
    dst.insert(dst.end(), {v, u});
  };
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t i = 0; i < size; ++i)
      for (int64_t j = i + 1; j < size; ++j) link(g * size + i, g * size + j);
  for (int64_t g = 0; g < groups; ++g) link(g * size, ((g + 1) % groups) * size + 1);  // a ring between groups
  data::NodeDataset d;
  d.name = "communities";
  d.x = testing::random_tensor({n, 16}, 5, -1, 1, kFloat32);
  d.y = zeros({n}, kInt64);
  d.num_classes = 1;
  src.insert(src.end(), dst.begin(), dst.end());
  d.edge_index = from_vector<int64_t>(src, {2, static_cast<int64_t>(dst.size())});
  return d;
}

struct LinkRun {
  bool variational = false;
  models::LinkDecoder decoder = models::LinkDecoder::kInnerProduct;
  models::LinkLoss loss = models::LinkLoss::kSampled;
};

// Trains a GCN link model on d; `check` (when set) runs on the trained model before it goes away.
models::TrainResult train_links(const data::NodeDataset& d, uint64_t seed, int epochs, models::LinkData* used,
                                LinkRun run = {},
                                const std::function<void(models::LinkModel&, const graph::Graph&,
                                                         const models::LinkData&)>& check = {}) {
  const graph::Graph full = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  const graph::LinkSplit split = graph::random_link_split(full, 0.05, 0.10, seed);
  models::LinkData links = models::link_data(full, split, seed, 20);
  if (used) *used = links;
  manual_seed(seed);
  models::LinkModel model(models::LinkModelOptions(models::paper_options("gcn", d.num_features(), 16).hidden(32).dropout(0.0))
                              .variational(run.variational)
                              .decoder(run.decoder));
  models::LinkPredictionTask task(links, split.train, model, d.x, models::LinkTaskOptions().loss(run.loss));
  models::TrainerOptions o;
  o.epochs = epochs;
  o.weight_decay = 0.0;
  models::TrainResult r = models::fit(model, task, o);
  if (check) check(model, split.train, links);
  return r;
}

TEST(LinkPredictionTask, EvaluationNegativesAreNeverEdges) {
  const data::NodeDataset d = community_graph();
  models::LinkData links;
  train_links(d, 1, 1, &links);
  const std::vector<int64_t> e = d.edge_index.to_vector<int64_t>();
  std::set<std::pair<int64_t, int64_t>> edges;
  for (size_t k = 0; k < e.size() / 2; ++k) edges.insert({e[k], e[e.size() / 2 + k]});
  for (const Tensor& neg : {links.val_negatives, links.test_negatives}) {
    ASSERT_GT(neg.size(1), 0);
    const std::vector<int64_t> n = neg.to_vector<int64_t>();
    const size_t k = n.size() / 2;
    for (size_t i = 0; i < k; ++i) {
      EXPECT_FALSE(edges.count({n[i], n[k + i]}) || edges.count({n[k + i], n[i]})) << n[i] << "-" << n[k + i];
      EXPECT_NE(n[i], n[k + i]);
    }
  }
  EXPECT_EQ(links.val_negatives.size(1), links.val_links.size(1));
  EXPECT_EQ(links.test_negatives.size(1), links.test_links.size(1));
  // The ranking negatives: 20 per test link, each keeping the link's head, none an edge, distinct per link.
  ASSERT_EQ(links.rank_negatives, 20);
  const std::vector<int64_t> r = links.test_rank_negatives.to_vector<int64_t>(), t = links.test_links.to_vector<int64_t>();
  const size_t k = t.size() / 2, m = r.size() / 2;
  ASSERT_EQ(m, 20 * k);
  for (size_t i = 0; i < k; ++i) {
    std::set<int64_t> tails;
    for (size_t j = 20 * i; j < 20 * (i + 1); ++j) {
      EXPECT_EQ(r[j], t[i]);
      EXPECT_FALSE(edges.count({r[j], r[m + j]}) || edges.count({r[m + j], r[j]}));
      EXPECT_NE(r[j], r[m + j]);
      tails.insert(r[m + j]);
    }
    EXPECT_EQ(tails.size(), 20u);
  }
}

TEST(LinkPredictionTask, LearnsToRankHeldOutLinksReproducibly) {
  const data::NodeDataset d = community_graph();
  const models::TrainResult trained = train_links(d, 2, 100, nullptr);
  EXPECT_GT(trained.metric("test_auc"), 0.9);
  EXPECT_GT(trained.metric("test_ap"), 0.9);
  EXPECT_LT(trained.history.back().loss, 0.8 * trained.history.front().loss);  // it learned, not just smoothed
  EXPECT_EQ(trained.monitor, "val_auc");
  // The same seed repeats exactly (the per-epoch negatives come from the seeded global generator).
  EXPECT_EQ(train_links(d, 2, 100, nullptr).metric("test_auc"), trained.metric("test_auc"));
}

TEST(LinkPredictionTask, VgaeLearnsReproducibly) {
  const data::NodeDataset d = community_graph();
  const models::TrainResult a = train_links(d, 3, 150, nullptr, {true});
  EXPECT_GT(a.metric("test_auc"), 0.9);
  EXPECT_GT(a.metric("test_ap"), 0.9);
  EXPECT_LT(a.history.back().loss, 0.8 * a.history.front().loss);
  const models::TrainResult b = train_links(d, 3, 150, nullptr, {true});
  ASSERT_EQ(a.history.size(), b.history.size());
  for (size_t i = 0; i < a.history.size(); ++i) EXPECT_EQ(a.history[i].loss, b.history[i].loss) << "epoch " << i + 1;
  EXPECT_EQ(a.final, b.final);
}

TEST(LinkPredictionTask, FullLossAndEveryDecoderLearn) {
  const data::NodeDataset d = community_graph();
  for (const LinkRun run : {LinkRun{false, models::LinkDecoder::kInnerProduct, models::LinkLoss::kFull},
                            LinkRun{true, models::LinkDecoder::kDistMult, models::LinkLoss::kFull},
                            LinkRun{false, models::LinkDecoder::kMlp, models::LinkLoss::kSampled}}) {
    const models::TrainResult r = train_links(d, 4, 100, nullptr, run);
    EXPECT_GT(r.metric("test_auc"), 0.85) << to_string(run.decoder) << " " << to_string(run.loss);
  }
  // The full loss has no per-pair form for the MLP decoder: refused at construction.
  EXPECT_THAT([&] { train_links(d, 4, 1, nullptr, {false, models::LinkDecoder::kMlp, models::LinkLoss::kFull}); },
              ThrowsMessage<ValueError>(HasSubstr("mlp decoder")));
}

TEST(LinkPredictionTask, HitsAndMrrAreTheMetricFunctionsOnTheKeptWeights) {
  const data::NodeDataset d = community_graph();
  std::map<std::string, double> want;
  const models::TrainResult r =
      train_links(d, 5, 40, nullptr, {}, [&](models::LinkModel& m, const graph::Graph& g, const models::LinkData& l) {
        m.eval();
        NoGradGuard ng;
        const Tensor z = m.encode(g, d.x).z;
        const Tensor vp = m.decode(z, l.val_links), vn = m.decode(z, l.val_negatives);
        const Tensor tp = m.decode(z, l.test_links), tn = m.decode(z, l.test_negatives);
        want["val_hits@20"] = models::hits_at_k(vp, vn, 20);
        want["test_hits@20"] = models::hits_at_k(tp, tn, 20);
        want["test_auc"] = models::auc(tp, tn);
        want["test_mrr"] = models::mean_reciprocal_rank(
            tp, m.decode(z, l.test_rank_negatives).reshape({tp.size(0), l.rank_negatives}));
      });
  for (const auto& [name, value] : want) EXPECT_EQ(r.metric(name), value) << name;
  EXPECT_GT(r.metric("test_mrr"), 1.0 / 21);  // better than a random rank among 21
  EXPECT_EQ(r.history.back().metrics.count("val_hits@20"), 1u);
  EXPECT_EQ(r.history.back().metrics.count("test_mrr"), 0u);  // test metrics only from test()
}

}  // namespace
}  // namespace loom
