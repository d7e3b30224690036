// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Run under mpirun (tests/dist/CMakeLists.txt). Modes:
//   equal   P processes train a GCN on a METIS partition of a generated graph and every process also trains the
//           same model on the whole graph alone; the weights must agree within float32 rounding, and every rank must
//           hold bitwise the same weights (the rank-ordered gradient sum). Exit 0 and "equal: ..." on success.
//   data_parallel  P processes train mini-batches (each sampling its slice of every batch) and every process also
//           runs the same task alone (a one-process communicator); the same two checks.
//   stale   the same partitioned GCN trained at staleness 0, 1 and 3 (dist::HaloExchange): staleness 1's first
//           epoch must equal staleness 0's bitwise (both exchange fresh rows) and its second must differ (it reuses
//           the first epoch's rows, sending fewer bytes); every staleness's loss must fall and its weights must be
//           bitwise equal across ranks (the gradient sum stays exact); mean bytes per epoch must drop with k.
//   hang    rank 1 stops answering; rank 0's next collective must fail after its 2 s timeout, naming rank 1.
//   killed  rank 1 kills itself (SIGKILL) in the middle of training; the others must end, not wait forever.
//   cuda_mpi, cuda_nccl  "equal" with every process on a GPU (the whole-graph model too): cuda_mpi stages the halo
//           rows and gradients through host memory (any number of processes may share a GPU), cuda_nccl moves them
//           with NCCL (one GPU per process; process i takes GPU i % GPUs). Exit 77 (skipped) without a GPU.
//   nccl_shared_gpu  every process on GPU 0 under NCCL: nccl_world must refuse it with an error naming the ranks.
//   write_partition PATH N P  (no MPI) writes node v's part as v % P for N nodes, for the command line's tests.
// Bitwise equality with the one-process run is not possible: the one-process weight gradient X^T dY sums over every
// node in one product, the partitioned one sums per part and then across parts, and float addition is not
// associative. The rank-ordered sum makes the partitioned run itself repeatable bit for bit.
#include <csignal>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "loom/core/cuda_device.h"
#include "loom/core/device.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/data/npy.h"
#include "loom/dist/comm.h"
#include "loom/dist/data_parallel_task.h"
#include "loom/dist/partition_task.h"
#include "loom/graph/partition.h"
#include "loom/models/registry.h"
#include "loom/models/trainer.h"

namespace {

using namespace loom;

// Kills this process at the start of epoch `at` (the "killed" mode's rank 1).
class KillAt : public models::Callback {
 public:
  explicit KillAt(int at) : at_(at) {}
  void on_epoch_end(const models::EpochRecord& r) override {
    if (r.epoch + 1 == at_) std::raise(SIGKILL);
  }

