// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph-level readouts over a batch of graphs: node rows graph_ptr[b] .. graph_ptr[b + 1] - 1 belong to graph b
// (loom::data::GraphBatch). Each is a segment op of the engine (mp::segment_reduce / segment_softmax), so the
// gradients are the engine's and no per-graph loop runs in C++ here. An empty graph reads out as 0.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

#include "loom/core/choices.h"
#include "loom/core/nn.h"
#include "loom/core/tensor.h"

namespace loom {
namespace layers {
// kHistograph reads every layer at once (loom/layers/histograph.h), so it is a graph classifier's option, not a pool.
enum class Readout : uint8_t { kSum, kMean, kMax, kAttention, kHistograph };
}  // namespace layers

template <> struct EnumNames<layers::Readout> {
  static constexpr std::string_view what = "readout";
  static constexpr std::array<std::pair<layers::Readout, std::string_view>, 5> table{
      {{layers::Readout::kSum, "sum"},
       {layers::Readout::kMean, "mean"},
       {layers::Readout::kMax, "max"},
       {layers::Readout::kAttention, "attention"},
       {layers::Readout::kHistograph, "histograph"}}};
};

namespace layers {

// x [N, F], graph_ptr int64 [B + 1] -> [B, F].
Tensor global_sum_pool(const Tensor& x, const Tensor& graph_ptr);
Tensor global_mean_pool(const Tensor& x, const Tensor& graph_ptr);
Tensor global_max_pool(const Tensor& x, const Tensor& graph_ptr);  // gradient to the first arg-max of each column
// kSum, kMean or kMax (kAttention needs a GlobalAttentionPool's parameters, kHistograph a HistographReadout's:
// ValueError).
Tensor global_pool(const Tensor& x, const Tensor& graph_ptr, Readout readout);

struct GlobalAttentionPoolOptions {
  explicit GlobalAttentionPoolOptions(int64_t in_features) : in_features_(in_features) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, gate_hidden) = 0;  // 0: the gate is one Linear(in, 1); otherwise MLP(in, {gate_hidden}, 1)
};

// Global attention pooling (Li et al. 2016, PyG's AttentionalAggregation with nn = identity):
//   a = softmax_{i in graph b}(gate(x_i)),  out_b = sum_{i in graph b} a_i x_i.
// The softmax runs within each graph only. Children: gate (nn::MLP).
class GlobalAttentionPool : public nn::Module {
 public:
  explicit GlobalAttentionPool(const GlobalAttentionPoolOptions& options);
  Tensor forward(const Tensor& x, const Tensor& graph_ptr);
  // The attention weights [N, 1] of the last forward's inputs, recomputed (for inspection).
  Tensor weights(const Tensor& x, const Tensor& graph_ptr);
  const GlobalAttentionPoolOptions& options() const { return options_; }
  std::shared_ptr<nn::MLP> gate;

 private:
  GlobalAttentionPoolOptions options_;
};

}  // namespace layers
}  // namespace loom
