// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HeteroConv: the per-relation loop (any RelationLayer or GraphLayer, errors prefixed with the relation), the
// cross-type reductions, and the fused path (one g-SpMM over the relation stack, one grouped GEMM, one root GEMM).
#include "loom/hetero/conv.h"

#include <algorithm>

#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "loom/graph/graph.h"
#include "loom/hetero/relation_layers.h"
#include "loom/hetero/relation_stack.h"
#include "loom/layers/layer.h"

namespace loom::hetero {

namespace {

std::string type_list(const TypeTensors& x) {
  std::string s;
  for (const auto& [t, v] : x) s += (s.empty() ? "" : ", ") + t;
  return s.empty() ? "none" : s;
}

// Runs f, re-throwing a loom error of the same type with the relation named in front.
template <class F>
Tensor naming(const EdgeType& et, F&& f) {
  const std::string who = "HeteroConv: relation " + et.str() + ": ";
  try {
    return f();
  } catch (const ShapeError& e) {
    throw ShapeError(who + e.what());
  } catch (const DTypeError& e) {
    throw DTypeError(who + e.what());
  } catch (const DeviceError& e) {
    throw DeviceError(who + e.what());
  } catch (const ValueError& e) {
    throw ValueError(who + e.what());
  }
}

// The graph a GraphLayer runs on for a relation between two types: destination nodes [0, n_dst), then source
// nodes; only destination rows have entries.
graph::Graph union_graph(const Csr& rel) {
  const int64_t n_dst = rel.num_rows(), n_src = rel.num_cols();
  const Tensor ip = rel.indptr().to(kCPU), ix = rel.indices().to(kCPU);
  std::vector<int64_t> indptr = ip.to_vector<int64_t>();
  indptr.resize(static_cast<size_t>(n_dst + n_src + 1), indptr.back());
  std::vector<int32_t> indices = ix.to_vector<int32_t>();
  for (int32_t& c : indices) c += static_cast<int32_t>(n_dst);
  const Csr u = Csr::from_arrays(from_vector(indptr, {n_dst + n_src + 1}),
                                 from_vector(indices, {static_cast<int64_t>(indices.size())}), n_dst + n_src);
  return graph::Graph::from_csr(rel.device().is_cpu() ? u : u.to(rel.device()));
}

Tensor cross_reduce(const std::vector<Tensor>& outs, CrossReduce r) {
  if (r == CrossReduce::kSum || r == CrossReduce::kMean) {
    Tensor s = outs[0];
    for (size_t i = 1; i < outs.size(); ++i) s = add(s, outs[i]);
    return r == CrossReduce::kMean && outs.size() > 1 ? mul_scalar(s, 1.0 / static_cast<double>(outs.size())) : s;
  }
  std::vector<Tensor> views;
  for (const Tensor& o : outs) views.push_back(o.view({o.size(0), 1, o.size(1)}));
  const Tensor stacked = concat(views, 1);  // [n_dst, R, out]
  return r == CrossReduce::kStack ? stacked : max(stacked, 1);
}

}  // namespace

const char* cross_reduce_name(CrossReduce r) {
  switch (r) {
    case CrossReduce::kSum: return "sum";
    case CrossReduce::kMean: return "mean";
    case CrossReduce::kMax: return "max";
    case CrossReduce::kStack: return "stack";
  }
  return "?";
}

HeteroConv::HeteroConv(std::vector<std::pair<EdgeType, std::shared_ptr<nn::Module>>> convs,
                       const HeteroConvOptions& options)
    : nn::Module("HeteroConv"), options_(options), convs_(std::move(convs)) {
  LOOM_CHECK(!convs_.empty(), ValueError, "HeteroConv: needs at least one relation layer");
  auto dict = register_module("convs", std::make_shared<nn::Module>("ModuleDict"));
  for (const auto& [et, m] : convs_) {
    LOOM_CHECK(m != nullptr, ValueError, "HeteroConv: the layer of relation ", et.str(), " is null");
    LOOM_CHECK(std::dynamic_pointer_cast<RelationLayer>(m) || std::dynamic_pointer_cast<layers::GraphLayer>(m),
               ValueError, "HeteroConv: the layer of relation ", et.str(), " is a ", m->name(),
               ", neither a RelationLayer nor a graph layer");
    for (const auto& [other, m2] : convs_) {
      LOOM_CHECK(&other == &et || !(other == et), ValueError, "HeteroConv: relation ", et.str(), " is given twice");
    }
    dict->register_module(et.str(), m);
  }
}

Tensor HeteroConv::run_layer(const HeteroGraph& g, const EdgeType& et, nn::Module& layer, const TypeTensors& x) {
  for (const std::string& t : {et.src, et.dst}) {
    LOOM_CHECK(x.count(t) != 0 && x.at(t).defined(), ValueError, "HeteroConv: relation ", et.str(),
               " reads node type '", t, "', which 'x' lacks (x has: ", type_list(x), ")");
  }
  const Tensor& xs = x.at(et.src);
  const Tensor& xd = x.at(et.dst);
  const Csr& rel = g.in_csr(et);
  return naming(et, [&]() -> Tensor {
    if (auto* rl = dynamic_cast<RelationLayer*>(&layer)) return rl->forward(rel, xs, xd);
    auto& gl = dynamic_cast<layers::GraphLayer&>(layer);
    if (et.src == et.dst) return gl.forward(graph::Graph::from_csr(rel), xs);
    LOOM_CHECK(xs.dim() == 2 && xd.dim() == 2 && xs.size(1) == xd.size(1), ShapeError, "the graph layer ", gl.name(),
               " runs on the union of '", et.src, "' and '", et.dst, "', whose features must have equal widths, got ",
               xs.shape_str(), " and ", xd.shape_str(), " (use a RelationLayer such as BipartiteSAGEConv)");
    return gl.forward(union_graph(rel), concat({xd, xs}, 0)).narrow_rows(0, rel.num_rows());
  });
}

bool HeteroConv::fusable(const HeteroGraph& g, const std::string& dst) const {
  if (!options_.fused()) return false;
  const BipartiteSAGEConvOptions* first = nullptr;
  int64_t count = 0, into = 0;
  for (const EdgeType& et : g.relations()) into += et.dst == dst ? 1 : 0;
  for (const auto& [et, m] : convs_) {
    if (et.dst != dst) continue;
    ++count;
    const auto* sage = dynamic_cast<const BipartiteSAGEConv*>(m.get());
    if (sage == nullptr) return false;
    const BipartiteSAGEConvOptions& o = sage->options();
    if (o.aggr() != Aggregation::kMean && o.aggr() != Aggregation::kSum) return false;
    if (first == nullptr) first = &o;
    if (o.aggr() != first->aggr() || o.in_src() != first->in_src() || o.in_dst() != first->in_dst() ||
        o.out_features() != first->out_features() || o.root_weight() != first->root_weight() ||
        o.bias() != first->bias()) {
      return false;
    }
  }
  // The stack holds every relation into dst: the layers must cover them all.
  return count == into;
}

Tensor HeteroConv::forward_fused(const HeteroGraph& g, const std::string& dst, const TypeTensors& x) {
  const RelationStack& stack = g.relation_stack(dst);
  const int64_t r = stack.num_relations(), n_dst = g.num_nodes(dst);
  std::vector<const BipartiteSAGEConv*> layers;
  for (const EdgeType& et : stack.relations) {
    for (const auto& [e2, m] : convs_)
      if (e2 == et) layers.push_back(static_cast<const BipartiteSAGEConv*>(m.get()));
  }
  const BipartiteSAGEConvOptions& o = layers[0]->options();
  const int64_t in = o.in_src(), out = o.out_features();
  // Source features in the stack's column order; the per-relation checks of the loop, named the same way.
  std::vector<Tensor> srcs;
  for (size_t s = 0; s < stack.src_types.size(); ++s) {
    const std::string& t = stack.src_types[s];
    const EdgeType& et = stack.relations[static_cast<size_t>(
        std::find(stack.relation_src.begin(), stack.relation_src.end(), static_cast<int64_t>(s)) -
        stack.relation_src.begin())];
    LOOM_CHECK(x.count(t) != 0 && x.at(t).defined(), ValueError, "HeteroConv: relation ", et.str(),
               " reads node type '", t, "', which 'x' lacks (x has: ", type_list(x), ")");
    const Tensor& xs = x.at(t);
    LOOM_CHECK(xs.dim() == 2 && xs.size(1) == in && xs.size(0) == g.num_nodes(t), ShapeError, "HeteroConv: relation ",
               et.str(), ": BipartiteSAGEConv.forward: 'x_src' must be [", g.num_nodes(t), ", ", in, "] (in_src = ",
               in, "), got ", xs.shape_str());
    srcs.push_back(xs);
  }
  const Tensor x_cat = srcs.size() == 1 ? srcs[0] : concat(srcs, 0);
  const mp::Reduce reduce = o.aggr() == Aggregation::kMean ? mp::mean : mp::sum;
  // One aggregation for every relation (each keeps its own block of rows), then each block times its own W_l.
  const Tensor agg = mp::gspmm(stack.csr, mp::copy_u, reduce, x_cat);  // [R * n_dst, in]
  std::vector<Tensor> w, b;
  for (const BipartiteSAGEConv* l : layers) {
    w.push_back(transpose(l->lin_l->weight, 0, 1).view({1, in, out}));
    if (l->lin_l->bias.defined()) b.push_back(l->lin_l->bias.view({1, out}));
  }
  const Tensor y = grouped_matmul(agg, r == 1 ? w[0] : concat(w, 0), stack.row_offsets,
                                  b.empty() ? Tensor() : (r == 1 ? b[0] : concat(b, 0)))
                       .view({r, n_dst, out});
  Tensor xd;
  if (o.root_weight()) {
    LOOM_CHECK(x.count(dst) != 0 && x.at(dst).defined(), ValueError, "HeteroConv: relation ", stack.relations[0].str(),
               " reads node type '", dst, "', which 'x' lacks (x has: ", type_list(x), ")");
    xd = x.at(dst);
    LOOM_CHECK(xd.dim() == 2 && xd.size(1) == o.in_dst() && xd.size(0) == n_dst, ShapeError, "HeteroConv: relation ",
               stack.relations[0].str(), ": BipartiteSAGEConv.forward: 'x_dst' must be [", n_dst, ", ", o.in_dst(),
               "] (in_dst = ", o.in_dst(), "), got ", xd.shape_str());
  }
  const CrossReduce cr = options_.aggr();
  if (cr == CrossReduce::kSum || cr == CrossReduce::kMean) {
    // sum_r (y_r + x_dst W_r^r) = sum_r y_r + x_dst (sum_r W_r^r): one root GEMM with the summed weight.
    Tensor total = r == 1 ? y.view({n_dst, out}) : sum(y, 0);
    if (xd.defined()) {
      Tensor wr = transpose(layers[0]->lin_r->weight, 0, 1);
      for (int64_t j = 1; j < r; ++j) wr = add(wr, transpose(layers[static_cast<size_t>(j)]->lin_r->weight, 0, 1));
      total = add(total, matmul(xd, wr));
    }
    return cr == CrossReduce::kMean && r > 1 ? mul_scalar(total, 1.0 / static_cast<double>(r)) : total;
  }
  Tensor z = transpose(y, 0, 1);  // [n_dst, R, out]
  if (xd.defined()) {
    std::vector<Tensor> wr;
    for (const BipartiteSAGEConv* l : layers) wr.push_back(transpose(l->lin_r->weight, 0, 1));
    z = add(z, matmul(xd, concat(wr, 1)).view({n_dst, r, out}));  // every relation's root term in one GEMM
  }
  return cr == CrossReduce::kStack ? z : max(z, 1);
}

TypeTensors HeteroConv::forward(const HeteroGraph& g, const TypeTensors& x) {
  std::vector<std::string> relation_names;
  for (const EdgeType& et : g.relations()) relation_names.push_back(et.str());
  std::vector<std::string> dsts;
  for (const auto& [et, m] : convs_) {
    if (!g.has_relation(et)) {
      std::string all;
      for (const std::string& n : relation_names) all += (all.empty() ? "" : ", ") + n;
      throw ValueError("HeteroConv: relation " + et.str() + " has a layer but the graph has no such relation (" +
                       (g.has_node_type(et.src) && g.has_node_type(et.dst)
                            ? std::string("relations: ") + (all.empty() ? "none" : all)
                            : "node type '" + (g.has_node_type(et.src) ? et.dst : et.src) + "' is not in the graph") +
                       ")");
    }
    if (std::find(dsts.begin(), dsts.end(), et.dst) == dsts.end()) dsts.push_back(et.dst);
  }
  last_fused_.clear();
  TypeTensors result;
  for (const std::string& dst : dsts) {
    if (fusable(g, dst)) {
      result[dst] = forward_fused(g, dst, x);
      last_fused_.push_back(dst);
      continue;
    }
    std::vector<Tensor> outs;
    for (const EdgeType& et : g.relations()) {  // the graph's order, as the fused path and the stack
      if (et.dst != dst) continue;
      for (const auto& [e2, m] : convs_)
        if (e2 == et) outs.push_back(run_layer(g, et, *m, x));
    }
    result[dst] = cross_reduce(outs, options_.aggr());
  }
  return result;
}

}  // namespace loom::hetero
