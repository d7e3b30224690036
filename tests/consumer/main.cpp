// An outside project: trains a small MLP for a few Adam steps through the installed headers and library, saves
// and reloads its weights, and fails unless the loss went down and the reload reproduces the predictions.
#include <cstdio>
#include <loom/core/nn.h>
#include <loom/core/ops.h>
#include <loom/core/optim.h>
#include <loom/core/random.h>

int main() {
  using namespace loom;
  manual_seed(42);
  // Two Gaussian blobs in 4-D, labels 0 and 1.
  const int64_t n = 64;
  Tensor x = randn({n, 4});
  std::vector<int64_t> labels(n);
  for (int64_t i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = i % 2;
  Tensor y = from_vector<int64_t>(labels);
  Tensor shift = mul_scalar(y.to(kFloat32).view({n, 1}), 3.0);
  x = add(x, shift);

  auto mlp = std::make_shared<nn::MLP>(nn::MLPOptions(4, {16}, 2));
  optim::Adam opt(mlp->parameters(), optim::AdamOptions(0.05));
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    opt.zero_grad();
    Tensor loss = cross_entropy(mlp->forward(x), y);
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item_double();
  }
  nn::save(*mlp, "consumer_mlp.safetensors");
  auto again = std::make_shared<nn::MLP>(nn::MLPOptions(4, {16}, 2));
  nn::load(*again, "consumer_mlp.safetensors");
  mlp->eval();
  again->eval();
  const double diff = max_abs_diff(mlp->forward(x), again->forward(x));
  std::printf("consumer: loss %.4f -> %.4f, reload max diff %g\n", first, last, diff);
  return (last < first && diff == 0.0) ? 0 : 1;
}
