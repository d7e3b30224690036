// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Link prediction data: leakage-free edge splits and seeded negative sampling (issue 16). Host-side preprocessing:
// graphs on CUDA are copied to the host and results come back on the graph's device. Every draw comes from loom's
// stateless random_bits(seed, i), so a seed gives the same result everywhere and the global generator is untouched.
#pragma once
#include <cstdint>
#include <optional>

#include "loom/core/tensor.h"
#include "loom/graph/graph.h"

namespace loom::graph {

struct LinkSplitOptions {
  // Whether (u, v) and (v, u) are one link. Unset: detected, true when every edge's reverse is also an edge.
  std::optional<bool> undirected;
  // PyG's disjoint_train_ratio: round(ratio * training links) of the training links become supervision-only links,
  // removed from the message-passing graph too, so a model never sees the edge it is asked to predict.
  double disjoint_train_ratio = 0.0;
};

// Link tensors are int64 [2, k], one row per link sorted by (src, dst); for undirected splits one direction per
// link, src < dst. `train` is the message-passing graph: g without every copy (both directions, duplicates) of the
// validation, test and supervision-only links; its weights and features are g's. Supervise training on
// train_supervision when disjoint_train_ratio > 0, else on train_edges.
struct LinkSplit {
  Graph train;
  Tensor train_edges;        // the links left in `train` (self loops excluded)
  Tensor train_supervision;  // supervision-only links ([2, 0] unless disjoint_train_ratio > 0)
  Tensor val_edges, test_edges;
  bool undirected = false;
};

// A seeded split of g's links: round(val L) validation and round(test L) test links, where L counts distinct
// links (duplicates once; for undirected splits a link and its reverse once; self loops are not links: they stay in
// `train` and are never held out). ValueError unless 0 <= val, test, disjoint_train_ratio and val + test <= 1.
LinkSplit random_link_split(const Graph& g, double val, double test, uint64_t seed, const LinkSplitOptions& o = {});

// A split by time: `times` (int32/int64/float32/float64 [E], in g.csr() order, as edge weights are) gives each
// directed edge a time; a link's time is the latest of its copies. The latest round(test L) links are the test
// links, the round(val L) before them the validation links (ties broken by (src, dst)). disjoint_train_ratio must
// be 0 here (ValueError otherwise); ShapeError for `times` of the wrong length.
LinkSplit temporal_link_split(const Graph& g, const Tensor& times, double val, double test,
                              const LinkSplitOptions& o = {});

// kUniform: (u, v) uniform over the non-edges. kDegree: u uniform, v drawn proportional to its degree (in + out
// edges): harder negatives among popular nodes, as in degree-biased sampling of recommenders.
enum class NegativeMode : uint8_t { kUniform, kDegree };

// `count` distinct non-edges (u, v), u != v, as int64 [2, count] on g's device. For an undirected graph (every
// edge's reverse present) (u, v) and (v, u) are one pair: neither is an edge and no pair repeats in either
// direction. ValueError (naming how many exist) when g leaves fewer than `count` non-edges. On a dense graph (the
// non-edges left after the sample under 1/8 of all n^2 pairs) the pairs are a uniform sample of the enumerated
// non-edges, kDegree included; kDegree also turns uniform after 64 count + 1024 draws, if popular nodes saturate.
// Fixed validation and test negatives are this function called once with a fixed seed: the same seed always
// gives the same pairs, so store nothing, record the seed.
Tensor negative_edges(const Graph& g, int64_t count, uint64_t seed, NegativeMode mode = NegativeMode::kUniform);

// Hard negatives: for each positive (u, v) (int32/int64 [2, k], any device; it need not be an edge of g),
// per_positive pairs (u, w) with w != u, w != v, w not adjacent to u in g (either direction) and distinct for one
// positive. w is drawn from u's 2-hop non-neighbours (nodes at distance exactly 2, ignoring edge direction) while
// there are any left, then uniformly from the other non-neighbours. Result int64 [2, k per_positive] on g's device,
// positive by positive. ValueError when a source has fewer than per_positive candidates. Each positive costs a walk
// of its source's 2-hop neighbourhood (sum of its neighbours' degrees): meant for evaluation sets, not every batch.
Tensor hard_negatives(const Graph& g, const Tensor& positives, int64_t per_positive, uint64_t seed);

// Filtered tail corruption, for ranking metrics (MRR): for each positive (u, v), per_positive distinct pairs (u, w)
// with w uniform among the nodes that are not u, not v and not adjacent to u in g (either direction), so no
// negative is an edge of g. Same shapes, order and errors as hard_negatives (the errors name tail_negatives).
Tensor tail_negatives(const Graph& g, const Tensor& positives, int64_t per_positive, uint64_t seed);

}  // namespace loom::graph
