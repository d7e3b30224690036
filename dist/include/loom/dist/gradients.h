// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// What every multi-process task shares: each process holds the gradient of its share of the loss and the optimizer
// needs the sum; and a log of what each epoch's training steps cost.
#pragma once
#include <chrono>
#include <vector>

#include "loom/core/nn.h"
#include "loom/dist/comm.h"

namespace loom::dist {

// Replaces every parameter's gradient by its sum over the processes (one allreduce per dtype; a parameter without a
// gradient counts as zeros and ends with the summed one). Every process must call it with the same model.
// DTypeError for a parameter that is not float32 or float64.
void sum_gradients(Communicator& comm, nn::Module& model);

// One epoch's training steps on one process: wall time (forward, backward, the gradient sum; evaluation excluded) and
// the communication inside it.
struct EpochCost {
  double seconds = 0;
  CommStats comm;
};

class EpochCosts {
 public:
  void start(const Communicator& comm);  // before the epoch's first step
  void stop(const Communicator& comm);   // after its last step's gradient sum
  const std::vector<EpochCost>& epochs() const { return epochs_; }

 private:
  std::chrono::steady_clock::time_point t0_;
  CommStats c0_;
  std::vector<EpochCost> epochs_;
};

}  // namespace loom::dist
