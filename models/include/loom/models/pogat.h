// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// POGAT (Wang et al., "Perturbation Ontology based Graph Attention Networks", arXiv 2411.18520): self-supervised
// embeddings of a heterogeneous graph's target type from graph attention over "ontology subgraphs", trained to tell a
// node's real ontology subgraph from a "homogeneously perturbed" one (its nodes swapped for nodes of the same type).
//
// Built after the method note ../shared/papers/pogat.md; the paper's body was not available: the ontology-subgraph
// definition, the discriminator and hyper-parameters below are our reading. The choices that are ours, not the
// sources':
//   - Ontology instance: the schema's hub type is the node type adjacent to the most relations (DBLP: paper); an
//     instance through a target node v is one hub neighbour p of v and one neighbour of p of every other type
//     adjacent to the hub (DBLP: (author v, paper p, conference of p, one term of p)). When the target is the hub,
//     an instance is v and one neighbour of each other adjacent type. Types not adjacent to the hub are left out.
//     An instance may miss a type (p has no neighbour of it).
//   - The ontology subgraph O(v) is the union of up to S instances (S = instances): all of v's hub neighbours when
//     v has at most S, else S of them drawn without replacement; nodes deduplicated within O(v); its edges are every
//     edge of the graph, of every relation, between two of its nodes (the induced subgraph), each typed by relation.
//   - Encoder: a type-specific linear map of the features (a learned per-node embedding for a type without them),
//     then `layers` GATConv layers on the batch of subgraphs as one block-diagonal graph, the relation entering the
//     attention logit as a learned per-relation, per-head term (GATConv's edge features, one-hot relations), self
//     loops, ELU between layers and a residual connection around each layer.
//   - Readout: z_v = the target's output; context s_v = the mean output of O(v)'s other nodes (zeros if none).
//   - Perturbation: O~(v) keeps the structure and v, and each chosen non-target node (a `ratio` share of them,
//     drawn uniformly) becomes a uniformly drawn other node of its type. The default share, 0.25, was chosen on
//     DBLP's heco-20 validation nodes among 1, 0.5, 0.25 and 0.1 (fewer swaps make harder negatives), and 60 epochs
//     over 100 (the same validation Macro-F1), one training seed each; nothing else was tried.
//   - Loss (DGI-style): a bilinear discriminator D(z, s) = z^T W s, L = BCE(D(z_v, s_v), 1) + BCE(D(z~_v, s~_v), 0)
//     over a minibatch of target nodes; Adam. Hidden size 64, 4 heads, 2 layers, S = 8, batch 256, lr 1e-3: our
//     defaults, not tuned.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "loom/core/nn.h"
#include "loom/core/options.h"
#include "loom/hetero/hetero_graph.h"
#include "loom/hetero/hetero_sage.h"
#include "loom/layers/gat_conv.h"

namespace loom::models {

// ---------------------------------------------------------------- ontology subgraphs

// A batch of ontology subgraphs, one per target, stored one after the other (a block-diagonal graph). Host-built,
// int64 tensors on the host (POGAT::forward uploads what it needs).
struct OntologyBatch {
  Tensor node_type;   // [N] index into the graph's node_types()
  Tensor node_id;     // [N] id within its type
  Tensor edge_index;  // [2, E] batch positions, row 0 sources, row 1 destinations
  Tensor edge_rel;    // [E] index into the graph's relations()
  Tensor offsets;     // [B + 1] subgraph b holds positions offsets[b] .. offsets[b+1]; its target is the first
  int64_t num_nodes() const { return node_type.defined() ? node_type.size(0) : 0; }
  int64_t num_subgraphs() const { return offsets.defined() ? offsets.size(0) - 1 : 0; }
};

// Reads the schema and the structure of g (to the host) once; then samples ontology subgraphs and perturbs them.
class OntologySampler {
 public:
  // ValueError naming the problem for a graph with fewer than two node types, an unknown target type, or a target
  // type with no relation to the hub type.
  OntologySampler(const hetero::HeteroGraph& g, const std::string& target);
  const std::string& target() const { return target_; }
  const std::string& hub() const { return types_[static_cast<size_t>(hub_)]; }
  // The types an instance holds besides the target and the hub, in node_types() order.
  std::vector<std::string> instance_types() const;
  int64_t num_targets() const { return counts_[static_cast<size_t>(target_type_)]; }
  // O(v) for each v of `targets` (ids of the target type), up to `instances` instances each. Each subgraph is drawn
  // from its own stream of (seed, v), so it does not depend on the batch it is in. IndexError for an id out of range,
  // ValueError for instances < 1.
  OntologyBatch sample(const std::vector<int64_t>& targets, int64_t instances, uint64_t seed) const;
  // O~: the same structure and targets; in each subgraph round(ratio * (nodes - 1)) non-target positions, drawn
  // uniformly, get a uniformly drawn other node of their type (the same one if the type has one node). ValueError
  // unless 0 < ratio <= 1.
  OntologyBatch perturb(const OntologyBatch& b, double ratio, uint64_t seed) const;

