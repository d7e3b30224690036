// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Loom's side of the distillation speed benchmark, on the hypergraph bench/distill_speed.py writes (55,000
// vertices, 13,750 hyperedges + singletons, F = 128, C = 8, and 1,000 new vertices that arrive with their
// features and memberships). Prints one JSON line per measurement:
//   teacher_full            Loom's HGNN teacher (128 -> 32 -> 8) on every old vertex
//   student_full_runtime    loom::runtime's student (128 -> 128 -> 8) on every old vertex
//   student_full_loom       the same student through Loom's own eval-mode forward
//   one_vertex_runtime      one old vertex's row through the runtime (p50 and p99 of 20,000 single calls)
//   new_vertex_teacher      the teacher path for a new vertex: its receptive field in the structure (2 rounds of
//                           vertex -> hyperedge -> vertex) cut out and run (models::predict_nodes), per query
//   new_vertex_student      the runtime on that vertex's features, per query
//   new_batch_teacher / new_batch_student: the same for all 1,000 new vertices at once
// CPU runs use oneTBB's threads, so `taskset -c 0` makes them one-core numbers; --threads sets the runtime's.
//   bench_distill_speed --dir DIR [--device cpu|cuda] [--threads 16] [--queries 200]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

#include "common.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/hypergraph/hypergraph.h"
#include "loom/models/distill.h"
#include "loom/models/export.h"
#include "loom/models/predict.h"
#include "loom/models/registry.h"
#include "loom/runtime/runtime.h"

