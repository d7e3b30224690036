// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Fashion-MNIST as patch tokens: a small token model with a SoftHGNN block, an ACE-HGNN block, or neither (its MLP
// widened to the same parameter budget), trained with Adam over several seeds. Prints one JSON line per epoch and a
// final one (test accuracy mean/std over seeds, seconds per epoch, parameter count); --svg writes pictures of which
// patches join which soft hyperedges.
//
//   ./build/examples/fashion_tokens --block softhgnn --epochs 10 --seeds 3 --device cuda
//   ./build/examples/fashion_tokens --block none --match softhgnn ...   (the baseline at SoftHGNN's budget)
//
// Exit status 77 when the data set is not installed (apt install dataset-fashion-mnist, or set LOOM_FASHION_MNIST).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "fashion_svg.h"
#include "fashion_tokens.h"
#include "loom/core/autograd.h"
#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/data/images.h"

namespace {

using namespace loom;
using Clock = std::chrono::steady_clock;

struct RunConfig {
  int epochs = 10, batch = 128, seeds = 3;
  double lr = 1e-3;
  int64_t train_limit = 0, test_limit = 0;  // 0: all
  std::string device = cuda::is_available() ? "cuda" : "cpu";
  std::string svg_dir;
};

double seconds_since(Clock::time_point t0, Device device) {
  if (device.is_cuda()) cuda::synchronize();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double accuracy(examples::TokenClassifier& model, const Tensor& tokens, const std::vector<int64_t>& labels) {
  NoGradGuard no_grad;
  model.eval();
  int64_t correct = 0;
  const int64_t n = tokens.size(0), chunk = 1000;
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t end = std::min(n, start + chunk);
    const auto pred = argmax(model.forward(tokens.narrow_rows(start, end)), 1).cpu().to_vector<int64_t>();
    for (int64_t i = start; i < end; ++i) correct += pred[static_cast<size_t>(i - start)] == labels[static_cast<size_t>(i)];
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

void write_svgs(examples::TokenClassifier& model, const Tensor& test_images, const Tensor& test_tokens,
                const std::vector<int64_t>& labels, const std::vector<std::string>& names, const std::string& dir) {
  NoGradGuard no_grad;
  model.eval();
  std::filesystem::create_directories(dir);
  const int64_t count = std::min<int64_t>(6, test_tokens.size(0));
  const Tensor tokens = test_tokens.narrow_rows(0, count);
  const layers::SoftHGNNOutput details = model.soft_details(tokens);
  const auto predicted = argmax(model.forward(tokens), 1).cpu().to_vector<int64_t>();
  const Tensor a = details.participation.cpu();  // [count, 49, M]
  const int64_t tokens_per_image = a.size(1), m_total = a.size(2);
  const std::vector<float> all_a = a.to_vector<float>();
  const std::vector<float> pixels = test_images.narrow_rows(0, count).cpu().to_vector<float>();
  const int64_t h = test_images.size(1), w = test_images.size(2);
  for (int64_t i = 0; i < count; ++i) {
    examples::HyperedgePicture p;
    p.height = h;
    p.width = w;
    p.patch = 4;
    p.pixels.assign(pixels.begin() + i * h * w, pixels.begin() + (i + 1) * h * w);
    p.participation.assign(all_a.begin() + i * tokens_per_image * m_total,
                           all_a.begin() + (i + 1) * tokens_per_image * m_total);
    p.num_hyperedges = m_total;
    p.title = "test image " + std::to_string(i) + ": " + names[static_cast<size_t>(labels[static_cast<size_t>(i)])] +
              " (predicted " + names[static_cast<size_t>(predicted[static_cast<size_t>(i)])] + ")";
    const std::string path = dir + "/hyperedges_" + std::to_string(i) + ".svg";
    examples::write_hyperedge_svg(path, p);
    std::fprintf(stderr, "wrote %s\n", path.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Fashion-MNIST patch tokens: a token model with a SoftHGNN / ACE-HGNN block or none"};
  examples::TokenModelConfig model_config;
  RunConfig run;
  std::string match = "softhgnn", data_dir;
  app.add_option("--block", model_config.block, "mixing block")->check(CLI::IsMember({"none", "softhgnn", "ace"}));
  app.add_option("--match", match, "for --block none: widen the MLP to this block model's parameter count")
      ->check(CLI::IsMember({"softhgnn", "ace"}));
  app.add_option("--epochs", run.epochs)->check(CLI::PositiveNumber);
  app.add_option("--batch", run.batch)->check(CLI::PositiveNumber);
  app.add_option("--lr", run.lr)->check(CLI::PositiveNumber);
  app.add_option("--seeds", run.seeds, "runs with seeds 0 .. seeds-1")->check(CLI::PositiveNumber);
  app.add_option("--device", run.device)->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--train-limit", run.train_limit, "train on the first N images (0: all 60000)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--test-limit", run.test_limit, "test on the first N images (0: all 10000)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--svg", run.svg_dir, "softhgnn: write hyperedge pictures of 6 test images into this folder");
  app.add_option("--data", data_dir, "folder of the IDX files (default $LOOM_FASHION_MNIST or Debian's)");
  app.add_option("--dim", model_config.dim, "token width D")->check(CLI::PositiveNumber);
  app.add_option("--mlp-hidden", model_config.mlp_hidden, "per-token MLP width of the block models")
      ->check(CLI::PositiveNumber);
  app.add_option("--hyperedges", model_config.hyperedges, "SoftHGNN: M")->check(CLI::PositiveNumber);
  app.add_option("--heads", model_config.heads, "SoftHGNN: similarity heads")->check(CLI::PositiveNumber);
  app.add_option("--ace-top-k", model_config.ace_top_k, "ACE-HGNN: k")->check(CLI::PositiveNumber);
  app.add_option("--bottleneck", model_config.ace_bottleneck, "ACE-HGNN: adapter width r")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    const Device device = Device::parse(run.device);
    if (data_dir.empty()) data_dir = data::resolve_fashion_mnist_dir();
    if (!std::filesystem::exists(data_dir + "/train-images-idx3-ubyte.gz") &&
        !std::filesystem::exists(data_dir + "/train-images-idx3-ubyte")) {
      std::fprintf(stderr, "fashion_tokens: Fashion-MNIST not found in %s (apt install dataset-fashion-mnist)\n",
                   data_dir.c_str());
      return 77;
    }
    LOOM_CHECK(run.svg_dir.empty() || model_config.block == "softhgnn", ValueError,
               "fashion_tokens: --svg needs --block softhgnn");

    // 1. Parameter budget: the baseline's MLP is widened until it has as many parameters as the block model.
    nlohmann::json budget = {{"budget", true}, {"block", model_config.block}};
    int64_t target_params = 0;
    if (model_config.block == "none") {
      examples::TokenModelConfig target = model_config;
      target.block = match;
      target_params = examples::count_parameters(target);
      model_config.mlp_hidden = examples::matched_mlp_hidden(model_config, match);
    }
    const int64_t params = examples::count_parameters(model_config);
    budget["params"] = params;
    budget["mlp_hidden"] = model_config.mlp_hidden;
    if (model_config.block == "none") {
      const double rel = static_cast<double>(params - target_params) / static_cast<double>(target_params);
      budget["matched_to"] = match;
      budget["target_params"] = target_params;
      budget["relative_difference"] = rel;
      LOOM_CHECK(std::abs(rel) <= 0.05, ValueError, "fashion_tokens: the baseline has ", params,
                 " parameters, more than 5% from the ", match, " model's ", target_params);
    }
    std::printf("%s\n", budget.dump().c_str());

    // 2. Data: pixels in [0, 1] as [n, 49, 16] tokens, on the device once.
    data::ImageDataset d = data::load_fashion_mnist(data_dir);
    Tensor train_images = d.train_images, test_images = d.test_images;
    Tensor train_labels = d.train_labels, test_labels = d.test_labels;
    if (run.train_limit > 0 && run.train_limit < train_images.size(0)) {
      train_images = train_images.narrow_rows(0, run.train_limit);
      train_labels = train_labels.narrow_rows(0, run.train_limit);
    }
    if (run.test_limit > 0 && run.test_limit < test_images.size(0)) {
      test_images = test_images.narrow_rows(0, run.test_limit);
      test_labels = test_labels.narrow_rows(0, run.test_limit);
    }
    const Tensor train_tokens = data::patch_tokens(train_images, 4).to(device);
    const Tensor test_tokens = data::patch_tokens(test_images, 4).to(device);
    const Tensor train_y = train_labels.to(device);
    const std::vector<int64_t> test_y = test_labels.to_vector<int64_t>();
    const int64_t n_train = train_tokens.size(0);

    // 3. One training run per seed: seeded initialisation, shuffling and dropout.
    std::vector<double> accs, epoch_seconds;
    for (int seed = 0; seed < run.seeds; ++seed) {
      manual_seed(static_cast<uint64_t>(seed));
      examples::TokenClassifier model(model_config);
      model.to(device);
      optim::Adam opt(model.parameters(), optim::AdamOptions(run.lr));
      std::vector<int64_t> order(static_cast<size_t>(n_train));
      std::iota(order.begin(), order.end(), 0);
      for (int epoch = 1; epoch <= run.epochs; ++epoch) {
        model.train();
        shuffle(order);
        const auto t0 = Clock::now();
        Tensor loss_sum;
        for (int64_t start = 0; start < n_train; start += run.batch) {
          const int64_t end = std::min<int64_t>(n_train, start + run.batch);
          const Tensor idx = from_vector<int64_t>(std::vector<int64_t>(order.begin() + start, order.begin() + end),
                                                  {end - start}, device);
          opt.zero_grad();
          const Tensor loss = cross_entropy(model.forward(index_select(train_tokens, idx)), index_select(train_y, idx));
          loss.backward();
          opt.step();
          // Summed on the device: reading the loss back every step would stall the GPU.
          const Tensor weighted = mul_scalar(loss.detach(), static_cast<double>(end - start));
          loss_sum = loss_sum.defined() ? add(loss_sum, weighted) : weighted;
        }
        const double secs = seconds_since(t0, device);
        epoch_seconds.push_back(secs);
        const double mean_loss = loss_sum.item_double() / static_cast<double>(n_train);
        std::printf("%s\n", nlohmann::json({{"block", model_config.block}, {"seed", seed}, {"epoch", epoch},
                                            {"loss", mean_loss}, {"train_seconds", secs}})
                                .dump()
                                .c_str());
        std::fflush(stdout);
      }
      accs.push_back(accuracy(model, test_tokens, test_y));
      std::printf("%s\n", nlohmann::json({{"block", model_config.block}, {"seed", seed}, {"test_acc", accs.back()}})
                              .dump()
                              .c_str());
      if (!run.svg_dir.empty() && seed == 0) write_svgs(model, test_images, test_tokens, test_y, d.class_names, run.svg_dir);
    }

    // 4. Summary over seeds (sample standard deviation).
    const double mean_acc = std::accumulate(accs.begin(), accs.end(), 0.0) / static_cast<double>(accs.size());
    double var = 0;
    for (double a : accs) var += (a - mean_acc) * (a - mean_acc);
    const double std_acc = accs.size() > 1 ? std::sqrt(var / static_cast<double>(accs.size() - 1)) : 0.0;
    std::vector<double> sorted = epoch_seconds;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
    nlohmann::json summary = {
        {"summary", true},
        {"block", model_config.block},
        {"params", params},
        {"mlp_hidden", model_config.mlp_hidden},
        {"device", run.device},
        {"seeds", run.seeds},
        {"epochs", run.epochs},
        {"batch", run.batch},
        {"lr", run.lr},
        {"train_size", n_train},
        {"test_size", test_tokens.size(0)},
        {"test_acc_mean", mean_acc},
        {"test_acc_std", std_acc},
        {"test_accs", accs},
        {"seconds_per_epoch", std::accumulate(epoch_seconds.begin(), epoch_seconds.end(), 0.0) /
                                  static_cast<double>(epoch_seconds.size())},
        {"seconds_per_epoch_median", sorted[sorted.size() / 2]}};
    if (model_config.block == "none") summary["matched_to"] = match;
    std::printf("%s\n", summary.dump().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fashion_tokens: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
