// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Link prediction on the trainer: decoding pairs, the fixed evaluation negatives, and the Task.
#include "loom/models/link_task.h"

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/models/link_metrics.h"

namespace loom::models {

Tensor decode_links(const Tensor& z, const Tensor& pairs, LinkDecoder decoder) {
  LOOM_CHECK(z.defined() && z.dim() == 2, ShapeError, "decode_links: 'z' must be embeddings [N, D], got ",
             z.defined() ? z.str() : "an undefined tensor");
  LOOM_CHECK(pairs.defined() && pairs.dim() == 2 && pairs.size(0) == 2, ShapeError,
             "decode_links: 'pairs' must be int64 [2, k], got ", pairs.defined() ? pairs.str() : "an undefined tensor");
  const Tensor src = index_select(z, pairs.narrow_rows(0, 1).reshape({-1}));
  const Tensor dst = index_select(z, pairs.narrow_rows(1, 2).reshape({-1}));
  switch (decoder) {
    case LinkDecoder::kInnerProduct: return sum(mul(src, dst), 1);
  }
  throw ValueError("decode_links: invalid LinkDecoder value");
}

LinkData link_data(const graph::Graph& full, const graph::LinkSplit& split, uint64_t seed) {
  LinkData d;
  d.train_links = split.train_supervision.defined() && split.train_supervision.numel() > 0 ? split.train_supervision
                                                                                            : split.train_edges;
  d.val_links = split.val_edges;
  d.test_links = split.test_edges;
  // Non-edges of the whole graph: a held-out positive is never drawn as a negative.
  d.val_negatives = graph::negative_edges(full, split.val_edges.size(1), seed);
  d.test_negatives = graph::negative_edges(full, split.test_edges.size(1), seed + 1);
  return d;
}

LinkPredictionTask::LinkPredictionTask(LinkData data, const graph::Graph& train_graph, std::function<Tensor()> encode,
                                       LinkDecoder decoder)
    : data_(std::move(data)), train_graph_(train_graph), encode_(std::move(encode)), decoder_(decoder) {
  LOOM_CHECK(data_.train_links.defined() && data_.train_links.dim() == 2 && data_.train_links.size(1) > 0,
             ValueError, "LinkPredictionTask: there are no training links");
}

Tensor LinkPredictionTask::training_loss(nn::Module&) {
  const Tensor z = encode_();
  const int64_t k = data_.train_links.size(1);
  // This epoch's negatives: a seed from the global generator (checkpointed with the run), non-edges of the graph
  // the encoder reads.
  const uint64_t seed = random_bits(current_seed(), random_offset(1));
  const Tensor negatives = graph::negative_edges(train_graph_, k, seed).to(z.device());
  const Tensor logits = concat({decode_links(z, data_.train_links, decoder_), decode_links(z, negatives, decoder_)}, 0);
  const Tensor target =
      concat({full({k}, 1.0, z.dtype(), z.device()), zeros({negatives.size(1)}, z.dtype(), z.device())}, 0);
  return binary_cross_entropy_with_logits(logits, target);
}

Metrics LinkPredictionTask::metrics(bool with_test) const {
  NoGradGuard no_grad;
  const Tensor z = encode_();
  Metrics m;
  auto score = [&](const char* part, const Tensor& pos, const Tensor& neg) {
    if (!pos.defined() || pos.size(1) == 0 || !neg.defined() || neg.size(1) == 0) return;
    const Tensor p = decode_links(z, pos, decoder_), n = decode_links(z, neg, decoder_);
    m[std::string(part) + "_auc"] = auc(p, n);
    m[std::string(part) + "_ap"] = average_precision(p, n);
  };
  score("val", data_.val_links, data_.val_negatives);
  if (with_test) score("test", data_.test_links, data_.test_negatives);
  return m;
}

Metrics LinkPredictionTask::evaluate(nn::Module&) { return metrics(false); }

Metrics LinkPredictionTask::test(nn::Module&) { return metrics(true); }

}  // namespace loom::models