 private:
  int at_;
};

int agree(dist::Communicator& comm, const char* mode, const models::NodeClassifier& parted,
          const models::NodeClassifier& whole, const models::TrainResult& r, const models::TrainResult& w,
          const std::string& what, double bytes);
int data_parallel(dist::Communicator& comm, const data::NodeDataset& d, const graph::Graph& g,
                  const models::TrainerOptions& t);
int stale(dist::Communicator& comm, const data::NodeDataset& d, const dist::PartitionedGraph& part,
          const models::GnnOptions& go, models::TrainerOptions t);

int run(dist::Communicator& comm, const std::string& mode, Device device = kCPU) {
  data::CsbmOptions o;
  o.num_nodes = 600;
  o.num_classes = 3;
  o.num_features = 16;
  o.num_val = 150;
  o.seed = 5;
  const data::NodeDataset d = data::make_csbm(o);
  const graph::Graph g = graph::Graph::from_edge_index(d.edge_index, d.num_nodes());
  const auto method = graph::has_metis() ? graph::PartitionMethod::kMetis : graph::PartitionMethod::kStreaming;
  const graph::Partition partition = graph::partition_graph(g, comm.size(), graph::PartitionOptions().method(method));
  models::GnnOptions go = models::paper_options("gcn", d.num_features(), d.num_classes);
  go.hidden(16).dropout(0.0);
  models::TrainerOptions t;
  t.epochs = mode == "killed" ? 50 : 10;

  if (mode == "hang") {
    if (comm.rank() == 1) std::this_thread::sleep_for(std::chrono::seconds(60));
    comm.barrier();
    return 0;
  }
  if (mode == "data_parallel") return data_parallel(comm, d, g, t);
  if (mode == "stale") return stale(comm, d, dist::partition_part(g, partition.part, comm.size(), comm.rank()), go, t);
  if (mode == "killed" && comm.rank() == 1) t.callbacks.push_back(std::make_shared<KillAt>(3));

  manual_seed(1);
  models::NodeClassifier parted(go);
  parted.to(device);
  dist::PartitionNodeTask task(comm, d, dist::partition_part(g, partition.part, comm.size(), comm.rank()), parted, 0,
                               device);
  const models::TrainResult r = models::fit(parted, task, t);

  manual_seed(1);
  models::NodeClassifier whole(go);
  whole.to(device);
  const graph::Graph gd = g.to(device);
  data::NodeDataset dd = d;
  dd.x = d.x.to(device);
  dd.y = d.y.to(device);
  for (Tensor* idx : {&dd.train_idx, &dd.val_idx, &dd.test_idx})
    if (idx->defined()) *idx = idx->to(device);
  models::NodeClassificationTask plain(dd, [&] { return whole.forward(gd, dd.x); });
  const models::TrainResult w = models::fit(whole, plain, t);

  const double bytes = static_cast<double>(task.epoch_costs().back().comm.bytes_sent);
  return agree(comm, "equal", parted, whole, r, w, task.part().str(), bytes);
}

// Whether `parted` (trained over the processes) is within float32 rounding of `whole` (trained alone) and bitwise
// the same on every rank; prints the numbers.
int agree(dist::Communicator& comm, const char* mode, const models::NodeClassifier& parted,
          const models::NodeClassifier& whole, const models::TrainResult& r, const models::TrainResult& w,
          const std::string& what, double bytes) {
  double max_diff = 0, max_abs = 0;
  std::vector<float> mine;
  for (const auto& [name, p] : parted.state_dict()) {
    const std::vector<float> a = p.to_vector<float>(), b = whole.state_dict().at(name).to_vector<float>();  // to host
    for (size_t i = 0; i < a.size(); ++i) {
      max_diff = std::max(max_diff, static_cast<double>(std::fabs(a[i] - b[i])));
      max_abs = std::max(max_abs, static_cast<double>(std::fabs(b[i])));
    }
    mine.insert(mine.end(), a.begin(), a.end());
  }
  std::vector<float> all(mine.size() * static_cast<size_t>(comm.size()));
  comm.allgather(std::as_bytes(std::span<const float>(mine)), std::as_writable_bytes(std::span<float>(all)));
  bool ranks_equal = true;
  for (int q = 0; q < comm.size(); ++q)
    ranks_equal = ranks_equal && std::memcmp(all.data() + q * mine.size(), mine.data(), mine.size() * sizeof(float)) == 0;
  // Float32 rounding of the reordered sums, carried through 10 Adam steps: far below one step's lr (0.01).
  const bool close = max_diff <= 1e-5 * std::max(1.0, max_abs);
  const bool ok = close && ranks_equal && (comm.size() == 1 || bytes > 0);
  std::printf("%s: rank %d of %d, %s; max |w_parts - w_whole| %.3g (largest |w| %.3g), ranks bitwise equal: %s, "
              "loss %.6f vs %.6f, test_acc %.4f vs %.4f, sent %.0f bytes in the last epoch; agrees: %s\n",
              mode, comm.rank(), comm.size(), what.c_str(), max_diff, max_abs, ranks_equal ? "yes" : "no",
              r.history.back().loss, w.history.back().loss, r.final.at("test_acc"), w.final.at("test_acc"), bytes,
              ok ? "yes" : "no");
  return ok ? 0 : 1;
}

int stale(dist::Communicator& comm, const data::NodeDataset& d, const dist::PartitionedGraph& part,
          const models::GnnOptions& go, models::TrainerOptions t) {
  t.epochs = 20;
  struct Run {
    std::vector<double> loss, bytes;
    bool ranks_equal = false;
  };
  auto train = [&](int64_t k) {
    manual_seed(1);
    models::NodeClassifier model(go);
    dist::PartitionNodeTask task(comm, d, part, model, k);
    const models::TrainResult r = models::fit(model, task, t);
    Run run;
    for (const models::EpochRecord& e : r.history) run.loss.push_back(e.loss);
    for (const dist::EpochCost& c : task.epoch_costs()) run.bytes.push_back(static_cast<double>(c.comm.bytes_sent));
    std::vector<float> mine;
    for (const auto& [name, p] : model.state_dict()) {
      const std::vector<float> v = p.to_vector<float>();
      mine.insert(mine.end(), v.begin(), v.end());
    }
    std::vector<float> all(mine.size() * static_cast<size_t>(comm.size()));
    comm.allgather(std::as_bytes(std::span<const float>(mine)), std::as_writable_bytes(std::span<float>(all)));
    run.ranks_equal = true;
    for (int q = 0; q < comm.size(); ++q)
      run.ranks_equal = run.ranks_equal &&
                        std::memcmp(all.data() + q * mine.size(), mine.data(), mine.size() * sizeof(float)) == 0;
    return run;
  };
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  const Run k0 = train(0), k1 = train(1), k3 = train(3);
  bool ok = k1.loss[0] == k0.loss[0] && k1.loss[1] != k0.loss[1] && k1.bytes[1] < k1.bytes[0] &&
            mean(k1.bytes) < mean(k0.bytes) && mean(k3.bytes) < mean(k1.bytes);
  for (const Run* r : {&k0, &k1, &k3}) ok = ok && r->ranks_equal && r->loss.back() < r->loss.front();
  std::printf("stale: rank %d of %d; loss epoch 1 %.9g / %.9g / %.9g, epoch 2 %.9g / %.9g / %.9g, epoch %d %.6f / "
              "%.6f / %.6f (staleness 0 / 1 / 3); mean bytes sent per epoch %.0f / %.0f / %.0f; ranks bitwise equal: "
              "%s; %s\n",
              comm.rank(), comm.size(), k0.loss[0], k1.loss[0], k3.loss[0], k0.loss[1], k1.loss[1], k3.loss[1],
              t.epochs, k0.loss.back(), k1.loss.back(), k3.loss.back(), mean(k0.bytes), mean(k1.bytes),
              mean(k3.bytes), k0.ranks_equal && k1.ranks_equal && k3.ranks_equal ? "yes" : "no", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

int data_parallel(dist::Communicator& comm, const data::NodeDataset& d, const graph::Graph& g,
                  const models::TrainerOptions& t) {
  // SAGE (mean over each destination's sampled edges): a node's output depends on its own draws only. GCN's
  // symmetric norm would not do: a sampled block's source degree depends on which other nodes share the batch.
  models::GnnOptions sage = models::paper_options("sage", d.num_features(), d.num_classes);
  sage.hidden(16).dropout(0.0);
  const graph::SampleOptions sampling = graph::SampleOptions().fanouts({5, 5}).seed(9);
  const int64_t batch = 16;  // 60 training nodes: 4 steps per epoch, the last one short
  manual_seed(1);
  models::NodeClassifier parted(sage);
  dist::DataParallelNodeTask task(comm, d, g, parted, sampling, batch);
  const models::TrainResult r = models::fit(parted, task, t);

  manual_seed(1);
  models::NodeClassifier whole(sage);
  dist::SelfCommunicator self;
  dist::DataParallelNodeTask alone(self, d, g, whole, sampling, batch);
  const models::TrainResult w = models::fit(whole, alone, t);
  const double bytes = static_cast<double>(task.epoch_costs().back().comm.bytes_sent);
  return agree(comm, "data_parallel", parted, whole, r, w, std::to_string(task.steps_per_epoch()) + " steps per epoch",
               bytes);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "equal";
  if (mode == "write_partition" && argc == 5) {
    const int64_t n = std::stoll(argv[3]), parts = std::stoll(argv[4]);
    std::vector<int64_t> part(static_cast<size_t>(n));
    for (int64_t v = 0; v < n; ++v) part[static_cast<size_t>(v)] = v % parts;
    loom::data::write_npy(argv[2], loom::from_vector<int64_t>(part, {n}));
    return 0;
  }
  const bool gpu = mode == "cuda_mpi" || mode == "cuda_nccl" || mode == "nccl_shared_gpu";
  if (gpu && !loom::cuda::is_available()) {
    std::printf("%s: no CUDA device: skipped\n", mode.c_str());
    return 77;
  }
  std::shared_ptr<loom::dist::Communicator> comm;
  try {
    comm = loom::dist::mpi_world(loom::dist::MpiOptions{.timeout_seconds = mode == "hang" ? 2.0 : 20.0});
    if (!gpu) return run(*comm, mode);
    const int gpu_index = mode == "nccl_shared_gpu" ? 0 : loom::dist::local_rank() % loom::cuda::device_count();
    loom::cuda::select_device(gpu_index);
    if (mode == "cuda_mpi") return run(*comm, "equal", loom::kCUDA);
    const std::unique_ptr<loom::dist::Communicator> nccl = loom::dist::nccl_world(comm);
    std::printf("%s: rank %d of %d on GPU %d, backend %s\n", mode.c_str(), nccl->rank(), nccl->size(), gpu_index,
                nccl->backend().c_str());
    return run(*nccl, "equal", loom::kCUDA);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rank %d: error: %s\n", comm ? comm->rank() : -1, e.what());
    std::fflush(stderr);
    loom::dist::abort_world(1);
    return 1;
  }
}
