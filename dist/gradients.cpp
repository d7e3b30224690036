// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Summing the parameters' gradients over processes (loom/dist/gradients.h): packed into one buffer per dtype on the
// parameters' device, so a step costs one collective however many parameters the model has.
#include "loom/dist/gradients.h"

#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::dist {

void sum_gradients(Communicator& comm, nn::Module& model) {
  NoGradGuard no_grad;
  const std::vector<Tensor> params = model.parameters();
  for (const DType dtype : {kFloat32, kFloat64}) {
    std::vector<Tensor> flat;
    std::vector<const Tensor*> mine;
    for (const Tensor& p : params) {
      LOOM_CHECK(p.dtype() == kFloat32 || p.dtype() == kFloat64, DTypeError, "sum_gradients: parameters are float32 "
                 "or float64, got ", dtype_name(p.dtype()));
      if (p.dtype() != dtype) continue;
      LOOM_CHECK(mine.empty() || p.device() == mine.front()->device(), DeviceError, "sum_gradients: the model's "
                 "parameters are on ", mine.empty() ? "" : mine.front()->device().str(), " and ", p.device().str(),
                 "; move the model to one device");
      const Tensor g = p.grad().defined() ? p.grad() : zeros(p.shape(), p.dtype(), p.device());
      flat.push_back(reshape(g, {g.numel()}));
      mine.push_back(&p);
    }
    if (mine.empty()) continue;
    // On the parameters' device: NCCL sums GPU buffers in place, the host backends stage them.
    const Tensor sum = concat(flat, 0);
    comm.allreduce_sum(sum);
    int64_t at = 0;
    for (const Tensor* p : mine) {
      p->set_grad(reshape(slice(sum, 0, at, at + p->numel()), p->shape()));
      at += p->numel();
    }
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
