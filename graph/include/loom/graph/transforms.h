// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph transforms (each returns a new Graph; the input is unchanged), feature normalisation and random splits.
// They run on the graph's device where that is cheap and on the CPU otherwise (results come back on the graph's
// device either way).
#pragma once
#include <cstdint>
#include <utility>

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

// The part of g that `hops` message-passing layers read to compute the outputs of `nodes` (int32/int64 [n], any
// order, repeats allowed): the nodes within `hops` in-hops of `nodes` (result node i is g's node out.nodes[i],
// sorted), and every in-edge of every node within hops - 1 in-hops, in g's csr order, with its weight and
// features. Its degree data are g's: in_degrees(), out_degrees(), the degrees inside norm(), and the same for its
// with_self_loops() graph. So a layer run on it computes, for each node within hops - 1 in-hops (all of whose
// in-edges are here), exactly what it computes on g, degree normalisations included: a k-layer stack gives g's
// outputs at `nodes`. Nodes at the border (exactly `hops` away) carry only their input features and degrees; the
// layers' outputs there are not g's. The result holds a handle to g; its copy made by to() keeps it (g is copied to
// that device too), while with_edge_weight() and with_edge_attr() give plain graphs with their own degrees.
// IndexError names an id outside the graph, ValueError a negative hops.
Subgraph receptive_field(const Graph& g, const Tensor& nodes, int hops);

// A seeded random node split: round(train N) training nodes, round(val N) validation nodes, the rest test;
// sorted int64 ids on the CPU. ValueError unless 0 <= train, val and train + val <= 1. The permutation comes from
// loom's stateless random_bits(seed, i) (loom/core/random.h): reproducible, and the global generator is untouched.
struct NodeSplit {
  Tensor train, val, test;
};
NodeSplit random_node_split(int64_t num_nodes, double train, double val, uint64_t seed);

// A seeded split by class (DHG's split_by_num, the Planetoid protocol of LightHGNN and GLNN): for each class, in
// a seeded random order of its nodes, the first train_per_class are training nodes, the next val_per_class
// validation nodes, the rest test. A class smaller than train_per_class + val_per_class gives what it has, training
// first. `y` is int32/int64 [N] labels in [0, C) on any device; the ids come back sorted, int64 on the CPU.
NodeSplit per_class_split(const Tensor& y, int64_t train_per_class, int64_t val_per_class, uint64_t seed);

// A seeded sample of round(fraction n) of `nodes` (int64 ids) and the rest, both sorted: the production protocol's
// held-out (inductive) test nodes and the observed ones.
std::pair<Tensor, Tensor> split_nodes(const Tensor& nodes, double fraction, uint64_t seed);

// A seeded random edge split for link prediction: round(val E) and round(test E) edges are held out (as int64
// [2, k] edge indices on the graph's device, in csr order), the rest form the training graph (same nodes, weights
// and features kept). Each directed edge is drawn on its own (the reverse of an undirected edge may land in
// another part), so for link prediction on undirected graphs prefer random_link_split (loom/graph/link.h), which
// holds out whole links. ValueError unless 0 <= val, test and val + test <= 1.
struct EdgeSplit {
  Graph train;
  Tensor val_edges, test_edges;
};
EdgeSplit random_edge_split(const Graph& g, double val, double test, uint64_t seed);

}  // namespace loom::graph