namespace {

using namespace loom;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

void line(const char* workload, const std::string& impl, const std::string& where, double ms, double p99 = -1) {
  std::printf("{\"workload\":\"%s\",\"impl\":\"%s\",\"where\":\"%s\",\"ms\":%.6f", workload, impl.c_str(),
              where.c_str(), ms);
  if (p99 >= 0) std::printf(",\"p99_ms\":%.6f", p99);
  std::printf("}\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"distillation speed: HGNN teacher vs exported MLP student"};
  std::string dir, device_name = "cpu", where;
  int threads = 1, queries = 200;
  app.add_option("--dir", dir, "folder written by bench/distill_speed.py")->required();
  app.add_option("--device", device_name, "cpu or cuda (the teacher and Loom's student; the runtime is CPU only)");
  app.add_option("--threads", threads, "runtime threads for the full-set batch");
  app.add_option("--queries", queries, "single-vertex teacher queries to time");
  app.add_option("--where", where, "label of this run in the output (default: the device)");
  CLI11_PARSE(app, argc, argv);
  const Device device = Device::parse(device_name);
  if (where.empty()) where = device.str();

  const Tensor x_all = data::read_npy(dir + "/x.npy");
  const Tensor incidence = data::read_npy(dir + "/hyperedge_index.npy");
  const int64_t n_all = x_all.size(0), f = x_all.size(1), c = 8, n_new = 1000, n_old = n_all - n_new;
  // The old structure (vertices 0..n_old-1) and the structure after the new vertices arrived.
  const std::vector<int64_t> inc = incidence.to_vector<int64_t>();
  const size_t nnz = inc.size() / 2;
  std::vector<int64_t> ov, oe;
  for (size_t k = 0; k < nnz; ++k)
    if (inc[k] < n_old) {
      ov.push_back(inc[k]);
      oe.push_back(inc[nnz + k]);
    }
  ov.insert(ov.end(), oe.begin(), oe.end());
  const auto h_old = hypergraph::Hypergraph::from_incidence(
                         from_vector<int64_t>(ov, {2, static_cast<int64_t>(oe.size())}), n_old)
                         .to(device);
  const auto h_all = hypergraph::Hypergraph::from_incidence(incidence, n_all).to(device);
  const Tensor x_old = x_all.narrow_rows(0, n_old).to(device), x_dev = x_all.to(device);

  manual_seed(0);
  models::NodeClassifier teacher(models::paper_options("hgnn", f, c).hidden(32));
  teacher.to(device);
  teacher.eval();
  models::StudentMLP student(models::StudentOptions(f, c));
  student.eval();  // exported from the CPU; moved to `device` after the runtime has loaded it
  const std::string path = (std::filesystem::temp_directory_path() / "bench_distill_student.loom").string();
  models::export_model(student, path, {});
  const runtime::Model served = runtime::Model::load(path);
  student.to(device);

  const std::vector<float> host_old = x_all.narrow_rows(0, n_old).to_vector<float>();
  const std::vector<float> host_new = x_all.narrow_rows(n_old, n_all).to_vector<float>();
  std::vector<float> out(static_cast<size_t>(n_old * c));
  NoGradGuard no_grad;

  line("teacher_full", "loom", where,
       bench::timed([&] { teacher.forward(h_old, x_old); }, device, 2, device.is_cuda() ? 20 : 5).ms);
  line("student_full_loom", "loom", where,
       bench::timed([&] { student.forward(x_old); }, device, 2, device.is_cuda() ? 20 : 5).ms);
  if (!device.is_cuda()) {
    line("student_full_runtime", "runtime x" + std::to_string(threads), where,
         bench::timed([&] { served.logits(host_old.data(), n_old, out.data(), threads); }, kCPU, 2, 10).ms);
    std::vector<double> one;
    std::mt19937_64 rng(1);
    for (int i = 0; i < 20000; ++i) {
      const auto row = static_cast<int64_t>(rng() % static_cast<uint64_t>(n_old));
      const auto t0 = Clock::now();
      served.logits(host_old.data() + row * f, 1, out.data());
      one.push_back(ms_since(t0));
    }
    line("one_vertex_runtime", "runtime", where, quantile(one, 0.5), quantile(one, 0.99));
    // The int8 file (loom export --int8): smaller on disk; the runtime widens its weights to float at load.
    models::ExportInfo int8;
    int8.int8 = true;
    models::export_model(student, path, int8);
    const runtime::Model served8 = runtime::Model::load(path);
    line("student_full_runtime_int8", "runtime x" + std::to_string(threads), where,
         bench::timed([&] { served8.logits(host_old.data(), n_old, out.data(), threads); }, kCPU, 2, 10).ms);
    models::export_model(student, path, {});
  }

  // ---- the inductive case: vertices that arrive with features (and, for the teacher, their memberships)
  const models::Structure all{nullptr, &h_all};
  std::vector<double> teacher_one, student_one;
  for (int q = 0; q < queries; ++q) {
    const int64_t v = n_old + q % n_new;
    const Tensor id = from_vector<int64_t>({v}, {1});
    auto t0 = Clock::now();
    const models::Prediction p = models::predict_nodes(teacher, all, x_dev, id);
    if (device.is_cuda()) p.classes.cpu();  // the answer back on the host, as a service returns it
    teacher_one.push_back(ms_since(t0));
    t0 = Clock::now();
    served.logits(host_new.data() + (v - n_old) * f, 1, out.data());
    student_one.push_back(ms_since(t0));
  }
  line("new_vertex_teacher", "loom predict_nodes", where, quantile(teacher_one, 0.5), quantile(teacher_one, 0.99));
  line("new_vertex_student", "runtime", "cpu", quantile(student_one, 0.5), quantile(student_one, 0.99));
  std::vector<int64_t> ids(static_cast<size_t>(n_new));
  for (int64_t i = 0; i < n_new; ++i) ids[static_cast<size_t>(i)] = n_old + i;
  const Tensor new_ids_global = from_vector<int64_t>(ids, {n_new});
  line("new_batch_teacher", "loom predict_nodes", where, bench::timed([&] {
         const models::Prediction p = models::predict_nodes(teacher, all, x_dev, new_ids_global);
         if (device.is_cuda()) p.classes.cpu();
       }, device, 1, 5).ms);
  line("new_batch_student", "runtime x1", "cpu",
       bench::timed([&] { served.logits(host_new.data(), n_new, out.data()); }, kCPU, 2, 20).ms);
  if (device.is_cuda()) {
    const Tensor x_new = x_all.narrow_rows(n_old, n_all).to(device);
    line("new_batch_student", "loom", where, bench::timed([&] { student.forward(x_new).cpu(); }, device, 2, 20).ms);
  }
  std::filesystem::remove(path);
  return 0;
}
