// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Reverse-mode, define-by-run autograd. An op records one Node per output: the graph edges to its inputs and a
// closure that turns the output's gradient into one gradient per input. backward() walks the nodes in reverse
// topological order, accumulating into the .grad of leaves that require it.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "loom/core/tensor.h"

namespace loom {

struct AutogradMeta {
  bool requires_grad = false;
  Tensor grad;
  std::shared_ptr<autograd::Node> grad_fn;
};

namespace autograd {

// Returns one gradient per input of the op, in order; an undefined Tensor means "no gradient for this input".
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

struct Node {
  std::string name;
  BackwardFn backward;                                  // cleared after it ran, freeing what it saved
  std::vector<std::shared_ptr<Node>> next;              // grad_fn of each input (null for leaves/constants)
  std::vector<std::shared_ptr<TensorImpl>> leaves;      // the input itself when it is a leaf requiring grad
  std::vector<Shape> input_shapes;                      // to check what backward returns
  std::vector<DType> input_dtypes;
};

// Whether ops record (thread-local; on by default).
bool is_enabled();
void set_enabled(bool on);

// Records `out` as the result of op `name` on `inputs` when grad mode is on and some input requires grad.
// `fn` must not capture `out` itself (that would be a cycle); capture out.detach() instead.
void record(const char* name, const std::vector<Tensor>& inputs, const Tensor& out, BackwardFn fn);

// Runs backpropagation from `root` with gradient `grad` (ones for a scalar root when undefined).
void run_backward(const Tensor& root, const Tensor& grad);

}  // namespace autograd

// Turns recording off in its scope (inference, optimizer updates).
class NoGradGuard {
 public:
  NoGradGuard() : prev_(autograd::is_enabled()) { autograd::set_enabled(false); }
  ~NoGradGuard() { autograd::set_enabled(prev_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

}  // namespace loom
