// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// What every communicator shares: argument checks, the statistics, the rank-ordered sum built on alltoallv, and the
// single-process backend.
#include "loom/dist/comm.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <numeric>

#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::dist {

namespace {

using Clock = std::chrono::steady_clock;

// Adds the time of one collective to the statistics when it leaves, however it leaves.
class Timed {
 public:
  explicit Timed(CommStats& s) : s_(s), t0_(Clock::now()) { ++s_.calls; }
  ~Timed() { s_.seconds += std::chrono::duration<double>(Clock::now() - t0_).count(); }
  Timed(const Timed&) = delete;
  Timed& operator=(const Timed&) = delete;

 private:
  CommStats& s_;
  Clock::time_point t0_;
};

int64_t total(std::span<const int64_t> counts, const char* what) {
  int64_t sum = 0;
  for (size_t q = 0; q < counts.size(); ++q) {
    LOOM_CHECK(counts[q] >= 0, ValueError, "alltoallv: ", what, "[", q, "] is ", counts[q]);
    sum += counts[q];
  }
  return sum;
}

}  // namespace

void Communicator::allgather(std::span<const std::byte> send, std::span<std::byte> recv) {
  LOOM_CHECK(recv.size() == send.size() * static_cast<size_t>(size()), ValueError, "allgather: recv holds ",
             recv.size(), " bytes, expected ", size(), " ranks x ", send.size());
  Timed t(stats_);
  do_allgather(send, recv);
}

void Communicator::alltoallv(std::span<const std::byte> send, std::span<const int64_t> send_counts,
                             std::span<std::byte> recv, std::span<const int64_t> recv_counts) {
  const auto p = static_cast<size_t>(size());
  LOOM_CHECK(send_counts.size() == p && recv_counts.size() == p, ValueError, "alltoallv: ", send_counts.size(),
             " send counts and ", recv_counts.size(), " receive counts for ", p, " ranks");
  LOOM_CHECK(total(send_counts, "send_counts") == static_cast<int64_t>(send.size()), ValueError,
             "alltoallv: the send counts add up to ", total(send_counts, "send_counts"), " bytes, send holds ",
             send.size());
  LOOM_CHECK(total(recv_counts, "recv_counts") == static_cast<int64_t>(recv.size()), ValueError,
             "alltoallv: the receive counts add up to ", total(recv_counts, "recv_counts"), " bytes, recv holds ",
             recv.size());
  Timed t(stats_);
  do_alltoallv(send, send_counts, recv, recv_counts);
}

void Communicator::allreduce_sum(std::span<float> values) {
  Timed t(stats_);
  do_allreduce_sum(values);
}

void Communicator::allreduce_sum(std::span<double> values) {
  Timed t(stats_);
  do_allreduce_sum(values);
}

void Communicator::barrier() {
  Timed t(stats_);
  do_barrier();
}

// A reduce-scatter and an allgather, both as alltoallv: rank q owns elements [n q / P, n (q + 1) / P), receives every
// rank's copy of them, sums the copies in rank order and sends the sums to everyone. Each process sends 2 n (P - 1) / P
// values instead of the n (P - 1) of an allgather of the whole vector, and the sum's order is still rank order.
template <typename T> void Communicator::sum_in_rank_order(std::span<T> values) {
  const auto P = static_cast<size_t>(size()), me = static_cast<size_t>(rank()), n = values.size();
  if (P == 1 || n == 0) return;
  auto begin = [&](size_t q) { return n * q / P; };
  const size_t mine = begin(me + 1) - begin(me);
  std::vector<int64_t> to_owner(P), from_each(P, static_cast<int64_t>(mine * sizeof(T)));
  for (size_t q = 0; q < P; ++q) to_owner[q] = static_cast<int64_t>((begin(q + 1) - begin(q)) * sizeof(T));
  std::vector<T> copies(mine * P);
  do_alltoallv(std::as_bytes(values), to_owner, std::as_writable_bytes(std::span<T>(copies)), from_each);
  std::vector<T> sums(mine * P);  // the summed range, once per destination rank
  for (size_t i = 0; i < mine; ++i) {
    T sum = copies[i];
    for (size_t r = 1; r < P; ++r) sum += copies[r * mine + i];
    for (size_t q = 0; q < P; ++q) sums[q * mine + i] = sum;
  }
  do_alltoallv(std::as_bytes(std::span<const T>(sums)), from_each, std::as_writable_bytes(values), to_owner);
}

