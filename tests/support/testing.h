// Shared test support: random inputs, the device list, CUDA skips and the float64 central-difference gradcheck.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/tensor.h"

namespace loom::testing {

// Uniform values in [lo, hi) from a local generator (independent of loom's global one).
inline Tensor random_tensor(const Shape& shape, uint32_t seed, double lo = -1.0, double hi = 1.0,
                            DType dtype = kFloat64, Device device = kCPU) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(shape_numel(shape)));
  for (double& x : v) x = dist(gen);
  return from_vector<double>(v, shape).to(dtype).to(device);
}

// Integer class ids in [0, classes).
inline Tensor random_labels(int64_t n, int64_t classes, uint32_t seed, Device device = kCPU) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int64_t> dist(0, classes - 1);
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(gen);
  return from_vector<int64_t>(v, {n}, device);
}

inline bool has_cuda() { return cuda::is_available(); }

#define LOOM_REQUIRE_CUDA()                                                        \
  do {                                                                             \
    if (!::loom::testing::has_cuda()) GTEST_SKIP() << "no CUDA device: CUDA check skipped"; \
  } while (0)

// Devices to run a parameterized test on: CPU always; CUDA when present (otherwise a visible skip).
inline std::vector<Device> all_devices() { return {kCPU, kCUDA}; }
inline std::string device_name(const ::testing::TestParamInfo<Device>& info) {
  return info.param.is_cpu() ? "cpu" : "cuda";
}
#define LOOM_SKIP_UNLESS_AVAILABLE(device)                                                  \
  do {                                                                                      \
    if ((device).is_cuda() && !::loom::testing::has_cuda()) GTEST_SKIP() << "no CUDA device"; \
  } while (0)

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// Compares autograd gradients of sum(f(inputs) * w) (w fixed random weights) with central differences in float64.
// Inputs must be float64 CPU tensors; integer inputs (indices, labels) are passed through untouched.
inline ::testing::AssertionResult gradcheck(const Fn& f, std::vector<Tensor> inputs, double eps = 1e-6,
                                            double atol = 1e-6, double rtol = 1e-4) {
  for (Tensor& t : inputs) {
    t = t.clone().detach();
    if (t.dtype() == kFloat64) t.set_requires_grad(true);
  }
  Tensor out = f(inputs);
  Tensor w = random_tensor(out.shape(), 12345, -1.0, 1.0, out.dtype(), out.device());
  Tensor loss = sum(mul(out, w));
  loss.backward();
  auto objective = [&]() {
    NoGradGuard g;
    return sum(mul(f(inputs), w)).item_double();
  };
  for (size_t k = 0; k < inputs.size(); ++k) {
    Tensor& x = inputs[k];
    if (x.dtype() != kFloat64) continue;
    Tensor g = x.grad();
    if (!g.defined()) g = zeros_like(x);
    const std::vector<double> ga = g.cpu().to_vector<double>();
    double* p = x.data<double>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      const double orig = p[i];
      p[i] = orig + eps;
      const double fp = objective();
      p[i] = orig - eps;
      const double fm = objective();
      p[i] = orig;
      const double num = (fp - fm) / (2 * eps);
      const double ana = ga[static_cast<size_t>(i)];
      if (std::abs(num - ana) > atol + rtol * std::abs(num)) {
        return ::testing::AssertionFailure() << "gradient of input " << k << " " << x.shape_str() << " element " << i
                                             << ": autograd " << ana << ", numeric " << num;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

// LOOM_DATA or ../shared/data relative to the source tree. Under CI=true a missing data set fails the test;
// elsewhere it is a visible skip.
inline std::string data_dir() {
  if (const char* d = std::getenv("LOOM_DATA")) return d;
  const char* src = std::getenv("LOOM_SOURCE_DIR");
  return std::string(src ? src : ".") + "/../shared/data";
}
// A fresh, empty directory for the running test (removed first if a previous run left it).
inline std::filesystem::path temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path d = std::filesystem::temp_directory_path() /
                            (std::string("loom_") + info->test_suite_name() + "_" + info->name());
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

}  // namespace loom::testing

// Use at the top of a test that needs data set `name` (a folder under data_dir()).
#define LOOM_REQUIRE_DATASET(name)                                                                        \
  do {                                                                                                    \
    const std::string loom_ds_ = ::loom::testing::data_dir() + "/" + (name) + "/meta.json";               \
    if (!std::ifstream(loom_ds_).good()) {                                                                \
      if (::loom::testing::in_ci()) FAIL() << "data set missing under CI: " << loom_ds_ << " (set LOOM_DATA)"; \
      GTEST_SKIP() << "data set not found: " << loom_ds_ << " (set LOOM_DATA)";                           \
    }                                                                                                     \
  } while (0)
