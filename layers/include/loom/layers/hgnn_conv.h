// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Hypergraph convolutions, as DeepHypergraph's (dhg.nn) with PyG-style modules:
//   HGNNConv  (Feng et al. 2019): X' = D_v^-1/2 H W D_e^-1 H^T D_v^-1/2 (X Theta) + b
//   HGNNPConv (Gao et al. 2022, HGNN+): X' = D_v^-1 H W D_e^-1 H^T (X Theta) + b   (vertex -> hyperedge -> vertex means)
// Theta (no bias) is applied before, between or after the two fused SpMMs of the smoothing (it commutes with them),
// wherever that moves fewest bytes (between them, on the M hyperedge rows, when M < N), then the bias.
#pragma once
#include <cstdint>

#include "loom/core/nn.h"
#include "loom/hypergraph/hypergraph.h"
#include "loom/layers/layer.h"

namespace loom::layers {

struct HGNNConvOptions {
  HGNNConvOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, out_features);
  LOOM_ARG(bool, bias) = true;
};

// Parameters: weight [out, in] (Glorot), bias [out] (zeros).
class HGNNConv : public HypergraphLayer {
 public:
  explicit HGNNConv(const HGNNConvOptions& options);
  // x [N, in] on the hypergraph's device -> [N, out].
  Tensor forward(const hypergraph::Hypergraph& h, const Tensor& x) override;
  const HGNNConvOptions& options() const { return options_; }
  Tensor weight, bias;

 protected:
  HGNNConv(const HGNNConvOptions& options, const char* name);

 private:
  HGNNConvOptions options_;
};

// HGNN+: the same parameters, the random-walk ("mean of means") operator.
class HGNNPConv : public HGNNConv {
 public:
  explicit HGNNPConv(const HGNNConvOptions& options);
  Tensor forward(const hypergraph::Hypergraph& h, const Tensor& x) override;
};

}  // namespace loom::layers