Tensor Communicator::alltoallv_rows(const Tensor& x, std::span<const int64_t> send_rows,
                                    std::span<const int64_t> recv_rows) {
  const auto p = static_cast<size_t>(size());
  LOOM_CHECK(x.dim() == 2, ShapeError, "alltoallv_rows: x must be [rows, F], got ", x.shape_str());
  LOOM_CHECK(send_rows.size() == p && recv_rows.size() == p, ValueError, "alltoallv_rows: ", send_rows.size(),
             " send counts and ", recv_rows.size(), " receive counts for ", p, " ranks");
  LOOM_CHECK(total(send_rows, "send_rows") == x.size(0), ValueError, "alltoallv_rows: the send counts add up to ",
             total(send_rows, "send_rows"), " rows, x holds ", x.size(0));
  total(recv_rows, "recv_rows");
  Timed t(stats_);
  return do_alltoallv_rows(x, send_rows, recv_rows);
}

void Communicator::allreduce_sum(const Tensor& values) {
  LOOM_CHECK(values.dtype() == kFloat32 || values.dtype() == kFloat64, DTypeError,
             "allreduce_sum: values must be float32 or float64, got ", dtype_name(values.dtype()));
  Timed t(stats_);
  do_allreduce_sum(values);
}

Tensor Communicator::do_alltoallv_rows(const Tensor& x, std::span<const int64_t> send_rows,
                                       std::span<const int64_t> recv_rows) {
  const int64_t width = x.size(1), row_bytes = width * static_cast<int64_t>(dtype_size(x.dtype()));
  std::vector<int64_t> send_bytes, recv_bytes;
  int64_t rows = 0;
  for (size_t q = 0; q < send_rows.size(); ++q) {
    send_bytes.push_back(send_rows[q] * row_bytes);
    recv_bytes.push_back(recv_rows[q] * row_bytes);
    rows += recv_rows[q];
  }
  const Tensor host = x.cpu();  // x itself when it is on the CPU
  Tensor y = empty({rows, width}, x.dtype());
  do_alltoallv(std::span(static_cast<const std::byte*>(host.raw_data()), host.nbytes()), send_bytes,
               std::span(static_cast<std::byte*>(y.raw_data()), y.nbytes()), recv_bytes);
  return y.to(x.device());
}

void Communicator::do_allreduce_sum(const Tensor& values) {
  const Tensor host = values.cpu();
  if (values.dtype() == kFloat32) {
    do_allreduce_sum(std::span<float>(host.data<float>(), static_cast<size_t>(host.numel())));
  } else {
    do_allreduce_sum(std::span<double>(host.data<double>(), static_cast<size_t>(host.numel())));
  }
  if (values.is_cuda()) Tensor(values).copy_(host);  // a handle on the same storage
}

void Communicator::do_allreduce_sum(std::span<float> values) { sum_in_rank_order(values); }
void Communicator::do_allreduce_sum(std::span<double> values) { sum_in_rank_order(values); }

void SelfCommunicator::do_allgather(std::span<const std::byte> send, std::span<std::byte> recv) {
  if (!send.empty()) std::memcpy(recv.data(), send.data(), send.size());
}

void SelfCommunicator::do_alltoallv(std::span<const std::byte> send, std::span<const int64_t>,
                                    std::span<std::byte> recv, std::span<const int64_t>) {
  // One rank: everything sent goes to itself, so the spans have the same length (the counts were checked).
  LOOM_CHECK(send.size() == recv.size(), ValueError, "alltoallv: rank 0 sends itself ", send.size(),
             " bytes but expects ", recv.size());
  if (!send.empty()) std::memcpy(recv.data(), send.data(), send.size());
}

namespace {
// The first of `vars` that is set, as a count or index; `fallback` when none is.
int launcher_number(std::initializer_list<const char*> vars, int fallback, const char* what) {
  for (const char* v : vars) {
    if (const char* s = std::getenv(v)) {
      char* end = nullptr;
      const long r = std::strtol(s, &end, 10);
      LOOM_CHECK(end != s && *end == '\0' && r >= 0 && r < (1 << 20), ValueError, what, ": ", v, "='", s,
                 "' is not a process ", fallback == 0 ? "index" : "count");
      return static_cast<int>(r);
    }
  }
  return fallback;
}
}  // namespace

int local_rank() {
  return launcher_number({"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}, 0, "local_rank");
}
int local_size() { return launcher_number({"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"}, 1, "local_size"); }

bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

}  // namespace loom::dist
