// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Link prediction as a Task for the one trainer (loom/models/trainer.h): a LinkModel (loom/models/link_model.h)
// encodes the message-passing graph's nodes to z and decodes pairs to logits. The loss is binary cross-entropy on the
// supervision links against as many negatives drawn afresh every epoch (GAE's protocol as PyG runs it; the seed comes
// from the global generator, so a resumed run draws what the uninterrupted one would), or GAE's weighted
// reconstruction of the whole training adjacency (loom/models/link_loss.h); a variational model adds KL / N.
// Validation and test links are scored against fixed negatives drawn once from the whole graph's non-edges, so runs
// compare.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

#include "loom/core/choices.h"
#include "loom/graph/graph.h"
#include "loom/graph/link.h"
#include "loom/models/link_loss.h"
#include "loom/models/link_model.h"
#include "loom/models/task.h"

namespace loom {
namespace models {
// kSampled: BCE on the supervision links and as many fresh negatives per epoch. kFull: GAE's weighted BCE over all
// N^2 pairs of the training adjacency with self loops (full_adjacency_loss).
enum class LinkLoss : uint8_t { kSampled, kFull };
}  // namespace models

template <> struct EnumNames<models::LinkLoss> {
  static constexpr std::string_view what = "link loss";
  static constexpr std::array<std::pair<models::LinkLoss, std::string_view>, 2> table{
      {{models::LinkLoss::kSampled, "sampled"}, {models::LinkLoss::kFull, "full"}}};
};

namespace models {

// The links a run trains and is scored on, on one device.
struct LinkData {
  Tensor train_links;                // supervision links, int64 [2, k] (positives of the loss)
  Tensor val_links, val_negatives;   // int64 [2, k]; may be empty
  Tensor test_links, test_negatives;
  // For MRR: rank_negatives per test link, (head, w) pairs with w never adjacent to the head in the whole graph
  // (graph::tail_negatives), test link by test link: int64 [2, k * rank_negatives]; empty when 0.
  Tensor test_rank_negatives;
  int64_t rank_negatives = 0;
};

// Draws the fixed negatives of a split: as many as its validation and test links, from the non-edges of `full`
// (the graph before the split), with `seed` (and seed + 1 for test), and rank_negatives per test link for MRR
// (seed + 2; fewer on a graph too small to leave every head that many non-neighbours: n - 2 minus the largest
// in + out degree, none when that is < 1).
LinkData link_data(const graph::Graph& full, const graph::LinkSplit& split, uint64_t seed,
                   int64_t rank_negatives = 100);

struct LinkTaskOptions {
  LOOM_ARG(LinkLoss, loss) = LinkLoss::kSampled;
  LOOM_ARG(int64_t, hits_k) = 20;  // Hits@K (>= 1)
};

// Metrics: evaluate() gives val_auc, val_ap and val_hits@K; test() adds test_auc, test_ap, test_hits@K (OGB: a
// positive counts when it scores above the K-th best of the part's negatives) and test_mrr (each test link ranked
// among its own rank negatives); a metric whose part has no links is absent. Monitor: val_auc. The model runs on
// `train_graph` (the message-passing graph; its non-edges are the sampled loss's negatives) with features x; both
// are held by reference and must outlive the task.
class LinkPredictionTask : public Task {
 public:
  LinkPredictionTask(LinkData data, const graph::Graph& train_graph, LinkModel& model, const Tensor& x,
                     LinkTaskOptions options = {});
  std::string name() const override { return "link"; }
  Tensor training_loss(nn::Module& model) override;
  Metrics evaluate(nn::Module& model) override;
  Metrics test(nn::Module& model) override;
  std::string default_monitor() const override { return data_.val_links.numel() > 0 ? "val_auc" : ""; }

 private:
  Metrics metrics(bool with_test) const;

  LinkData data_;
  const graph::Graph& train_graph_;
  LinkModel& model_;
  const Tensor& x_;
  LinkTaskOptions options_;
  AdjacencyTargets targets_;  // kFull only
};

}  // namespace models
}  // namespace loom
