// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_layers: one layer's forward + backward (GCNConv, SAGEConv(mean), GATConv(4 heads); HGNNConv on the
// reference's random hypergraph) and one epoch of a 2-layer GCN with Adam, on the R-MAT graph of
// ../shared/bench/pyg_reference.py (same files, same shapes as its gcn / sage / gat / hgnn / train_gcn workloads),
// or on a graph generated here (--scale) for smoke runs.
// Prints one JSON line per workload: median ms, peak MiB above the inputs (CUDA), the bytes a perfect
// implementation must move (floor_mb) and the bandwidth that implies.
//   bench_layers --graph OUT/graph [--device cuda] [--only gcn,sage,gat,hgnn,train_gcn] [--warmup 3] [--reps 10]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/common.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/data/rmat.h"
#include "loom/graph/graph.h"
#include "loom/hypergraph/hypergraph.h"
#include "loom/layers/layers.h"

namespace {

using namespace loom;
using bench::report;

// Forward, then backward of out.sum() into x and the parameters (as the reference's fwd_bwd does).
template <class Layer>
std::function<void()> fwd_bwd(Layer& layer, const graph::Graph& g, const Tensor& x) {
  return [&layer, &g, x] {
    Tensor xin = x.detach().set_requires_grad(true);
    layer.zero_grad();
    Tensor out = layer.forward(g, xin);
    out.backward(ones_like(out));
  };
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"time graph layers (forward + backward) and a GCN training epoch"};
  std::string graph_dir, device_name = "cuda", only;
  int scale = 0, warmup = 3, reps = 10;
  app.add_option("--graph", graph_dir, "folder with src.npy, dst.npy, x.npy, y.npy (pyg_reference.py --out DIR "
                                       "writes DIR/graph)");
  app.add_option("--scale", scale, "instead of --graph: generate an R-MAT graph of 2^scale nodes, F = 128");
  app.add_option("--device", device_name, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--only", only, "comma-separated workloads: gcn, sage, gat, hgnn, train_gcn");
  app.add_option("--warmup", warmup, "untimed runs")->check(CLI::NonNegativeNumber);
  app.add_option("--reps", reps, "timed runs (median reported)")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    const Device dev = Device::parse(device_name);
    bench::ReferenceGraph ref;
    if (!graph_dir.empty()) {
      ref = bench::read_reference_graph(graph_dir, true);
    } else {
      LOOM_CHECK(scale > 0, ValueError, "give --graph DIR or --scale S");
      const data::RmatEdges r = data::rmat(scale, 16, 1);
      ref.src = r.src;
      ref.dst = r.dst;
      manual_seed(2);
      ref.x = randn({r.num_nodes, 128});
      std::vector<int64_t> labels(static_cast<size_t>(r.num_nodes));
      for (int64_t& l : labels) l = rand_int(16);
      ref.y = from_vector<int64_t>(labels, {r.num_nodes});
    }
    std::set<std::string> want;
    std::stringstream ss(only);
    for (std::string w; std::getline(ss, w, ',');) want.insert(w);
    auto wanted = [&](const char* w) { return want.empty() || want.count(w) > 0; };

    const int64_t n = ref.num_nodes(), f = ref.x.size(1);
    const Tensor edge_index = concat({ref.src.view({1, ref.num_edges()}), ref.dst.view({1, ref.num_edges()})}, 0);
    const graph::Graph g = graph::Graph::from_edge_index(edge_index.to(dev), n);
    const Tensor x = ref.x.to(dev);
    // Build the cached self-loop graph and its coefficients before timing (PyG's cached=True does the same).
    const graph::Graph& gl = g.with_self_loops();
    gl.norm(graph::Norm::kSym);
    const int64_t e = gl.num_edges();
    std::printf("{\"graph\":{\"nodes\":%lld,\"edges\":%lld,\"F\":%lld},\"device\":\"%s\"}\n",
                static_cast<long long>(n), static_cast<long long>(g.num_edges()), static_cast<long long>(f),
                device_name.c_str());
    // Floors (bytes every implementation must move): a dense [N, F] float32 pass, and the Csr walk of one SpMM
    // (indptr + column ids, plus a float per edge where weighted).
    const double nf = 4.0 * n * f, walk = 8.0 * (n + 1) + 4.0 * e;
    manual_seed(0);
    if (wanted("gcn")) {
      layers::GCNConv conv(layers::GCNConvOptions(f, f));
      conv.to(dev);
      // fwd: X W (read X, write H), SpMM (read H, weights, write Y); bwd: SpMM^T, dX = dH W^T, dW = X^T dH.
      report("gcn", "loom.GCNConv", device_name, f, bench::timed(fwd_bwd(conv, g, x), dev, warmup, reps),
             10 * nf + 2 * (walk + 4.0 * e));
    }
    if (wanted("sage")) {
      layers::SAGEConv conv(layers::SAGEConvOptions(f, f).aggr(Aggregation::kMean));
      conv.to(dev);
      // fwd: mean SpMM, two GEMMs, sum; bwd: SpMM^T and the GEMM gradients.
      report("sage", "loom.SAGEConv(mean)", device_name, f, bench::timed(fwd_bwd(conv, g, x), dev, warmup, reps),
             14 * nf + 2 * walk);
    }
    if (wanted("gat")) {
      layers::GATConv conv(layers::GATConvOptions(f, f / 4).heads(4));
      conv.to(dev);
      // As GCN plus the per-edge logits/softmax of 4 heads (written and read back in each pass).
      report("gat", "loom.GATConv(h=4)", device_name, f, bench::timed(fwd_bwd(conv, g, x), dev, warmup, reps),
             10 * nf + 4 * walk + 6 * 16.0 * e);
    }
    if (wanted("hgnn") && ref.hsrc.defined()) {
      const Tensor inc = concat({ref.hsrc.view({1, ref.hsrc.numel()}), ref.hedge.view({1, ref.hedge.numel()})}, 0);
      const hypergraph::Hypergraph h = hypergraph::Hypergraph::from_incidence(inc.to(dev), n);
      h.hgnn_coefficients();  // cached before timing, like the graph's normalisation
      layers::HGNNConv conv(layers::HGNNConvOptions(f, f));
      conv.to(dev);
      const double inc_walk = 8.0 * (h.num_vertices() + h.num_hyperedges()) + 8.0 * h.num_incidences();
      const double mf = 4.0 * h.num_hyperedges() * f;
      std::printf("{\"hypergraph\":{\"vertices\":%lld,\"hyperedges\":%lld,\"incidences\":%lld}}\n",
                  static_cast<long long>(h.num_vertices()), static_cast<long long>(h.num_hyperedges()),
                  static_cast<long long>(h.num_incidences()));
      // fwd: X W (read X, write Y), v2e (read Y, write [M, F]), e2v (read, write [N, F]), bias; bwd: the same
      // SpMMs transposed, dX and dW.
      report("hgnn", "loom.HGNNConv", device_name, f,
             bench::timed(
                 [&] {
                   Tensor xin = x.detach().set_requires_grad(true);
                   conv.zero_grad();
                   Tensor out = conv.forward(h, xin);
                   out.backward(ones_like(out));
                 },
                 dev, warmup, reps),
             10 * nf + 4 * mf + 4 * inc_walk);
    }
    if (wanted("train_gcn")) {
      const Tensor y = ref.y.to(dev);
      // The reference net: GCNConv(F, 128) -> ReLU -> dropout 0.5 -> GCNConv(128, 16), Adam.
      auto conv1 = std::make_shared<layers::GCNConv>(layers::GCNConvOptions(f, 128));
      auto conv2 = std::make_shared<layers::GCNConv>(layers::GCNConvOptions(128, 16));
      conv1->to(dev);
      conv2->to(dev);
      std::vector<Tensor> params = conv1->parameters();
      for (const Tensor& p : conv2->parameters()) params.push_back(p);
      optim::Adam opt(params, optim::AdamOptions(0.01).weight_decay(5e-4));
      auto epoch = [&] {
        opt.zero_grad();
        Tensor h = dropout(relu(conv1->forward(g, x)), 0.5, true);
        Tensor loss = cross_entropy(conv2->forward(g, h), y);
        loss.backward();
        opt.step();
      };
      report("train_gcn", "loom 2-layer GCN + Adam", device_name, f, bench::timed(epoch, dev, warmup, reps),
             2 * nf + 6 * 4.0 * n * 128 + 4 * (walk + 4.0 * e));
    }
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "bench_layers: %s\n", ex.what());
    return 1;
  }
  return 0;
}
