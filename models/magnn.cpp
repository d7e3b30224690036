// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MAGNN as a composition of the typed-graph encoders (TypeEncoder), MAGNN's instance encoder and attention
// (loom/hetero/instance_*.h) and HAN's semantic attention; see loom/models/magnn.h.
#include "loom/models/magnn.h"

#include <map>
#include <set>

#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::models {

MAGNNInputs MAGNNInputs::to(Device device) const {
  MAGNNInputs out;
  for (const hetero::MetaPathInstances& m : instances) {
    hetero::MetaPathInstances c = m;
    c.indptr = m.indptr.to(device);
    c.nodes = m.nodes.to(device);
    out.instances.push_back(std::move(c));
  }
  for (const Csr& c : instances_of) out.instances_of.push_back(c.to(device));
  return out;
}

MAGNNInputs magnn_inputs(const hetero::HeteroGraph& g, const std::vector<hetero::MetaPath>& paths,
                         const hetero::InstanceOptions& options) {
  MAGNNInputs in;
  for (const hetero::MetaPath& p : paths) {
    in.instances.push_back(hetero::metapath_instances(g, p, options));
    in.instances_of.push_back(in.instances.back().target_csr());
  }
  return in;
}

MAGNN::MAGNN(const hetero::HeteroGraph& g, const std::vector<hetero::MetaPath>& paths, const MAGNNOptions& o)
    : nn::Module("MAGNN"), options_(o), paths_(paths) {
  LOOM_CHECK(!paths.empty(), ValueError, "MAGNN: needs at least one meta-path (e.g. APA,APCPA,APTPA on DBLP)");
  LOOM_CHECK(o.hidden() > 0 && o.heads() > 0 && o.out_features() > 0, ValueError,
             "MAGNN: hidden, heads and out_features must be positive, got ", o.hidden(), ", ", o.heads(), " and ",
             o.out_features());
  LOOM_CHECK(o.dropout() >= 0 && o.dropout() < 1, ValueError, "MAGNN: dropout must be in [0, 1), got ", o.dropout());
  std::set<std::string> types;
  for (const hetero::MetaPath& p : paths) {
    LOOM_CHECK(p.start_type() == o.target() && p.end_type() == o.target(), ValueError, "MAGNN: meta-path '", p.name,
               "' runs from '", p.start_type(), "' to '", p.end_type(), "'; MAGNN's meta-paths start and end at the ",
               "target type '", o.target(), "'");
    for (const auto& r : p.relations) types.insert({r.src, r.dst});
  }
  auto encoders = register_module("encoders", std::make_shared<nn::Module>("ModuleDict"));
  for (const std::string& t : types)
    encoders_.emplace_back(t, encoders->register_module(t, std::make_shared<hetero::TypeEncoder>(g, t, o.hidden())));
  auto per_path = register_module("paths", std::make_shared<nn::ModuleList>());
  for (const hetero::MetaPath& p : paths) {
    auto m = std::make_shared<nn::Module>("MetaPathLevel");
    instance_encoders_.push_back(m->register_module(
        "encoder", std::make_shared<hetero::InstanceEncoder>(
                       p, hetero::InstanceEncoderOptions(o.hidden()).encoding(o.encoding()))));
    attentions_.push_back(m->register_module(
        "attention", std::make_shared<hetero::InstanceAttention>(hetero::InstanceAttentionOptions(o.hidden())
                                                                     .heads(o.heads())
                                                                     .attention_dropout(o.attention_dropout()))));
    per_path->push_back(m);
  }
  const int64_t width = o.hidden() * o.heads();
  semantic_ = register_module("semantic", std::make_shared<SemanticAttention>(width, o.semantic_dim()));
  classifier_ = register_module("classifier", std::make_shared<nn::Linear>(width, o.out_features()));
}

Tensor MAGNN::forward(const hetero::HeteroGraph& g, const MAGNNInputs& in) {
  LOOM_CHECK(in.instances.size() == paths_.size() && in.instances_of.size() == paths_.size(), ValueError,
             "MAGNN.forward: built for ", paths_.size(), " meta-paths, got the instances of ", in.instances.size());
  std::map<std::string, Tensor> h;
  for (auto& [type, encoder] : encoders_) h[type] = dropout(encoder->forward(g), options_.dropout(), is_training());
  const Tensor& target = h.at(options_.target());
  std::vector<Tensor> z;
  for (size_t p = 0; p < paths_.size(); ++p) {
    LOOM_CHECK(in.instances[p].path.name == paths_[p].name, ValueError, "MAGNN.forward: meta-path ", p, " is '",
               paths_[p].name, "' but the instances given are of '", in.instances[p].path.name, "'");
    const Tensor inst = instance_encoders_[p]->forward(h, in.instances[p]);
    z.push_back(elu(attentions_[p]->forward(target, inst, in.instances_of[p])));
  }
  Tensor beta;
  const Tensor out = semantic_->forward(z, &beta);
  beta_ = beta.detach().cpu();
  return classifier_->forward(out);
}

}  // namespace loom::models
