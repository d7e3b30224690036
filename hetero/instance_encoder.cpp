// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MAGNN's instance encoder (loom/hetero/instance_encoder.h): rotates each position's node table by the composed
// relation rotations (complex products on the real/imaginary halves), gathers the rows of every position and
// averages them.
#include "loom/hetero/instance_encoder.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"

namespace loom::hetero {
namespace {

struct Complex {  // [rows or 1, dim / 2] real and imaginary parts
  Tensor re, im;
};

Complex times(const Complex& a, const Complex& b) {
  return {sub(mul(a.re, b.re), mul(a.im, b.im)), add(mul(a.re, b.im), mul(a.im, b.re))};
}

Complex halves(const Tensor& x) {
  const int64_t d = x.size(-1);
  return {slice(x, -1, 0, d / 2), slice(x, -1, d / 2, d)};
}

}  // namespace

InstanceEncoder::InstanceEncoder(const MetaPath& path, InstanceEncoderOptions options)
    : nn::Module("InstanceEncoder"), path_(path), options_(options) {
  const int64_t d = options_.dim();
  LOOM_CHECK(d > 0, ValueError, "InstanceEncoder: dim must be positive, got ", d);
  if (options_.encoding() != InstanceEncoding::kRotation) return;
  LOOM_CHECK(d % 2 == 0, ValueError, "InstanceEncoder: the rotation encoding reads vectors as complex numbers, so dim "
             "must be even, got ", d);
  std::vector<EdgeType> seen;
  for (const EdgeType& et : path_.relations) {
    const auto it = std::find(seen.begin(), seen.end(), et);
    if (it != seen.end()) {
      rotation_of_hop_.push_back(it - seen.begin());
      continue;
    }
    rotation_of_hop_.push_back(static_cast<int64_t>(seen.size()));
    seen.push_back(et);
    // A unit rotation by uniform angles: cos in the real half, sin in the imaginary half.
    const std::vector<double> angle = uniform({d / 2}, 0.0, 2 * std::numbers::pi, kFloat64).to_vector<double>();
    std::vector<float> r(static_cast<size_t>(d));
    for (int64_t j = 0; j < d / 2; ++j) {
      r[j] = static_cast<float>(std::cos(angle[j]));
      r[j + d / 2] = static_cast<float>(std::sin(angle[j]));
    }
    rotations_.push_back(register_parameter("rotation_" + std::to_string(rotations_.size()),
                                            from_vector<float>(r, {d})));
  }
}

Tensor InstanceEncoder::forward(const std::map<std::string, Tensor>& h, const MetaPathInstances& inst) const {
  const int64_t L = path_.length(), d = options_.dim();
  LOOM_CHECK(inst.nodes.defined() && inst.nodes.dim() == 2 && inst.nodes.size(1) == L + 1, ShapeError,
             "InstanceEncoder: instances of meta-path ", path_.name, " must be [num_instances, ", L + 1, "], got ",
             inst.nodes.defined() ? inst.nodes.shape_str() : std::string("undefined"));
  std::vector<const Tensor*> table(static_cast<size_t>(L + 1));
  for (int64_t i = 0; i <= L; ++i) {
    const std::string& type = i == 0 ? path_.start_type() : path_.relations[i - 1].dst;
    const auto it = h.find(type);
    LOOM_CHECK(it != h.end(), ValueError, "InstanceEncoder: no vectors given for node type '", type,
               "' (position ", i, " of meta-path ", path_.name, ")");
    LOOM_CHECK(it->second.dim() == 2 && it->second.size(1) == d, ShapeError, "InstanceEncoder: vectors of node type '",
               type, "' must be [count, ", d, "], got ", it->second.shape_str());
    table[i] = &it->second;
  }
  // Position i's rotation R_i is the same for every instance, so each type's table is rotated once ([count, dim])
  // and the rotated rows are gathered, rather than rotating [num_instances, dim] gathered rows: APCPA on DBLP has
  // 28x more instances than papers. The sum over positions is then L + 1 gathers and additions.
  const auto gather = [&](const Tensor& x, int64_t i) {
    return index_select(x, reshape(slice(inst.nodes, 1, i, i + 1), {inst.num_instances()}));  // IndexError names an id
  };
  Tensor sum = gather(*table[L], L);  // R_L = 1
  if (options_.encoding() == InstanceEncoding::kMean) {
    for (int64_t i = 0; i < L; ++i) sum = add(sum, gather(*table[i], i));
    return mul_scalar(sum, 1.0 / static_cast<double>(L + 1));
  }
  // Walking back from the end, R_i = r_{rel_i} R_{i+1}.
  Complex R;
  for (int64_t i = L - 1; i >= 0; --i) {
    const Tensor& p = rotations_[rotation_of_hop_[i]];
    Complex r = halves(reshape(p, {1, d}));
    const Tensor modulus = sqrt(add(mul(r.re, r.re), mul(r.im, r.im)));  // unit modulus whatever the update did
    r = {div(r.re, modulus), div(r.im, modulus)};
    R = i == L - 1 ? r : times(r, R);
    const Complex rotated = times(halves(*table[i]), R);
    sum = add(sum, gather(concat({rotated.re, rotated.im}, 1), i));
  }
  return mul_scalar(sum, 1.0 / static_cast<double>(L + 1));
}

}  // namespace loom::hetero
