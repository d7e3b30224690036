// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// What a loaded model holds: the card's layers with their weights already validated and in the form inference
// wants (int8 codes widened to float, batch norm folded into a scale and a shift). Immutable after load.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "loom/runtime/runtime.h"

namespace loom::runtime {

// Cache-line-aligned storage, so that every vector load of a transposed weight row and of the scratch is aligned
// (a misaligned 64-byte load splits across two lines, which the kernel would pay on every k).
template <class T>
struct AlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};
  AlignedAllocator() = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) noexcept {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, size_t) noexcept { ::operator delete(p, kAlign); }
  template <class U>
  bool operator==(const AlignedAllocator<U>&) const noexcept { return true; }
};
using AlignedFloats = std::vector<float, AlignedAllocator<float>>;

enum class Op { kLinear, kRelu, kElu, kLeakyRelu, kTanh, kSigmoid, kGelu, kBatchNorm };

struct Layer {
  Op op = Op::kRelu;
  int64_t in = 0, out = 0;    // widths; equal for the elementwise ops and batch_norm
  std::vector<float> weight;  // linear: [out, in] (linear_int8: the codes q) until prepare() transposes it into wt and
                              // frees it; batch_norm: weight / sqrt(var + eps)
  std::vector<float> bias;    // linear: [out] or empty (no bias); batch_norm: bias - mean * its weight above
  std::vector<float> scale;   // linear_int8: [out], applied after the dot product with q; empty otherwise
  float param = 0;            // elu: alpha; leaky_relu: negative_slope
  // Set by prepare(). padded: out rounded up to the kernel's vector width. linear: wt is the weight transposed,
  // [in, padded], zeros in the padding columns, so that a row k of it is contiguous output columns. wbias, wscale,
  // and batch_norm's wshift and wmul: bias, scale, weight padded to `padded` (empty where the layer has none).
  int64_t padded = 0;
  AlignedFloats wt, wbias, wscale, wmul, wshift;
};

// One step of the forward pass: a linear layer with the `fused` layers after it (batch_norm, relu, leaky_relu)
// applied in its tile epilogue while the tile is in registers, or one other layer run over the block on its own.
struct Step {
  int64_t layer = 0;
  int64_t fused = 0;
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
  // Set by prepare(): the plan, the widest activation rounded up to the vector width, and how many rows go through
  // all the layers together (their activations stay in cache from one layer to the next).
  std::vector<Step> steps;
  int64_t max_padded = 0;
  int64_t block_rows = 0;
};

// model.cpp: lays the validated layers out for the kernels (called by load_impl once the weights are read).
void prepare(Model::Impl& m);

// load.cpp: reads and validates the file.
std::shared_ptr<const Model::Impl> load_impl(const std::string& path);

}  // namespace loom::runtime
