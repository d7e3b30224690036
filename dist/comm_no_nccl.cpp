// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Built in place of comm_nccl.cpp when CMake found no NCCL (or no CUDA or MPI): CUDA tensors still cross processes,
// staged through host memory by the MPI backend, and asking for NCCL says what is missing.
#include "loom/core/error.h"
#include "loom/dist/comm.h"

namespace loom::dist {

bool has_nccl() { return false; }

std::unique_ptr<Communicator> nccl_world(std::shared_ptr<Communicator>, const NcclOptions&) {
  throw NotImplementedError(
      "nccl_world: Loom was built without NCCL; it needs the CUDA toolkit's nccl.h and libnccl (or -DLOOM_NCCL_ROOT "
      "pointing at an NCCL installation) and MPI, found at configure time");
}

}  // namespace loom::dist
