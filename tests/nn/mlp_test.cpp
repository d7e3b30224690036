// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Linear, the norm and dropout modules and MLP: forward values by hand, float64 gradients by central differences,
// seeded determinism, saving/loading, and an MLP trained with Adam to 100% accuracy on XOR blobs.
#include <gmock/gmock.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <unistd.h>

#include "loom/core/nn.h"
#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "support/gradcheck.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::random_tensor;

TEST(Linear, ForwardByHand) {
  nn::Linear lin(nn::LinearOptions(3, 2));
  EXPECT_EQ(lin.weight.shape(), (Shape{2, 3}));  // [out, in] as torch.nn.Linear
  EXPECT_EQ(lin.bias.shape(), (Shape{2}));
  lin.weight.copy_(from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
  lin.bias.copy_(from_vector<float>({0.5f, -1.0f}));
  const Tensor x = from_vector<float>({1, 0, -1, 2, 1, 0}, {2, 3});
  // Row 0: [1 - 3, 4 - 6] + b = [-1.5, -3]; row 1: [2 + 2, 8 + 5] + b = [4.5, 12].
  EXPECT_EQ(lin.forward(x).to_vector<float>(), (std::vector<float>{-1.5f, -3.0f, 4.5f, 12.0f}));
  EXPECT_EQ(lin.forward(from_vector<float>({1, 0, -1})).to_vector<float>(), (std::vector<float>{-1.5f, -3.0f}));
  const Tensor x3 = from_vector<float>({1, 0, -1, 2, 1, 0, 1, 0, -1, 2, 1, 0}, {2, 2, 3});
  EXPECT_EQ(lin.forward(x3).shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(lin.forward(x3).to_vector<float>()[7], 12.0f);

  nn::Linear nobias(nn::LinearOptions(3, 2).bias(false));
  EXPECT_FALSE(nobias.bias.defined());
  EXPECT_EQ(nobias.named_parameters().keys(), std::vector<std::string>{"weight"});
  nobias.weight.copy_(from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
  EXPECT_EQ(nobias.forward(x).to_vector<float>(), (std::vector<float>{-2.0f, -2.0f, 4.0f, 13.0f}));

  EXPECT_THAT([&] { lin.forward(zeros({2, 4})); },
              ThrowsMessage<ShapeError>(HasSubstr("Linear.forward: input must be [..., 3] of rank 1 to 3, got float32[2, 4]")));
  EXPECT_THAT([] { nn::Linear(0, 3); }, ThrowsMessage<ValueError>(HasSubstr("must be positive, got 0 and 3")));
}

TEST(Linear, DefaultInitWithinPyTorchBounds) {
  manual_seed(1);
  nn::Linear lin(25, 40);
  const double bound = 1.0 / 5.0;
  for (const Tensor& t : {lin.weight, lin.bias}) {
    double m = 0;
    for (float v : t.to_vector<float>()) m = std::max(m, std::abs(static_cast<double>(v)));
    EXPECT_LE(m, bound);
    EXPECT_GT(m, 0.8 * bound);
  }
}

TEST(MLP, NamesAndParameterCount) {
  manual_seed(0);
  nn::MLP mlp(nn::MLPOptions(4, {8, 6}, 3));
  EXPECT_EQ(mlp.named_parameters().keys(),
            (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                                      "layers.2.weight", "layers.2.bias"}));
  EXPECT_EQ(mlp.num_parameters(), (4 * 8 + 8) + (8 * 6 + 6) + (6 * 3 + 3));
  EXPECT_EQ(mlp.named_parameters().at("layers.1.weight").shape(), (Shape{6, 8}));

  nn::MLP ln(nn::MLPOptions(4, {8, 6}, 3).norm(NormLayer::kLayer));
  EXPECT_EQ(ln.named_parameters().keys(),
            (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                                      "layers.2.weight", "layers.2.bias", "norms.0.weight", "norms.0.bias",
                                      "norms.1.weight", "norms.1.bias"}));
  nn::MLP bn(nn::MLPOptions(4, {8}, 3).norm(NormLayer::kBatch));
  EXPECT_EQ(bn.named_buffers().keys(),
            (std::vector<std::string>{"norms.0.running_mean", "norms.0.running_var", "norms.0.num_batches_tracked"}));
  EXPECT_EQ(nn::MLP(nn::MLPOptions(5, {}, 2)).num_parameters(), 12);  // no hidden layer: one Linear
}

TEST(MLP, OptionsValidated) {
  EXPECT_THAT([] { nn::MLP(nn::MLPOptions(2, {4}, 2).dropout(-0.1)); },
              ThrowsMessage<ValueError>(HasSubstr("MLP: dropout must be in [0, 1], got -0.1")));
  EXPECT_THAT([] { nn::MLP(nn::MLPOptions(2, {4, 0}, 2)); },
              ThrowsMessage<ValueError>(HasSubstr("hidden sizes must be positive, got 0")));
}

TEST(MLP, GradcheckFloat64) {
  for (const char* act : {"relu", "gelu", "elu", "tanh"}) {
    for (const char* norm : {"none", "layer", "batch"}) {
      manual_seed(7);
      nn::MLP mlp(nn::MLPOptions(3, {5, 4}, 2).activation(parse_choice<Activation>(act)).norm(parse_choice<NormLayer>(norm)));
      mlp.to(kFloat64);
      for (const Tensor& p : mlp.parameters()) ASSERT_EQ(p.dtype(), kFloat64);
      const Tensor x = random_tensor({6, 3}, 5, -2, 2);
      EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return mlp.forward(in[0]); }, {x}))
          << act << " " << norm;
      EXPECT_TRUE(testing::module_gradcheck(mlp, [&] { return mlp.forward(x); })) << act << " " << norm;
    }
  }
}

