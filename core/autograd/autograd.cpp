// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The autograd engine: recording nodes and running backward in reverse topological order.
#include "loom/core/autograd.h"

#include <unordered_map>
#include <unordered_set>

#include "loom/core/ops.h"

namespace loom::autograd {

namespace {
thread_local bool g_enabled = true;
}

bool is_enabled() { return g_enabled; }
void set_enabled(bool on) { g_enabled = on; }

void record(const char* name, const std::vector<Tensor>& inputs, const Tensor& out, BackwardFn fn) {
  if (!g_enabled) return;
  bool any = false;
  for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
  if (!any) return;
  auto node = std::make_shared<Node>();
  node->name = name;
  node->backward = std::move(fn);
  for (const Tensor& t : inputs) {
    const bool needs = t.defined() && t.requires_grad();
    node->next.push_back(needs ? t.grad_fn() : nullptr);
    node->leaves.push_back(needs && t.is_leaf() ? t.impl_ptr() : nullptr);
    node->input_shapes.push_back(t.defined() ? t.shape() : Shape{});
    node->input_dtypes.push_back(t.defined() ? t.dtype() : kFloat32);
  }
  TensorImpl* impl = out.impl();
  if (!impl->autograd) impl->autograd = std::make_unique<AutogradMeta>();
  impl->autograd->requires_grad = true;
  impl->autograd->grad_fn = std::move(node);
}

namespace {

void accumulate(Tensor& slot, const Tensor& g) { slot = slot.defined() ? add(slot, g) : g; }

// Whether no other handle or view can see t's memory: then a leaf may adopt it as its .grad without the defensive
// copy (which would double the peak memory of a large input's gradient). An op that hands the same dy to two inputs,
// or passes its own dy through, leaves more than one owner, and those gradients are still copied.
bool exclusively_owned(const Tensor& t) {
  const auto& impl = t.impl_ptr();
  return impl.use_count() == 1 && impl->storage.use_count() == 1;
}

// Nodes reachable from `root`, in reverse topological order (a node before every node it depends on).
std::vector<Node*> topo_order(Node* root) {
  std::vector<Node*> post;
  std::unordered_set<Node*> seen;
  std::vector<std::pair<Node*, size_t>> stack{{root, 0}};
  seen.insert(root);
  while (!stack.empty()) {
    auto& [n, i] = stack.back();
    if (i < n->next.size()) {
      Node* c = n->next[i++].get();
      if (c && seen.insert(c).second) stack.push_back({c, 0});
    } else {
      post.push_back(n);
      stack.pop_back();
    }
  }
  return {post.rbegin(), post.rend()};
}

}  // namespace

void run_backward(const Tensor& root, const Tensor& grad_in) {
  LOOM_CHECK(root.defined(), ValueError, "backward: undefined tensor");
  LOOM_CHECK(root.requires_grad(), ValueError, "backward: the tensor does not require grad (no input of the ",
             "computation had requires_grad set, or it ran under NoGradGuard)");
  Tensor grad = grad_in;
  if (!grad.defined()) {
    LOOM_CHECK(root.numel() == 1, ShapeError, "backward: a gradient must be given for a non-scalar output of shape ",
               root.shape_str());
    grad = ones(root.shape(), root.dtype(), root.device());
  }
  LOOM_CHECK(grad.shape() == root.shape(), ShapeError, "backward: gradient shape ", grad.shape_str(),
             " does not match the output shape ", root.shape_str());
  NoGradGuard no_grad;
  if (root.is_leaf()) {
    Tensor slot = root.grad();
    accumulate(slot, slot.defined() ? grad : grad.clone());
    root.set_grad(slot);
    return;
  }
  std::unordered_map<Node*, Tensor> pending;
  Node* start = root.grad_fn().get();
  pending[start] = grad;
  for (Node* node : topo_order(start)) {
    auto it = pending.find(node);
    if (it == pending.end()) continue;
    Tensor dy = std::move(it->second);
    pending.erase(it);
    LOOM_CHECK(node->backward != nullptr, ValueError, "backward: the graph through '", node->name,
               "' was already freed by an earlier backward() (run the forward pass again)");
    std::vector<Tensor> grads = node->backward(dy);
    node->backward = nullptr;  // frees what the op saved
    LOOM_ASSERT(grads.size() == node->next.size(), node->name, " returned ", grads.size(), " gradients for ",
                node->next.size(), " inputs");
    for (size_t i = 0; i < grads.size(); ++i) {
      const Tensor& g = grads[i];
      if (!g.defined()) continue;
      if (!node->next[i] && !node->leaves[i]) continue;
      LOOM_ASSERT(g.shape() == node->input_shapes[i], node->name, " gradient ", i, " has shape ", g.shape_str(),
                  ", input had ", shape_str(node->input_shapes[i]));
      if (node->next[i]) {
        accumulate(pending[node->next[i].get()], g);
      } else {
        Tensor leaf(node->leaves[i]);
        Tensor slot = leaf.grad();
        // A leaf's .grad is its own storage: optimizers and clipping update it in place, and ops may hand the
        // same dy to several inputs.
        accumulate(slot, slot.defined() || exclusively_owned(g) ? g : g.clone());
        leaf.set_grad(slot);
      }
    }
  }
}

}  // namespace loom::autograd
