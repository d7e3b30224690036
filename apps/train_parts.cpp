// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// `loom train --parts P`: partition-parallel training, one process per part of the graph; `--data-parallel P --fanouts`:
// P processes, each sampling its slice of every mini-batch. Started outside an MPI job loom starts itself again under
// mpirun on this machine (P processes); inside one (mpirun -np P ... loom train --parts P, on as many hosts as mpirun
// is given) each process trains through models::fit and rank 0 reports.
#include <tbb/global_control.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "apps/prepare.h"
#include "apps/train.h"
#include "loom/core/cuda_device.h"
#include "loom/core/error.h"
#include "loom/core/random.h"
#include "loom/data/npy.h"
#include "loom/dist/comm.h"
#include "loom/dist/data_parallel_task.h"
#include "loom/dist/partition_task.h"
#include "loom/graph/partition.h"
#include "loom/models/saved_model.h"
#include "loom/models/sampled_task.h"

#ifndef LOOM_MPIEXEC_PATH
#define LOOM_MPIEXEC_PATH "mpirun"
#endif

namespace loom::cli {

namespace {

// This process's own command line (argv as the kernel keeps it), to start it again under mpirun.
std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
  LOOM_CHECK(!args.empty(), Error, "--parts: cannot read this process's command line from /proc/self/cmdline");
  return args;
}

int64_t processes(const TrainArgs& a) { return a.parts > 0 ? a.parts : a.data_parallel; }

// Starts P copies of this command under mpirun on this machine; returns only when exec fails. --oversubscribe:
// P may exceed the cores; --bind-to none: each process sizes its own thread pool (threads_per_part).
int spawn(const TrainArgs& a) {
  const char* launcher = std::getenv("LOOM_MPIRUN");
  const std::string mpirun = launcher && *launcher ? launcher : LOOM_MPIEXEC_PATH;
  const std::string P = std::to_string(processes(a));
  std::vector<std::string> args{mpirun, "-np", P, "--oversubscribe", "--bind-to", "none"};
  std::vector<std::string> self = own_command_line();
  self[0] = "/proc/self/exe";
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) self[0] = std::string(exe, static_cast<size_t>(n));
  args.insert(args.end(), self.begin(), self.end());
  // Open MPI's mpirun refuses root unless told otherwise; loom running as root (a container, CI) has already made that
  // choice, so it is passed on. Environment variables, not --allow-run-as-root, because other launchers reject the
  // flag; a value the user set is kept.
  if (geteuid() == 0) {
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
  }
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  if (!a.quiet) {
    std::string line;
    for (const std::string& s : args) line += (line.empty() ? "" : " ") + s;
    std::fprintf(stderr, "parts: %s\n", line.c_str());
  }
  std::fflush(stderr);
  execvp(argv[0], argv.data());
  throw Error("could not start '" + mpirun + "' for " + P + " processes (" + std::strerror(errno) +
              "); install openmpi-bin, set LOOM_MPIRUN to the launcher, or start the processes yourself: mpirun -np " +
              P + " loom train ...");
}

// The partition every process must agree on: from --partition-file (checked), or computed alike on each process.
Tensor make_partition(const TrainArgs& a, const graph::Graph& g, int64_t parts, std::string& method, int64_t& cut) {
  if (!a.partition_file.empty()) {
    const Tensor part = data::read_npy(a.partition_file);
    dist::check_partition(part, g.num_nodes(), parts, "--partition-file " + a.partition_file);
    method = "file";
    cut = -1;
    return part.to(kInt64);
  }
  const bool fallback = a.partition == "metis" && !graph::has_metis();
  const graph::Partition p = graph::partition_graph(
      g, parts,
      graph::PartitionOptions()
          .method(fallback ? graph::PartitionMethod::kStreaming : parse_choice<graph::PartitionMethod>(a.partition))
          .seed(a.seed));
  method = p.method;
  cut = p.edge_cut;
  return p.part;
}

// Every rank's partition must be the same: a rank that computed or read another one would exchange wrong rows.
void check_same_partition(dist::Communicator& comm, const Tensor& part) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the part ids
  for (int64_t p : part.to_vector<int64_t>()) h = (h ^ static_cast<uint64_t>(p)) * 1099511628211ull;
  std::vector<uint64_t> all(static_cast<size_t>(comm.size()));
  comm.allgather(std::as_bytes(std::span<const uint64_t>(&h, 1)), std::as_writable_bytes(std::span<uint64_t>(all)));
  for (int q = 0; q < comm.size(); ++q)
    LOOM_CHECK(all[static_cast<size_t>(q)] == all[0], ValueError, "--parts: rank ", q,
               " holds another partition than rank 0 (different data, flags or --partition-file contents)");
}