TEST(Norms, BatchNormRunningStatisticsAndEval) {
  nn::BatchNorm1d bn(nn::BatchNorm1dOptions(2));
  const Tensor x = from_vector<float>({1, 2, 3, 4}, {2, 2});
  const Tensor y = bn.forward(x);
  EXPECT_NEAR(y.to_vector<float>()[0], -1.0f, 1e-3);  // (1 - 2) / sqrt(1 + eps)
  EXPECT_NEAR(bn.running_mean.to_vector<float>()[1], 0.3f, 1e-6);
  EXPECT_NEAR(bn.running_var.to_vector<float>()[0], 0.9f + 0.1f * 2.0f, 1e-6);  // unbiased batch variance 2
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
  bn.eval();
  const Tensor ye = bn.forward(x);
  EXPECT_NEAR(ye.to_vector<float>()[0], (1.0f - 0.2f) / std::sqrt(1.1f + 1e-5f), 1e-5);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);  // eval does not count
  EXPECT_THAT([&] { bn.forward(zeros({2, 3})); }, ThrowsMessage<ShapeError>(HasSubstr("must be [N, 2]")));

  nn::LayerNorm ln(nn::LayerNormOptions(2));
  EXPECT_NEAR(ln.forward(x).to_vector<float>()[1], 1.0f, 1e-3);
  EXPECT_THAT([&] { ln.forward(zeros({2, 3})); }, ThrowsMessage<ShapeError>(HasSubstr("must be [..., 2]")));
}

TEST(Dropout, TrainAndEval) {
  EXPECT_THAT([] { nn::Dropout(1.5); }, ThrowsMessage<ValueError>(HasSubstr("p must be in [0, 1], got 1.5")));
  nn::Dropout drop(0.5);
  const Tensor x = ones({4000});
  drop.eval();
  EXPECT_TRUE(allclose(drop.forward(x), x));
  drop.train();
  manual_seed(3);
  int zeros_seen = 0;
  for (float v : drop.forward(x).to_vector<float>()) {
    if (v == 0.0f) ++zeros_seen;
    else EXPECT_FLOAT_EQ(v, 2.0f);
  }
  EXPECT_NEAR(zeros_seen / 4000.0, 0.5, 0.05);
}

TEST(MLP, SameSeedSameWeights) {
  auto weights = [](uint64_t seed) {
    manual_seed(seed);
    nn::MLP mlp(nn::MLPOptions(3, {7}, 2));
    std::vector<float> out;
    for (const Tensor& p : mlp.parameters())
      for (float v : p.to_vector<float>()) out.push_back(v);
    return out;
  };
  EXPECT_EQ(weights(11), weights(11));
  EXPECT_NE(weights(11), weights(12));
}

