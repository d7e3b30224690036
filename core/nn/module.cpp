// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Module: registration of parameters, buffers and children; dotted names; train/eval; in-place device and dtype
// moves; state dicts.
#include <algorithm>

#include "loom/core/autograd.h"
#include "loom/core/nn.h"

namespace loom::nn {

namespace {

// Points `t`'s implementation at `src`'s data. Every handle sharing t's TensorImpl sees the change, which is what
// keeps parameters() lists and optimizers valid across to(). Only for leaves (parameters and buffers).
void replace_data(const Tensor& t, const Tensor& src) {
  TensorImpl* impl = t.impl();
  impl->storage = src.impl()->storage;
  impl->offset = src.impl()->offset;
  impl->dtype = src.dtype();
}

}  // namespace

void Module::check_new_name(const char* what, const std::string& name) const {
  LOOM_CHECK(!name.empty(), ValueError, name_, ".", what, ": the name must not be empty");
  LOOM_CHECK(name.find('.') == std::string::npos, ValueError, name_, ".", what, ": name '", name,
             "' must not contain '.' (dots separate nested modules)");
  auto taken = [&](const auto& list) {
    return std::any_of(list.begin(), list.end(), [&](const auto& e) { return e.first == name; });
  };
  LOOM_CHECK(!taken(params_) && !taken(buffers_) && !taken(children_), ValueError, name_, ".", what, ": name '", name,
             "' is already registered");
}

Tensor Module::register_parameter(const std::string& name, Tensor tensor, bool requires_grad) {
  check_new_name("register_parameter", name);
  LOOM_CHECK(tensor.defined(), ValueError, name_, ".register_parameter: '", name, "' is an undefined tensor");
  LOOM_CHECK(tensor.is_leaf(), ValueError, name_, ".register_parameter: '", name,
             "' was produced by an op that recorded gradients; register a leaf (detach() it)");
  if (requires_grad && is_floating(tensor.dtype())) tensor.set_requires_grad(true);
  params_.emplace_back(name, tensor);
  return tensor;
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor) {
  check_new_name("register_buffer", name);
  LOOM_CHECK(tensor.defined(), ValueError, name_, ".register_buffer: '", name, "' is an undefined tensor");
  buffers_.emplace_back(name, tensor);
  return tensor;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name("register_module", name);
  LOOM_CHECK(module != nullptr, ValueError, name_, ".register_module: '", name, "' is a null module");
  children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix, bool params, bool buffers, bool recurse, NamedTensors& out) const {
  if (params)
    for (const auto& [n, t] : params_) out.insert(prefix + n, t);
  if (buffers)
    for (const auto& [n, t] : buffers_) out.insert(prefix + n, t);
  if (!recurse) return;
  for (const auto& [n, child] : children_) child->collect(prefix + n + ".", params, buffers, true, out);
}

NamedTensors Module::named_parameters(bool recurse) const {
  NamedTensors out;
  collect("", true, false, recurse, out);
  return out;
}

NamedTensors Module::named_buffers(bool recurse) const {
  NamedTensors out;
  collect("", false, true, recurse, out);
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (const auto& [n, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (const auto& [n, t] : named_buffers(recurse)) out.push_back(t);
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const Tensor& t : parameters()) n += t.numel();
  return n;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [n, child] : children_) child->train(on);
}

template <class F>
void Module::for_each_tensor(F&& f) {
  for (auto& [n, t] : params_) f(t);
  for (auto& [n, t] : buffers_) f(t);
  for (auto& [n, child] : children_) child->for_each_tensor(f);
}

void Module::to(Device device) {
  NoGradGuard no_grad;
  for_each_tensor([&](Tensor& t) {
    if (t.device() == device) return;
    replace_data(t, t.detach().to(device));
    if (Tensor g = t.grad(); g.defined()) t.set_grad(g.to(device));
  });
}

void Module::to(DType dtype) {
  LOOM_CHECK(is_floating(dtype), DTypeError, name_, ".to: modules convert to float32 or float64, got ",
             dtype_name(dtype));
  NoGradGuard no_grad;
  for_each_tensor([&](Tensor& t) {
    if (!is_floating(t.dtype()) || t.dtype() == dtype) return;
    replace_data(t, t.detach().to(dtype));
    if (Tensor g = t.grad(); g.defined()) t.set_grad(g.to(dtype));
  });
}

void Module::zero_grad() {
  for (const Tensor& p : parameters()) p.zero_grad();
}

NamedTensors Module::state_dict() const {
  NamedTensors all;
  collect("", true, true, true, all);
  NamedTensors out;
  for (const auto& [n, t] : all) out.insert(n, t.detach());
  return out;
}

void Module::load_state_dict(const NamedTensors& state, bool strict) {
  NamedTensors own;
  collect("", true, true, true, own);
  std::vector<std::string> missing, unexpected, mismatched;
  for (const auto& [n, t] : own) {
    const Tensor* src = state.find(n);
    if (!src) {
      missing.push_back(n);
      continue;
    }
    if (!src->defined()) {
      mismatched.push_back(detail::str_cat("'", n, "' is an undefined tensor"));
      continue;
    }
    if (src->shape() != t.shape())
      mismatched.push_back(detail::str_cat("shape of '", n, "': expected ", t.shape_str(), ", found ",
                                           src->shape_str()));
    if (src->dtype() != t.dtype())
      mismatched.push_back(detail::str_cat("dtype of '", n, "': expected ", dtype_name(t.dtype()), ", found ",
                                           dtype_name(src->dtype())));
  }
  for (const auto& [n, t] : state)
    if (!own.contains(n)) unexpected.push_back(n);

  const bool fail = !mismatched.empty() || (strict && (!missing.empty() || !unexpected.empty()));
  if (fail) {
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
      return s;
    };
    std::string msg = name_ + ".load_state_dict: the state does not match the module";
    if (strict && !missing.empty()) msg += "; missing keys: " + join(missing);
    if (strict && !unexpected.empty()) msg += "; unexpected keys: " + join(unexpected);
    if (!mismatched.empty()) msg += "; mismatches: " + join(mismatched);
    throw ValueError(msg);
  }
  NoGradGuard no_grad;
  for (const auto& [n, t] : own) {
    if (const Tensor* src = state.find(n)) {
      if (src->raw_data() == t.raw_data() && src->device() == t.device()) continue;  // its own state_dict()
      Tensor dst = t;
      dst.copy_(*src);
    }
  }
}

// ---------------------------------------------------------------- ModuleList

void ModuleList::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(size()), std::move(module));
}

}  // namespace loom::nn
