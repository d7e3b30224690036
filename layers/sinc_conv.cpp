// SINCConv: q = W_Q x + b_Q, k = W_K x, c = W_N ctx(x) (aggregate the raw inputs, then project), dropout on the
// three, then one fused mp::gspmm_act per layer for the messages act(q_dst + k_src + c_dst) and W_R on their
// reduction. Edge weights of the graph are not used (the method has none); "sym" uses degree coefficients.
#include "loom/layers/sinc_conv.h"

#include "layers/layer_checks.h"
#include "loom/core/autograd.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"

namespace loom::layers {
namespace {

constexpr const char* kOp = "SINCConv";

mp::Act parse_activation(const std::string& s) {
  if (s == "relu") return mp::Act::kRelu;
  if (s == "leaky_relu") return mp::Act::kLeakyRelu;
  if (s == "sigmoid") return mp::Act::kSigmoid;
  if (s == "tanh") return mp::Act::kTanh;
  throw ValueError(loom::detail::str_cat(kOp, ": 'activation' must be relu, leaky_relu, sigmoid or tanh, got '", s, "'"));
}

void check_aggr(const char* what, const std::string& s, bool allow_max) {
  const bool ok = s == "sum" || s == "mean" || s == "sym" || (allow_max && s == "max");
  LOOM_CHECK(ok, ValueError, kOp, ": '", what, "' must be sum, mean", allow_max ? ", max" : "", " or sym, got '", s,
             "'", allow_max ? "" : " (max would need W_R per edge)");
}

// deg_out(src)^-1/2 deg_in(dst)^-1/2 per csr() entry, degrees clamped to >= 1 (the method note's "sym"). Graph::norm
// (kSym) uses the in-degree at both ends, which differs on directed graphs, so it is computed here.
Tensor sym_weights(const graph::Graph& g, DType dtype) {
  NoGradGuard no_grad;
  auto inv_sqrt = [&](const Tensor& deg) {
    // max(deg, 1) = relu(deg - 1) + 1 on integer degrees.
    return pow(add_scalar(relu(add_scalar(deg.to(dtype), -1.0)), 1.0), -0.5);
  };
  const Csr& c = g.csr();
  const Tensor src = index_select(inv_sqrt(g.out_degrees()), c.indices());
  const Tensor dst = index_select(inv_sqrt(g.in_degrees()), c.row_index());
  return mul(src, dst);
}

}  // namespace

SINCConv::SINCConv(const SINCConvOptions& options) : nn::Module("SINCConv"), options_(options) {
  const auto& o = options_;
  LOOM_CHECK(o.in_features() > 0 && o.hidden_features() > 0 && o.out_features() > 0, ValueError, kOp,
             ": in_features, hidden_features and out_features must be > 0, got ", o.in_features(), ", ",
             o.hidden_features(), ", ", o.out_features());
  LOOM_CHECK(o.dropout() >= 0.0 && o.dropout() < 1.0, ValueError, kOp, ": 'dropout' must be in [0, 1), got ",
             o.dropout());
  check_aggr("aggr", o.aggr(), /*allow_max=*/false);
  check_aggr("context_aggr", o.context_aggr(), /*allow_max=*/true);
  parse_activation(o.activation());
  lin_query = register_module("lin_query", std::make_shared<nn::Linear>(
                                               nn::LinearOptions(o.in_features(), o.hidden_features()).bias(true)));
  lin_key = register_module("lin_key", std::make_shared<nn::Linear>(
                                           nn::LinearOptions(o.in_features(), o.hidden_features()).bias(false)));
  if (o.context()) {
    lin_context = register_module(
        "lin_context",
        std::make_shared<nn::Linear>(nn::LinearOptions(o.in_features(), o.hidden_features()).bias(false)));
  }
  lin_out = register_module("lin_out", std::make_shared<nn::Linear>(
                                           nn::LinearOptions(o.hidden_features(), o.out_features()).bias(true)));
}

Tensor SINCConv::forward(const graph::Graph& g, const Tensor& x) {
  const auto& o = options_;
  detail::check_node_input(kOp, g, x, o.in_features(), lin_query->weight);
  const Csr& csr = g.csr();
  const bool train = is_training();
  const bool need_sym = o.aggr() == "sym" || (o.context() && o.context_aggr() == "sym");
  const Tensor wsym = need_sym ? sym_weights(g, x.dtype()) : Tensor();

  Tensor q = dropout(lin_query->forward(x), o.dropout(), train);  // centre (destination)
  const Tensor k = dropout(lin_key->forward(x), o.dropout(), train);  // neighbour (source)
  if (o.context()) {
    const std::string& ca = o.context_aggr();
    const Tensor agg = ca == "sym"    ? mp::gspmm(csr, mp::u_mul_e, mp::sum, x, wsym)
                       : ca == "mean" ? mp::gspmm(csr, mp::copy_u, mp::mean, x)
                       : ca == "max"  ? mp::gspmm(csr, mp::copy_u, mp::max, x)
                                      : mp::gspmm(csr, mp::copy_u, mp::sum, x);
    q = add(q, dropout(lin_context->forward(agg), o.dropout(), train));
  }
  const mp::Reduce reduce = o.aggr() == "mean" ? mp::mean : mp::sum;
  const Tensor m = mp::gspmm_act(csr, parse_activation(o.activation()), reduce, k, q,
                                 o.aggr() == "sym" ? wsym : Tensor(), 0.2);
  return lin_out->forward(m);
}

}  // namespace loom::layers