TEST(MLP, SaveLoadReproducesOutputs) {
  const std::string path = ::testing::TempDir() + "loom_mlp_" + std::to_string(::getpid()) + ".safetensors";
  manual_seed(1);
  nn::MLP a(nn::MLPOptions(3, {6}, 2).norm(NormLayer::kBatch));
  const Tensor x = random_tensor({5, 3}, 2, -1, 1, kFloat32);
  a.forward(x);  // moves the running statistics away from their defaults
  a.eval();
  nn::save(a, path);
  manual_seed(2);
  nn::MLP b(nn::MLPOptions(3, {6}, 2).norm(NormLayer::kBatch));
  b.eval();
  EXPECT_FALSE(allclose(b.forward(x), a.forward(x)));
  nn::load(b, path);
  EXPECT_EQ(b.forward(x).to_vector<float>(), a.forward(x).to_vector<float>());
  nn::MLP wrong(nn::MLPOptions(3, {5}, 2));
  EXPECT_THAT([&] { nn::load(wrong, path); },
              ThrowsMessage<ValueError>(HasSubstr("shape of 'layers.0.weight': expected [5, 3], found [6, 3]")));
  std::filesystem::remove(path);
}

// Four Gaussian blobs at (+-1, +-1) labelled by XOR of the signs: not linearly separable, but easy for an MLP.
struct Blobs {
  Tensor x, y;
};
Blobs xor_blobs(int n) {
  std::mt19937 gen(2024);
  std::normal_distribution<float> noise(0.0f, 0.2f);
  std::vector<float> xs;
  std::vector<int64_t> ys;
  for (int i = 0; i < n; ++i) {
    const float cx = (i & 1) ? 1.0f : -1.0f, cy = (i & 2) ? 1.0f : -1.0f;
    xs.push_back(cx + noise(gen));
    xs.push_back(cy + noise(gen));
    ys.push_back(cx * cy > 0 ? 1 : 0);
  }
  return {from_vector<float>(xs, {n, 2}), from_vector<int64_t>(ys, {n})};
}

struct TrainRun {
  std::vector<double> losses;
  double accuracy = 0;
};
TrainRun train_xor(uint64_t seed, const nn::MLPOptions& options, int epochs) {
  const Blobs data = xor_blobs(200);
  manual_seed(seed);
  nn::MLP mlp(options);
  optim::Adam adam(mlp.parameters(), optim::AdamOptions(0.03));
  TrainRun run;
  for (int e = 0; e < epochs; ++e) {
    adam.zero_grad();
    Tensor loss = cross_entropy(mlp.forward(data.x), data.y);
    loss.backward();
    adam.step();
    run.losses.push_back(loss.item_double());
  }
  mlp.eval();
  NoGradGuard no_grad;
  const std::vector<int64_t> pred = argmax(mlp.forward(data.x), 1).to_vector<int64_t>();
  const std::vector<int64_t> truth = data.y.to_vector<int64_t>();
  int correct = 0;
  for (size_t i = 0; i < pred.size(); ++i) correct += pred[i] == truth[i];
  run.accuracy = correct / static_cast<double>(pred.size());
  return run;
}

TEST(MLP, LearnsXorToFullAccuracy) {
  const TrainRun run = train_xor(42, nn::MLPOptions(2, {16, 16}, 2), 200);
  EXPECT_EQ(run.accuracy, 1.0);
  EXPECT_LT(run.losses.back(), 0.1 * run.losses.front());
}

TEST(MLP, SameSeedSameTraining) {
  // Dropout and batch norm included: their randomness and statistics must repeat exactly too.
  const nn::MLPOptions options = nn::MLPOptions(2, {16}, 2).dropout(0.2).norm(NormLayer::kBatch).activation(Activation::kGelu);
  const TrainRun a = train_xor(5, options, 30);
  const TrainRun b = train_xor(5, options, 30);
  EXPECT_EQ(a.losses, b.losses);
  EXPECT_NE(a.losses, train_xor(6, options, 30).losses);
}

TEST(MLP, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  manual_seed(8);
  nn::MLP cpu(nn::MLPOptions(3, {8, 8}, 2).norm(NormLayer::kLayer).activation(Activation::kGelu));
  manual_seed(8);
  nn::MLP gpu(nn::MLPOptions(3, {8, 8}, 2).norm(NormLayer::kLayer).activation(Activation::kGelu));
  gpu.to(kCUDA);
  const Tensor x = random_tensor({16, 3}, 4, -1, 1, kFloat32);
  const Tensor yc = cpu.forward(x), yg = gpu.forward(x.cuda());
  EXPECT_TRUE(allclose(yg.cpu(), yc, 1e-5, 1e-5));
  sum(mul(yc, yc)).backward();
  sum(mul(yg, yg)).backward();
  const NamedTensors pc = cpu.named_parameters(), pg = gpu.named_parameters();
  for (const auto& [name, p] : pc) EXPECT_TRUE(allclose(pg.at(name).grad().cpu(), p.grad(), 1e-4, 1e-5)) << name;
}

}  // namespace
}  // namespace loom
