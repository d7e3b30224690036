// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// R-MAT graphs (Graph500 recipe): power-law edge lists at any scale for benchmarks and tests.
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"

namespace loom::data {

struct RmatEdges {
  Tensor src, dst;        // int64 [E] on the CPU, sorted by (src, dst), no self loops, no duplicates
  int64_t num_nodes = 0;  // 2^scale
};

// edge_factor * 2^scale candidate edges; each picks one quadrant per bit level with probabilities a, b, c and
// d = 1 - a - b - c (quadrant b or d sets the destination bit, c or d the source bit), vertex ids are then
// relabelled by a random permutation so that degree does not follow the id, and self loops and duplicates are
// dropped (as bench/pyg_reference.py's rmat_edges does; the random stream differs, so the graphs are alike in
// distribution, not equal). Counter-based randomness per edge: the result depends only on the arguments, never on
// the number of threads. scale in [1, 30], edge_factor >= 1, a, b, c >= 0 with a + b + c <= 1 (ValueError
// otherwise). Scale 20 (16M candidates) takes a few seconds on 16 cores.
RmatEdges rmat(int scale, int edge_factor = 16, uint64_t seed = 0, double a = 0.57, double b = 0.19, double c = 0.19);

}  // namespace loom::data
