// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Shared comparisons for every suite: values read back to the host, element-wise closeness with the worst element
// named, bitwise equality, runs under a fixed TBB thread count, and the CPU-against-CUDA parity of a function of
// tensors (its output and the gradient of every floating input). One copy here instead of one per test file.
#pragma once
#include <gtest/gtest.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/tensor.h"
#include "support/testing.h"

namespace loom::testing {

// t's values as float64 on the host (detached; any device and dtype); empty for an undefined tensor.
inline std::vector<double> host(const Tensor& t) {
  return t.defined() ? t.detach().cpu().to(kFloat64).to_vector<double>() : std::vector<double>();
}
// t's values as int64 on the host (any device, any integer or floating dtype).
inline std::vector<int64_t> host_ints(const Tensor& t) { return t.detach().cpu().to(kInt64).to_vector<int64_t>(); }

// Largest |t - want| over t's values (as host()); infinity when the sizes differ, NaN when a difference is NaN.
inline double max_diff(const Tensor& t, const std::vector<double>& want) {
  const std::vector<double> got = host(t);
  if (got.size() != want.size()) return std::numeric_limits<double>::infinity();
  double m = 0;
  for (size_t k = 0; k < want.size(); ++k) {
    const double d = std::abs(got[k] - want[k]);
    if (std::isnan(d)) return d;
    m = std::max(m, d);
  }
  return m;
}

// Every got[i] within tol of want[i] (fails at the first element that is not, naming it).
inline void expect_near_all(const std::vector<double>& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], tol) << "element " << i;
}

// |got - want| <= atol + rtol |want| everywhere (allclose's rule, NaN never close), with the worst element, its
// index and the largest difference in the failure message.
inline ::testing::AssertionResult all_close(const Tensor& got, const Tensor& want, double rtol, double atol) {
  if (got.defined() != want.defined())
    return ::testing::AssertionFailure() << (got.defined() ? "want" : "got") << " is undefined";
  if (!got.defined()) return ::testing::AssertionSuccess();
  if (got.shape() != want.shape())
    return ::testing::AssertionFailure() << "shapes differ: " << got.shape_str() << " vs " << want.shape_str();
  const std::vector<double> a = host(got), b = host(want);
  double worst = 0, max_diff = 0;
  int64_t bad = -1;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = std::abs(a[i] - b[i]);
    const double excess = std::isnan(d) ? std::numeric_limits<double>::infinity() : d - (atol + rtol * std::abs(b[i]));
    if (std::isnan(d) || d > max_diff) max_diff = d;
    if (excess > 0 && (bad < 0 || excess > worst)) {
      worst = excess;
      bad = static_cast<int64_t>(i);
    }
  }
  if (bad < 0) return ::testing::AssertionSuccess();
  const size_t i = static_cast<size_t>(bad);
  return ::testing::AssertionFailure() << "element " << bad << " of " << got.shape_str() << ": " << a[i] << " vs "
                                       << b[i] << " (rtol " << rtol << ", atol " << atol << "); max |diff| "
                                       << max_diff;
}

// Same shape, dtype and bytes (so -0.0 differs from 0.0); the first differing element is named.
inline ::testing::AssertionResult bitwise_equal(const Tensor& a, const Tensor& b) {
  if (a.defined() != b.defined()) return ::testing::AssertionFailure() << "one tensor is undefined";
  if (!a.defined()) return ::testing::AssertionSuccess();
  if (a.shape() != b.shape() || a.dtype() != b.dtype())
    return ::testing::AssertionFailure() << "shape/dtype differ: " << a.str() << " vs " << b.str();
  const Tensor ac = a.detach().cpu(), bc = b.detach().cpu();
  if (std::memcmp(ac.raw_data(), bc.raw_data(), ac.nbytes()) == 0) return ::testing::AssertionSuccess();
  const std::vector<double> x = host(ac), y = host(bc);
  const size_t w = dtype_size(ac.dtype());
  const auto* pa = static_cast<const unsigned char*>(ac.raw_data());
  const auto* pb = static_cast<const unsigned char*>(bc.raw_data());
  for (size_t i = 0; i < x.size(); ++i)
    if (std::memcmp(pa + i * w, pb + i * w, w) != 0)
      return ::testing::AssertionFailure() << "element " << i << " of " << a.shape_str() << ": " << x[i] << " vs "
                                           << y[i];
  return ::testing::AssertionFailure() << "bytes differ";
}
inline ::testing::AssertionResult bitwise_equal(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << a.size() << " vs " << b.size() << " tensors";
  for (size_t i = 0; i < a.size(); ++i) {
    ::testing::AssertionResult r = bitwise_equal(a[i], b[i]);
    if (!r) return ::testing::AssertionFailure() << "tensor " << i << ": " << r.message();
  }
  return ::testing::AssertionSuccess();
}

