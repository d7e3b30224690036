// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Summing the parameters' gradients over processes (loom/dist/gradients.h): packed into one buffer per dtype, so a
// step costs one collective however many parameters the model has.
#include "loom/dist/gradients.h"

#include <algorithm>
#include <span>
#include <vector>

#include "loom/core/error.h"

namespace loom::dist {

void sum_gradients(Communicator& comm, nn::Module& model) {
  const std::vector<Tensor> params = model.parameters();
  std::vector<float> f32;
  std::vector<double> f64;
  for (const Tensor& p : params) {
    LOOM_CHECK(p.dtype() == kFloat32 || p.dtype() == kFloat64, DTypeError, "sum_gradients: parameters are float32 "
               "or float64, got ", dtype_name(p.dtype()));
    const Tensor g = p.grad().defined() ? p.grad().cpu() : zeros(p.shape(), p.dtype());
    if (p.dtype() == kFloat32) {
      const float* d = g.data<float>();
      f32.insert(f32.end(), d, d + g.numel());
    } else {
      const double* d = g.data<double>();
      f64.insert(f64.end(), d, d + g.numel());
    }
  }
  comm.allreduce_sum(std::span<float>(f32));
  comm.allreduce_sum(std::span<double>(f64));
  size_t at32 = 0, at64 = 0;
  for (const Tensor& p : params) {
    Tensor g = empty(p.shape(), p.dtype());
    if (p.dtype() == kFloat32) {
      std::copy_n(f32.begin() + static_cast<std::ptrdiff_t>(at32), g.numel(), g.data<float>());
      at32 += static_cast<size_t>(g.numel());
    } else {
      std::copy_n(f64.begin() + static_cast<std::ptrdiff_t>(at64), g.numel(), g.data<double>());
      at64 += static_cast<size_t>(g.numel());
    }
    p.set_grad(g.to(p.device()));
  }
}

void EpochCosts::start(const Communicator& comm) {
  t0_ = std::chrono::steady_clock::now();
  c0_ = comm.stats();
}

void EpochCosts::stop(const Communicator& comm) {
  const CommStats now = comm.stats();
  epochs_.push_back({std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(),
                     {now.bytes_sent - c0_.bytes_sent, now.calls - c0_.calls, now.seconds - c0_.seconds}});
}

}  // namespace loom::dist
