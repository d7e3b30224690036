// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// What a loaded model holds: the card's layers with their weights already validated and in the form inference
// wants (int8 codes widened to float, batch norm folded into a scale and a shift). Immutable after load.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loom/runtime/runtime.h"

namespace loom::runtime {

enum class Op { kLinear, kRelu, kElu, kLeakyRelu, kTanh, kSigmoid, kGelu, kBatchNorm };

struct Layer {
  Op op = Op::kRelu;
  int64_t in = 0, out = 0;    // widths; equal for the elementwise ops and batch_norm
  std::vector<float> weight;  // linear: [out, in] (linear_int8: the codes q); batch_norm: weight / sqrt(var + eps)
  std::vector<float> bias;    // linear: [out] or empty (no bias); batch_norm: bias - mean * its weight above
  std::vector<float> scale;   // linear_int8: [out], applied after the dot product with q; empty otherwise
  float param = 0;            // elu: alpha; leaky_relu: negative_slope
};

struct Model::Impl {
  std::string path;
  int64_t input_width = 0, num_classes = 0;
  std::vector<std::string> class_names;
  Preprocess preprocess = Preprocess::kNone;
  std::string card;
  bool int8 = false;
  std::vector<Layer> layers;
  int64_t max_width = 0;  // the widest activation, input included: sizes the per-thread scratch
};

// load.cpp: reads and validates the file.
std::shared_ptr<const Model::Impl> load_impl(const std::string& path);

}  // namespace loom::runtime
