// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The NCCL backend (loom/dist/comm.h): CUDA tensors move GPU to GPU through NCCL on Loom's stream; everything in host
// memory goes through the bootstrap communicator (MPI). Built only where CMake found nccl.h and libnccl beside CUDA
// and MPI.
//
// NCCL blocks inside a kernel when a peer never joins a collective, so the communicator is created non-blocking and
// every call is waited for by polling: the stream's completion and NCCL's asynchronous error, against a deadline. On
// a timeout the communicator is aborted (which frees the stuck kernels) and the call throws; the run then ends through
// abort_world as the MPI backend's do.
#include <cuda_runtime.h>
#include <nccl.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "loom/core/device.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/dist/comm.h"

namespace loom::dist {

namespace {

using Clock = std::chrono::steady_clock;

void check_cuda(cudaError_t e, const char* what) {
  LOOM_CHECK(e == cudaSuccess, Error, "nccl: ", what, " failed: ", cudaGetErrorString(e));
}

class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(std::shared_ptr<Communicator> host, const NcclOptions& o) : host_(std::move(host)), options_(o) {
    LOOM_CHECK(host_ != nullptr, ValueError, "nccl_world: no bootstrap communicator");
    LOOM_CHECK(o.timeout_seconds > 0, ValueError, "nccl_world: timeout_seconds must be positive, got ",
               o.timeout_seconds);
    LOOM_CHECK(cuda::is_available(), DeviceError, "nccl_world: no CUDA device is visible to rank ", host_->rank());
    check_cuda(cudaGetDevice(&device_), "cudaGetDevice");
    // NCCL refuses two ranks on one GPU at init, without saying which: compare the devices' UUIDs first, so that every
    // rank throws the same error naming them (and none is left waiting in the init).
    cudaDeviceProp prop{};
    check_cuda(cudaGetDeviceProperties(&prop, device_), "cudaGetDeviceProperties");
    std::vector<cudaUUID_t> uuids(static_cast<size_t>(host_->size()));
    host_->allgather(std::as_bytes(std::span<const cudaUUID_t>(&prop.uuid, 1)),
                     std::as_writable_bytes(std::span<cudaUUID_t>(uuids)));
    for (int a = 0; a < host_->size(); ++a)
      for (int b = a + 1; b < host_->size(); ++b)
        LOOM_CHECK(std::memcmp(&uuids[static_cast<size_t>(a)], &uuids[static_cast<size_t>(b)], sizeof(cudaUUID_t)) != 0,
                   DeviceError, "nccl_world: ranks ", a, " and ", b, " use the same GPU; NCCL needs one GPU per "
                   "process (start at most as many processes per host as it has GPUs, or use the MPI backend)");
    // Rank 0 draws the id; everyone receives it through the bootstrap communicator.
    ncclUniqueId id{};
    if (host_->rank() == 0) check(ncclGetUniqueId(&id), "ncclGetUniqueId");
    std::vector<ncclUniqueId> ids(static_cast<size_t>(host_->size()));
    host_->allgather(std::as_bytes(std::span<const ncclUniqueId>(&id, 1)),
                     std::as_writable_bytes(std::span<ncclUniqueId>(ids)));
    ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
    config.blocking = 0;
    check(ncclCommInitRankConfig(&comm_, host_->size(), ids[0], host_->rank(), &config), "ncclCommInitRankConfig");
    wait("ncclCommInitRankConfig", /*stream_too=*/false);
  }

  ~NcclCommunicator() override {
    if (comm_ == nullptr) return;
    // Finalize flushes outstanding work; a communicator that failed, or does not finish in time, is aborted instead.
    if (!failed_) {
      ncclResult_t state = ncclCommFinalize(comm_);
      const auto deadline = Clock::now() + std::chrono::duration<double>(options_.timeout_seconds);
      while (state == ncclInProgress && Clock::now() < deadline) {
        std::this_thread::yield();
        if (ncclCommGetAsyncError(comm_, &state) != ncclSuccess) break;
      }
      if (state == ncclSuccess) {
        ncclCommDestroy(comm_);
        return;
      }
    }
    ncclCommAbort(comm_);
  }

  int rank() const override { return host_->rank(); }
  int size() const override { return host_->size(); }
  std::string backend() const override { return "nccl"; }

 protected:
  // ---- host memory: the bootstrap communicator, its bytes counted here too
  void do_allgather(std::span<const std::byte> send, std::span<std::byte> recv) override {
    counted([&] { host_->allgather(send, recv); });
  }
  void do_alltoallv(std::span<const std::byte> send, std::span<const int64_t> send_counts, std::span<std::byte> recv,
                    std::span<const int64_t> recv_counts) override {
    counted([&] { host_->alltoallv(send, send_counts, recv, recv_counts); });
  }
  void do_allreduce_sum(std::span<float> values) override {
    counted([&] { host_->allreduce_sum(values); });
  }
  void do_allreduce_sum(std::span<double> values) override {
    counted([&] { host_->allreduce_sum(values); });
  }
  void do_barrier() override { host_->barrier(); }

