// Trains a tiny softmax regression for a few steps through the installed Loom headers and library.
#include <cstdio>

#include <loom/core/autograd.h>
#include <loom/core/ops.h>
#include <loom/core/tensor.h>

int main() {
  using namespace loom;
  // Two separable points per class in 2-D.
  Tensor x = from_vector<float>({1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f}, {4, 2});
  Tensor w = zeros({2, 2});
  Tensor b = zeros({2});
  w.set_requires_grad(true);
  b.set_requires_grad(true);
  Tensor y = from_vector<float>({1, 1, -1, -1}, {4, 1});
  float first = 0, last = 0;
  for (int step = 0; step < 20; ++step) {
    Tensor pred = sum(mul(x, sum(w, 1)), 1, true) + sum(b);  // a linear score per row
    Tensor loss = sum(mul(sub(pred, y), sub(pred, y)));
    if (step == 0) first = loss.item<float>();
    last = loss.item<float>();
    loss.backward();
    {
      NoGradGuard g;
      w.add_(w.grad(), -0.05);
      b.add_(b.grad(), -0.05);
    }
    w.zero_grad();
    b.zero_grad();
  }
  std::printf("consumer: loss %.4f -> %.4f\n", first, last);
  return last < first ? 0 : 1;
}
