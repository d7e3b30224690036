// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// "UniqueSignature" (Lim et al., NCMP / SINC-GCN; method note shared/papers/ncmp-sinc-gcn.md): a synthetic binary
// node classification task whose label needs each neighbour's feature compared with the whole neighbourhood's sum.
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"

namespace loom::data {

struct UniqueSignatureOptions {
  int64_t num_graphs = 5000;
  int64_t min_nodes = 30;       // nodes per graph uniform in [min_nodes, max_nodes]
  int64_t max_nodes = 70;
  double edge_prob = 0.5;       // Erdős–Rényi edge probability (undirected, no self loops)
  int64_t feature_range = 3;    // K: x = U{0..K-1} - floor(K/2), e.g. K = 3 gives -1, 0, 1
  uint64_t seed = 0;            // graph i draws from its own stream (seed, i): graph i is the same in any batch size
};

// A batch of graphs as one disjoint-union graph (graph g's nodes are [graph_ptr[g], graph_ptr[g + 1])).
struct UniqueSignature {
  Tensor edge_index;  // int64 [2, E]: row 0 sources, row 1 targets; every undirected edge in both directions
  Tensor x;           // float32 [N, 1]: exact small integers
  Tensor y;           // int64 [N]: 1 iff some neighbour v of u has x_v = sum of x_w over u's neighbours (isolated: 0)
  Tensor graph_id;    // int64 [N]
  Tensor graph_ptr;   // int64 [num_graphs + 1]
  int64_t num_nodes = 0;
  int64_t num_graphs = 0;
};

// Generates the batch on the CPU. Deterministic for given options on every platform (std::mt19937_64 per graph
// and integer arithmetic, no std distributions). ValueError naming the first invalid option.
UniqueSignature unique_signature(const UniqueSignatureOptions& options = {});

}  // namespace loom::data
