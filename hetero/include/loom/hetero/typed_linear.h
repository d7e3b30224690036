// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// TypedLinear: one linear map per node (or relation) type, y[i] = x[i] W_t + b_t for the type t of row i, computed
// as one grouped GEMM (loom::grouped_matmul) instead of a loop of small products, as PyG's HeteroLinear.
#pragma once
#include <cstdint>
#include <vector>

#include "loom/core/nn.h"
#include "loom/core/options.h"

namespace loom::hetero {

struct TypedLinearOptions {
  TypedLinearOptions(int64_t in_features, int64_t out_features, int64_t num_types)
      : in_features_(in_features), out_features_(out_features), num_types_(num_types) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, out_features);
  LOOM_ARG(int64_t, num_types);
  LOOM_ARG(bool, bias) = true;
};

// Parameters: weight [num_types, in, out] (W_t, so y = x W_t: the layout grouped_matmul and PyG's HeteroLinear use)
// and bias [num_types, out]. Each W_t and b_t starts as a Linear(in, out) would: U(-1/sqrt(in), 1/sqrt(in)).
class TypedLinear : public nn::Module {
 public:
  explicit TypedLinear(const TypedLinearOptions& options);
  // x [N, in] with rows sorted by type: rows offsets[t] .. offsets[t+1] have type t (num_types + 1 host offsets
  // from 0 to N; empty types allowed). The fast form: no permutation.
  Tensor forward_sorted(const Tensor& x, const std::vector<int64_t>& offsets);
  // x [N, in] with int32/int64 type ids [N] in any order (on any device; read on the host): rows are grouped by a
  // stable counting sort, projected in one grouped call and put back in input order. IndexError names the first id
  // outside [0, num_types).
  Tensor forward(const Tensor& x, const Tensor& types);
  const TypedLinearOptions& options() const { return options_; }
  Tensor weight, bias;

 private:
  TypedLinearOptions options_;
};

}  // namespace loom::hetero
