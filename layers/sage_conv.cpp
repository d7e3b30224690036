// SAGEConv: W_l aggr(neighbours) + W_r x_v (+ b), with mean/sum/max aggregation through gspmm and an optional
// L2 normalisation of the output rows.
#include "loom/layers/sage_conv.h"

#include "layers/layer_checks.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::layers {

namespace {

mp::Reduce parse_aggr(const std::string& aggr) {
  if (aggr == "mean") return mp::mean;
  if (aggr == "sum") return mp::sum;
  if (aggr == "max") return mp::max;
  throw ValueError("SAGEConv: unknown aggr '" + aggr + "' (expected mean, max or sum)");
}

}  // namespace

SAGEConv::SAGEConv(const SAGEConvOptions& options) : nn::Module("SAGEConv"), options_(options) {
  LOOM_CHECK(options.in_features() > 0 && options.out_features() > 0, ValueError,
             "SAGEConv: in_features and out_features must be positive, got ", options.in_features(), " and ",
             options.out_features());
  parse_aggr(options.aggr());
  const int64_t in = options.in_features(), out = options.out_features();
  lin_l = register_module("lin_l", std::make_shared<nn::Linear>(nn::LinearOptions(in, out).bias(options.bias())));
  if (options.root_weight()) {
    lin_r = register_module("lin_r", std::make_shared<nn::Linear>(nn::LinearOptions(in, out).bias(false)));
  }
}

Tensor SAGEConv::forward(const graph::Graph& g, const Tensor& x) {
  detail::check_node_input("SAGEConv", g, x, options_.in_features(), lin_l->weight);
  const mp::Reduce reduce = parse_aggr(options_.aggr());
  const Csr& csr = g.csr();
  Tensor out;
  if (reduce != mp::max && options_.out_features() < options_.in_features()) {
    // Mean and sum commute with the linear map (not with its bias): aggregate the projected, narrower rows.
    out = mp::gspmm(csr, mp::copy_u, reduce, matmul(x, transpose(lin_l->weight, 0, 1)));
    if (lin_l->bias.defined()) out = add(out, lin_l->bias);
  } else {
    out = lin_l->forward(mp::gspmm(csr, mp::copy_u, reduce, x));
  }
  if (lin_r) out = add(out, lin_r->forward(x));
  if (options_.normalize()) {
    // x / max(||x||, 1e-12) as F.normalize, written x / sqrt(||x||^2 + 1e-24): identical except for rows of norm
    // ~1e-12, and differentiable at zero rows (which stay zero).
    const Tensor sq = sum(mul(out, out), 1, /*keepdim=*/true);
    out = div(out, sqrt(add_scalar(sq, 1e-24)));
  }
  return out;
}

}  // namespace loom::layers
