// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MAGNN (Fu et al., WWW 2020): HAN's two levels of attention, but the intra-meta-path level reads whole meta-path
// instances (the intermediate nodes too), not only the end points. A thin composition:
//   node content:  h[t] = TypeEncoder_t(x_t)                     (every type on a path, to one width)
//   intra:         z_P  = ELU(InstanceAttention_P(h[target], InstanceEncoder_P(h, instances_P)))   [N, heads dim]
//   inter:         z    = SemanticAttention(z_P1, ..., z_Pk)     (HAN's)
//   output:        logits = Linear(z)
// Method note ../shared/papers/magnn.md. Instances are enumerated once (and sampled past a per-target cap, as MAGNN's
// own code samples neighbours) by magnn_inputs; the model then trains full-batch over every target node.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loom/core/nn.h"
#include "loom/core/options.h"
#include "loom/hetero/hetero_graph.h"
#include "loom/hetero/hetero_sage.h"
#include "loom/hetero/instance_attention.h"
#include "loom/hetero/instance_encoder.h"
#include "loom/hetero/instances.h"
#include "loom/models/han.h"

namespace loom::models {

// Defaults from magnn.md ("paper defaults"): width 64, 8 heads, attention vector 128, dropout 0.5, RotatE0 encoder.
struct MAGNNOptions {
  MAGNNOptions(std::string target, int64_t out_features) : target_(std::move(target)), out_features_(out_features) {}
  LOOM_ARG(std::string, target);    // the node type to classify; every meta-path starts and ends there
  LOOM_ARG(int64_t, out_features);  // classes
  LOOM_ARG(int64_t, hidden) = 64;   // the shared node width d (even, for the rotation encoder)
  LOOM_ARG(int64_t, heads) = 8;
  LOOM_ARG(int64_t, semantic_dim) = 128;
  LOOM_ARG(double, dropout) = 0.5;            // on the encoded node vectors, while training
  LOOM_ARG(double, attention_dropout) = 0.0;  // on the instance attention weights
  LOOM_ARG(hetero::InstanceEncoding, encoding) = hetero::InstanceEncoding::kRotation;
};

// The instances of every meta-path with their target-by-instance Csr, built once and moved to the model's device.
struct MAGNNInputs {
  std::vector<hetero::MetaPathInstances> instances;
  std::vector<Csr> instances_of;  // instances[p].target_csr()
  MAGNNInputs to(Device device) const;
};
MAGNNInputs magnn_inputs(const hetero::HeteroGraph& g, const std::vector<hetero::MetaPath>& paths,
                         const hetero::InstanceOptions& options);

// Parameters: encoders.<type>.*, paths.<p>.encoder.rotation_<k>, paths.<p>.attention.att_{dst,src}, semantic.*,
// classifier.*.
class MAGNN : public nn::Module {
 public:
  // ValueError for no meta-path, one that does not start and end at the target type, or bad widths.
  MAGNN(const hetero::HeteroGraph& g, const std::vector<hetero::MetaPath>& paths, const MAGNNOptions& options);
  // Logits [num_nodes(target), out_features]. `inputs` must come from magnn_inputs over the same meta-paths.
  Tensor forward(const hetero::HeteroGraph& g, const MAGNNInputs& inputs);
  // The meta-paths' weights of the last forward, detached, [P] on the CPU (undefined before the first).
  const Tensor& semantic_weights() const { return beta_; }
  const MAGNNOptions& options() const { return options_; }

 private:
  MAGNNOptions options_;
  std::vector<hetero::MetaPath> paths_;
  std::vector<std::pair<std::string, std::shared_ptr<hetero::TypeEncoder>>> encoders_;
  std::vector<std::shared_ptr<hetero::InstanceEncoder>> instance_encoders_;
  std::vector<std::shared_ptr<hetero::InstanceAttention>> attentions_;
  std::shared_ptr<SemanticAttention> semantic_;
  std::shared_ptr<nn::Linear> classifier_;
  Tensor beta_;
};

}  // namespace loom::models
