// Graph transforms, feature normalisation and random splits (loom/graph/transforms.h).
#include "loom/graph/transforms.h"

#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::graph {

Graph add_self_loops(const Graph& g, double fill) {
  NoGradGuard no_grad;
  const int64_t n = g.num_nodes();
  // Nodes that already have a loop keep theirs (and its weight); the others get one.
  const Tensor ei = g.edge_index().to(kCPU);
  const auto e = ei.to_vector<int64_t>();
  const int64_t m = g.num_edges();
  std::vector<char> has(static_cast<size_t>(n), 0);
  for (int64_t k = 0; k < m; ++k) {
    if (e[k] == e[m + k]) has[e[k]] = 1;
  }
  std::vector<int64_t> loops;
  for (int64_t v = 0; v < n; ++v) {
    if (!has[v]) loops.push_back(v);
  }
  const int64_t l = static_cast<int64_t>(loops.size());
  if (l == 0) return g;
  const Tensor ids = from_vector<int64_t>(loops, {1, l}).to(g.device());
  const Tensor edge_index = concat({g.edge_index(), concat({ids, ids}, 0)}, 1);
  Tensor weight, attr;
  if (g.edge_weight().defined()) {
    weight = concat({g.edge_weight(), full({l}, fill, g.edge_weight().dtype(), g.device())}, 0);
  }
  if (g.edge_attr().defined()) {
    attr = concat({g.edge_attr(), zeros({l, g.edge_attr().size(1)}, g.edge_attr().dtype(), g.device())}, 0);
  }
  return Graph::from_edge_index(edge_index, n, weight, attr);
}

Graph remove_self_loops(const Graph& g) {
  NoGradGuard no_grad;
  const Tensor ei = g.edge_index().to(kCPU);
  const auto e = ei.to_vector<int64_t>();
  const int64_t m = g.num_edges();
  std::vector<int64_t> keep;
  for (int64_t k = 0; k < m; ++k) {
    if (e[k] != e[m + k]) keep.push_back(k);
  }
  if (static_cast<int64_t>(keep.size()) == m) return g;
  const Tensor idx = from_vector<int64_t>(keep, {static_cast<int64_t>(keep.size())}).to(g.device());
  const Tensor edge_index = transpose(index_select(transpose(g.edge_index(), 0, 1), idx), 0, 1);
  return Graph::from_edge_index(edge_index, g.num_nodes(),
                                g.edge_weight().defined() ? index_select(g.edge_weight(), idx) : Tensor(),
                                g.edge_attr().defined() ? index_select(g.edge_attr(), idx) : Tensor());
}

}  // namespace loom::graph
