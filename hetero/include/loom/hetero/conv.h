// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HeteroConv: message passing over a typed graph, one layer per relation, with the outputs of all relations into a
// destination type combined by a cross-type reduction (PyG's HeteroConv({rel: SAGEConv(...)}, aggr=...)).
//
// Each relation's layer is either a RelationLayer (bipartite: loom/hetero/relation_layers.h) or any graph layer of
// the registry (layers::GraphLayer). A graph layer on a relation between two types runs on the union graph (the
// destination nodes, then the source nodes) with x = [x_dst; x_src], so its inputs must have equal widths and
// degree-normalised layers (GCN) see the union's degrees; on a relation within one type it runs on that graph.
//
// The fused path: when every relation into a destination type has a BipartiteSAGEConv with mean or sum
// aggregation and the same shapes and options, the type's relations run as ONE g-SpMM over the relation-sorted
// stacked Csr (loom/hetero/relation_stack.h), then ONE grouped GEMM (grouped_matmul) applies each relation's W_l to
// its own block of rows, and one GEMM adds the root terms. It computes what the per-relation loop computes (tests
// compare both, and a float64 loop reference); options.fused(false) forces the loop.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "loom/core/nn.h"
#include "loom/core/options.h"
#include "loom/hetero/hetero_graph.h"

namespace loom::hetero {

// How the outputs [n_dst, out] of the relations into one type combine: their sum, mean, element-wise max, or a
// stack [n_dst, R, out] in the order of the graph's relations.
enum class CrossReduce : uint8_t { kSum, kMean, kMax, kStack };
const char* cross_reduce_name(CrossReduce r);  // "sum", "mean", "max", "stack"

struct HeteroConvOptions {
  LOOM_ARG(CrossReduce, aggr) = CrossReduce::kSum;
  LOOM_ARG(bool, fused) = true;  // take the fused path where it applies
};

// Features by node type name.
using TypeTensors = std::map<std::string, Tensor>;

class HeteroConv : public nn::Module {
 public:
  // One layer per relation (RelationLayer or layers::GraphLayer), registered as "convs.<src>__<rel>__<dst>" (PyG's
  // keys). ValueError for a null layer, another module type, or a relation given twice.
  HeteroConv(std::vector<std::pair<EdgeType, std::shared_ptr<nn::Module>>> convs,
             const HeteroConvOptions& options = {});

  // x: features of every source and destination type the layers read. Returns one tensor per destination type
  // that some layer's relation points into. Errors name the relation: a layer whose relation the graph lacks, a
  // node type x lacks, a feature width the layer does not take.
  TypeTensors forward(const HeteroGraph& g, const TypeTensors& x);

  const HeteroConvOptions& options() const { return options_; }
  // The destination types the last forward ran on the fused path (tests, benchmarks).
  const std::vector<std::string>& last_fused() const { return last_fused_; }

 private:
  Tensor forward_fused(const HeteroGraph& g, const std::string& dst, const TypeTensors& x);
  Tensor run_layer(const HeteroGraph& g, const EdgeType& et, nn::Module& layer, const TypeTensors& x);
  bool fusable(const HeteroGraph& g, const std::string& dst) const;

  HeteroConvOptions options_;
  std::vector<std::pair<EdgeType, std::shared_ptr<nn::Module>>> convs_;
  std::vector<std::string> last_fused_;
};

}  // namespace loom::hetero
