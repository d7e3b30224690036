// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Collectives between the processes of one training run, behind a small interface so that a backend is one class:
// MPI for CPU processes (mpi_world(); Debian's OpenMPI, launched with mpirun), a single-process communicator for
// tests and one-process runs, and NCCL for GPU processes (nccl_world(), bootstrapped over MPI; built where the CUDA
// toolkit ships nccl.h and libnccl). Every backend counts what it sent and how long its calls took, so a run can
// report communication per epoch.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "loom/core/tensor.h"

namespace loom::dist {

struct CommStats {
  int64_t bytes_sent = 0;  // bytes this process sent to other processes (nothing counted for itself)
  int64_t calls = 0;       // collectives called
  double seconds = 0;      // wall time inside collectives, waiting for slower processes included
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string backend() const = 0;  // "self", "mpi", "nccl"

  // Every rank's `send` (the same byte count on every rank) concatenated in rank order into `recv` (size() times as
  // long). ValueError when recv's length is not size() x send's.
  void allgather(std::span<const std::byte> send, std::span<std::byte> recv);
  // Personalised exchange: send_counts[q] bytes of `send` (laid out in rank order) go to rank q, and recv_counts[q]
  // bytes from rank q land in `recv` (in rank order). What rank r expects from q must be what q sends r; a peer with
  // a count of 0 both ways exchanges no message. ValueError when the counts do not add up to the spans.
  void alltoallv(std::span<const std::byte> send, std::span<const int64_t> send_counts, std::span<std::byte> recv,
                 std::span<const int64_t> recv_counts);
  // In-place sum over ranks. The sum is taken in rank order (0 + 1 + ... + P-1) on every rank, so every rank holds
  // bitwise the same result and a run repeats bitwise (MPI_Allreduce promises neither).
  void allreduce_sum(std::span<float> values);
  void allreduce_sum(std::span<double> values);
  void barrier();

  // ---- tensors on any device. NCCL moves CUDA tensors GPU to GPU; the other backends stage them through host memory.
  // The rows of x ([sum(send_rows), F], contiguous; send_rows[q] of them go to rank q, in rank order) exchanged for
  // recv_rows[q] rows from each rank q: returns [sum(recv_rows), F] on x's device. ValueError when the counts do not
  // add up to x's rows.
  Tensor alltoallv_rows(const Tensor& x, std::span<const int64_t> send_rows, std::span<const int64_t> recv_rows);
  // In-place sum over ranks of a float32/float64 tensor. Host backends sum in rank order, as allreduce_sum above;
  // NCCL sums in its own order (every rank still receives the same bits).
  void allreduce_sum(const Tensor& values);

  const CommStats& stats() const { return stats_; }

 protected:
  virtual void do_allgather(std::span<const std::byte> send, std::span<std::byte> recv) = 0;
  virtual void do_alltoallv(std::span<const std::byte> send, std::span<const int64_t> send_counts,
                            std::span<std::byte> recv, std::span<const int64_t> recv_counts) = 0;
  // Sums through alltoallv (a reduce-scatter, then an allgather) unless a backend has a deterministic sum of its own.
  virtual void do_allreduce_sum(std::span<float> values);
  virtual void do_allreduce_sum(std::span<double> values);
  virtual void do_barrier() = 0;
  // The tensor forms: by default through host memory and the byte forms above (no copy for CPU tensors).
  virtual Tensor do_alltoallv_rows(const Tensor& x, std::span<const int64_t> send_rows,
                                   std::span<const int64_t> recv_rows);
  virtual void do_allreduce_sum(const Tensor& values);
  void add_bytes_sent(int64_t bytes) { stats_.bytes_sent += bytes; }

 private:
  template <typename T> void sum_in_rank_order(std::span<T> values);
  CommStats stats_;
};

// The one-process communicator: rank 0 of 1; every collective is a copy.
class SelfCommunicator : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string backend() const override { return "self"; }

 protected:
  void do_allgather(std::span<const std::byte> send, std::span<std::byte> recv) override;
  void do_alltoallv(std::span<const std::byte> send, std::span<const int64_t> send_counts, std::span<std::byte> recv,
                    std::span<const int64_t> recv_counts) override;
  void do_barrier() override {}
};

struct MpiOptions {
  // A collective that waits longer than this for a peer throws an Error naming the peers it still waits for (a
  // process that died or hangs), instead of waiting forever.
  double timeout_seconds = 300;
};

// Whether Loom was built with MPI (the dist module's MPI backend).
bool has_mpi();
// Whether this process was started by an MPI launcher (mpirun's environment: OMPI_COMM_WORLD_SIZE, PMI_SIZE or
// PMIX_RANK), so that mpi_world() joins a job of several processes.
bool launched_by_mpi();
// Initialises MPI (once per process) and returns MPI_COMM_WORLD as a Communicator; MPI is finalised when it is
// destroyed. NotImplementedError when Loom was built without MPI (naming the packages), Error when MPI was already
// initialised by this process.
std::unique_ptr<Communicator> mpi_world(const MpiOptions& options = {});
struct NcclOptions {
  // A collective that has not finished after this long aborts the NCCL communicator and throws an Error (a peer that
  // died or hangs), instead of waiting forever.
  double timeout_seconds = 300;
};

// Whether Loom was built with NCCL (it needs CUDA and MPI too).
bool has_nccl();
// A communicator over the same processes as `host` (normally mpi_world(), which bootstraps it: rank 0's NCCL id is
// gathered through it) whose tensor collectives on CUDA tensors run through NCCL on this process's current CUDA
// device and Loom's stream; host-memory collectives, and CPU tensors, still go through `host`. Every process must
// use its own GPU (NCCL refuses two ranks on one device). NotImplementedError when Loom was built without NCCL,
// DeviceError without a CUDA device.
std::unique_ptr<Communicator> nccl_world(std::shared_ptr<Communicator> host, const NcclOptions& options = {});
// This process's rank among the processes of its host (OMPI_COMM_WORLD_LOCAL_RANK, MPI_LOCALRANKID or
// SLURM_LOCALID), 0 outside a launcher: which GPU a process of a multi-GPU host takes; and how many processes the
// host runs (OMPI_COMM_WORLD_LOCAL_SIZE or MPI_LOCALNRANKS, 1 outside a launcher). ValueError for a malformed value.
int local_rank();
int local_size();

// Ends every process of the MPI job with `code` (MPI_Abort): what a rank calls after an error that its peers, blocked
// in a collective, would otherwise wait for. Does nothing without MPI or outside an MPI job.
void abort_world(int code);

}  // namespace loom::dist
