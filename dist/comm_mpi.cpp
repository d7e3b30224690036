// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The MPI backend (built when CMake finds MPI). Collectives are point-to-point messages (MPI_Isend/MPI_Irecv) polled
// against a deadline rather than MPI's blocking collectives: a blocking collective waits forever for a peer that
// hangs, and cannot say which peer it waits for. Each collective call gets its own tag (a counter that advances
// alike on every rank), so a rank that has fallen out of step also times out instead of matching the wrong call.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "loom/core/error.h"
#include "loom/dist/comm.h"

namespace loom::dist {

namespace {

using Clock = std::chrono::steady_clock;

void check_mpi(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  throw Error(std::string("mpi: ") + call + " failed: " + std::string(text, static_cast<size_t>(len)));
}

int message_count(int64_t bytes, int peer) {
  LOOM_CHECK(bytes <= INT_MAX, ValueError, "mpi: a message of ", bytes, " bytes to or from rank ", peer,
             " exceeds MPI's int count (2^31 - 1 bytes); use more processes");
  return static_cast<int>(bytes);
}

class MpiCommunicator : public Communicator {
 public:
  explicit MpiCommunicator(const MpiOptions& o) : options_(o) {
    LOOM_CHECK(o.timeout_seconds > 0, ValueError, "mpi_world: timeout_seconds must be positive, got ",
               o.timeout_seconds);
    int initialised = 0;
    MPI_Initialized(&initialised);
    LOOM_CHECK(!initialised, Error, "mpi_world: MPI is already initialised in this process (call mpi_world once)");
    int provided = 0;
    // Only the calling thread talks to MPI; TBB's workers never do.
    check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    // Errors come back as codes (thrown as loom::Error) instead of aborting every process at once.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    int* ub = nullptr;
    int found = 0;
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &ub, &found);
    tag_ub_ = found && ub ? *ub : 32767;
  }
  ~MpiCommunicator() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend() const override { return "mpi"; }

 protected:
  void do_allgather(std::span<const std::byte> send, std::span<std::byte> recv) override {
    const auto n = static_cast<int64_t>(send.size());
    std::vector<int64_t> counts(static_cast<size_t>(size_), n);
    std::vector<std::byte> sends;  // size() copies of `send`, so the exchange is an alltoallv
    sends.reserve(send.size() * static_cast<size_t>(size_));
    for (int q = 0; q < size_; ++q) sends.insert(sends.end(), send.begin(), send.end());
    exchange("allgather", sends, counts, recv, counts, /*always=*/true);
  }

  void do_alltoallv(std::span<const std::byte> send, std::span<const int64_t> send_counts, std::span<std::byte> recv,
                    std::span<const int64_t> recv_counts) override {
    exchange("alltoallv", send, send_counts, recv, recv_counts, /*always=*/false);
  }

  void do_barrier() override {
    const std::vector<int64_t> zeros(static_cast<size_t>(size_), 0);
    exchange("barrier", {}, zeros, {}, zeros, /*always=*/true);
  }

 private:
  // The messages of one collective: what this rank's share to itself is copied; every other peer gets one message
  // (empty ones too when `always`, so a barrier waits for everyone) and is polled until the deadline.
  void exchange(const char* op, std::span<const std::byte> send, std::span<const int64_t> send_counts,
                std::span<std::byte> recv, std::span<const int64_t> recv_counts, bool always) {
    const int tag = static_cast<int>(call_++ % static_cast<uint64_t>(tag_ub_));
    std::vector<MPI_Request> requests;
    std::vector<int> peer;          // the peer of each request
    std::vector<bool> is_receive;   // and its direction
    int64_t send_at = 0, recv_at = 0;
    for (int q = 0; q < size_; ++q) {
      const int64_t s = send_counts[q], r = recv_counts[q];
      if (q == rank_) {
        LOOM_CHECK(s == r, ValueError, op, ": rank ", rank_, " sends itself ", s, " bytes but expects ", r);
        if (s > 0) std::copy_n(send.begin() + send_at, s, recv.begin() + recv_at);
      } else {
        if (r > 0 || always) {
          requests.emplace_back();
          check_mpi(MPI_Irecv(recv.data() + recv_at, message_count(r, q), MPI_BYTE, q, tag, MPI_COMM_WORLD,
                              &requests.back()),
                    "MPI_Irecv");
          peer.push_back(q);
          is_receive.push_back(true);
        }
        if (s > 0 || always) {
          requests.emplace_back();
          check_mpi(MPI_Isend(send.data() + send_at, message_count(s, q), MPI_BYTE, q, tag, MPI_COMM_WORLD,
                              &requests.back()),
                    "MPI_Isend");
          peer.push_back(q);
          is_receive.push_back(false);
          add_bytes_sent(s);
        }
      }
      send_at += s;
      recv_at += r;
    }
    wait(op, tag, requests, peer, is_receive);
  }

  void wait(const char* op, int tag, std::vector<MPI_Request>& requests, const std::vector<int>& peer,
            const std::vector<bool>& is_receive) {
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration<double>(options_.timeout_seconds);
    for (;;) {
      int done = 0;
      std::vector<MPI_Status> statuses(requests.size());
      check_mpi(MPI_Testall(static_cast<int>(requests.size()), requests.data(), &done, statuses.data()),
                "MPI_Testall");
      if (done) return;
      const auto now = Clock::now();
      if (now > deadline) break;
      // Spin for the first millisecond (halo exchanges are short), then yield the core to the other processes of an
      // oversubscribed machine.
      if (now - start > std::chrono::milliseconds(1)) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    std::string waiting;
    for (size_t i = 0; i < requests.size(); ++i) {
      int done = 0;
      MPI_Test(&requests[i], &done, MPI_STATUS_IGNORE);
      if (!done) waiting += std::string(waiting.empty() ? "" : ", ") + (is_receive[i] ? "from" : "to") + " rank " +
                            std::to_string(peer[i]);
    }
    std::ostringstream what;
    what << "mpi: rank " << rank_ << " of " << size_ << " waited " << options_.timeout_seconds << " s in " << op
         << " (call " << tag << ") for messages " << waiting
         << ": that process died, hangs, or runs a different collective";
    throw Error(what.str());
  }

  MpiOptions options_;
  int rank_ = 0, size_ = 1, tag_ub_ = 32767;
  uint64_t call_ = 0;
};

}  // namespace

bool has_mpi() { return true; }

std::unique_ptr<Communicator> mpi_world(const MpiOptions& options) {
  return std::make_unique<MpiCommunicator>(options);
}

void abort_world(int code) {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  if (initialised && !finalised) MPI_Abort(MPI_COMM_WORLD, code);
}

}  // namespace loom::dist
