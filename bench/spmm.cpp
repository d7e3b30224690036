// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_spmm: times the message-passing engine's primitives on the R-MAT graph that
// ../shared/bench/pyg_reference.py writes (src.npy, dst.npy, x.npy in its graph/ folder), so that Loom and PyG
// run on exactly the same inputs. Prints one JSON line per measurement in the reference script's shape
// (workload, impl, ms, peak_mib, F) plus the bytes a perfect kernel must move and the bandwidth that implies.
//   bench_spmm --graph OUT/graph [--device cuda] [--features 32,128] [--warmup 3] [--reps 10]
//              [--spmm-backend loom|cusparse]
// --spmm-backend selects the CUDA kernel behind the weighted sums (mp::set_spmm_backend; default: Loom's own, or
// LOOM_SPMM_IMPL when set). Lines timed through cuSPARSE carry "/cusparse" in their impl.
// Workloads: spmm (u_mul_e + sum with GCN weights, the reference's Y = A X), spmm_fwd_bwd, spmm_mean,
// sddmm_dot, edge_softmax (4 heads).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/common.h"
#include "loom/core/autograd.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/core/sparse.h"
#include "loom/data/npy.h"

namespace {

using namespace loom;

using bench::report;
using bench::timed;


std::vector<int64_t> parse_list(const std::string& s) {
  std::vector<int64_t> out;
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t comma = s.find(',', pos);
    out.push_back(std::stoll(s.substr(pos, comma - pos)));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"time gspmm / gsddmm / edge_softmax on the PyG reference graph"};
  std::string graph, device_name = "cuda", features = "32,128", backend_name;
  int warmup = 3, reps = 10;
  app.add_option("--graph", graph, "folder with src.npy, dst.npy, x.npy (pyg_reference.py --out DIR writes DIR/graph)")
      ->required();
  app.add_option("--device", device_name, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--features", features, "comma-separated feature widths (columns of x.npy)");
  app.add_option("--warmup", warmup, "untimed runs")->check(CLI::NonNegativeNumber);
  app.add_option("--reps", reps, "timed runs (median reported)")->check(CLI::PositiveNumber);
  app.add_option("--spmm-backend", backend_name, "CUDA SpMM kernel for weighted sums: loom or cusparse")
      ->check(CLI::IsMember({"loom", "cusparse"}));
  CLI11_PARSE(app, argc, argv);
  try {
    if (!backend_name.empty()) mp::set_spmm_backend(mp::spmm_backend_from_name(backend_name));
    const mp::SpmmBackend backend = mp::spmm_backend();
    // Only the weighted sums (spmm, spmm_fwd_bwd) can run on cuSPARSE, and only on CUDA.
    const std::string sum_suffix =
        backend == mp::SpmmBackend::kCusparse && device_name == "cuda" ? std::string("/cusparse") : std::string();
    const Device dev = Device::parse(device_name);
    const Tensor src = data::read_npy(graph + "/src.npy"), dst = data::read_npy(graph + "/dst.npy");
    const Tensor x_all = data::read_npy(graph + "/x.npy");
    const int64_t n = x_all.size(0), e = src.numel();
    // Rows are destinations: row v of A lists v's in-edges, as torch.sparse_coo_tensor(edge_index.flip(0)) does.
    const Csr g = Csr::from_coo(dst.to(dev), src.to(dev), n, n);
    // GCN weights of the reference: w = 1 / sqrt(deg[src] deg[dst]), deg = in-degree + 1, in the Csr's order.
    Tensor w;
    {
      NoGradGuard ng;
      const Tensor deg = add_scalar(g.row_degrees().to(kFloat32), 1.0);
      const Tensor rsq = pow(deg, -0.5);
      w = mul(index_select(rsq, g.indices()), index_select(rsq, g.row_index()));
    }
    std::printf("{\"graph\":{\"nodes\":%lld,\"edges\":%lld},\"device\":\"%s\",\"spmm_backend\":\"%s\"}\n",
                static_cast<long long>(n), static_cast<long long>(e), device_name.c_str(),
                mp::spmm_backend_name(backend));
    const double idx_bytes = 8.0 * (n + 1) + 4.0 * e;  // indptr + column ids
    for (int64_t f : parse_list(features)) {
      if (f > x_all.size(1)) continue;
      Tensor x = slice(x_all, 1, 0, f).to(dev);
      const double dense = 4.0 * n * f;  // one read of X or one write of Y
      {
        NoGradGuard ng;
        Tensor out;
        report("spmm", "loom.gspmm(u_mul_e,sum)" + sum_suffix, device_name, f,
               timed([&] { out = mp::gspmm(g, mp::u_mul_e, mp::sum, x, w); }, dev, warmup, reps),
               idx_bytes + 4.0 * e + 2 * dense);
        report("spmm_mean", "loom.gspmm(copy_u,mean)", device_name, f,
               timed([&] { out = mp::gspmm(g, mp::copy_u, mp::mean, x); }, dev, warmup, reps), idx_bytes + 2 * dense);
        report("sddmm_dot", "loom.gsddmm(u_dot_v)", device_name, f,
               timed([&] { out = mp::gsddmm(g, mp::u_dot_v, x, x); }, dev, warmup, reps),
               idx_bytes + 2 * dense + 4.0 * e);
      }
      {
        Tensor xg = x.detach().set_requires_grad(true);
        const Tensor ones = ones_like(x);
        report("spmm_fwd_bwd", "loom.gspmm(u_mul_e,sum)" + sum_suffix, device_name, f, timed([&] {
                 xg.zero_grad();
                 mp::gspmm(g, mp::u_mul_e, mp::sum, xg, w).backward(ones);
               }, dev, warmup, reps),
               2 * (idx_bytes + 4.0 * e + 2 * dense));
      }
    }
    {
      NoGradGuard ng;
      const int64_t heads = 4;
      const Tensor scores = rand({e, heads}, kFloat32, dev);
      Tensor out;
      report("edge_softmax", "loom.edge_softmax(h=4)", device_name, heads,
             timed([&] { out = mp::edge_softmax(g, scores); }, dev, warmup, reps), idx_bytes + 2 * 4.0 * e * heads);
    }
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "bench_spmm: %s\n", ex.what());
    return 1;
  }
  return 0;
}
