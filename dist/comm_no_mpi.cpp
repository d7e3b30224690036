// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Built in place of comm_mpi.cpp when CMake found no MPI: one-process runs and the SelfCommunicator still work, and
// asking for MPI says what to install.
#include "loom/core/error.h"
#include "loom/dist/comm.h"

namespace loom::dist {

bool has_mpi() { return false; }

std::unique_ptr<Communicator> mpi_world(const MpiOptions&) {
  throw NotImplementedError(
      "mpi_world: Loom was built without MPI; install Debian's libopenmpi-dev and openmpi-bin "
      "(scripts/setup.sh) and configure again");
}

void abort_world(int) {}

}  // namespace loom::dist
