// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// NodeClassifier::predict and predict_nodes served from 16 threads on shared models and graphs: every answer
// equals the single-thread answer bit for bit, and no request records an autograd graph although worker threads start with recording on. Also
// built with ThreadSanitizer by scripts/test-tsan.sh.
#include <gmock/gmock.h>

#include <atomic>
#include <latch>
#include <thread>

#include "loom/core/autograd.h"
#include "loom/models/predict.h"
#include "tests/models/serving_fixture.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::host_floats;
using testing::serving_fixture;
using testing::serving_model;

struct Served {
  std::shared_ptr<models::NodeClassifier> model;
  models::Structure structure;
  std::vector<float> logits, probabilities;
  std::vector<int64_t> classes;
  // predict_nodes of a fixed list (with a repeat), single-thread answer.
  Tensor node_ids;
  std::vector<float> node_logits;
  std::vector<int64_t> node_classes;
};

TEST(PredictThreads, SixteenThreadsGiveTheSingleThreadAnswersAndRecordNothing) {
  const auto& f = serving_fixture();
  std::vector<Served> served;
  // The brief's families (gcn, gat, sage, a hypergraph model) and every other registry entry: they are cheap here.
  for (const std::string& name : models::model_names()) {
    Served s;
    s.model = serving_model(name);
    s.structure = f.structure_for(*s.model);
    const models::Prediction p = s.model->predict(s.structure, f.x);
    s.logits = host_floats(p.logits);
    s.probabilities = host_floats(p.probabilities);
    s.classes = p.classes.to_vector<int64_t>();
    ASSERT_EQ(p.classes.numel(), f.x.size(0)) << name;
    s.node_ids = from_vector<int64_t>({7, 120, 3, 7, 239}, {5});
    const models::Prediction q = models::predict_nodes(*s.model, s.structure, f.x, s.node_ids);
    s.node_logits = host_floats(q.logits);
    s.node_classes = q.classes.to_vector<int64_t>();
    served.push_back(std::move(s));
  }
  constexpr int kThreads = 16, kRequests = 25;
  std::atomic<int> wrong{0}, recorded{0}, grad_off_at_start{0}, done{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      // A new thread records by default: this is what made a NoGradGuard in main() useless for workers.
      if (!autograd::is_enabled()) ++grad_off_at_start;
      for (int r = 0; r < kRequests; ++r) {
        const Served& s = served[static_cast<size_t>(t + r) % served.size()];
        // Odd requests ask for some nodes only (through the receptive field), even ones for every node.
        const bool some = r % 2 == 1;
        const models::Prediction p = some ? models::predict_nodes(*s.model, s.structure, f.x, s.node_ids)
                                          : s.model->predict(s.structure, f.x);
        for (const Tensor* out : {&p.logits, &p.probabilities, &p.classes}) {
          if (out->requires_grad() || out->grad_fn()) ++recorded;
        }
        const bool same = some ? host_floats(p.logits) == s.node_logits && p.classes.to_vector<int64_t>() == s.node_classes
                               : host_floats(p.logits) == s.logits && host_floats(p.probabilities) == s.probabilities &&
                                     p.classes.to_vector<int64_t>() == s.classes;
        if (!same) ++wrong;
        ++done;
      }
      // predict's guard is scoped to the call: the thread's own mode is back as it was.
      if (!autograd::is_enabled()) ++grad_off_at_start;
    });
  }
  for (std::thread& w : workers) w.join();
  EXPECT_EQ(done.load(), kThreads * kRequests);
  EXPECT_EQ(grad_off_at_start.load(), 0);
  EXPECT_EQ(wrong.load(), 0) << "answers that differ from the single-thread ones";
  EXPECT_EQ(recorded.load(), 0) << "outputs that carry an autograd graph";
}

