// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// TypedLinear: checks, the stable counting sort of rows by type for unsorted input, and one grouped_matmul.
#include "loom/hetero/typed_linear.h"

#include <cmath>

#include "loom/core/ops.h"

namespace loom::hetero {

TypedLinear::TypedLinear(const TypedLinearOptions& options) : nn::Module("TypedLinear"), options_(options) {
  const int64_t in = options.in_features(), out = options.out_features(), types = options.num_types();
  LOOM_CHECK(in > 0 && out > 0 && types > 0, ValueError,
             "TypedLinear: in_features, out_features and num_types must be positive, got ", in, ", ", out, " and ",
             types);
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  weight = register_parameter("weight", nn::init::uniform_(empty({types, in, out}), -bound, bound));
  if (options.bias()) bias = register_parameter("bias", nn::init::uniform_(empty({types, out}), -bound, bound));
}

Tensor TypedLinear::forward_sorted(const Tensor& x, const std::vector<int64_t>& offsets) {
  LOOM_CHECK(x.defined() && x.dim() == 2 && x.size(1) == options_.in_features(), ShapeError,
             "TypedLinear.forward: 'x' must be [N, ", options_.in_features(), "], got ",
             x.defined() ? x.str() : "undefined");
  return grouped_matmul(x, weight, offsets, bias);
}

Tensor TypedLinear::forward(const Tensor& x, const Tensor& types) {
  const int64_t t = options_.num_types();
  LOOM_CHECK(types.defined() && (types.dtype() == kInt32 || types.dtype() == kInt64) && types.dim() == 1, DTypeError,
             "TypedLinear.forward: 'types' must be int32/int64 [N], got ", types.defined() ? types.str() : "undefined");
  LOOM_CHECK(x.defined() && x.dim() == 2 && types.size(0) == x.size(0), ShapeError, "TypedLinear.forward: 'types' has ",
             types.size(0), " entries but 'x' has ", x.defined() && x.dim() >= 1 ? x.size(0) : 0, " rows");
  const std::vector<int64_t> ids = types.to(kCPU).to(kInt64).to_vector<int64_t>();
  std::vector<int64_t> offsets(static_cast<size_t>(t) + 1, 0);
  for (size_t i = 0; i < ids.size(); ++i) {
    LOOM_CHECK(ids[i] >= 0 && ids[i] < t, IndexError, "TypedLinear.forward: types[", i, "] = ", ids[i],
               " is out of range for ", t, " types");
    ++offsets[static_cast<size_t>(ids[i]) + 1];
  }
  for (int64_t g = 0; g < t; ++g) offsets[g + 1] += offsets[g];
  // order[j]: the input row placed at sorted position j; where[i]: the sorted position of input row i.
  std::vector<int64_t> next(offsets.begin(), offsets.end() - 1), order(ids.size()), where(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const int64_t j = next[static_cast<size_t>(ids[i])]++;
    order[static_cast<size_t>(j)] = static_cast<int64_t>(i);
    where[i] = j;
  }
  const int64_t n = x.size(0);
  const Tensor y = forward_sorted(index_select(x, from_vector(order, {n}, x.device())), offsets);
  return index_select(y, from_vector(where, {n}, x.device()));
}

}  // namespace loom::hetero
