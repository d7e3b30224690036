// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HGNNConv and HGNNPConv: a bias-free projection placed before, between or after the two stages of the hypergraph
// smoothing (weighted gspmm calls over the hypergraph's cached coefficients), then the bias.
#include "loom/layers/hgnn_conv.h"

#include "layers/layer_checks.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::layers {

namespace {

void check_vertex_input(const char* layer, const hypergraph::Hypergraph& h, const Tensor& x, int64_t in_features,
                        const Tensor& param) {
  detail::check_rows_input(layer, "hypergraph", h.defined(), h.defined() ? h.num_vertices() : 0, "vertices",
                           h.defined() ? h.device() : x.device(), x, in_features, param);
}

// smooth(x W^T) + b: the weight commutes with both stages of the smoothing, so apply it where it moves the fewest
// bytes: first on the N vertex rows (DHG's order), between the stages on the M hyperedge rows, or last. A stage of
// width w gathers nnz rows and writes one per output row; a projection reads and writes R rows. Ties keep DHG's
// order. Unless the weight comes last, the bias is added inside the last stage's kernel.
Tensor project_and_smooth(const hypergraph::Hypergraph& h, hypergraph::Smoothing kind, const Tensor& x,
                          const Tensor& weight, const Tensor& bias) {
  using hypergraph::smooth_to_hyperedges;
  using hypergraph::smooth_to_vertices;
  const double n = static_cast<double>(h.num_vertices()), m = static_cast<double>(h.num_hyperedges());
  const double nnz = static_cast<double>(h.num_incidences());
  const double in = static_cast<double>(weight.size(1)), out = static_cast<double>(weight.size(0));
  auto to_edges = [&](double w) { return (nnz + m) * w; };
  auto to_vertices = [&](double w) { return (nnz + n) * w; };
  const double first = n * (in + out) + to_edges(out) + to_vertices(out);
  const double middle = to_edges(in) + m * (in + out) + to_vertices(out);
  const double last = to_edges(in) + to_vertices(in) + n * (in + out);
  const Tensor wt = transpose(weight, 0, 1);
  if (first <= middle && first <= last) {
    return smooth_to_vertices(h, kind, smooth_to_hyperedges(h, kind, matmul(x, wt)), bias);
  }
  if (middle <= last) return smooth_to_vertices(h, kind, matmul(smooth_to_hyperedges(h, kind, x), wt), bias);
  const Tensor y = matmul(smooth_to_vertices(h, kind, smooth_to_hyperedges(h, kind, x)), wt);
  return bias.defined() ? add(y, bias) : y;
}

}  // namespace

HGNNConv::HGNNConv(const HGNNConvOptions& options) : HGNNConv(options, "HGNNConv") {}

HGNNConv::HGNNConv(const HGNNConvOptions& options, const char* name) : HypergraphLayer(name), options_(options) {
  LOOM_CHECK(options.in_features() > 0 && options.out_features() > 0, ValueError, name,
             ": in_features and out_features must be positive, got ", options.in_features(), " and ",
             options.out_features());
  weight = register_parameter("weight", empty({options.out_features(), options.in_features()}));
  nn::init::glorot_uniform_(weight);
  if (options.bias()) {
    bias = register_parameter("bias", empty({options.out_features()}));
    nn::init::zeros_(bias);
  }
}

Tensor HGNNConv::forward(const hypergraph::Hypergraph& h, const Tensor& x) {
  check_vertex_input("HGNNConv", h, x, options().in_features(), weight);
  return project_and_smooth(h, hypergraph::Smoothing::kHgnn, x, weight, bias);
}

HGNNPConv::HGNNPConv(const HGNNConvOptions& options) : HGNNConv(options, "HGNNPConv") {}

Tensor HGNNPConv::forward(const hypergraph::Hypergraph& h, const Tensor& x) {
  check_vertex_input("HGNNPConv", h, x, options().in_features(), weight);
  return project_and_smooth(h, hypergraph::Smoothing::kHgnnPlus, x, weight, bias);
}

}  // namespace loom::layers
