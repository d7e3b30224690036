// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Neural-network modules in the style of LibTorch's C++ frontend: Module (parameters, buffers, children, state
// dicts), Linear, Dropout, LayerNorm, BatchNorm1d, ModuleList, MLP, the nn::init initialisers and nn::save/load.
// Modules are held by std::shared_ptr (std::make_shared<nn::Linear>(nn::LinearOptions(4, 2))); there is no
// separate ModuleHolder type.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "loom/core/choices.h"
#include "loom/core/io.h"
#include "loom/core/options.h"
#include "loom/core/tensor.h"

namespace loom::nn {

// ---------------------------------------------------------------- Module

class Module {
 public:
  explicit Module(std::string name = "Module") : name_(std::move(name)) {}
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The type name used in messages ("Linear", "MLP", ...).
  const std::string& name() const { return name_; }

  // Registers a parameter (a leaf; requires_grad is set for floating tensors when `requires_grad`) and returns a
  // handle to it. Names are non-empty, contain no '.', and are unique among this module's parameters, buffers and
  // children (ValueError otherwise).
  Tensor register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);
  // Registers state that is saved and moved with the module but not trained (running statistics).
  Tensor register_buffer(const std::string& name, Tensor tensor);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

  // Dotted names ("layers.0.weight") in registration order: a module's own entries first, then each child's.
  NamedTensors named_parameters(bool recurse = true) const;
  NamedTensors named_buffers(bool recurse = true) const;
  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const { return children_; }
  int64_t num_parameters() const;  // total elements of all parameters

  // Training mode (dropout, batch statistics), applied to every descendant.
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Moves or casts every parameter and buffer IN PLACE: the tensor handles (members, parameters() results,
  // optimizers' lists) stay valid and see the new data. Gradients move along. Optimizer state (momentum, Adam
  // moments) does not: create optimizers after to(), or before their first step(). to(DType) converts floating
  // tensors only (integer buffers such as counters keep their type) and takes float32 or float64.
  void to(Device device);
  void to(DType dtype);

  // Drops every parameter's gradient (set-to-none semantics).
  void zero_grad();

  // Parameters and buffers with dotted names (handles sharing storage, detached from autograd).
  NamedTensors state_dict() const;
  // Copies `state` into the parameters and buffers (any device; dtypes must match). Names, shapes and dtypes are
  // checked first and every problem (missing keys, unexpected keys, shape and dtype mismatches) is reported in one
  // ValueError; nothing is modified when any check fails. With strict = false, missing and unexpected keys are
  // allowed.
  void load_state_dict(const NamedTensors& state, bool strict = true);

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const char* what, const std::string& name) const;
  void collect(const std::string& prefix, bool params, bool buffers, bool recurse, NamedTensors& out) const;
  template <class F> void for_each_tensor(F&& f);

  std::string name_;
  bool training_ = true;
  std::vector<std::pair<std::string, Tensor>> params_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

// A list of child modules named "0", "1", ... (their parameters read "<list>.0.weight").
class ModuleList : public Module {
 public:
  ModuleList() : Module("ModuleList") {}
  void push_back(std::shared_ptr<Module> module);
  size_t size() const { return named_children().size(); }
  std::shared_ptr<Module> operator[](size_t i) const { return named_children().at(i).second; }
  template <class M> std::shared_ptr<M> ptr(size_t i) const { return std::dynamic_pointer_cast<M>((*this)[i]); }
};

// ---------------------------------------------------------------- initialisation (in place, no gradient)
// All draw from loom's global seeded generator (loom/core/random.h): the same manual_seed gives the same values.
namespace init {
enum class FanMode { kFanIn, kFanOut };
// Recommended gain for a nonlinearity: linear/identity/sigmoid 1, tanh 5/3, relu sqrt(2),
// leaky_relu sqrt(2 / (1 + param^2)), selu 3/4. ValueError for an unknown name.
double calculate_gain(const std::string& nonlinearity, double param = 0.01);
// fan_in = size(1) * receptive field, fan_out = size(0) * receptive field; needs rank >= 2.
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);

Tensor uniform_(Tensor t, double low = 0.0, double high = 1.0);
Tensor normal_(Tensor t, double mean = 0.0, double std = 1.0);
Tensor constant_(Tensor t, double value);
Tensor zeros_(Tensor t);
Tensor ones_(Tensor t);
// Glorot: U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)); normal with std = gain * sqrt(2 / (fan_in + fan_out)).
Tensor xavier_uniform_(Tensor t, double gain = 1.0);
Tensor xavier_normal_(Tensor t, double gain = 1.0);
inline Tensor glorot_uniform_(Tensor t, double gain = 1.0) { return xavier_uniform_(t, gain); }
// He: std = gain / sqrt(fan), gain = calculate_gain(nonlinearity, a); uniform bound sqrt(3) * std.
Tensor kaiming_uniform_(Tensor t, double a = 0.0, FanMode mode = FanMode::kFanIn,
                       const std::string& nonlinearity = "leaky_relu");
Tensor kaiming_normal_(Tensor t, double a = 0.0, FanMode mode = FanMode::kFanIn,
                       const std::string& nonlinearity = "leaky_relu");
}  // namespace init

