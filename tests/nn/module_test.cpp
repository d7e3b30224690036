// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Module mechanics on hand-built modules: registration, dotted names, train/eval, in-place to(), state dicts,
// load_state_dict's error report, and nn::save / nn::load. Needs only the core tensor ops.
#include <gmock/gmock.h>

#include <filesystem>
#include <unistd.h>

#include "loom/core/nn.h"
#include "loom/core/optim.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::ThrowsMessage;

struct Leaf : nn::Module {
  explicit Leaf(int64_t n, double fill = 1.0) : Module("Leaf") {
    weight = register_parameter("weight", full({n, 2}, fill));
    bias = register_parameter("bias", zeros({n}));
    stat = register_buffer("stat", full({n}, 7.0));
    count = register_buffer("count", zeros({}, kInt64));
  }
  Tensor weight, bias, stat, count;
};

struct Net : nn::Module {
  Net() : Module("Net") {
    scale = register_parameter("scale", ones({1}));
    layers = register_module("layers", std::make_shared<nn::ModuleList>());
    layers->push_back(std::make_shared<Leaf>(3));
    layers->push_back(std::make_shared<Leaf>(2));
    head = register_module("head", std::make_shared<Leaf>(1, 0.5));
  }
  Tensor scale;
  std::shared_ptr<nn::ModuleList> layers;
  std::shared_ptr<Leaf> head;
};

TEST(Module, DottedNamesInRegistrationOrder) {
  Net net;
  EXPECT_EQ(net.named_parameters().keys(),
            (std::vector<std::string>{"scale", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                                      "head.weight", "head.bias"}));
  EXPECT_EQ(net.named_buffers().keys(), (std::vector<std::string>{"layers.0.stat", "layers.0.count", "layers.1.stat",
                                                                  "layers.1.count", "head.stat", "head.count"}));
  EXPECT_EQ(net.named_parameters(/*recurse=*/false).keys(), std::vector<std::string>{"scale"});
  EXPECT_EQ(net.num_parameters(), 1 + (6 + 3) + (4 + 2) + (2 + 1));
  for (const Tensor& p : net.parameters()) EXPECT_TRUE(p.requires_grad());
  for (const Tensor& b : net.buffers()) EXPECT_FALSE(b.requires_grad());
  // The handles are the registered tensors themselves.
  EXPECT_TRUE(net.named_parameters().at("head.weight").is_same(net.head->weight));
  EXPECT_TRUE(net.layers->ptr<Leaf>(1)->bias.is_same(net.named_parameters().at("layers.1.bias")));
  EXPECT_EQ(net.layers->size(), 2u);
  EXPECT_EQ(net.layers->ptr<Net>(0), nullptr);  // wrong type: a null pointer, not a bad cast
}

TEST(Module, RegistrationErrors) {
  Net net;
  EXPECT_THAT([&] { net.register_parameter("scale", ones({1})); },
              ThrowsMessage<ValueError>(HasSubstr("Net.register_parameter: name 'scale' is already registered")));
  EXPECT_THAT([&] { net.register_buffer("layers", ones({1})); },
              ThrowsMessage<ValueError>(HasSubstr("name 'layers' is already registered")));
  EXPECT_THAT([&] { net.register_parameter("a.b", ones({1})); },
              ThrowsMessage<ValueError>(HasSubstr("must not contain '.'")));
  EXPECT_THAT([&] { net.register_module("", std::make_shared<Leaf>(1)); },
              ThrowsMessage<ValueError>(HasSubstr("must not be empty")));
  EXPECT_THAT([&] { net.register_parameter("u", Tensor()); },
              ThrowsMessage<ValueError>(HasSubstr("'u' is an undefined tensor")));
  Tensor leaf = ones({2}).set_requires_grad(true);
  EXPECT_THAT([&] { net.register_parameter("derived", add(leaf, leaf)); },
              ThrowsMessage<ValueError>(HasSubstr("register a leaf")));
  // An integer parameter is allowed but never requires grad.
  EXPECT_FALSE(net.register_parameter("ids", zeros({2}, kInt64)).requires_grad());
}

