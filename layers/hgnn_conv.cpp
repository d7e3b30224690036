// HGNNConv and HGNNPConv: a bias-free projection, the hypergraph smoothing (two weighted gspmm calls over the
// hypergraph's cached coefficients), then the bias.
#include "loom/layers/hgnn_conv.h"

#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::layers {

namespace {

// x must be a floating [num_vertices, in_features] tensor on the hypergraph's device, of the parameters' dtype
// and device.
void check_vertex_input(const char* layer, const hypergraph::Hypergraph& h, const Tensor& x, int64_t in_features,
                        const Tensor& param) {
  LOOM_CHECK(h.defined(), ValueError, layer, ".forward: the hypergraph is undefined (default-constructed)");
  LOOM_CHECK(x.defined(), ValueError, layer, ".forward: 'x' is an undefined tensor");
  LOOM_CHECK(is_floating(x.dtype()), DTypeError, layer, ".forward: 'x' must be float32 or float64, got ",
             dtype_name(x.dtype()), " ", x.shape_str());
  LOOM_CHECK(x.dim() == 2 && x.size(1) == in_features, ShapeError, layer, ".forward: 'x' must be [N, ", in_features,
             "] (in_features = ", in_features, "), got ", x.shape_str());
  LOOM_CHECK(x.size(0) == h.num_vertices(), ShapeError, layer, ".forward: 'x' has ", x.size(0),
             " rows but the hypergraph has ", h.num_vertices(), " vertices");
  LOOM_CHECK(x.device() == h.device(), DeviceError, layer, ".forward: 'x' is on ", x.device().str(),
             " but the hypergraph is on ", h.device().str(), " (move one with .to(device))");
  LOOM_CHECK(x.device() == param.device(), DeviceError, layer, ".forward: 'x' is on ", x.device().str(),
             " but the layer's parameters are on ", param.device().str(), " (move the layer with .to(device))");
  LOOM_CHECK(x.dtype() == param.dtype(), DTypeError, layer, ".forward: 'x' is ", dtype_name(x.dtype()),
             " but the layer's parameters are ", dtype_name(param.dtype()), " (convert one with .to(dtype))");
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