// ---------------------------------------------------------------- Linear

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(int64_t, out_features);
  LOOM_ARG(bool, bias) = true;
};

// y = x W^T + b with weight [out, in] and bias [out], as torch.nn.Linear (so its safetensors weights load here).
// x is [..., in] of rank 1..3. Initialisation as PyTorch: weight kaiming_uniform_(a = sqrt(5)), i.e.
// U(-1/sqrt(in), 1/sqrt(in)), and bias U(-1/sqrt(in), 1/sqrt(in)).
class Linear : public Module {
 public:
  explicit Linear(const LinearOptions& options);
  Linear(int64_t in_features, int64_t out_features) : Linear(LinearOptions(in_features, out_features)) {}
  Tensor forward(const Tensor& x);
  void reset_parameters();
  const LinearOptions& options() const { return options_; }
  Tensor weight, bias;  // bias is undefined with bias(false)

 private:
  LinearOptions options_;
};

// ---------------------------------------------------------------- Dropout

struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT: implicit from a probability, as in LibTorch
  LOOM_ARG(double, p);
};

// Inverted dropout while training (loom::dropout); the identity in eval mode.
class Dropout : public Module {
 public:
  explicit Dropout(const DropoutOptions& options = {});
  Tensor forward(const Tensor& x);
  const DropoutOptions& options() const { return options_; }

 private:
  DropoutOptions options_;
};

// ---------------------------------------------------------------- normalisation

struct LayerNormOptions {
  explicit LayerNormOptions(int64_t normalized_shape) : normalized_shape_(normalized_shape) {}
  LOOM_ARG(int64_t, normalized_shape);  // size of the last dimension
  LOOM_ARG(double, eps) = 1e-5;
  LOOM_ARG(bool, elementwise_affine) = true;
};

// Normalises over the last dimension; weight (ones) and bias (zeros) of [C] when elementwise_affine.
class LayerNorm : public Module {
 public:
  explicit LayerNorm(const LayerNormOptions& options);
  Tensor forward(const Tensor& x);
  const LayerNormOptions& options() const { return options_; }
  Tensor weight, bias;

 private:
  LayerNormOptions options_;
};

struct BatchNorm1dOptions {
  explicit BatchNorm1dOptions(int64_t num_features) : num_features_(num_features) {}
  LOOM_ARG(int64_t, num_features);
  LOOM_ARG(double, eps) = 1e-5;
  LOOM_ARG(double, momentum) = 0.1;
  LOOM_ARG(bool, affine) = true;
};

// x [N, C]. Batch statistics in training (updating the running_mean / running_var buffers), running statistics in
// eval. Buffers as torch.nn.BatchNorm1d: running_mean, running_var, num_batches_tracked (int64 scalar; counting it
// reads one scalar back from the device per training step).
class BatchNorm1d : public Module {
 public:
  explicit BatchNorm1d(const BatchNorm1dOptions& options);
  Tensor forward(const Tensor& x);
  const BatchNorm1dOptions& options() const { return options_; }
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 private:
  BatchNorm1dOptions options_;
};

// ---------------------------------------------------------------- MLP

struct MLPOptions {
  MLPOptions(int64_t in_features, std::vector<int64_t> hidden, int64_t out_features)
      : in_features_(in_features), hidden_(std::move(hidden)), out_features_(out_features) {}
  LOOM_ARG(int64_t, in_features);
  LOOM_ARG(std::vector<int64_t>, hidden);
  LOOM_ARG(int64_t, out_features);
  LOOM_ARG(Activation, activation) = Activation::kRelu;
  LOOM_ARG(double, dropout) = 0.0;                    // after each hidden activation, while training
  LOOM_ARG(NormLayer, norm) = NormLayer::kNone;       // after each hidden Linear, before the activation
  LOOM_ARG(bool, bias) = true;
};

// Linear -> [norm] -> activation -> [dropout] for each hidden size, then a final Linear (no activation).
// Children: "layers" (a ModuleList of Linear: layers.0 ... layers.H) and, with a norm, "norms" (norms.0 ...
// norms.H-1).
class MLP : public Module {
 public:
  explicit MLP(const MLPOptions& options);
  Tensor forward(const Tensor& x);
  const MLPOptions& options() const { return options_; }
  const std::vector<std::shared_ptr<Linear>>& layers() const { return layers_; }

 private:
  Tensor normalise(size_t i, const Tensor& x);

  MLPOptions options_;
  std::vector<std::shared_ptr<Linear>> layers_;
  std::vector<std::shared_ptr<LayerNorm>> layer_norms_;
  std::vector<std::shared_ptr<BatchNorm1d>> batch_norms_;
};

// ---------------------------------------------------------------- saving and loading

// Writes module.state_dict() as a safetensors file (atomically), with optional metadata.
void save(const Module& module, const std::string& path, const Metadata& metadata = {});
// Reads a safetensors file into the module through load_state_dict (strict by default).
void load(Module& module, const std::string& path, bool strict = true);

}  // namespace loom::nn