TEST(Module, TrainEvalReachesEveryDescendant) {
  Net net;
  EXPECT_TRUE(net.is_training());
  net.eval();
  EXPECT_FALSE(net.is_training());
  EXPECT_FALSE(net.head->is_training());
  EXPECT_FALSE(net.layers->ptr<Leaf>(1)->is_training());
  net.layers->train();
  EXPECT_TRUE(net.layers->ptr<Leaf>(0)->is_training());
  EXPECT_FALSE(net.head->is_training());
  net.train();
  EXPECT_TRUE(net.head->is_training());
}

TEST(Module, ToDtypeIsInPlaceAndKeepsHandles) {
  Net net;
  const std::vector<Tensor> params = net.parameters();
  net.head->weight.set_grad(full({1, 2}, 3.0));
  net.to(kFloat64);
  for (const Tensor& p : params) {
    EXPECT_EQ(p.dtype(), kFloat64);  // the handles taken before to() see the new data
    EXPECT_TRUE(p.requires_grad());
  }
  EXPECT_EQ(net.head->weight.to_vector<double>(), (std::vector<double>{0.5, 0.5}));
  EXPECT_EQ(net.head->weight.grad().dtype(), kFloat64);
  EXPECT_EQ(net.head->stat.dtype(), kFloat64);
  EXPECT_EQ(net.head->count.dtype(), kInt64);  // integer buffers keep their type
  EXPECT_THAT([&] { net.to(kInt32); }, ThrowsMessage<DTypeError>(HasSubstr("Net.to: modules convert to float32")));

  // An optimizer built on the old handles updates the converted parameters.
  optim::SGD sgd(params, optim::SGDOptions(0.5));
  sgd.step();
  EXPECT_EQ(net.head->weight.to_vector<double>(), (std::vector<double>{-1.0, -1.0}));
}

TEST(Module, ToDeviceKeepsHandles) {
  LOOM_REQUIRE_CUDA();
  Net net;
  const std::vector<Tensor> params = net.parameters();
  net.to(kCUDA);
  for (const Tensor& p : params) EXPECT_TRUE(p.is_cuda());
  for (const Tensor& b : net.buffers()) EXPECT_TRUE(b.is_cuda());
  EXPECT_EQ(net.head->weight.cpu().to_vector<float>(), (std::vector<float>{0.5f, 0.5f}));
  net.to(kCPU);
  EXPECT_TRUE(net.head->weight.is_cpu());
}

TEST(Module, ZeroGradDropsGradients) {
  Net net;
  sum(mul(net.head->weight, net.head->weight)).backward();
  ASSERT_TRUE(net.head->weight.grad().defined());
  net.zero_grad();
  EXPECT_FALSE(net.head->weight.grad().defined());
}

TEST(Module, StateDictHoldsParametersThenBuffersPerModule) {
  Net net;
  const NamedTensors sd = net.state_dict();
  EXPECT_EQ(sd.keys(), (std::vector<std::string>{"scale", "layers.0.weight", "layers.0.bias", "layers.0.stat",
                                                 "layers.0.count", "layers.1.weight", "layers.1.bias", "layers.1.stat",
                                                 "layers.1.count", "head.weight", "head.bias", "head.stat",
                                                 "head.count"}));
  EXPECT_FALSE(sd.at("scale").requires_grad());  // detached
  EXPECT_EQ(sd.at("head.weight").raw_data(), net.head->weight.raw_data());  // sharing storage
}

TEST(Module, LoadStateDictCopiesValues) {
  Net a, b;
  b.head->weight.fill_(-4.0);
  b.layers->ptr<Leaf>(0)->stat.fill_(2.0);
  b.head->count.fill_(9);
  a.load_state_dict(b.state_dict());
  EXPECT_EQ(a.head->weight.to_vector<float>(), (std::vector<float>{-4.0f, -4.0f}));
  EXPECT_EQ(a.layers->ptr<Leaf>(0)->stat.to_vector<float>(), (std::vector<float>{2.0f, 2.0f, 2.0f}));
  EXPECT_EQ(a.head->count.item<int64_t>(), 9);
  EXPECT_FALSE(a.head->weight.is_same(b.head->weight));  // copied, not aliased
  b.head->weight.fill_(1.0);
  EXPECT_EQ(a.head->weight.to_vector<float>()[0], -4.0f);
  a.load_state_dict(a.state_dict());  // loading its own state is a no-op
  EXPECT_EQ(a.head->weight.to_vector<float>()[0], -4.0f);
}

