// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GAE's full-adjacency reconstruction loss (Kipf & Welling 2016, as the authors' TensorFlow code trains): weighted
// binary cross-entropy over all N x N pairs against the training adjacency with self loops. It never holds an N x N
// matrix: the sum over all pairs is computed in blocks of rows, forward and backward, and the positives are a
// sparse correction.
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"
#include "loom/graph/graph.h"
#include "loom/models/link_model.h"

namespace loom::models {

// sum_ij softplus(a_i . b_j) for a [N, D] and b [M, D] (float32/float64, one device), without the N x M matrix:
// rows of a in blocks of `block_rows` (0: as many as keep a block near 4M entries). Gradients, block by block:
// da = sigmoid(S) b, db = sigmoid(S)^T a. Returns a scalar.
Tensor pairwise_softplus_sum(const Tensor& a, const Tensor& b, int64_t block_rows = 0);

// The targets of the full loss, computed once per graph: every distinct (i, j) with an edge i -> j or i == j
// (the labels A + I), and E, the distinct non-loop edges, which set the weights (as the TF code's adj.sum()).
struct AdjacencyTargets {
  Tensor pairs;  // int64 [2, P] on the graph's device
  int64_t num_nodes = 0, num_edges = 0;
  double pos_weight() const;  // (N^2 - E) / E
  double norm() const;        // N^2 / (2 (N^2 - E))
};

// The largest graph the full loss accepts: N^2 pairs scored every epoch (2.5e9 at this limit) is already minutes
// per epoch on a CPU; beyond it the sampled loss is the practical one.
constexpr int64_t kFullLossMaxNodes = 50000;

// ValueError when g has more than kFullLossMaxNodes nodes or no edges.
AdjacencyTargets adjacency_targets(const graph::Graph& g);

// norm * mean over all N^2 pairs of pos_weight * y * softplus(-s) + (1 - y) * softplus(s), s the decoder's logit
// of (i, j) and y = (A + I)_ij: sum_ij softplus(s_ij) blockwise, plus for the positives
// pos_weight * softplus(-s) - softplus(s). Decoders whose score matrix is a product (inner product: z z^T;
// distmult: (z diag(r)) z^T with relation 0) qualify; the MLP decoder is a ValueError (it has no such form).
Tensor full_adjacency_loss(const Tensor& z, const AdjacencyTargets& targets, PairDecoder& decoder,
                           int64_t block_rows = 0);

}  // namespace loom::models
