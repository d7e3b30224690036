// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The step every multi-process task shares: each process holds the gradient of its share of the loss, and the
// optimizer needs the sum.
#pragma once
#include "loom/core/nn.h"
#include "loom/dist/comm.h"

namespace loom::dist {

// Replaces every parameter's gradient by its sum over the processes (one allreduce per dtype; a parameter without a
// gradient counts as zeros and ends with the summed one). Every process must call it with the same model.
// DTypeError for a parameter that is not float32 or float64.
void sum_gradients(Communicator& comm, nn::Module& model);

}  // namespace loom::dist
