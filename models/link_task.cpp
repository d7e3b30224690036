// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Link prediction on the trainer: the fixed evaluation negatives, the two losses, and the metrics.
#include "loom/models/link_task.h"

#include <algorithm>
#include <string>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/models/link_metrics.h"

namespace loom::models {

LinkData link_data(const graph::Graph& full, const graph::LinkSplit& split, uint64_t seed, int64_t rank_negatives) {
  LOOM_CHECK(rank_negatives >= 0, ValueError, "link_data: 'rank_negatives' must be >= 0, got ", rank_negatives);
  LinkData d;
  d.train_links = split.train_supervision.defined() && split.train_supervision.numel() > 0 ? split.train_supervision
                                                                                            : split.train_edges;
  d.val_links = split.val_edges;
  d.test_links = split.test_edges;
  // Non-edges of the whole graph: a held-out positive is never drawn as a negative.
  d.val_negatives = graph::negative_edges(full, split.val_edges.size(1), seed);
  d.test_negatives = graph::negative_edges(full, split.test_edges.size(1), seed + 1);
  // A small graph may leave a head fewer non-neighbours than asked: take what every head surely has (n - 2 minus
  // the largest in + out degree, which bounds any node's neighbours), so the MRR negatives are always drawable.
  if (rank_negatives > 0 && split.test_edges.size(1) > 0) {
    const Tensor degree = add(full.in_degrees().to(kCPU).to(kFloat64), full.out_degrees().to(kCPU).to(kFloat64));
    const auto most = static_cast<int64_t>(degree.numel() > 0 ? max(degree).item_double() : 0.0);
    rank_negatives = std::min(rank_negatives, full.num_nodes() - 2 - most);
  }
  if (rank_negatives > 0 && split.test_edges.size(1) > 0) {
    d.test_rank_negatives = graph::tail_negatives(full, split.test_edges, rank_negatives, seed + 2);
    d.rank_negatives = rank_negatives;
  }
  return d;
}

LinkPredictionTask::LinkPredictionTask(LinkData data, const graph::Graph& train_graph, LinkModel& model,
                                       const Tensor& x, LinkTaskOptions options)
    : data_(std::move(data)), train_graph_(train_graph), model_(model), x_(x), options_(options) {
  LOOM_CHECK(data_.train_links.defined() && data_.train_links.dim() == 2 && data_.train_links.size(1) > 0,
             ValueError, "LinkPredictionTask: there are no training links");
  LOOM_CHECK(options_.hits_k() >= 1, ValueError, "LinkPredictionTask: hits_k must be >= 1, got ", options_.hits_k());
  if (options_.loss() == LinkLoss::kFull) {
    LOOM_CHECK(model_.options().decoder() != LinkDecoder::kMlp, ValueError,
               "LinkPredictionTask: the full adjacency loss needs a product decoder (inner_product or distmult); the "
               "mlp decoder trains with the sampled loss");
    targets_ = adjacency_targets(train_graph_);
  }
}

Tensor LinkPredictionTask::training_loss(nn::Module&) {
  const LinkEncoding e = model_.encode(train_graph_, x_);
  const Tensor& z = e.z;
  Tensor loss;
  if (options_.loss() == LinkLoss::kFull) {
    loss = full_adjacency_loss(z, targets_, model_.decoder());
  } else {
    const int64_t k = data_.train_links.size(1);
    // This epoch's negatives: a seed from the global generator (checkpointed with the run), non-edges of the graph
    // the encoder reads.
    const uint64_t seed = random_bits(current_seed(), random_offset(1));
    const Tensor negatives = graph::negative_edges(train_graph_, k, seed).to(z.device());
    const Tensor logits = concat({model_.decode(z, data_.train_links), model_.decode(z, negatives)}, 0);
    const Tensor target =
        concat({full({k}, 1.0, z.dtype(), z.device()), zeros({negatives.size(1)}, z.dtype(), z.device())}, 0);
    loss = binary_cross_entropy_with_logits(logits, target);
  }
  // VGAE: the KL term per node, divided by N again, as the paper's code and PyG's example weight it.
  if (e.mu.defined()) loss = add(loss, mul_scalar(vgae_kl(e.mu, e.logstd), 1.0 / static_cast<double>(z.size(0))));
  return loss;
}

Metrics LinkPredictionTask::metrics(bool with_test) const {
  NoGradGuard no_grad;
  const Tensor z = model_.encode(train_graph_, x_).z;
  Metrics m;
  const std::string hits = "_hits@" + std::to_string(options_.hits_k());
  auto score = [&](const std::string& part, const Tensor& pos, const Tensor& neg) {
    if (!pos.defined() || pos.size(1) == 0 || !neg.defined() || neg.size(1) == 0) return Tensor();
    const Tensor p = model_.decode(z, pos), n = model_.decode(z, neg);
    m[part + "_auc"] = auc(p, n);
    m[part + "_ap"] = average_precision(p, n);
    m[part + hits] = hits_at_k(p, n, options_.hits_k());
    return p;
  };
  score("val", data_.val_links, data_.val_negatives);
  if (with_test) {
    const Tensor p = score("test", data_.test_links, data_.test_negatives);
    if (p.defined() && data_.rank_negatives > 0) {
      const Tensor n = model_.decode(z, data_.test_rank_negatives).reshape({p.size(0), data_.rank_negatives});
      m["test_mrr"] = mean_reciprocal_rank(p, n);
    }
  }
  return m;
}

Metrics LinkPredictionTask::evaluate(nn::Module&) { return metrics(false); }

Metrics LinkPredictionTask::test(nn::Module&) { return metrics(true); }

}  // namespace loom::models