// Cold caches: the first requests of a fresh model on a fresh graph arrive together, so 16 threads build the lazily
// cached data at once (the graph's self-loop graph, norms and degrees, the hypergraph's coefficients, the Csr
// transposes, the attention layers' score masks). The reference comes from twin objects, so the shared ones stay
// cold until the threads start. Under ThreadSanitizer this is the test that sees an unguarded cache.
TEST(PredictThreads, ColdModelsAndGraphsServedByManyThreadsAtOnce) {
  const auto& f = serving_fixture();
  const Tensor ids = from_vector<int64_t>({7, 120, 3, 7, 239}, {5});
  for (const std::string& name : models::model_names()) {
    for (bool some : {false, true}) {
      // Twins of the fixture's structures: same edges, empty caches.
      const graph::Graph g = graph::Graph::from_edge_index(f.g.edge_index(), f.g.num_nodes());
      const hypergraph::Hypergraph h =
          hypergraph::Hypergraph::from_incidence(f.h.incidence(), f.h.num_vertices(), f.h.num_hyperedges());
      auto reference_model = serving_model(name);
      const models::Structure warm = f.structure_for(*reference_model);
      const models::Prediction want = some ? models::predict_nodes(*reference_model, warm, f.x, ids)
                                           : reference_model->predict(warm, f.x);
      const std::vector<float> want_logits = host_floats(want.logits);
      auto model = serving_model(name);
      const models::Structure cold = warm.graph ? models::Structure{&g, nullptr} : models::Structure{nullptr, &h};
      constexpr int kThreads = 16;
      std::latch start(kThreads);
      std::atomic<int> wrong{0};
      std::vector<std::thread> workers;
      for (int t = 0; t < kThreads; ++t) {
        workers.emplace_back([&] {
          start.arrive_and_wait();
          const models::Prediction p = some ? models::predict_nodes(*model, cold, f.x, ids) : model->predict(cold, f.x);
          if (host_floats(p.logits) != want_logits || p.logits.grad_fn()) ++wrong;
        });
      }
      for (std::thread& w : workers) w.join();
      EXPECT_EQ(wrong.load(), 0) << name << (some ? " predict_nodes" : " predict");
    }
  }
}

// The first test could fail: a bare forward on a worker thread does record (the parameters require grad).
TEST(PredictThreads, AForwardOnAWorkerThreadRecordsAGraph) {
  const auto& f = serving_fixture();
  auto m = serving_model("gcn");
  bool has_graph = false;
  std::thread([&] { has_graph = m->forward(f.g, f.x).grad_fn() != nullptr; }).join();
  EXPECT_TRUE(has_graph);
}

TEST(PredictThreads, AModelInTrainingModeIsRefusedAndLeftAsItWas) {
  const auto& f = serving_fixture();
  auto m = serving_model("gat");
  m->train();
  EXPECT_THAT([&] { m->predict(f.g, f.x); },
              ThrowsMessage<ValueError>(HasSubstr("model 'gat' has a module in training mode (NodeClassifier)")));
  EXPECT_TRUE(m->is_training());
  // One child left in training mode is named by its path.
  m->eval();
  m->named_children().front().second->named_children().front().second->train();
  EXPECT_THAT([&] { m->predict(f.g, f.x); }, ThrowsMessage<ValueError>(HasSubstr("(convs.0 (GATConv))")));
}

TEST(PredictThreads, PredictMatchesForwardAndStructureMismatchIsNamed) {
  const auto& f = serving_fixture();
  auto m = serving_model("sage");
  const models::Prediction p = m->predict(f.g, f.x);
  Tensor logits;
  {
    NoGradGuard no_grad;
    logits = m->forward(f.g, f.x);
  }
  EXPECT_EQ(host_floats(p.logits), host_floats(logits));
  EXPECT_EQ(p.classes.to_vector<int64_t>(), argmax(logits, 1).to_vector<int64_t>());
  EXPECT_THAT([&] { m->predict(f.h, f.x); }, ThrowsMessage<ValueError>(HasSubstr("runs on a Graph, not a Hypergraph")));
}

}  // namespace
}  // namespace loom
