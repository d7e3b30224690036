// Shared by the gsddmm, edge_softmax and segment suites: a Csr read back to host vectors for the naive float64
// references, the graph zoo every op is checked on, and a run under a limited TBB thread count.
#pragma once
#include <oneapi/tbb/global_control.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "loom/core/message.h"
#include "loom/core/sparse.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom::testing {

struct HostCsr {
  int64_t rows = 0, cols = 0, nnz = 0;
  std::vector<int64_t> indptr;
  std::vector<int32_t> indices;
  explicit HostCsr(const Csr& g)
      : rows(g.num_rows()), cols(g.num_cols()), nnz(g.nnz()), indptr(g.indptr().cpu().to_vector<int64_t>()),
        indices(g.indices().cpu().to_vector<int32_t>()) {}
};

struct NamedGraph {
  std::string name;
  Csr g;
};

// Square with a hub over kHeavy (1200 in-edges), bipartite both ways, a tiny one and the zero-edge graph; all with
// empty rows, isolated nodes, self loops (square) and duplicate edges (random_graph's guarantees).
inline std::vector<NamedGraph> graph_zoo() {
  return {{"square_hub", random_csr(11, 1500, 1500, 3)},
          {"bipartite_wide", random_csr(12, 60, 140, 4)},
          {"bipartite_tall", random_csr(13, 140, 60, 2)},
          {"tiny", random_csr(14, 5, 5, 1)},
          {"zero_edge", random_csr(15, 7, 4, 0)}};
}

// Runs f with TBB limited to `threads` workers.
template <class F>
auto with_threads(int threads, F&& f) {
  oneapi::tbb::global_control c(oneapi::tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
  return f();
}

inline bool bitwise_equal(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  const Tensor ac = a.cpu(), bc = b.cpu();
  return std::memcmp(ac.raw_data(), bc.raw_data(), ac.nbytes()) == 0;
}

}  // namespace loom::testing