TEST(Module, LoadStateDictReportsEveryMismatchAndChangesNothing) {
  Net net;
  NamedTensors bad;
  for (const auto& [name, t] : net.state_dict()) {
    if (name == "layers.0.bias" || name == "head.stat") continue;          // two missing keys
    if (name == "layers.1.weight") bad.insert(name, zeros({3, 2}));        // shape mismatch
    else if (name == "head.bias") bad.insert(name, zeros({1}, kFloat64));  // dtype mismatch
    else bad.insert(name, full(t.shape(), 5.0, t.dtype()));
  }
  bad.insert("extra.weight", zeros({1}));  // unexpected
  bad.insert("scale2", zeros({1}));        // unexpected
  EXPECT_THAT([&] { net.load_state_dict(bad); },
              ThrowsMessage<ValueError>(AllOf(HasSubstr("Net.load_state_dict"),
                                              HasSubstr("missing keys: layers.0.bias, head.stat"),
                                              HasSubstr("unexpected keys: extra.weight, scale2"),
                                              HasSubstr("shape of 'layers.1.weight': expected [2, 2], found [3, 2]"),
                                              HasSubstr("dtype of 'head.bias': expected float32, found float64"))));
  EXPECT_EQ(net.scale.item<float>(), 1.0f);  // nothing was copied

  // Non-strict: missing and unexpected keys are fine, but shape and dtype mismatches still fail.
  EXPECT_THAT([&] { net.load_state_dict(bad, /*strict=*/false); },
              ThrowsMessage<ValueError>(AllOf(Not(HasSubstr("missing keys")), HasSubstr("shape of 'layers.1.weight'"))));
  NamedTensors partial{{"scale", full({1}, 3.0)}, {"unknown", zeros({2})}};
  net.load_state_dict(partial, /*strict=*/false);
  EXPECT_EQ(net.scale.item<float>(), 3.0f);
}

TEST(Module, SaveAndLoadThroughSafetensors) {
  const std::string path = ::testing::TempDir() + "loom_module_" + std::to_string(::getpid()) + ".safetensors";
  Net a, b;
  a.head->weight.fill_(2.5);
  a.layers->ptr<Leaf>(1)->count.fill_(4);
  nn::save(a, path, {{"epoch", "3"}});
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_EQ(read_safetensors(path).metadata.at("epoch"), "3");
  nn::load(b, path);
  EXPECT_EQ(b.head->weight.to_vector<float>(), (std::vector<float>{2.5f, 2.5f}));
  EXPECT_EQ(b.layers->ptr<Leaf>(1)->count.item<int64_t>(), 4);
  Leaf other(3);
  EXPECT_THAT([&] { nn::load(other, path); }, ThrowsMessage<ValueError>(HasSubstr("unexpected keys: scale")));
  std::filesystem::remove(path);
}

TEST(Options, ChainableSetters) {
  const nn::LinearOptions lin = nn::LinearOptions(3, 4).bias(false);
  EXPECT_EQ(lin.in_features(), 3);
  EXPECT_EQ(lin.out_features(), 4);
  EXPECT_FALSE(lin.bias());
  const nn::MLPOptions mlp = nn::MLPOptions(2, {16, 8}, 3).activation(Activation::kGelu).dropout(0.25).norm(NormLayer::kLayer);
  EXPECT_THAT(mlp.hidden(), ElementsAre(16, 8));
  EXPECT_EQ(mlp.activation(), Activation::kGelu);
  EXPECT_EQ(mlp.dropout(), 0.25);
  EXPECT_EQ(mlp.norm(), NormLayer::kLayer);
  EXPECT_EQ(nn::MLPOptions(1, {}, 1).activation(), Activation::kRelu);  // defaults
  const optim::AdamOptions adam = optim::AdamOptions(0.01).betas({0.8, 0.9}).weight_decay(0.1);
  EXPECT_EQ(adam.betas().first, 0.8);
  EXPECT_EQ(adam.eps(), 1e-8);
}

}  // namespace
}  // namespace loom
