// HGNNConv and HGNNPConv: a bias-free projection, the hypergraph smoothing (two weighted gspmm calls over the
// hypergraph's cached coefficients), then the bias.
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

}  // namespace

HGNNConv::HGNNConv(const HGNNConvOptions& options) : HGNNConv(options, "HGNNConv") {}

HGNNConv::HGNNConv(const HGNNConvOptions& options, const char* name) : nn::Module(name), options_(options) {
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
  // Linear first (DHG's order): the smoothing then runs on out_features columns.
  const Tensor out = hypergraph::hgnn_smooth(h, matmul(x, transpose(weight, 0, 1)));
  return bias.defined() ? add(out, bias) : out;
}

HGNNPConv::HGNNPConv(const HGNNConvOptions& options) : HGNNConv(options, "HGNNPConv") {}

Tensor HGNNPConv::forward(const hypergraph::Hypergraph& h, const Tensor& x) {
  check_vertex_input("HGNNPConv", h, x, options().in_features(), weight);
  const Tensor out = hypergraph::hgnnp_smooth(h, matmul(x, transpose(weight, 0, 1)));
  return bias.defined() ? add(out, bias) : out;
}

}  // namespace loom::layers
