// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_soft_hgnn: SoftHGNN forward + backward, forward only (no autograd) and the basic variant (top_k 0) on
// random tokens x [B, N, D], one JSON line per measurement (the same workloads and fields as
// bench/torch_soft_hgnn.py, the plain dense PyTorch version of the same formula).
// With --load DIR (written by `torch_soft_hgnn.py --dump DIR`) it first takes the shapes, the input and the
// weights from DIR and prints the largest differences from PyTorch's outputs and gradients (exit code 2 when one
// is above --tol), then times on those inputs.
//   bench_soft_hgnn [--device cuda] [--tokens 4096] [--dim 256] [--hyperedges 64] [--top-k 16] [--load DIR]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/common.h"
#include "loom/core/autograd.h"
#include "loom/core/io.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/data/npy.h"
#include "loom/layers/soft_hgnn.h"

namespace {

using namespace loom;

struct Config {
  int64_t batch = 1, tokens = 4096, dim = 256, hyperedges = 64, fixed = 0, top_k = 16, heads = 8;
};

layers::SoftHGNNOptions options(const Config& c, int64_t top_k) {
  return layers::SoftHGNNOptions(c.dim)
      .num_hyperedges(c.hyperedges)
      .num_fixed(c.fixed)
      .top_k(top_k)
      .heads(c.heads)
      .dropout(0.0)
      .context(true);
}

// Forward, then backward of out with a ones gradient into x and the parameters (as bench/layers.cpp does).
std::function<void()> fwd_bwd(layers::SoftHGNN& layer, const Tensor& x) {
  return [&layer, x] {
    Tensor xin = x.detach().set_requires_grad(true);
    layer.zero_grad();
    Tensor out = layer.forward(xin);
    out.backward(ones_like(out));
  };
}

// max |a - b| / max(1, max |b|), on the host in float64.
double rel_diff(const Tensor& a, const Tensor& b) {
  const std::vector<double> va = a.detach().to(kCPU).to(kFloat64).to_vector<double>();
  const std::vector<double> vb = b.detach().to(kCPU).to(kFloat64).to_vector<double>();
  LOOM_CHECK(va.size() == vb.size(), ShapeError, "bench_soft_hgnn: compared tensors differ in size: ", a.shape_str(),
             " vs ", b.shape_str());
  double diff = 0, scale = 1;
  for (size_t i = 0; i < va.size(); ++i) {
    diff = std::max(diff, std::abs(va[i] - vb[i]));
    scale = std::max(scale, std::abs(vb[i]));
  }
  return diff / scale;
}

// Loads DIR's weights into both layers, runs them on DIR's x and compares with PyTorch's out / grad_x / grad_<param>
// / out_basic. Returns the largest difference.
double check_against_torch(const std::string& dir, layers::SoftHGNN& ses, layers::SoftHGNN& basic, const Tensor& x,
                           DType dtype, Device dev) {
  auto load = [&](const std::string& name) { return data::read_npy(dir + "/" + name + ".npy").to(dtype).to(dev); };
  NamedTensors state;
  for (const auto& [name, p] : ses.state_dict()) state.insert(name, load(name));
  ses.load_state_dict(state);
  basic.load_state_dict(state);

  Tensor xin = x.detach().set_requires_grad(true);
  ses.zero_grad();
  Tensor out = ses.forward(xin);
  out.backward(ones_like(out));
  const double d_out = rel_diff(out, load("out"));
  const double d_grad_x = rel_diff(xin.grad(), load("grad_x"));
  double d_grad_params = 0;
  for (const auto& [name, p] : ses.named_parameters()) {
    d_grad_params = std::max(d_grad_params, rel_diff(p.grad(), load("grad_" + name)));
  }
  double d_basic = 0;
  {
    NoGradGuard no_grad;
    d_basic = rel_diff(basic.forward(x), load("out_basic"));
  }
  std::printf("{\"check\":{\"against\":\"%s\",\"out\":%.3g,\"grad_x\":%.3g,\"grad_params\":%.3g,\"out_basic\":%.3g}}\n",
              dir.c_str(), d_out, d_grad_x, d_grad_params, d_basic);
  std::fflush(stdout);
  return std::max({d_out, d_grad_x, d_grad_params, d_basic});
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"time SoftHGNN (SeS) forward + backward against bench/torch_soft_hgnn.py"};
  Config c;
  std::string device_name = "cuda", dtype_name_arg = "float32", load_dir;
  int warmup = 3, reps = 10;
  uint64_t seed = 0;
  double tol = -1;
  bool no_time = false;
  app.add_option("--device", device_name, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--batch", c.batch, "B: samples")->check(CLI::PositiveNumber);
  app.add_option("--tokens", c.tokens, "N: tokens per sample")->check(CLI::PositiveNumber);
  app.add_option("--dim", c.dim, "D: token width")->check(CLI::PositiveNumber);
  app.add_option("--hyperedges", c.hyperedges, "M_dyn: dynamic hyperedges")->check(CLI::PositiveNumber);
  app.add_option("--fixed", c.fixed, "M_fix: fixed hyperedges")->check(CLI::NonNegativeNumber);
  app.add_option("--top-k", c.top_k, "dynamic hyperedges kept per sample (SeS)")->check(CLI::PositiveNumber);
  app.add_option("--heads", c.heads, "similarity heads")->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup, "untimed runs")->check(CLI::NonNegativeNumber);
  app.add_option("--reps", reps, "timed runs (median reported)")->check(CLI::PositiveNumber);
  app.add_option("--dtype", dtype_name_arg, "float32 or float64")->check(CLI::IsMember({"float32", "float64"}));
  app.add_option("--seed", seed, "seed of the weights and the input (without --load)");
  app.add_option("--load", load_dir, "folder from torch_soft_hgnn.py --dump: its shapes, input and weights, and a "
                                     "check against its outputs");
  app.add_option("--tol", tol, "largest relative difference --load accepts (default 1e-4 float32, 1e-9 float64)");
  app.add_flag("--no-time", no_time, "only the --load check");
  CLI11_PARSE(app, argc, argv);
  try {
    const Device dev = Device::parse(device_name);
    const DType dtype = dtype_name_arg == "float64" ? kFloat64 : kFloat32;
    Tensor x;
    if (!load_dir.empty()) {
      // config.npy: int64 [B, N, D, M_dyn, M_fix, k, heads], so the shapes always match the dump.
      const std::vector<int64_t> cfg = data::read_npy(load_dir + "/config.npy").to_vector<int64_t>();
      LOOM_CHECK(cfg.size() == 7, FormatError, "bench_soft_hgnn: ", load_dir, "/config.npy must hold 7 values, got ",
                 cfg.size());
      c = Config{cfg[0], cfg[1], cfg[2], cfg[3], cfg[4], cfg[5], cfg[6]};
      x = data::read_npy(load_dir + "/x.npy").to(dtype).to(dev);
    }
    manual_seed(seed);
    layers::SoftHGNN ses(options(c, c.top_k));
    layers::SoftHGNN basic(options(c, 0));
    ses.to(dtype);
    basic.to(dtype);
    ses.to(dev);
    basic.to(dev);
    if (!x.defined()) x = randn({c.batch, c.tokens, c.dim}, dtype, dev);

    std::printf("{\"softhgnn\":{\"B\":%lld,\"N\":%lld,\"D\":%lld,\"M_dyn\":%lld,\"M_fix\":%lld,\"top_k\":%lld,"
                "\"heads\":%lld,\"params\":%lld,\"dtype\":\"%s\"},\"device\":\"%s\"}\n",
                static_cast<long long>(c.batch), static_cast<long long>(c.tokens), static_cast<long long>(c.dim),
                static_cast<long long>(c.hyperedges), static_cast<long long>(c.fixed),
                static_cast<long long>(c.top_k), static_cast<long long>(c.heads),
                static_cast<long long>(ses.num_parameters()), dtype_name_arg.c_str(), device_name.c_str());
    std::fflush(stdout);

    if (!load_dir.empty()) {
      if (tol < 0) tol = dtype == kFloat64 ? 1e-9 : 1e-4;
      if (check_against_torch(load_dir, ses, basic, x, dtype, dev) > tol) {
        std::fprintf(stderr, "bench_soft_hgnn: difference from PyTorch above --tol %g\n", tol);
        return 2;
      }
    }
    if (no_time) return 0;

    // Floors (bytes every implementation must move): forward reads X and the weights and writes the output;
    // backward also reads the output's gradient and the weights again, and writes X's and the weights' gradients.
    const double s = dtype == kFloat64 ? 8.0 : 4.0;
    const double act = s * static_cast<double>(c.batch * c.tokens * c.dim);
    const double w = s * static_cast<double>(ses.num_parameters());
    const double fwd_floor = 2 * act + w, fwd_bwd_floor = fwd_floor + 3 * act + 2 * w;
    const std::string impl = "loom.SoftHGNN";
    bench::report("softhgnn_ses_fwd_bwd", impl, device_name, c.dim, bench::timed(fwd_bwd(ses, x), dev, warmup, reps),
                  fwd_bwd_floor);
    bench::report("softhgnn_ses_fwd", impl, device_name, c.dim,
                  bench::timed(
                      [&] {
                        NoGradGuard no_grad;
                        (void)ses.forward(x);
                      },
                      dev, warmup, reps),
                  fwd_floor);
    bench::report("softhgnn_basic_fwd_bwd", impl, device_name, c.dim,
                  bench::timed(fwd_bwd(basic, x), dev, warmup, reps), fwd_bwd_floor);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "bench_soft_hgnn: %s\n", ex.what());
    return 1;
  }
  return 0;
}
