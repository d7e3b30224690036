// Graph transforms (each returns a new Graph; the input is unchanged), feature normalisation and random splits.
// They run on the graph's device where that is cheap and on the CPU otherwise (results come back on the graph's
// device either way).
#pragma once
#include <cstdint>

#include "loom/core/tensor.h"
#include "loom/graph/graph.h"

namespace loom::graph {

// Adds v -> v for every node v without a self loop, with weight `fill` (when the graph is weighted) and zero
// edge features (PyG's add_remaining_self_loops).
Graph add_self_loops(const Graph& g, double fill = 1.0);
Graph remove_self_loops(const Graph& g);
// Merges duplicate edges: weights and edge features of merged edges are summed. An unweighted graph stays
// unweighted (its duplicates simply become one edge). A graph without duplicates is returned as is.
Graph coalesce(const Graph& g);
// Adds the reverse of every edge, then coalesces (as PyG's to_undirected): the weighted adjacency becomes A + A^T,
// so an edge present in both directions gets the sum of both weights, and a self loop's weight doubles.
Graph to_undirected(const Graph& g);

// Feature rows divided by their sum (rows summing to 0 stay unchanged): PyG's NormalizeFeatures. No gradient.
Tensor row_normalize(const Tensor& x);

// The subgraph induced by `nodes` (int32/int64 [n], distinct, any order, on any device): node i of the result is
// nodes[i]; edges keep their weights and features. edge_ids maps each result edge (csr order) to its edge in g
// (csr order). IndexError for an id outside the graph, ValueError for a repeated id (each naming the position).
struct Subgraph {
  Graph graph;
  Tensor nodes;     // int64 [n]: original id of each node
  Tensor edge_ids;  // int64 [e]
};
Subgraph induced_subgraph(const Graph& g, const Tensor& nodes);
// The nodes whose messages reach `seeds` within k rounds of message passing (following in-edges backwards),
// seeds included; sorted int64 ids. And the subgraph they induce. ValueError for k < 0.
Tensor k_hop_nodes(const Graph& g, const Tensor& seeds, int k);
Subgraph k_hop_subgraph(const Graph& g, const Tensor& seeds, int k);

// A seeded random node split: round(train N) training nodes, round(val N) validation nodes, the rest test;
// sorted int64 ids on the CPU. ValueError unless 0 <= train, val and train + val <= 1. The permutation comes from
// loom's stateless random_bits(seed, i) (loom/core/random.h): reproducible, and the global generator is untouched.
struct NodeSplit {
  Tensor train, val, test;
};
NodeSplit random_node_split(int64_t num_nodes, double train, double val, uint64_t seed);

// A seeded random edge split for link prediction: round(val E) and round(test E) edges are held out (as int64
// [2, k] edge indices on the graph's device, in csr order), the rest form the training graph (same nodes, weights
// and features kept). Each directed edge is drawn on its own (the reverse of an undirected edge may land in
// another part). ValueError unless 0 <= val, test and val + test <= 1.
struct EdgeSplit {
  Graph train;
  Tensor val_edges, test_edges;
};
EdgeSplit random_edge_split(const Graph& g, double val, double test, uint64_t seed);

}  // namespace loom::graph