 private:
  struct Adjacency {  // host CSR: row r lists its neighbours
    std::vector<int64_t> indptr, indices;
    int64_t degree(int64_t r) const { return indptr[r + 1] - indptr[r]; }
  };
  struct Relation {
    int64_t src, dst;
    Adjacency out, in;  // out: rows are sources; in: rows are destinations
  };
  // Neighbours of a node of type `from` among type `to` through the relations between them (those from `from`
  // first; the reverse ones only if there are none), as lists of (relation, orientation).
  std::vector<std::pair<const Adjacency*, int64_t>> links(int64_t from, int64_t to) const;
  std::vector<std::string> types_;
  std::vector<int64_t> counts_;
  std::vector<Relation> relations_;
  std::string target_;
  int64_t target_type_ = 0, hub_ = 0;
  std::vector<const Adjacency*> to_hub_;                   // target -> hub (empty when the target is the hub)
  std::vector<std::pair<int64_t, std::vector<const Adjacency*>>> from_hub_;  // (type, hub -> type) per other type
};

// ---------------------------------------------------------------- model

struct POGATOptions {
  LOOM_ARG(int64_t, hidden) = 64;  // the width of every layer (heads x hidden / heads)
  LOOM_ARG(int64_t, heads) = 4;    // hidden must be a multiple of heads
  LOOM_ARG(int64_t, layers) = 2;
  LOOM_ARG(double, dropout) = 0.0;  // on the attention coefficients, while training
};

struct POGATOutput {
  Tensor z;        // [B, hidden] the targets' outputs
  Tensor context;  // [B, hidden] the mean of each subgraph's other nodes' outputs
};

// Parameters: encoders.<type>.{weight,bias | embedding}, convs.<l>.* (GATConv with edge_dim = the graph's
// relations), discriminator [hidden, hidden].
class POGAT : public nn::Module {
 public:
  POGAT(const hetero::HeteroGraph& g, const POGATOptions& options);
  // Every node type's encoder output stacked into one table: node `id` of type t is row type_offset[t] + id. A
  // training step encodes once and reads the table for the real and the perturbed batch.
  struct Table {
    Tensor rows;                       // [total nodes, hidden]
    std::vector<int64_t> type_offset;  // [types + 1]
  };
  Table encode(const hetero::HeteroGraph& g);
  // b stays on the host, where it was sampled: the forward reads its ids there and uploads only the rows, edges and
  // offsets the model's device needs (a batch on the GPU would be copied back first).
  POGATOutput forward(const Table& table, const OntologyBatch& b);
  POGATOutput forward(const hetero::HeteroGraph& g, const OntologyBatch& b) { return forward(encode(g), b); }
  // D(z, s) = z^T W s per row: [B].
  Tensor discriminate(const Tensor& z, const Tensor& context) const;
  const POGATOptions& options() const { return options_; }
  Tensor discriminator;

 private:
  POGATOptions options_;
  int64_t num_relations_ = 0;
  std::vector<std::pair<std::string, std::shared_ptr<hetero::TypeEncoder>>> encoders_;
  std::vector<std::shared_ptr<layers::GATConv>> convs_;
};

// BCE(D(real), 1) + BCE(D(fake), 0), each the mean over the batch.
Tensor pogat_loss(const POGAT& model, const POGATOutput& real, const POGATOutput& fake);

// ---------------------------------------------------------------- training

struct POGATTrainOptions {
  LOOM_ARG(double, lr) = 1e-3;
  LOOM_ARG(double, weight_decay) = 0.0;
  LOOM_ARG(int64_t, epochs) = 60;
  LOOM_ARG(int64_t, batch) = 256;      // target nodes per step
  LOOM_ARG(int64_t, instances) = 8;    // S: instances per ontology subgraph
  LOOM_ARG(double, ratio) = 0.25;      // share of non-target nodes perturbed
  LOOM_ARG(uint64_t, seed) = 0;        // of the batches, the subgraphs and the perturbations
  LOOM_ARG(bool, verbose) = false;     // a progress line on stderr per epoch
};

struct POGATTrainResult {
  Tensor embedding;  // z of every target node from its real subgraph (a fixed sampling seed), eval mode, detached
  std::vector<double> losses;  // mean per epoch
  int64_t epochs = 0;
  double seconds = 0;
};

// z of the given targets (all of the sampler's when empty) from their ontology subgraphs drawn with `seed`, in
// batches of `batch`, without gradients, in eval mode.
Tensor pogat_embed(POGAT& model, const hetero::HeteroGraph& g, const OntologySampler& sampler,
                   std::vector<int64_t> targets, int64_t instances, int64_t batch, uint64_t seed);

// g: the graph the model reads its features from (on the model's device); the sampler is built from its structure.
POGATTrainResult train_pogat(POGAT& model, const hetero::HeteroGraph& g, const OntologySampler& sampler,
                             const POGATTrainOptions& options);
// Trained on the subgraphs of several target types at once (link prediction: authors and papers): every epoch visits
// every target of every sampler, in shuffled batches of one sampler each. The result's embedding is the first
// sampler's.
POGATTrainResult train_pogat(POGAT& model, const hetero::HeteroGraph& g,
                             const std::vector<const OntologySampler*>& samplers, const POGATTrainOptions& options);

// ---------------------------------------------------------------- link prediction (our protocol)

// A held-out share of one relation's pairs (author writes paper): the graph without them (in `relation` and in its
// reverse, the relation from its destination type back to its source type, if the graph has one), the held-out pairs,
// and as many negatives: for each held-out (u, v), a (u, w) with w of v's type drawn uniformly among the pairs the
// whole graph does not have. Pairs are [2, P] int64 (row 0 ids of the relation's source type, row 1 of its
// destination type). ValueError unless 0 < fraction < 1, or when fewer than one pair would be held out.
struct HeldOutLinks {
  hetero::HeteroGraph train;
  Tensor pos, neg;
  std::string reverse;  // the reverse relation's name ("" if the graph has none)
};
HeldOutLinks hold_out_links(const hetero::HeteroGraph& g, const hetero::EdgeType& relation, double fraction,
                            uint64_t seed);

}  // namespace loom::models
