// Private to the hypergraph library: the blocked k-nearest-neighbour builder behind Hypergraph::from_knn, with the
// block height exposed so that tests can force many blocks on small inputs.
#pragma once
#include <cstdint>

#include "loom/hypergraph/hypergraph.h"

namespace loom::hypergraph::detail {

// Query rows per block such that one block's [rows, N] distance matrix stays under ~256 MB.
int64_t knn_block_rows(int64_t n, DType dtype);
// Hypergraph::from_knn with `block_rows` query rows per block (checks included).
Hypergraph knn_hypergraph(const Tensor& features, int64_t k, int64_t block_rows);

}  // namespace loom::hypergraph::detail
