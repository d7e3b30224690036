// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Input checks shared by the graph layers: every message names the layer, the argument, what was expected and
// what was found, so a wrong feature width or a graph on another device fails before any kernel runs.
#pragma once
#include <cstdint>

#include "loom/core/error.h"
#include "loom/core/tensor.h"
#include "loom/graph/graph.h"

namespace loom::layers::detail {

// x must be a floating [rows, in_features] tensor on the structure's device, of the dtype and on the device of
// `param` (any one of the layer's parameters). `structure` and `row_noun` name what x's rows belong to ("graph",
// "nodes"; "hypergraph", "vertices").
inline void check_rows_input(const char* layer, const char* structure, bool defined, int64_t rows,
                             const char* row_noun, Device device, const Tensor& x, int64_t in_features,
                             const Tensor& param) {
  LOOM_CHECK(defined, ValueError, layer, ".forward: the ", structure, " is undefined (default-constructed)");
  LOOM_CHECK(x.defined(), ValueError, layer, ".forward: 'x' is an undefined tensor");
  LOOM_CHECK(is_floating(x.dtype()), DTypeError, layer, ".forward: 'x' must be float32 or float64, got ",
             dtype_name(x.dtype()), " ", x.shape_str());
  LOOM_CHECK(x.dim() == 2 && x.size(1) == in_features, ShapeError, layer, ".forward: 'x' must be [N, ", in_features,
             "] (in_features = ", in_features, "), got ", x.shape_str());
  LOOM_CHECK(x.size(0) == rows, ShapeError, layer, ".forward: 'x' has ", x.size(0), " rows but the ", structure,
             " has ", rows, " ", row_noun);
  LOOM_CHECK(x.device() == device, DeviceError, layer, ".forward: 'x' is on ", x.device().str(), " but the ",
             structure, " is on ", device.str(), " (move one with .to(device))");
  LOOM_CHECK(x.device() == param.device(), DeviceError, layer, ".forward: 'x' is on ", x.device().str(),
             " but the layer's parameters are on ", param.device().str(), " (move the layer with .to(device))");
  LOOM_CHECK(x.dtype() == param.dtype(), DTypeError, layer, ".forward: 'x' is ", dtype_name(x.dtype()),
             " but the layer's parameters are ", dtype_name(param.dtype()), " (convert one with .to(dtype))");
}

inline void check_node_input(const char* layer, const graph::Graph& g, const Tensor& x, int64_t in_features,
                             const Tensor& param) {
  check_rows_input(layer, "graph", g.defined(), g.defined() ? g.num_nodes() : 0, "nodes",
                   g.defined() ? g.device() : x.device(), x, in_features, param);
}

}  // namespace loom::layers::detail
