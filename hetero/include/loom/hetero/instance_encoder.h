// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MAGNN's intra-meta-path instance encoder: one vector per meta-path instance from the vectors of all its nodes
// (loom/hetero/instances.h), so the intermediate nodes count, not only the end points (HAN).
//   mean:     h_P = mean_i h(p_i)
//   rotation: h_P = mean_i h(p_i) * R_i (complex, elementwise), R_L = 1, R_i = r_{rel_i} * R_{i+1}, with r_rel a
//             learned unit-modulus rotation per relation (RotatE; MAGNN's default "RotatE0" encoder): a node's vector
//             is rotated by every relation between it and the path's end, so "which relations lie between" shapes
//             the instance's vector. Vectors are read as complex numbers: the first dim/2 entries are the real
//             parts, the last dim/2 the imaginary parts.
// Built from differentiable ops (index_select, slice, mul, add), so gradients reach h and the rotations.
#pragma once
#include <map>
#include <string>

#include "loom/core/choices.h"
#include "loom/core/nn.h"
#include "loom/core/options.h"
#include "loom/hetero/instances.h"

namespace loom::hetero {
enum class InstanceEncoding : uint8_t { kMean, kRotation };
}  // namespace loom::hetero

namespace loom {
template <> struct EnumNames<hetero::InstanceEncoding> {
  static constexpr std::string_view what = "instance encoder";
  static constexpr std::array<std::pair<hetero::InstanceEncoding, std::string_view>, 2> table{
      {{hetero::InstanceEncoding::kMean, "mean"}, {hetero::InstanceEncoding::kRotation, "rotation"}}};
};
}  // namespace loom

namespace loom::hetero {

struct InstanceEncoderOptions {
  explicit InstanceEncoderOptions(int64_t dim) : dim_(dim) {}
  LOOM_ARG(int64_t, dim);  // the width of every node vector (even for kRotation)
  LOOM_ARG(InstanceEncoding, encoding) = InstanceEncoding::kRotation;
};

class InstanceEncoder : public nn::Module {
 public:
  // One rotation parameter "rotation_<k>" (float32 [dim], real then imaginary halves, initialised to unit
  // rotations by uniform angles) per distinct relation of `path`, in order of first appearance. ValueError for a
  // non-positive dim, or an odd one with kRotation.
  InstanceEncoder(const MetaPath& path, InstanceEncoderOptions options);

  // h: a [count(type), dim] floating tensor for every node type on the path, all on one device with `instances`.
  // Returns [num_instances, dim]. ValueError for a missing type, ShapeError for a wrong width or row count.
  Tensor forward(const std::map<std::string, Tensor>& h, const MetaPathInstances& instances) const;

  const InstanceEncoderOptions& options() const { return options_; }

 private:
  MetaPath path_;
  InstanceEncoderOptions options_;
  std::vector<int64_t> rotation_of_hop_;  // hop i -> index into rotations_
  std::vector<Tensor> rotations_;
};

}  // namespace loom::hetero