  // ---- CUDA tensors: NCCL
  Tensor do_alltoallv_rows(const Tensor& x, std::span<const int64_t> send_rows,
                           std::span<const int64_t> recv_rows) override {
    if (!x.is_cuda()) return Communicator::do_alltoallv_rows(x, send_rows, recv_rows);
    check_device(x, "alltoallv_rows");
    const int64_t width = x.size(1), row_bytes = width * static_cast<int64_t>(dtype_size(x.dtype()));
    int64_t rows = 0;
    for (const int64_t r : recv_rows) rows += r;
    Tensor y = empty({rows, width}, x.dtype(), x.device());
    const auto* send = static_cast<const char*>(x.raw_data());
    auto* recv = static_cast<char*>(y.raw_data());
    const auto s = stream();
    const int me = rank();
    check(ncclGroupStart(), "ncclGroupStart");
    int64_t so = 0, ro = 0, sent = 0;
    for (int q = 0; q < size(); ++q) {
      const auto sb = static_cast<size_t>(send_rows[static_cast<size_t>(q)] * row_bytes);
      const auto rb = static_cast<size_t>(recv_rows[static_cast<size_t>(q)] * row_bytes);
      if (q == me) {
        LOOM_CHECK(sb == rb, ValueError, "alltoallv_rows: rank ", me, " sends itself ", sb, " bytes but expects ", rb);
        if (sb > 0) check_cuda(cudaMemcpyAsync(recv + ro, send + so, sb, cudaMemcpyDeviceToDevice, s), "cudaMemcpyAsync");
      } else {
        if (sb > 0) check(ncclSend(send + so, sb, ncclUint8, q, comm_, s), "ncclSend");
        if (rb > 0) check(ncclRecv(recv + ro, rb, ncclUint8, q, comm_, s), "ncclRecv");
        sent += static_cast<int64_t>(sb);
      }
      so += static_cast<int64_t>(sb);
      ro += static_cast<int64_t>(rb);
    }
    check(ncclGroupEnd(), "ncclGroupEnd");
    wait("alltoallv_rows", /*stream_too=*/true);
    add_bytes_sent(sent);
    return y;
  }

  void do_allreduce_sum(const Tensor& values) override {
    if (!values.is_cuda()) return Communicator::do_allreduce_sum(values);
    check_device(values, "allreduce_sum");
    if (values.numel() == 0 || size() == 1) return;
    void* p = values.raw_data();
    check(ncclAllReduce(p, p, static_cast<size_t>(values.numel()), values.dtype() == kFloat32 ? ncclFloat32 : ncclFloat64,
                        ncclSum, comm_, stream()),
          "ncclAllReduce");
    wait("allreduce_sum", /*stream_too=*/true);
    // A ring allreduce sends 2 (P - 1) / P of the buffer from each rank.
    add_bytes_sent(2 * static_cast<int64_t>(values.nbytes()) * (size() - 1) / size());
  }

 private:
  static cudaStream_t stream() { return static_cast<cudaStream_t>(cuda::current_stream()); }

  void check_device(const Tensor& x, const char* op) const {
    LOOM_CHECK(x.device().index == device_, DeviceError, op, ": rank ", rank(), "'s NCCL communicator is on cuda:",
               device_, ", the tensor on ", x.device().str());
  }

  // An NCCL call's immediate result: ncclInProgress is the non-blocking communicator's "queued".
  void check(ncclResult_t r, const char* what) {
    if (r == ncclSuccess || r == ncclInProgress) return;
    failed_ = true;
    const char* last = comm_ != nullptr ? ncclGetLastError(comm_) : "";
    throw Error(std::string("nccl: ") + what + " failed on rank " + std::to_string(rank()) + ": " +
                ncclGetErrorString(r) + (last != nullptr && *last ? std::string(" (") + last + ")" : ""));
  }

  // Until NCCL has taken the calls (and, with stream_too, the stream has run them), or the deadline passes.
  void wait(const char* what, bool stream_too) {
    const auto t0 = Clock::now();
    const auto deadline = t0 + std::chrono::duration<double>(options_.timeout_seconds);
    for (;;) {
      ncclResult_t state = ncclSuccess;
      check(ncclCommGetAsyncError(comm_, &state), "ncclCommGetAsyncError");
      check(state, what);
      bool done = state == ncclSuccess;
      if (done && stream_too) {
        const cudaError_t e = cudaStreamQuery(stream());
        if (e != cudaErrorNotReady) check_cuda(e, what);
        done = e == cudaSuccess;
      }
      if (done) return;
      if (Clock::now() > deadline) {
        failed_ = true;
        ncclCommAbort(comm_);
        comm_ = nullptr;
        throw Error("nccl: rank " + std::to_string(rank()) + " of " + std::to_string(size()) + " waited " +
                    std::to_string(static_cast<int>(options_.timeout_seconds)) + " s in " + what +
                    " for its peers (a process that died or hangs); the NCCL communicator was aborted");
      }
      std::this_thread::sleep_for(std::chrono::microseconds(Clock::now() - t0 < std::chrono::milliseconds(1) ? 0 : 50));
    }
  }

  // Runs a host collective and adds the bytes it sent to this communicator's statistics.
  template <class F>
  void counted(F&& f) {
    const int64_t before = host_->stats().bytes_sent;
    f();
    add_bytes_sent(host_->stats().bytes_sent - before);
  }

  std::shared_ptr<Communicator> host_;
  NcclOptions options_;
  ncclComm_t comm_ = nullptr;
  int device_ = 0;
  bool failed_ = false;
};

}  // namespace

bool has_nccl() { return true; }

std::unique_ptr<Communicator> nccl_world(std::shared_ptr<Communicator> host, const NcclOptions& options) {
  return std::make_unique<NcclCommunicator>(std::move(host), options);
}

}  // namespace loom::dist
