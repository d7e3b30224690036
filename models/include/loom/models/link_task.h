// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Link prediction as a Task for the one trainer (loom/models/trainer.h): an encoder maps the message-passing graph
// to node embeddings z, a decoder scores a pair (u, v) from z_u and z_v, and the loss is binary cross-entropy on the
// supervision links against as many negatives, drawn afresh every epoch (GAE's protocol) with a seed taken from the
// global generator, so that a resumed run draws what the uninterrupted one would. Validation and test links are
// scored against fixed negatives drawn once from the whole graph's non-edges, so runs compare.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>

#include "loom/core/choices.h"
#include "loom/graph/graph.h"
#include "loom/graph/link.h"
#include "loom/models/task.h"

namespace loom {
namespace models {
// kInnerProduct: z_u · z_v (GAE). More decoders (an MLP on the pair, DistMult for typed edges) join this list.
enum class LinkDecoder : uint8_t { kInnerProduct };
}  // namespace models

template <> struct EnumNames<models::LinkDecoder> {
  static constexpr std::string_view what = "link decoder";
  static constexpr std::array<std::pair<models::LinkDecoder, std::string_view>, 1> table{
      {{models::LinkDecoder::kInnerProduct, "inner_product"}}};
};

namespace models {

// The scores of pairs (int64 [2, k]) from embeddings z [N, D]: one logit per pair.
Tensor decode_links(const Tensor& z, const Tensor& pairs, LinkDecoder decoder = LinkDecoder::kInnerProduct);

// The links a run trains and is scored on, on one device.
struct LinkData {
  Tensor train_links;                // supervision links, int64 [2, k] (positives of the loss)
  Tensor val_links, val_negatives;   // int64 [2, k]; may be empty
  Tensor test_links, test_negatives;
};

// Draws the fixed negatives of a split: as many as its validation and test links, from the non-edges of `full`
// (the graph before the split), with `seed` (and seed + 1 for test).
LinkData link_data(const graph::Graph& full, const graph::LinkSplit& split, uint64_t seed);

// Metrics: evaluate() gives val_auc and val_ap; test() adds test_auc and test_ap (absent when a
// part has no links). Monitor: val_auc. `encode` runs the encoder on the message-passing graph in the model's
// current mode and returns z [N, D]; `train_graph` is that graph (its non-edges are the training negatives).
class LinkPredictionTask : public Task {
 public:
  LinkPredictionTask(LinkData data, const graph::Graph& train_graph, std::function<Tensor()> encode,
                     LinkDecoder decoder = LinkDecoder::kInnerProduct);
  std::string name() const override { return "link"; }
  Tensor training_loss(nn::Module& model) override;
  Metrics evaluate(nn::Module& model) override;
  Metrics test(nn::Module& model) override;
  std::string default_monitor() const override { return data_.val_links.numel() > 0 ? "val_auc" : ""; }

 private:
  Metrics metrics(bool with_test) const;

  LinkData data_;
  const graph::Graph& train_graph_;
  std::function<Tensor()> encode_;
  LinkDecoder decoder_;
};

}  // namespace models
}  // namespace loom