// Runs f with exactly `threads` TBB workers available: the global limit is set (raised above the core count if
// need be) and f runs inside an arena of that many slots, so 8 threads really are 8 on a 2-core machine.
template <class F>
auto with_threads(int threads, F&& f) {
  const size_t n = static_cast<size_t>(threads);
  oneapi::tbb::global_control c(oneapi::tbb::global_control::max_allowed_parallelism, n);
  oneapi::tbb::task_arena arena(threads);
  return arena.execute([&] { return f(); });
}

// The device of the first defined tensor of `in` (the CPU when none): lets a function of tensors pick the graph
// on the inputs' device, e.g. `testing::device_of(x).is_cuda() ? g_cuda : g`.
inline Device device_of(const std::vector<Tensor>& in) {
  for (const Tensor& t : in)
    if (t.defined()) return t.device();
  return kCPU;
}

// The weights of the backward: fixed random values in [-1, 1) from `seed`, or all ones when seed == 0.
inline Tensor backward_weights(const Shape& shape, DType dtype, uint32_t seed) {
  return seed == 0 ? ones(shape, dtype) : random_tensor(shape, seed, -1.0, 1.0, dtype);
}

// f on copies of `inputs` moved to `device` (floating ones become leaves that require a gradient), then the backward
// of sum(out * w): w is `weights` when defined (out's shape, on any device), else drawn from `seed` (all ones when
// seed == 0). Returns, on the CPU, {out, grad of input 0, grad of input 1, ...}; a gradient is undefined for a
// non-floating input or an input f did not reach. out_device, when given, gets the device f's output was on.
inline std::vector<Tensor> forward_backward(const Fn& f, const std::vector<Tensor>& inputs, Device device,
                                            uint32_t seed = 77, const Tensor& weights = Tensor(),
                                            Device* out_device = nullptr) {
  std::vector<Tensor> in;
  for (const Tensor& t : inputs) {
    if (!t.defined()) {
      in.push_back(Tensor());
      continue;
    }
    Tensor x = t.detach().to(device).clone().detach();
    if (is_floating(x.dtype())) x.set_requires_grad(true);
    in.push_back(x);
  }
  const Tensor out = f(in);
  if (out_device != nullptr) *out_device = out.device();
  std::vector<Tensor> res{out.detach().cpu()};
  if (out.requires_grad()) {
    const Tensor w = weights.defined() ? weights : backward_weights(out.shape(), out.dtype(), seed);
    sum(mul(out, w.to(out.dtype()).to(out.device()))).backward();
  }
  for (const Tensor& x : in) {
    const Tensor g = x.defined() && is_floating(x.dtype()) ? x.grad() : Tensor();
    res.push_back(g.defined() ? g.cpu() : Tensor());
  }
  return res;
}

// Tolerances of a CPU-against-CUDA comparison: the output and the gradients (float32 rounding of sums in another
// order), the seed of the backward weights (0: all ones), and whether two CUDA runs must also be bitwise equal.
struct Parity {
  double rtol = 1e-4, atol = 1e-5;            // the output
  double grad_rtol = 1e-4, grad_atol = 1e-5;  // every gradient
  uint32_t seed = 9;
  bool cuda_repeatable = false;
  Parity& out_tol(double r, double a) { rtol = r; atol = a; return *this; }
  Parity& grad_tol(double r, double a) { grad_rtol = r; grad_atol = a; return *this; }
  Parity& tol(double r, double a) { return out_tol(r, a).grad_tol(r, a); }
  Parity& weights(uint32_t s) { seed = s; return *this; }
  Parity& repeatable(bool b = true) { cuda_repeatable = b; return *this; }
};

// The output of f on CUDA inputs is on CUDA, and it and the gradient of each floating input agree with the CPU
// within p's tolerances (and, with p.cuda_repeatable, a second CUDA run is bitwise the first). Needs a CUDA device:
// call after LOOM_REQUIRE_CUDA().
inline ::testing::AssertionResult cuda_matches_cpu(const Fn& f, const std::vector<Tensor>& inputs,
                                                   const Parity& p = Parity()) {
  const std::vector<Tensor> cpu = forward_backward(f, inputs, kCPU, p.seed);
  Device out_device = kCPU;
  const std::vector<Tensor> gpu = forward_backward(f, inputs, kCUDA, p.seed, Tensor(), &out_device);
  if (!out_device.is_cuda())
    return ::testing::AssertionFailure() << "the output of CUDA inputs is on " << out_device.str();
  for (size_t i = 0; i < cpu.size(); ++i) {
    const std::string what = i == 0 ? std::string("output") : "gradient of input " + std::to_string(i - 1);
    ::testing::AssertionResult r =
        i == 0 ? all_close(gpu[i], cpu[i], p.rtol, p.atol) : all_close(gpu[i], cpu[i], p.grad_rtol, p.grad_atol);
    if (!r) return ::testing::AssertionFailure() << what << " (cuda vs cpu): " << r.message();
  }
  if (p.cuda_repeatable) {
    ::testing::AssertionResult r = bitwise_equal(forward_backward(f, inputs, kCUDA, p.seed), gpu);
    if (!r) return ::testing::AssertionFailure() << "two CUDA runs differ: " << r.message();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace loom::testing