// GPU processes: NCCL under --comm nccl, or under auto where Loom has it and every process of every host has a GPU
// of its own (NCCL refuses two ranks on one GPU; all processes agree on the choice); otherwise `host` itself, whose
// collectives stage CUDA tensors through host memory.
std::shared_ptr<dist::Communicator> gpu_communicator(const std::shared_ptr<dist::Communicator>& host,
                                                    const TrainArgs& a) {
  if (a.comm == "mpi") return host;
  if (a.comm == "auto") {
    if (!dist::has_nccl()) return host;
    const int gpus = a.device == "cuda" ? cuda::device_count() : 1;  // "cuda:N" pins every process to one GPU
    double shared = dist::local_size() > gpus ? 1 : 0;
    host->allreduce_sum(std::span<double>(&shared, 1));
    if (shared > 0) return host;
  }
  return dist::nccl_world(host, dist::NcclOptions{.timeout_seconds = a.comm_timeout.value_or(300)});
}

int train_parts(dist::Communicator& comm, const TrainArgs& a, const data::NodeDataset& d, const models::GnnOptions& opts,
                const models::TrainerOptions& topt, const graph::Graph& g, models::FeatureTransform features,
                const std::vector<int64_t>& fanouts, Device device) {
  const int rank = comm.rank(), P = comm.size();
  const bool data_parallel = a.data_parallel > 0;
  std::string method = "none";
  int64_t cut = -1;
  Tensor part;
  if (!data_parallel) {
    part = make_partition(a, g, P, method, cut);
    check_same_partition(comm, part);
  }
  const bool report = rank == 0 && !a.quiet;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  std::vector<double> test;
  for (int i = 0; i < a.seeds; ++i) {
    const uint64_t seed = a.seed + static_cast<uint64_t>(i);
    data::NodeDataset run_data = d;
    apply_split(run_data, a.split, seed);
    manual_seed(seed);  // the same initial weights on every process
    auto model = std::make_shared<models::NodeClassifier>(opts);
    model->to(device);
    std::unique_ptr<models::Task> task;
    const std::vector<dist::EpochCost>* costs = nullptr;
    if (data_parallel) {
      auto t = std::make_unique<dist::DataParallelNodeTask>(comm, run_data, g, *model,
                                                            graph::SampleOptions().fanouts(fanouts).seed(seed),
                                                            a.batch.value_or(1024));
      costs = &t->epoch_costs();
      task = std::move(t);
    } else {
      auto t = std::make_unique<dist::PartitionNodeTask>(comm, run_data, dist::partition_part(g, part, P, rank), *model,
                                                        a.staleness.value_or(0), device);
      if (report && i == 0)
        std::fprintf(stderr, "parts: %s partition, %s; %s processes, %s\n", method.c_str(), t->part().str().c_str(),
                     device.is_cuda() ? "GPU" : "CPU", comm.backend().c_str());
      costs = &t->epoch_costs();
      task = std::move(t);
    }
    models::TrainerOptions run_opt = rank == 0 ? seed_run_options(a, topt, seed) : topt;
    run_opt.model_config = models::options_to_json(opts);
    const models::TrainResult r = models::fit(*model, *task, run_opt);

    // Per epoch: the slowest process's training-step time and communication time, every process's bytes.
    double mine[2] = {0, 0}, bytes = 0;
    for (const dist::EpochCost& e : *costs) {
      mine[0] += e.seconds;
      mine[1] += e.comm.seconds;
      bytes += static_cast<double>(e.comm.bytes_sent);
    }
    const auto epochs = static_cast<double>(std::max<size_t>(1, costs->size()));
    mine[0] /= epochs;
    mine[1] /= epochs;
    std::vector<double> per_rank(2 * static_cast<size_t>(P));
    comm.allgather(std::as_bytes(std::span<const double>(mine)), std::as_writable_bytes(std::span<double>(per_rank)));
    double step_s = 0, comm_s = 0;
    for (int q = 0; q < P; ++q) {
      step_s = std::max(step_s, per_rank[2 * static_cast<size_t>(q)]);
      comm_s = std::max(comm_s, per_rank[2 * static_cast<size_t>(q) + 1]);
    }
    bytes /= epochs;
    comm.allreduce_sum(std::span<double>(&bytes, 1));
    const auto test_acc = r.final.count("test_acc") ? nlohmann::ordered_json(r.final.at("test_acc"))
                                                    : nlohmann::ordered_json(nullptr);
    if (!test_acc.is_null()) test.push_back(test_acc.get<double>());
    if (report) {
      std::fprintf(stderr, "seed %llu: %s  (best epoch %d of %d, %.2f s; per epoch: training %.2f ms, of which "
                   "communication %.2f ms, %.1f KiB sent)\n", static_cast<unsigned long long>(seed),
                   nlohmann::json(r.final).dump().c_str(), r.best_epoch, r.epochs_run, r.seconds, 1e3 * step_s,
                   1e3 * comm_s, bytes / 1024);
    }
    runs.push_back({{"seed", seed},
                    {"test_acc", test_acc},
                    {"best_epoch", r.best_epoch},
                    {"epochs", r.epochs_run},
                    {"seconds", r.seconds},
                    {"train_seconds_per_epoch", step_s},
                    {"comm_seconds_per_epoch", comm_s},
                    {"comm_bytes_per_epoch", bytes}});
    if (rank == 0 && !a.save.empty() && i == 0) {
      models::save(*model, a.save, models::SavedModelInfo{features, !a.no_singletons, d.name, seed, ""});
    }
  }
  if (rank == 0) {
    double mean = 0;
    for (double t : test) mean += t / static_cast<double>(test.size());
    const nlohmann::ordered_json out = {{"model", a.model},
                                        {"dataset", d.name},
                                        {"test_acc", test.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(mean)},
                                        {"seeds", a.seeds},
                                        {"epochs", topt.epochs},
                                        {"mode", data_parallel ? "data_parallel" : "partition"},
                                        {"processes", P},
                                        {"device", device.is_cuda() ? "cuda" : "cpu"},
                                        {"comm", comm.backend()},
                                        {"parts", data_parallel ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(P)},
                                        {"partition", data_parallel ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(method)},
                                        {"edge_cut", cut < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(cut)},
                                        {"staleness", data_parallel ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(a.staleness.value_or(0))},
                                        {"fanouts", data_parallel ? nlohmann::ordered_json(fanouts) : nlohmann::ordered_json(nullptr)},
                                        {"batch_size", data_parallel ? nlohmann::ordered_json(a.batch.value_or(1024)) : nlohmann::ordered_json(nullptr)},
                                        {"threads_per_part", a.threads_per_part},
                                        {"runs", runs}};
    std::cout << out.dump() << std::endl;
  }
  return 0;
}

}  // namespace

