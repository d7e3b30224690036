// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the hypergraph library: the tiled k-nearest-neighbour builder behind Hypergraph::from_knn, with the tile
// sizes exposed so that tests can force many tiles on small inputs.
#pragma once
#include <cstdint>

#include "loom/hypergraph/hypergraph.h"

namespace loom::hypergraph::detail {

// Candidate columns per tile: min(N, 65536). A tile's [rows, cols] distance matrix is cut to its k + 1 nearest per row
// at once, so the rows of a block are many and short (topk fills the GPU) however large N is.
int64_t knn_tile_cols(int64_t n);
// Query rows per block such that one [rows, tile cols] distance tile stays under ~256 MB.
int64_t knn_block_rows(int64_t n, DType dtype);
// Hypergraph::from_knn with `block_rows` query rows per block and `tile_cols` columns per tile (0: knn_tile_cols).
Hypergraph knn_hypergraph(const Tensor& features, int64_t k, int64_t block_rows, int64_t tile_cols = 0);

}  // namespace loom::hypergraph::detail