void check_parts_flags(const TrainArgs& a, bool graph_model) {
  const std::string flag = a.parts > 0 ? "--parts" : "--data-parallel";
  LOOM_CHECK(a.task == "node" && graph_model, ValueError, flag, " trains node classifiers on graphs, not --task ",
             a.task, " or hypergraph models");
  LOOM_CHECK(a.parts == 0 || (a.fanouts.empty() && !a.history), ValueError, "--parts trains on the whole graph (its "
             "parts' halos exchanged exactly); for mini-batches over several processes use --data-parallel P --fanouts");
  LOOM_CHECK(a.data_parallel == 0 || (!a.fanouts.empty() && !a.history), ValueError, "--data-parallel splits "
             "sampled mini-batches: give --fanouts (one per layer); for the whole graph use --parts P");
  LOOM_CHECK(a.device == "cpu" || a.parts > 0, ValueError, flag, " runs CPU processes; --device ", a.device,
             " is supported with --parts only");
  LOOM_CHECK(a.checkpoint.empty(), ValueError, flag, " does not write checkpoints yet (every process would write "
             "the same folder); leave out --checkpoint");
  LOOM_CHECK(a.parts == 0 || (a.jk == "none" && a.norm != "batch"), ValueError, "--parts: jk and batch norm combine "
             "all nodes at once, which a part does not hold");
}

std::string parts_device(const TrainArgs& a) {
  if (a.device != "cuda" || !cuda::is_available()) return a.device;
  return "cuda:" + std::to_string(dist::local_rank() % cuda::device_count());
}

int maybe_spawn_parts(const TrainArgs& a) {
  if (processes(a) <= 1 || dist::launched_by_mpi()) return -1;
  return spawn(a);
}

int run_train_parts(const TrainArgs& a, const data::NodeDataset& d, const models::GnnOptions& opts,
                    const models::TrainerOptions& topt, const graph::Graph& g, models::FeatureTransform features,
                    const std::vector<int64_t>& fanouts, Device device) {
  const int64_t P = processes(a);
  // Each process takes its share of the cores (mpirun was told not to bind them).
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  TrainArgs args = a;
  if (args.threads_per_part == 0) args.threads_per_part = std::max<int64_t>(1, cores / static_cast<unsigned>(P));
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                              static_cast<size_t>(args.threads_per_part));
  std::shared_ptr<dist::Communicator> host;  // MPI (or this process alone); NCCL, when chosen, is built on it
  if (dist::launched_by_mpi()) {
    host = dist::mpi_world(dist::MpiOptions{.timeout_seconds = a.comm_timeout.value_or(300)});
  } else {
    host = std::make_shared<dist::SelfCommunicator>();
  }
  try {
    LOOM_CHECK(host->size() == P, ValueError, a.parts > 0 ? "--parts " : "--data-parallel ", P, " but this MPI job has ",
               host->size(), " processes (start it with mpirun -np ", P, ", or without mpirun to let loom start them)");
    const std::shared_ptr<dist::Communicator> comm = device.is_cuda() ? gpu_communicator(host, a) : host;
    return train_parts(*comm, args, d, opts, topt, g, features, fanouts, device);
  } catch (const std::exception& e) {
    if (host->size() == 1) throw;
    // The peers may be blocked in a collective this process will never join: end them all.
    std::fprintf(stderr, "loom: error (rank %d of %d): %s\n", host->rank(), host->size(), e.what());
    std::fflush(stderr);
    dist::abort_world(1);
    return 1;
  }
}

}  // namespace loom::cli
